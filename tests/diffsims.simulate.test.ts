import { describe, expect, it } from 'vitest';
import { parseCif } from '../src/benchmarks/diffsims/cif-parser';
import { preparePhase, type PreparedPhase } from '../src/benchmarks/diffsims/crystal';
import { BUILTIN_CIFS, DEFAULT_PHASES } from '../src/benchmarks/diffsims/phases';
import { Q_FIRST, Q_LAST, discSquareArea, fullQAxis, interpolateLinear, profileQAxis } from '../src/benchmarks/diffsims/profile';
import {
  DEFAULT_SIMULATION,
  SWEEP_AUGMENTATIONS,
  besselI0Scaled,
  erf,
  preparationGMax,
  simulateProfile,
  simulateProfiles,
  type SimulationParams,
} from '../src/benchmarks/diffsims/simulate';
import { simulationFile } from '../src/benchmarks/diffsims/sources';

const params: SimulationParams = { ...DEFAULT_SIMULATION, nPerPhase: 6 };
const phases: PreparedPhase[] = DEFAULT_PHASES.map((n) => preparePhase(parseCif(BUILTIN_CIFS[n], n), preparationGMax(params)));

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('diffsims profile axis', () => {
  it('crops bins 13..159 of the 256-bin axis to the 147-point reference axis', () => {
    const full = fullQAxis();
    const crop = profileQAxis();
    expect(full).toHaveLength(256);
    expect(crop).toHaveLength(147);
    expect(crop[0]).toBeCloseTo(Q_FIRST, 12);
    expect(crop[146]).toBeCloseTo(Q_LAST, 12);
    expect(crop[0]).toBeCloseTo(0.107777, 6);
    expect(crop[146]).toBeCloseTo(1.318192, 6);
    for (let i = 0; i < 147; i++) expect(crop[i]).toBeCloseTo(full[13 + i], 12);
  });

  it('interpolates linearly and extrapolates past the ends', () => {
    const out = interpolateLinear([0, 1, 2], [0, 10, 30], [-1, 0.5, 1.5, 3]);
    expect(Array.from(out)).toEqual([-10, 5, 20, 50]);
  });

  it('counts ring pixels of the square detector', () => {
    expect(discSquareArea(100, 256)).toBeCloseTo(Math.PI * 1e4, 8);
    expect(discSquareArea(400, 256)).toBe(512 * 512);
    expect(discSquareArea(300, 256)).toBeLessThan(Math.PI * 300 * 300);
    expect(discSquareArea(300, 256)).toBeGreaterThan(Math.PI * 256 * 256);
  });

  it('has accurate erf and e^-x I0(x)', () => {
    expect(erf(0.5)).toBeCloseTo(0.5204998778, 6);
    expect(erf(-1.5)).toBeCloseTo(-0.9661051465, 6);
    expect(besselI0Scaled(0)).toBe(1);
    expect(besselI0Scaled(2)).toBeCloseTo(0.3085083225, 7); // scipy.special.i0e(2)
    expect(besselI0Scaled(20)).toBeCloseTo(0.0897803119, 7); // scipy.special.i0e(20)
  });
});

