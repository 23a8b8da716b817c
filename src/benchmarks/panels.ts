/**
 * Each benchmark's result panels, by notebook cell. A panel receives the artifacts its benchmark's
 * data/training/inference/apply step returned and only renders them. A benchmark may also give its
 * Data cell an editor: a richer control for some of its data parameters, which the plain
 * parameter form then leaves out.
 */
import type { Component } from 'svelte';
import type { ParamSpecs, ParamValue } from '../lib/harness/contract';
import DataPreviewPanel from '../components/panels/DataPreviewPanel.svelte';
import DenoiseViewer from './em_denoise/panels/DenoiseViewer.svelte';
import DenoiseApply from './em_denoise/panels/ApplyPanel.svelte';
import DiffsimsEvaluate from './diffsims/panels/EvaluatePanel.svelte';
import PhasesEditor from './diffsims/panels/PhasesEditor.svelte';
import PhaseMaps from './diffsims/panels/PhaseMaps.svelte';
import PhaseReport from './diffsims/panels/PhaseReport.svelte';
import AnomalyPanel from './optical_damage/panels/AnomalyPanel.svelte';
import AnomalyApply from './optical_damage/panels/ApplyPanel.svelte';

export interface PanelProps {
  artifacts: Record<string, unknown>;
}

/** An editor gets the cell's parameter overrides and returns new ones, as the parameter form does. */
export interface EditorProps {
  /** The benchmark's parameter specs (defaults, help). */
  specs: ParamSpecs;
  /** The cell's overrides; a parameter at its default is absent. */
  values: Record<string, ParamValue>;
  onchange: (values: Record<string, ParamValue>) => void;
  disabled: boolean;
}

export interface DataEditor {
  component: Component<EditorProps>;
  /** The parameters it edits (hidden from the parameter form). */
  params: readonly string[];
}

export interface BenchmarkPanels {
  data?: Component<PanelProps>;
  dataEditor?: DataEditor;
  train?: Component<PanelProps>;
  evaluate?: Component<PanelProps>;
  apply?: Component<PanelProps>;
}

const panels: Record<string, BenchmarkPanels> = {
  em_denoise: { evaluate: DenoiseViewer, apply: DenoiseApply },
  diffsims: {
    dataEditor: { component: PhasesEditor, params: ['phases', 'custom_cifs'] },
    train: PhaseReport,
    evaluate: DiffsimsEvaluate,
    apply: PhaseMaps,
  },
  optical_damage: { evaluate: AnomalyPanel, apply: AnomalyApply },
};

/** Every benchmark's Data cell uses the shared DataPreview panel. */
export function panelsFor(benchmark: string): BenchmarkPanels {
  return { data: DataPreviewPanel, ...panels[benchmark] };
}
