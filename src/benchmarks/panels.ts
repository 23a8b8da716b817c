/**
 * Each benchmark's result panels, by notebook cell. A panel receives the artifacts its benchmark's
 * data/training/inference/apply step returned and only renders them.
 */
import type { Component } from 'svelte';
import DataPreviewPanel from '../components/panels/DataPreviewPanel.svelte';
import DenoiseViewer from './em_denoise/panels/DenoiseViewer.svelte';
import DenoiseApply from './em_denoise/panels/ApplyPanel.svelte';
import DiffsimsEvaluate from './diffsims/panels/EvaluatePanel.svelte';
import PhaseMaps from './diffsims/panels/PhaseMaps.svelte';
import PhaseReport from './diffsims/panels/PhaseReport.svelte';
import AnomalyPanel from './optical_damage/panels/AnomalyPanel.svelte';
import AnomalyApply from './optical_damage/panels/ApplyPanel.svelte';

export interface PanelProps {
  artifacts: Record<string, unknown>;
}

export interface BenchmarkPanels {
  data?: Component<PanelProps>;
  train?: Component<PanelProps>;
  evaluate?: Component<PanelProps>;
  apply?: Component<PanelProps>;
}

const panels: Record<string, BenchmarkPanels> = {
  em_denoise: { evaluate: DenoiseViewer, apply: DenoiseApply },
  diffsims: { train: PhaseReport, evaluate: DiffsimsEvaluate, apply: PhaseMaps },
  optical_damage: { evaluate: AnomalyPanel, apply: AnomalyApply },
};

/** Every benchmark's Data cell uses the shared DataPreview panel. */
export function panelsFor(benchmark: string): BenchmarkPanels {
  return { data: DataPreviewPanel, ...panels[benchmark] };
}
