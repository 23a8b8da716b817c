import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cellComposition, expandToCell, parseCif, parseSymop } from '../src/benchmarks/diffsims/cif-parser';
import { preparePhase } from '../src/benchmarks/diffsims/crystal';
import { BUILTIN_CIFS, DEFAULT_PHASES } from '../src/benchmarks/diffsims/phases';

const reference = JSON.parse(readFileSync(new URL('./fixtures/diffsims/reference.json', import.meta.url), 'utf8')) as {
  phases: Record<string, { sites: number; composition: Record<string, number> }>;
};

describe('diffsims CIF reader', () => {
  it('ships the same CIF text as .cif files and in phases.ts', () => {
    for (const name of DEFAULT_PHASES) {
      const file = readFileSync(new URL(`../src/benchmarks/diffsims/cif/${name}.cif`, import.meta.url), 'utf8');
      expect(BUILTIN_CIFS[name]).toBe(file);
    }
  });

  it('reads cell, space group and symmetry operations of the default phases', () => {
    const p4 = parseCif(BUILTIN_CIFS.p4mbm_scaled_mixed_halide, 'p4mbm');
    expect(p4.cell).toEqual({ a: 8.91, b: 8.91, c: 6.3, alpha: 90, beta: 90, gamma: 90 });
    expect(p4.spaceGroup).toEqual({ symbol: 'P 4/m b m', number: 127 });
    expect(p4.symops).toHaveLength(16);

    const gratia = parseCif(BUILTIN_CIFS.gratia_2h, 'gratia_2h');
    expect(gratia.spaceGroup).toEqual({ symbol: 'P 63/m m c', number: 194 });
    expect(gratia.symops).toHaveLength(24); // from _space_group_symop_operation_xyz
    expect(gratia.cell.gamma).toBe(120);
    expect(gratia.sites.find((s) => s.element === 'N')?.occupancy).toBeCloseTo(0.333, 6);

    const pbi2 = parseCif(BUILTIN_CIFS.pbi2_2h, 'pbi2_2h');
    expect(pbi2.spaceGroup.number).toBe(164);
    expect(pbi2.symops).toHaveLength(12); // loop with a site-id column before the xyz column
  });

  it('expands the default phases to the full-cell atom counts (and agrees with pymatgen)', () => {
    const expected: Record<string, { atoms: number; composition: Record<string, number> }> = {
      p4mbm_scaled_mixed_halide: { atoms: 10, composition: { Pb: 2, I: 6, C: 2 } },
      gratia_2h: { atoms: 16, composition: { Pb: 2, I: 6, C: 2, N: 6 * 0.333 } },
      pbi2_2h: { atoms: 3, composition: { Pb: 1, I: 2 } },
    };
    for (const name of DEFAULT_PHASES) {
      const atoms = expandToCell(parseCif(BUILTIN_CIFS[name], name));
      expect(atoms).toHaveLength(expected[name].atoms);
      expect(atoms).toHaveLength(reference.phases[name].sites);
      const composition = cellComposition(atoms);
      for (const [el, n] of Object.entries(expected[name].composition)) {
        expect(composition[el]).toBeCloseTo(n, 6);
        expect(composition[el]).toBeCloseTo(reference.phases[name].composition[el], 5);
      }
    }
  });

  it('merges images of a site on a special position (gratia I at x ≈ 2y)', () => {
    const atoms = expandToCell(parseCif(BUILTIN_CIFS.gratia_2h, 'gratia_2h')).filter((a) => a.element === 'I');
    expect(atoms).toHaveLength(6); // 6h, not 12 near-duplicates
    for (const a of atoms) for (const v of a.fract) expect(v >= 0 && v < 1).toBe(true);
  });

  it('parses symmetry operations in their usual spellings', () => {
    expect(parseSymop('1/2-x, +y, -z+0.5')).toEqual({ rotation: [-1, 0, 0, 0, 1, 0, 0, 0, -1], translation: [0.5, 0, 0.5] });
    expect(parseSymop('X-Y,x,Z+1/2')).toEqual({ rotation: [1, -1, 0, 1, 0, 0, 0, 0, 1], translation: [0, 0, 0.5] });
    expect(() => parseSymop('x, y')).toThrow(/three components/);
  });

  it('handles quotes, text fields, comments, uncertainties, label-only elements and P1 without operations', () => {
    const cif = `
data_test
# a comment
_publ_section_title
;
A multi-line text field with 'quotes' and _tags_ inside
;
_cell_length_a 4.123(2)
_cell_length_b 4.123(2)
_cell_length_c 4.123(2)
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 90
_symmetry_space_group_name_H-M 'P 1'
loop_
_atom_site_label
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
_atom_site_U_iso_or_equiv
Cs1 0 0 0 0.01
Cl1 0.5 0.5 0.5 ?
`;
    const s = parseCif(cif, 'cscl');
    expect(s.cell.a).toBe(4.123);
    expect(s.symops).toHaveLength(1);
    expect(s.sites.map((x) => x.element)).toEqual(['Cs', 'Cl']);
    expect(s.sites[0].bIso).toBeCloseTo(8 * Math.PI ** 2 * 0.01, 10);
    expect(s.sites[1].bIso).toBe(0);
    expect(s.sites[0].occupancy).toBe(1);
  });

  it('names the missing item in its errors', () => {
    const full = BUILTIN_CIFS.pbi2_2h;
    expect(() => parseCif(full.replace('_cell_length_b    4.555\n', ''), 'nob')).toThrow(/CIF 'nob' is missing _cell_length_b/);
    const noOps = full.replace(/loop_\n_symmetry_equiv_pos_site_id[\s\S]*?'x, x-y, z'\n/, '');
    expect(() => parseCif(noOps, 'noops')).toThrow(/missing its symmetry operations \(_symmetry_equiv_pos_as_xyz or _space_group_symop_operation_xyz\)/);
    const noZ = full.replace('_atom_site_fract_z\n', '');
    expect(() => parseCif(noZ, 'noz')).toThrow(/_atom_site_fract_z/);
    const unknown = full.replace('Pb1 Pb 1.0', 'Xx1 Xx 1.0');
    expect(() => preparePhase(parseCif(unknown, 'odd'), 1)).toThrow(/CIF 'odd': no electron scattering factor coefficients for Xx/);
  });
});
