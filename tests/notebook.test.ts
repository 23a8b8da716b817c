import { describe, expect, it } from 'vitest';
import {
  addCell,
  makeCell,
  moveCell,
  notebookFor,
  notebookFromJson,
  notebookToJson,
  NotebookFormatError,
  removeCell,
  updateCell,
} from '../src/lib/notebook/model';

const bench = { id: 'demo_cnn', title: 'Demo', description: '# Demo\nA tiny CNN.' };

describe('notebook model', () => {
  it('makes the standard cell sequence for a benchmark', () => {
    const nb = notebookFor(bench);
    expect(nb.cells.map((c) => c.kind)).toEqual(['markdown', 'data', 'model', 'train', 'evaluate', 'apply', 'export']);
    expect(nb.cells[0].source).toBe(bench.description);
  });

  it('adds, moves, edits and removes cells without mutating the input', () => {
    const nb = notebookFor(bench);
    const note = makeCell('markdown', { source: 'hello' });
    const added = addCell(nb, note, 2);
    expect(added.cells[2].id).toBe(note.id);
    expect(nb.cells).toHaveLength(7);
    const up = moveCell(added, note.id, -1);
    expect(up.cells[1].id).toBe(note.id);
    expect(moveCell(up, up.cells[0].id, -1)).toBe(up); // already first: unchanged
    const edited = updateCell(up, note.id, { source: 'changed' });
    expect(edited.cells[1].source).toBe('changed');
    expect(removeCell(edited, note.id).cells.map((c) => c.id)).toEqual(nb.cells.map((c) => c.id));
  });

  it('round-trips through JSON exactly, typed arrays included', () => {
    let nb = notebookFor(bench);
    const image = Float32Array.from({ length: 7 }, (_, i) => i / 3 - 1);
    nb = updateCell(nb, nb.cells[3].id, {
      params: { epochs: 3, lr: 0.01, shuffle: true },
      output: { status: 'done', metrics: { loss: 0.25 }, history: { loss: [1, 0.5] }, artifacts: { image, labels: Int32Array.of(1, -2) } },
    });
    const text = notebookToJson(nb);
    const back = notebookFromJson(text);
    expect(back).toEqual(nb);
    expect(back.cells[3].output?.artifacts?.image).toBeInstanceOf(Float32Array);
    expect(notebookToJson(back)).toBe(text);
  });

  it.each([
    ['not JSON', '{"format":', /not valid JSON/],
    ['a list', '[]', /does not hold a notebook object/],
    ['another format', '{"format":"jupyter"}', /not a SciML Notebook file/],
    ['a future version', '{"format":"sciml-notebook","version":7}', /unsupported notebook version 7/],
    ['cells not a list', JSON.stringify({ ...notebookFor(bench), cells: 3 }), /"cells" must be a list/],
    ['an unknown cell kind', JSON.stringify({ ...notebookFor(bench), cells: [{ id: 'a', kind: 'python', title: 't', params: {} }] }), /unknown kind "python"/],
    ['a cell without params', JSON.stringify({ ...notebookFor(bench), cells: [{ id: 'a', kind: 'train', title: 't' }] }), /no params object/],
    ['a bad typed array', JSON.stringify({ ...notebookFor(bench), x: { $typed: 'Float32Array', base64: 'AAA=' } }), /truncated Float32Array/],
  ])('refuses %s with a clear message', (_what, text, message) => {
    expect(() => notebookFromJson(text)).toThrow(NotebookFormatError);
    expect(() => notebookFromJson(text)).toThrow(message);
  });
});
