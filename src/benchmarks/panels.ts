/**
 * Each benchmark's result panels, by notebook cell. A panel receives the artifacts its benchmark's
 * data/training/inference/apply step returned and only renders them.
 */
import type { Component } from 'svelte';

export interface PanelProps {
  artifacts: Record<string, unknown>;
}

export interface BenchmarkPanels {
  data?: Component<PanelProps>;
  train?: Component<PanelProps>;
  evaluate?: Component<PanelProps>;
  apply?: Component<PanelProps>;
}

const panels: Record<string, BenchmarkPanels> = {};

export function panelsFor(benchmark: string): BenchmarkPanels {
  return panels[benchmark] ?? {};
}
