/**
 * Files the user dropped or picked. They are opened in the compute worker (read lazily, never
 * uploaded); this store keeps their summaries for the Files page and the Apply cells.
 */
import type { FileSummary } from '../../../workers/compute.worker';
import { app } from './app.svelte';

export interface OpenedFile {
  key: number;
  file: File;
  summary?: FileSummary;
  error?: string;
}

class FileStore {
  items = $state<OpenedFile[]>([]);
  selected = $state<number | undefined>();
  private nextKey = 1;

  async add(files: Iterable<File>): Promise<OpenedFile[]> {
    const added: OpenedFile[] = [];
    for (const file of files) {
      const entry: OpenedFile = { key: this.nextKey++, file };
      this.items = [...this.items, entry];
      try {
        const summary = await app.compute.call((api) => api.openFile(file));
        this.update(entry.key, { summary });
      } catch (e) {
        // One line naming the file and the problem; the app keeps working.
        const message = (e as Error).message.split('\n')[0];
        this.update(entry.key, { error: message.startsWith(file.name) ? message : `${file.name}: ${message}` });
      }
      added.push(this.items.find((i) => i.key === entry.key)!);
      this.selected ??= entry.key;
    }
    return added;
  }

  private update(key: number, patch: Partial<OpenedFile>) {
    this.items = this.items.map((i) => (i.key === key ? { ...i, ...patch } : i));
  }

  async remove(key: number) {
    const item = this.items.find((i) => i.key === key);
    if (item?.summary) await app.compute.call((api) => api.closeFile(item.summary!.id)).catch(() => undefined);
    this.items = this.items.filter((i) => i.key !== key);
    if (this.selected === key) this.selected = this.items[0]?.key;
  }
}

export const files = new FileStore();
