/** Plot traces for a per-epoch history (loss, val_loss, accuracy, …). */
import type { Data } from 'plotly.js';

const COLOURS = ['#1d4ed8', '#d97706', '#059669', '#be123c', '#7c3aed', '#0891b2'];

export function historyTraces(history: Record<string, number[]>, prefix = ''): Data[] {
  return Object.entries(history).map(([name, values], i) => ({
    x: values.map((_, e) => e + 1),
    y: values,
    name: prefix + name,
    type: 'scatter',
    mode: 'lines+markers',
    line: { color: COLOURS[i % COLOURS.length], dash: name.startsWith('val_') ? 'dash' : 'solid' },
  }));
}
