/** The benchmarks the compute worker offers (ids, titles, descriptions, parameter specs). */
import type { BenchmarkSummary } from '../../../workers/compute.worker';
import { app } from './app.svelte';

class Catalog {
  benchmarks = $state<BenchmarkSummary[]>([]);
  error = $state<string | undefined>();

  async load() {
    try {
      this.benchmarks = await app.compute.call((api) => api.catalog());
      this.error = undefined;
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  get(id: string): BenchmarkSummary | undefined {
    return this.benchmarks.find((b) => b.id === id);
  }
}

export const catalog = new Catalog();
