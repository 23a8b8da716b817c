/** Plot traces for a per-epoch history (loss, val_loss, accuracy, …). */
import type { Data, Layout } from 'plotly.js-dist-min';

const COLOURS = ['#1d4ed8', '#d97706', '#059669', '#be123c', '#7c3aed', '#0891b2'];

/** Scores in [0, 1] (accuracy, F1, AUC) go on a right-hand linear axis, losses on the left log axis. */
export function isScore(name: string): boolean {
  return /acc|f1|auc|precision|recall/i.test(name);
}

export function historyTraces(history: Record<string, number[]>, prefix = ''): Data[] {
  return Object.entries(history).map(([name, values], i) => ({
    x: values.map((_, e) => e + 1),
    y: values,
    name: prefix + name,
    type: 'scatter',
    mode: 'lines+markers',
    yaxis: isScore(name) ? 'y2' : 'y',
    line: { color: COLOURS[i % COLOURS.length], dash: name.startsWith('val_') ? 'dash' : 'solid' },
  }));
}

/** Layout for historyTraces: loss (log) on the left, scores (0–1) on the right when present. */
export function historyLayout(history: Record<string, number[]>): Partial<Layout> {
  const scores = Object.keys(history).some(isScore);
  return {
    xaxis: { title: { text: 'epoch' }, dtick: 1 },
    yaxis: { title: { text: 'loss' }, type: 'log' },
    // The right axis needs the room the left one has (Plot's default right margin is 16 px).
    ...(scores
      ? { yaxis2: { title: { text: 'score' }, overlaying: 'y', side: 'right', range: [0, 1.02], tickmode: 'linear', dtick: 0.2, showgrid: false }, margin: { l: 56, r: 56, t: 28, b: 44 } }
      : {}),
  };
}
