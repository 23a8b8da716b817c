/**
 * Application state shared by the components (Svelte 5 runes). Components render this and
 * dispatch to the functions here; all computation happens in the compute worker.
 */
import type { BackendInfo } from '../engine/backend';
import { ComputeClient } from '../compute/client';

export interface Toast {
  id: number;
  kind: 'info' | 'warning' | 'error';
  text: string;
}

const BACKEND_SETTING = 'sciml-notebook.backend';

/** `?backend=` wins over the saved setting; both are optional. */
export function requestedBackend(): string | undefined {
  const fromUrl = /[?&]backend=([^&#]*)/.exec(location.search)?.[1];
  if (fromUrl) return decodeURIComponent(fromUrl);
  return localStorage.getItem(BACKEND_SETTING) ?? undefined;
}

class AppState {
  backend = $state<BackendInfo | undefined>();
  backendError = $state<string | undefined>();
  toasts = $state<Toast[]>([]);
  /** Number of runs in progress: the update prompt never reloads while this is > 0. */
  busy = $state(0);
  route = $state(location.hash || '#/');
  readonly compute = new ComputeClient(requestedBackend);
  private nextToast = 1;

  constructor() {
    this.compute.on((e) => {
      if (e.kind === 'ready') {
        this.backend = e.info;
        this.backendError = undefined;
      } else if (e.kind === 'crashed') {
        this.backend = undefined;
        this.toast('error', `The compute worker crashed (${e.message}); it restarts on the next run.`);
      } else {
        this.backend = undefined;
        this.toast('error', `The GPU device was lost (${e.message}); the worker has been rebuilt.`);
      }
    });
    addEventListener('hashchange', () => (this.route = location.hash || '#/'));
  }

  async startCompute() {
    try {
      await this.compute.start();
    } catch (e) {
      this.backendError = (e as Error).message;
    }
  }

  async setBackendPreference(name: string) {
    if (name) localStorage.setItem(BACKEND_SETTING, name);
    else localStorage.removeItem(BACKEND_SETTING);
    this.backend = undefined;
    try {
      await this.compute.restart();
    } catch (e) {
      this.backendError = (e as Error).message;
    }
  }

  toast(kind: Toast['kind'], text: string, ms = 8000) {
    const id = this.nextToast++;
    this.toasts = [...this.toasts, { id, kind, text }];
    if (ms > 0) setTimeout(() => this.dismiss(id), ms);
  }

  dismiss(id: number) {
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }
}

export const app = new AppState();
