import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expandToCell, parseCif } from '../src/benchmarks/diffsims/cif-parser';
import {
  dSpacing,
  electronWavelength,
  enumerateHkl,
  preparePhase,
  referencePeaks,
  structureFactor,
} from '../src/benchmarks/diffsims/crystal';
import { BUILTIN_CIFS, DEFAULT_PHASES } from '../src/benchmarks/diffsims/phases';
import { electronScatteringFactor } from '../src/benchmarks/diffsims/scattering';

interface PhaseFixture {
  xrd_q: number[];
  xrd_intensity: number[];
  partial_structure_factors: ({ hkl: number[] } & Record<string, number[]>)[];
}
const reference = JSON.parse(readFileSync(new URL('./fixtures/diffsims/reference.json', import.meta.url), 'utf8')) as {
  phases: Record<string, PhaseFixture>;
};

const cubicCif = (a: number, atoms: string) => `data_cubic
_cell_length_a ${a}
_cell_length_b ${a}
_cell_length_c ${a}
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 90
_symmetry_Int_Tables_number 1
loop_
_atom_site_label
_atom_site_type_symbol
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
${atoms}
`;

describe('diffsims crystal geometry and structure factors', () => {
  it('enumerates the reflections of a simple cubic lattice with their d-spacings', () => {
    const a = 3;
    const { cell } = parseCif(cubicCif(a, 'Cs1 Cs 0 0 0'), 'sc');
    const hkls = enumerateHkl(cell, 1.0); // |g| = √(h²+k²+l²)/a ≤ 1  ⇔  N = h²+k²+l² ≤ 9
    // Hand count of lattice points per shell N: 1:6, 2:12, 3:8, 4:6, 5:24, 6:24, 8:12, 9:30 (N = 7 is not a sum of 3 squares).
    const perShell: Record<number, number> = {};
    for (const [h, k, l] of hkls) {
      const n = h * h + k * k + l * l;
      perShell[n] = (perShell[n] ?? 0) + 1;
      expect(dSpacing(cell, h, k, l)).toBeCloseTo(a / Math.sqrt(n), 12);
    }
    expect(perShell).toEqual({ 1: 6, 2: 12, 3: 8, 4: 6, 5: 24, 6: 24, 8: 12, 9: 30 });
    expect(hkls).toHaveLength(122);
  });

  it('gives CsCl-type structure factors f_Cs ∓ f_Cl and no absences', () => {
    const a = 4.123;
    const s = parseCif(cubicCif(a, 'Cs1 Cs 0 0 0\nCl1 Cl 0.5 0.5 0.5'), 'cscl');
    const atoms = expandToCell(s);
    const f = (el: string, n: number) => electronScatteringFactor(el, Math.sqrt(n) / a);
    expect(structureFactor(atoms, s.cell, 1, 0, 0).re).toBeCloseTo(f('Cs', 1) - f('Cl', 1), 10);
    expect(structureFactor(atoms, s.cell, 1, 1, 0).re).toBeCloseTo(f('Cs', 2) + f('Cl', 2), 10);
    expect(structureFactor(atoms, s.cell, 1, 1, 1).re).toBeCloseTo(f('Cs', 3) - f('Cl', 3), 10);
    expect(Math.abs(structureFactor(atoms, s.cell, 1, 0, 0).im)).toBeLessThan(1e-10);
    expect(preparePhase(s, 1).count).toBe(enumerateHkl(s.cell, 1).length);
  });

  it('drops systematic absences (bcc: h + k + l odd)', () => {
    const s = parseCif(cubicCif(3.3, 'Cs1 Cs 0 0 0\nCs2 Cs 0.5 0.5 0.5'), 'bcc');
    const phase = preparePhase(s, 1.2);
    for (let j = 0; j < phase.count; j++) {
      expect(Math.abs(phase.hkl[3 * j] + phase.hkl[3 * j + 1] + phase.hkl[3 * j + 2]) % 2).toBe(0);
    }
    expect(phase.count).toBe(enumerateHkl(s.cell, 1.2).filter(([h, k, l]) => (h + k + l) % 2 === 0).length);
  });

  it('computes hexagonal d-spacings (PbI2: d100 = a√3/2, d001 = c, d110 = a/2)', () => {
    const { cell } = parseCif(BUILTIN_CIFS.pbi2_2h, 'pbi2_2h');
    expect(dSpacing(cell, 1, 0, 0)).toBeCloseTo((4.555 * Math.sqrt(3)) / 2, 10);
    expect(dSpacing(cell, 0, 0, 1)).toBeCloseTo(6.977, 10);
    expect(dSpacing(cell, 1, 1, 0)).toBeCloseTo(4.555 / 2, 10);
  });

  it('has the 200 keV electron wavelength of the reference (0.025079 Å)', () => {
    expect(electronWavelength(200)).toBeCloseTo(0.025079, 6);
  });

  for (const name of DEFAULT_PHASES) {
    it(`matches pymatgen's structure factors and ring positions for ${name}`, () => {
      const fixture = reference.phases[name];
      const s = parseCif(BUILTIN_CIFS[name], name);
      const atoms = expandToCell(s);
      for (const entry of fixture.partial_structure_factors) {
        const [h, k, l] = entry.hkl;
        const g = 1 / dSpacing(s.cell, h, k, l);
        let re = 0;
        let im = 0;
        for (const [el, value] of Object.entries(entry)) {
          if (el === 'hkl') continue;
          re += electronScatteringFactor(el, g) * value[0];
          im += electronScatteringFactor(el, g) * value[1];
        }
        // pymatgen snaps 0.333333 to 1/3, hence agreement to 1e-4 rather than to rounding.
        const F = structureFactor(atoms, s.cell, h, k, l);
        expect(Math.abs(F.re - re)).toBeLessThan(1e-4 * (1 + Math.abs(re)));
        expect(Math.abs(F.im - im)).toBeLessThan(1e-4 * (1 + Math.abs(im)));
      }

      // Allowed ring positions: every pymatgen X-ray ring (≥ 0.5 % of the strongest) is one of ours,
      // and every electron ring of ours above 1 % is one of pymatgen's.
      const phase = preparePhase(s, 1.6);
      const ours = referencePeaks(phase, 1.6, 0);
      const near = (q: number, list: readonly number[]) => list.some((v) => Math.abs(v - q) < 2e-6);
      const ourQ = ours.map((p) => p.q);
      fixture.xrd_q.forEach((q, i) => {
        if (fixture.xrd_intensity[i] >= 0.5) expect(near(q, ourQ), `pymatgen ring at ${q}`).toBe(true);
      });
      for (const p of ours.filter((r) => r.intensity >= 1)) expect(near(p.q, fixture.xrd_q), `ring at ${p.q}`).toBe(true);
    });
  }
});
