/**
 * The diffsims Phases panel's logic: describing CIFs as the simulator reads them, the errors it
 * shows for CIFs the simulator cannot use, and the `phases` / `custom_cifs` parameter updates.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  addCifFiles,
  describeCif,
  movePhase,
  phaseNameFromFile,
  phaseRows,
  readPhaseChoice,
  reducedFormula,
  removePhase,
  setIncluded,
  spaceGroupLabel,
  writePhaseChoice,
  type PhaseChoice,
} from '../src/benchmarks/diffsims/phase-library';
import { BUILTIN_CIFS, DEFAULT_PHASES } from '../src/benchmarks/diffsims/phases';
import { DEFAULT_SIMULATION } from '../src/benchmarks/diffsims/simulate';
import { preparePhases, resolvePhases } from '../src/benchmarks/diffsims/sources';
import { diffsims } from '../src/benchmarks/diffsims/spec';
import { resolveParams } from '../src/lib/harness/params';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/e2e/${name}`, import.meta.url), 'utf8');
const CSPBBR3 = fixture('CsPbBr3_cubic.cif');
const NO_CELL = fixture('no_cell.cif');
const DEFAULT_CHOICE: PhaseChoice = { order: [...DEFAULT_PHASES], custom: {} };

/** The CsPbBr3 fixture with its atom-site loop (everything from the second loop_) cut off. */
const WITHOUT_SITES = CSPBBR3.slice(0, CSPBBR3.lastIndexOf('loop_'));

/** The error a run would raise for this CIF (sources.ts preparePhases, as the worker calls it). */
function runError(name: string, text: string): string {
  try {
    preparePhases([{ name, cif: text }], DEFAULT_SIMULATION);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`preparing ${name} did not fail`);
}

