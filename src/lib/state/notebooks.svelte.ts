/**
 * Open notebooks: loaded from IndexedDB, edited in memory, saved back after every change,
 * so parameters and outputs survive a reload.
 */
import { deleteNotebook, listNotebooks, saveNotebook } from '../storage/db';
import { notebookFor, type Notebook } from '../notebook/model';
import type { BenchmarkSummary } from '../../../workers/compute.worker';
import { app } from './app.svelte';

class NotebookStore {
  all = $state<Notebook[]>([]);
  loaded = $state(false);

  async load() {
    this.all = (await listNotebooks()).sort((a, b) => b.updated.localeCompare(a.updated));
    this.loaded = true;
  }

  get(id: string): Notebook | undefined {
    return this.all.find((n) => n.id === id);
  }

  /** The notebook a benchmark opens into: the latest one for it, or a fresh one. */
  async forBenchmark(b: BenchmarkSummary): Promise<Notebook> {
    const existing = this.all.find((n) => n.benchmark === b.id);
    if (existing) return existing;
    const nb = notebookFor(b);
    await this.put(nb);
    return nb;
  }

  async put(nb: Notebook) {
    const snapshot = $state.snapshot(nb) as Notebook;
    const i = this.all.findIndex((n) => n.id === nb.id);
    this.all = i >= 0 ? this.all.map((n) => (n.id === nb.id ? snapshot : n)) : [snapshot, ...this.all];
    try {
      await saveNotebook(snapshot);
    } catch (e) {
      app.toast('error', (e as Error).message, 0);
    }
  }

  async remove(id: string) {
    await deleteNotebook(id);
    this.all = this.all.filter((n) => n.id !== id);
  }
}

export const notebooks = new NotebookStore();