describe('diffsims simulator', () => {
  it('gives 147-point profiles divided by their maximum, with contiguous label blocks', () => {
    const { profiles, labels } = simulateProfiles(phases, params, 3, 0, 18);
    expect(profiles).toHaveLength(18 * 147);
    expect(Array.from(labels)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
    for (let n = 0; n < 18; n++) {
      const row = profiles.subarray(n * 147, (n + 1) * 147);
      expect(Math.min(...row)).toBeGreaterThanOrEqual(0);
      expect(Math.min(...row)).toBeLessThan(0.2); // the floor of weak reflections
      expect(Math.max(...row)).toBeCloseTo(1, 6);
      expect(row.every((v) => Number.isFinite(v))).toBe(true);
    }
  });

  it('min–max normalises instead with profileNormalization "minmax"', () => {
    const minmax: SimulationParams = { ...params, profileNormalization: 'minmax' };
    const { profiles } = simulateProfiles(phases, minmax, 3, 0, 18);
    const byMax = simulateProfiles(phases, params, 3, 0, 18).profiles;
    for (let n = 0; n < 18; n++) {
      const row = profiles.subarray(n * 147, (n + 1) * 147);
      const ref = byMax.subarray(n * 147, (n + 1) * 147);
      expect(Math.min(...row)).toBe(0);
      expect(Math.max(...row)).toBeCloseTo(1, 6);
      const lo = Math.min(...ref);
      for (let k = 0; k < 147; k++) expect(row[k]).toBeCloseTo((ref[k] - lo) / (1 - lo), 4);
    }
  });

  it('is deterministic by seed and independent of how items are split into chunks', () => {
    const whole = simulateProfiles(phases, params, 11, 0, 12).profiles;
    const again = simulateProfiles(phases, params, 11, 0, 12).profiles;
    const parts = [simulateProfiles(phases, params, 11, 0, 5), simulateProfiles(phases, params, 11, 5, 7)];
    expect(again).toEqual(whole);
    expect(Float32Array.from([...parts[0].profiles, ...parts[1].profiles])).toEqual(whole);
    const other = simulateProfiles(phases, params, 12, 0, 12).profiles;
    expect(other).not.toEqual(whole);
  });

  it('refuses items outside the dataset', () => {
    expect(() => simulateProfiles(phases, params, 1, 17, 2)).toThrow(/outside the dataset/);
  });

  it('matches the 512² render + azimuthal integration path on clean patterns (radial-kernel equivalence)', () => {
    const clean: SimulationParams = { ...params, spikeChoices: [0], backgroundAmplitudes: [0] };
    for (const index of [0, 7, 14]) {
      const fast = new Float32Array(147);
      const rendered = new Float32Array(147);
      const a = simulateProfile(phases, clean, 5, index, fast);
      const b = simulateProfile(phases, { ...clean, render2d: true }, 5, index, rendered);
      expect(b).toEqual(a); // same random draws
      expect(correlation(fast, rendered)).toBeGreaterThan(0.98);
    }
  });

  it('adds noise of the same size as the rendered path', () => {
    const clean: SimulationParams = { ...params, spikeChoices: [0], backgroundAmplitudes: [0] };
    const noisy: SimulationParams = { ...clean, spikeChoices: [0.25], snrChoices: [0.99] };
    const rms = (x: Float32Array, y: Float32Array) => Math.sqrt(x.reduce((s, v, i) => s + (v - y[i]) ** 2, 0) / x.length);
    let fastNoise = 0;
    let renderedNoise = 0;
    for (const index of [1, 8, 15]) {
      const ref = new Float32Array(147);
      const fast = new Float32Array(147);
      const rendered = new Float32Array(147);
      simulateProfile(phases, clean, 9, index, ref);
      simulateProfile(phases, noisy, 9, index, fast);
      simulateProfile(phases, { ...noisy, render2d: true }, 9, index, rendered);
      fastNoise += rms(fast, ref);
      renderedNoise += rms(rendered, ref);
    }
    expect(fastNoise).toBeGreaterThan(0.01);
    expect(fastNoise / renderedNoise).toBeGreaterThan(0.5);
    expect(fastNoise / renderedNoise).toBeLessThan(2);
  });

  it('defaults to the data behind the reference accuracy: σ 3–9 px, no spot removal, noise, background or lattice scaling', () => {
    expect(DEFAULT_SIMULATION.gMax).toBeCloseTo(0.00588 * 257, 12);
    const draws = Array.from({ length: 18 }, (_, i) => simulateProfile(phases, params, 21, i));
    for (const d of draws) {
      expect(params.precessionAnglesDeg).toContain(d.precessionDeg);
      expect(d.sigmaPx).toBeGreaterThanOrEqual(3);
      expect(d.sigmaPx).toBeLessThanOrEqual(9);
      expect(d.removedSpots).toBe(0);
      expect(d.spike).toBe(0);
      expect(d.backgroundAmplitude).toBe(0);
      expect(d.latticeScale).toBe(1);
      expect(Math.abs(d.calibrationFactor - 1)).toBeLessThanOrEqual(0.05);
    }
  });

  it('draws the later sweep augmentations per pattern when asked', () => {
    const sweep: SimulationParams = { ...params, ...SWEEP_AUGMENTATIONS };
    const sweepPhases = DEFAULT_PHASES.map((n) => preparePhase(parseCif(BUILTIN_CIFS[n], n), preparationGMax(sweep)));
    const draws = Array.from({ length: 18 }, (_, i) => simulateProfile(sweepPhases, sweep, 21, i));
    for (const d of draws) {
      expect(d.sigmaPx).toBeGreaterThanOrEqual(1);
      expect(d.sigmaPx).toBeLessThanOrEqual(10);
      expect(d.removedSpots).toBeLessThanOrEqual(20);
      expect(sweep.spikeChoices).toContain(d.spike);
      expect(sweep.backgroundAmplitudes).toContain(d.backgroundAmplitude);
      if (d.label < 2) {
        expect(d.latticeScale).toBeGreaterThanOrEqual(0.8);
        expect(d.latticeScale).toBeLessThanOrEqual(1.1);
      } else {
        expect(d.latticeScale).toBe(1); // PbI2 is not scaled
      }
    }
    expect(draws.some((d) => d.removedSpots > 0)).toBe(true);
    expect(draws.some((d) => d.latticeScale !== 1)).toBe(true);
  });

  it('provides writer-ready arrays with the reference simulation keys', () => {
    const { profiles, labels } = simulateProfiles(phases, params, 3, 0, 18);
    const file = simulationFile(profiles, labels, DEFAULT_PHASES, params, 3);
    expect(file.arrays['1d/x_px'].shape).toEqual([18, 147]);
    expect(file.arrays['1d/y_px'].shape).toEqual([18]);
    expect(file.arrays['1d/x_all_q_axis'].shape).toEqual([256]);
    expect(file.metadata.phases).toEqual([...DEFAULT_PHASES]);
    expect(file.metadata.id).toMatch(/^sim-[0-9a-f-]{36}$/);
    expect(JSON.parse(file.metadata.metadata_json).seed).toBe(3);
  });
});