describe('describeCif', () => {
  it('describes the three built-in phases (formula, Z, space group, cell, atoms per cell)', () => {
    // Wyckoff multiplicities from the CIF headers: P4/mbm Pb 2a + I 2b + I 4g + C 2c;
    // P6_3/mmc Pb 2a + I 6h + C 2d + N (6 images × 1/3); P-3m1 Pb 1a + I 2d.
    const p4 = describeCif('p4mbm_scaled_mixed_halide', BUILTIN_CIFS.p4mbm_scaled_mixed_halide);
    expect(p4).toMatchObject({ formula: 'PbI3C', z: 2, atomsInCell: 10, sites: 4 });
    expect(spaceGroupLabel(p4.spaceGroup)).toBe('P4/mbm (No. 127)');
    expect(p4.cell).toEqual({ a: 8.91, b: 8.91, c: 6.3, alpha: 90, beta: 90, gamma: 90 });
    expect(p4.volume).toBeCloseTo(8.91 * 8.91 * 6.3, 9);

    const gratia = describeCif('gratia_2h', BUILTIN_CIFS.gratia_2h);
    expect(gratia).toMatchObject({ formula: 'PbI3CN', z: 2, atomsInCell: 16, sites: 4 });
    expect(gratia.composition.N).toBeCloseTo(6 * 0.333, 9);
    expect(spaceGroupLabel(gratia.spaceGroup)).toBe('P63/mmc (No. 194)');
    expect(gratia.cell.gamma).toBe(120);
    expect(gratia.volume).toBeCloseTo(8.6667 * 8.6667 * 7.9077 * Math.sin((120 * Math.PI) / 180), 6);

    const pbi2 = describeCif('pbi2_2h', BUILTIN_CIFS.pbi2_2h);
    expect(pbi2).toMatchObject({ formula: 'PbI2', z: 1, atomsInCell: 3, sites: 2 });
    expect(spaceGroupLabel(pbi2.spaceGroup)).toBe('P-3m1 (No. 164)');
    expect(pbi2.cell).toMatchObject({ a: 4.555, c: 6.977, gamma: 120 });
  });

  it('describes the cubic CsPbBr3 fixture (Pm-3m, one formula unit)', () => {
    const s = describeCif('CsPbBr3_cubic', CSPBBR3);
    expect(s).toMatchObject({ formula: 'CsPbBr3', z: 1, atomsInCell: 5, composition: { Cs: 1, Pb: 1, Br: 3 } });
    expect(spaceGroupLabel(s.spaceGroup)).toBe('Pm-3m (No. 221)');
    expect(s.volume).toBeCloseTo(5.874 ** 3, 9);
  });

  it('names a missing cell length, as a run would', () => {
    expect(() => describeCif('no_cell', NO_CELL)).toThrow("CIF 'no_cell' is missing _cell_length_a");
    expect(() => describeCif('no_cell', NO_CELL)).toThrow(runError('no_cell', NO_CELL));
  });

  it('names the missing atom-site items, as a run would', () => {
    expect(() => describeCif('no_sites', WITHOUT_SITES)).toThrow(/CIF 'no_sites' is missing _atom_site_fract_x, _atom_site_fract_y, _atom_site_fract_z/);
    expect(() => describeCif('no_sites', WITHOUT_SITES)).toThrow(runError('no_sites', WITHOUT_SITES));
  });

  it('names an element without scattering-factor coefficients, as a run would', () => {
    const tantalum = CSPBBR3.replace('Cs1 Cs 1.0', 'Ta1 Ta 1.0');
    expect(() => describeCif('tantalum', tantalum)).toThrow(/CIF 'tantalum': no electron scattering factor coefficients for Ta\./);
    expect(() => describeCif('tantalum', tantalum)).toThrow(runError('tantalum', tantalum));
  });

  it('names missing symmetry operations of a space group other than P1', () => {
    const noOps = CSPBBR3.replace(/loop_\n_space_group_symop_operation_xyz\n('[^']*'\n)+/, '');
    expect(() => describeCif('no_ops', noOps)).toThrow(/missing its symmetry operations .* space group P m -3 m/);
  });
});

describe('formula and names', () => {
  it('reduces integral cell contents and keeps fractional ones per cell', () => {
    expect(reducedFormula({ Pb: 2, I: 6, C: 2 })).toEqual({ formula: 'PbI3C', z: 2 });
    expect(reducedFormula({ Pb: 4, I: 8 })).toEqual({ formula: 'PbI2', z: 4 });
    expect(reducedFormula({ Pb: 1, I: 2.4, Br: 0.6 })).toEqual({ formula: 'PbI2.4Br0.6', z: undefined });
  });

  it('makes phase names from file names that are safe in the comma-separated list', () => {
    expect(phaseNameFromFile('CsPbBr3_cubic.cif')).toBe('CsPbBr3_cubic');
    expect(phaseNameFromFile('C:\\data\\My phase, v2.CIF')).toBe('My_phase_v2');
    expect(phaseNameFromFile('/tmp/ ,.cif')).toBe('phase');
  });
});

describe('phases / custom_cifs parameter updates', () => {
  it('reads the defaults and writes them back unchanged', () => {
    const { choice, problem } = readPhaseChoice(DEFAULT_PHASES.join(','), '');
    expect(problem).toBeUndefined();
    expect(choice).toEqual(DEFAULT_CHOICE);
    expect(writePhaseChoice(choice)).toEqual({ phases: DEFAULT_PHASES.join(','), custom_cifs: '' });
  });

  it('reports an unreadable custom_cifs instead of throwing', () => {
    const { choice, problem } = readPhaseChoice('gratia_2h,pbi2_2h', '{not json');
    expect(problem).toMatch(/custom_cifs is not valid JSON/);
    expect(choice).toEqual({ order: ['gratia_2h', 'pbi2_2h'], custom: {} });
    expect(readPhaseChoice('a,b', '{"a": 3}').problem).toMatch(/the CIF of 'a' must be a string/);
  });

  it('adds a valid CIF as the next label; the run resolves it and the model gets 4 classes', () => {
    const { choice, messages } = addCifFiles(DEFAULT_CHOICE, [{ fileName: 'CsPbBr3_cubic.cif', text: CSPBBR3 }]);
    expect(messages).toEqual([{ fileName: 'CsPbBr3_cubic.cif', kind: 'added', text: 'added as CsPbBr3_cubic (label 3)' }]);
    expect(choice.order).toEqual([...DEFAULT_PHASES, 'CsPbBr3_cubic']);
    const params = writePhaseChoice(choice);
    const sources = resolvePhases(params.phases, params.custom_cifs);
    expect(sources.map((s) => s.name)).toEqual([...DEFAULT_PHASES, 'CsPbBr3_cubic']);
    expect(sources[3].cif).toBe(CSPBBR3);
    expect(readPhaseChoice(params.phases, params.custom_cifs).choice).toEqual(choice);

    // The Model cell builds exactly this way (workers/compute.worker.ts describeModel).
    const values = resolveParams(diffsims.params, params, 'training').values;
    const model = diffsims.buildModel!(tf, values);
    try {
      expect(model.outputs[0].shape).toEqual([null, 4]);
    } finally {
      model.dispose();
    }
  });

  it('leaves everything unchanged for an invalid CIF and says what is missing', () => {
    const start = addCifFiles(DEFAULT_CHOICE, [{ fileName: 'CsPbBr3_cubic.cif', text: CSPBBR3 }]).choice;
    const { choice, messages } = addCifFiles(start, [
      { fileName: 'no_cell.cif', text: NO_CELL },
      { fileName: 'notes.txt', text: CSPBBR3 },
    ]);
    expect(choice).toEqual(start);
    expect(messages.map((m) => [m.fileName, m.kind])).toEqual([['no_cell.cif', 'error'], ['notes.txt', 'error']]);
    expect(messages[0].text).toBe(runError('no_cell', NO_CELL));
    expect(messages[0].text).toContain('_cell_length_a');
    expect(messages[1].text).toMatch(/not a \.cif file/);
  });

  it('deduplicates: identical files add nothing, clashing names get a suffix', () => {
    const one = addCifFiles(DEFAULT_CHOICE, [{ fileName: 'CsPbBr3_cubic.cif', text: CSPBBR3 }]).choice;
    const again = addCifFiles(one, [{ fileName: 'copy.cif', text: CSPBBR3 }]);
    expect(again.choice).toEqual(one);
    expect(again.messages[0]).toMatchObject({ kind: 'duplicate', text: expect.stringContaining('identical to the user phase CsPbBr3_cubic') });

    const larger = CSPBBR3.replace(/5\.874/g, '5.95');
    const renamed = addCifFiles(one, [
      { fileName: 'CsPbBr3_cubic.cif', text: larger },
      { fileName: 'pbi2_2h.cif', text: larger.replace('Cs1 Cs', 'Rb1 Rb') },
    ]);
    expect(renamed.choice.order).toEqual([...DEFAULT_PHASES, 'CsPbBr3_cubic', 'CsPbBr3_cubic_2', 'pbi2_2h_2']);
    expect(renamed.choice.custom.CsPbBr3_cubic).toBe(CSPBBR3);
    expect(renamed.choice.custom.CsPbBr3_cubic_2).toBe(larger);
    expect(renamed.messages.map((m) => m.kind)).toEqual(['renamed', 'renamed']);
    expect(renamed.messages[0].text).toContain('another user phase is already called CsPbBr3_cubic');
    expect(renamed.messages[1].text).toContain('a built-in phase is already called pbi2_2h');

    // A copy of an excluded built-in CIF includes that phase again instead of adding a twin.
    const withoutGratia = setIncluded(DEFAULT_CHOICE, 'gratia_2h', false);
    const readded = addCifFiles(withoutGratia, [{ fileName: 'mine.cif', text: BUILTIN_CIFS.gratia_2h }]);
    expect(readded.choice).toEqual({ order: ['p4mbm_scaled_mixed_halide', 'pbi2_2h', 'gratia_2h'], custom: {} });
    expect(readded.messages[0].text).toContain('included again (label 2)');
  });

  it('removes a user phase and keeps the others in label order', () => {
    const choice = addCifFiles(DEFAULT_CHOICE, [
      { fileName: 'CsPbBr3_cubic.cif', text: CSPBBR3 },
      { fileName: 'CsPbBr3_big.cif', text: CSPBBR3.replace(/5\.874/g, '5.95') },
    ]).choice;
    const moved = movePhase(choice, 'CsPbBr3_cubic', -2);
    expect(moved.order).toEqual(['p4mbm_scaled_mixed_halide', 'CsPbBr3_cubic', 'gratia_2h', 'pbi2_2h', 'CsPbBr3_big']);
    const removed = removePhase(moved, 'CsPbBr3_cubic');
    expect(removed.order).toEqual([...DEFAULT_PHASES, 'CsPbBr3_big']);
    expect(Object.keys(removed.custom)).toEqual(['CsPbBr3_big']);
    expect(writePhaseChoice(removePhase(removed, 'CsPbBr3_big'))).toEqual({ phases: DEFAULT_PHASES.join(','), custom_cifs: '' });
  });

  it('excludes and re-includes built-in phases, and moves within bounds', () => {
    const excluded = setIncluded(DEFAULT_CHOICE, 'p4mbm_scaled_mixed_halide', false);
    expect(excluded.order).toEqual(['gratia_2h', 'pbi2_2h']);
    expect(setIncluded(excluded, 'p4mbm_scaled_mixed_halide', true).order).toEqual(['gratia_2h', 'pbi2_2h', 'p4mbm_scaled_mixed_halide']);
    expect(movePhase(DEFAULT_CHOICE, 'p4mbm_scaled_mixed_halide', -1)).toEqual(DEFAULT_CHOICE);
    expect(movePhase(DEFAULT_CHOICE, 'pbi2_2h', -1).order).toEqual(['p4mbm_scaled_mixed_halide', 'pbi2_2h', 'gratia_2h']);
  });

  it('lists included phases by label, then excluded ones, and flags unknown names', () => {
    const choice = setIncluded(addCifFiles(DEFAULT_CHOICE, [{ fileName: 'CsPbBr3_cubic.cif', text: CSPBBR3 }]).choice, 'gratia_2h', false);
    const rows = phaseRows({ ...choice, order: [...choice.order, 'missing_phase'] });
    expect(rows.map((r) => [r.name, r.label, r.builtin])).toEqual([
      ['p4mbm_scaled_mixed_halide', 0, true],
      ['pbi2_2h', 1, true],
      ['CsPbBr3_cubic', 2, false],
      ['missing_phase', 3, false],
      ['gratia_2h', undefined, true],
    ]);
    expect(rows[2].summary?.formula).toBe('CsPbBr3');
    expect(rows[3].error).toMatch(/unknown phase 'missing_phase'/);

    // A user CIF stored in an imported notebook that the simulator cannot read shows its error.
    const broken = phaseRows({ order: ['pbi2_2h', 'no_cell'], custom: { no_cell: NO_CELL } });
    expect(broken[1].error).toBe(runError('no_cell', NO_CELL));
  });
});
