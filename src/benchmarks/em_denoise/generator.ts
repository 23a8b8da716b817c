/**
 * Synthetic low-dose electron micrographs of graphene (stand-in for SciML-Bench's em_graphene_sim).
 *
 * Clean image: a honeycomb lattice (lattice constant a = 2.46 Å) drawn as Gaussian atoms, with
 * random scale, rotation and offset, optional point and line defects and a mild ripple, min–max
 * normalised to [0, 1].
 * Noisy image: clean × beam profile, scaled to a mean dose of λ counts per pixel, Poisson-sampled,
 * then a fraction of dead (zero) pixels — the noise model described for em_graphene_sim.
 *
 * Pure functions on Float32Array (row-major, pixel (row r, column c) centred at x = c, y = r).
 */
import type { ArraySet } from '../../lib/harness/contract';
import { itemSeed, Rng } from '../../lib/engine/random';

/** Graphene lattice constant (Å); the C–C bond length is a/√3 = 1.42 Å. */
export const GRAPHENE_LATTICE_CONSTANT_A = 2.46;
/**
 * Atom image width (Gaussian σ) in Å: 0.31–0.46 Å gives σ = 1–1.5 px at 8 px per lattice constant
 * (the finest sampling), i.e. the blur of the instrument, which scales with the pixel size.
 */
const ATOM_SIGMA_ANGSTROM: [number, number] = [0.31, 0.46];

export interface GeneratorOptions {
  /** Image side (px); images are size × size. */
  size: number;
  /** Pixels per lattice constant (sampling), drawn uniformly per image. */
  pxPerLatticeMin: number;
  pxPerLatticeMax: number;
  /** Mean dose λ (counts per pixel over the whole image), drawn log-uniformly per image. */
  doseMin: number;
  doseMax: number;
  /** Fraction of dead (zero) pixels, drawn uniformly per image. */
  deadFracMin: number;
  deadFracMax: number;
  /** Beam profile σ as a fraction of the image side, drawn uniformly per image. */
  beamWidthMin: number;
  beamWidthMax: number;
  /** Vacancies, Stone–Wales-like bond rotations and grain boundaries. */
  defects: boolean;
}

export const defaultGeneratorOptions: GeneratorOptions = {
  size: 256,
  pxPerLatticeMin: 8,
  pxPerLatticeMax: 16,
  doseMin: 1,
  doseMax: 100,
  deadFracMin: 0.001,
  deadFracMax: 0.01,
  beamWidthMin: 0.4,
  beamWidthMax: 1.5,
  defects: true,
};

export interface Micrograph {
  /** Clean image in [0, 1]. */
  clean: Float32Array;
  /** Detector counts (non-negative integers stored as float32). */
  noisy: Float32Array;
  /** Mean dose λ: the expected counts per pixel averaged over the image. */
  dose: number;
  /** Number of pixels set to zero as dead. */
  deadPixels: number;
  pxPerLattice: number;
}

interface Point {
  x: number;
  y: number;
}

/** One grain: honeycomb atoms (sublattice A at lattice points, B at +δ) inside the padded image. */
interface Grain {
  atoms: Point[];
  /** Index into `atoms` by "i,j,sublattice", for finding bonded pairs. */
  byCell: Map<string, number>;
  /** The three A→B bond vectors (px). */
  bonds: [Point, Point, Point];
}

function honeycombGrain(rng: Rng, size: number, aPx: number, thetaRad: number, marginPx: number): Grain {
  const cos = Math.cos(thetaRad);
  const sin = Math.sin(thetaRad);
  const a1 = { x: aPx * cos, y: aPx * sin };
  const a2 = { x: aPx * (0.5 * cos - (Math.sqrt(3) / 2) * sin), y: aPx * (0.5 * sin + (Math.sqrt(3) / 2) * cos) };
  const delta = { x: (a1.x + a2.x) / 3, y: (a1.y + a2.y) / 3 };
  // Random offset anywhere in the unit cell, around the image centre.
  const u = rng.next();
  const v = rng.next();
  const origin = { x: size / 2 + u * a1.x + v * a2.x, y: size / 2 + u * a1.y + v * a2.y };
  const reach = Math.ceil((size * Math.SQRT2) / aPx) + 2;
  const atoms: Point[] = [];
  const byCell = new Map<string, number>();
  for (let i = -reach; i <= reach; i++) {
    for (let j = -reach; j <= reach; j++) {
      const ax = origin.x + i * a1.x + j * a2.x;
      const ay = origin.y + i * a1.y + j * a2.y;
      for (let s = 0; s < 2; s++) {
        const x = ax + s * delta.x;
        const y = ay + s * delta.y;
        if (x < -marginPx || y < -marginPx || x > size - 1 + marginPx || y > size - 1 + marginPx) continue;
        byCell.set(`${i},${j},${s}`, atoms.length);
        atoms.push({ x, y });
      }
    }
  }
  const bonds: [Point, Point, Point] = [
    delta,
    { x: delta.x - a1.x, y: delta.y - a1.y },
    { x: delta.x - a2.x, y: delta.y - a2.y },
  ];
  return { atoms, byCell, bonds };
}

/**
 * Stone–Wales-like defects: rotate `count` random C–C bonds by 90° about their midpoints
 * (the bond partner of A(i,j) along bond k is B(i,j), B(i−1,j) or B(i,j−1)).
 */
function rotateBonds(rng: Rng, grain: Grain, count: number): void {
  const keys = [...grain.byCell.keys()].filter((k) => k.endsWith(',0'));
  for (let n = 0; n < count && keys.length > 0; n++) {
    const [i, j] = keys[rng.int(0, keys.length - 1)].split(',').map(Number);
    const k = rng.int(0, 2);
    const partner = k === 0 ? `${i},${j},1` : k === 1 ? `${i - 1},${j},1` : `${i},${j - 1},1`;
    const ia = grain.byCell.get(`${i},${j},0`);
    const ib = grain.byCell.get(partner);
    if (ia === undefined || ib === undefined) continue;
    const a = grain.atoms[ia];
    const b = grain.atoms[ib];
    const mx = (a.x + b.x) / 2;
    const my = (a.y + b.y) / 2;
    // 90° rotation about the midpoint: (dx, dy) → (−dy, dx).
    for (const p of [a, b]) {
      const dx = p.x - mx;
      const dy = p.y - my;
      p.x = mx - dy;
      p.y = my + dx;
    }
  }
}

/** Positions of all atoms of one clean micrograph (px), after defects and ripple. */
function grapheneAtoms(rng: Rng, size: number, aPx: number, defects: boolean, marginPx: number): Point[] {
  const bondPx = aPx / Math.sqrt(3);
  const theta = rng.uniform(0, Math.PI / 3); // the honeycomb has 60° symmetry
  const grain1 = honeycombGrain(rng, size, aPx, theta, marginPx);
  let atoms: Point[];
  if (defects) {
    // About one bond rotation per 1000 atoms.
    rotateBonds(rng, grain1, rng.poisson(grain1.atoms.length / 1000));
    atoms = grain1.atoms;
    if (rng.next() < 0.25) {
      // Grain boundary: a straight line near the centre; a second grain, misoriented by 8–25°,
      // replaces the first on one side. Atoms of grain 2 that would overlap grain 1 are dropped.
      const misorientation = rng.uniform(8, 25) * (Math.PI / 180) * (rng.next() < 0.5 ? -1 : 1);
      const grain2 = honeycombGrain(rng, size, aPx, theta + misorientation, marginPx);
      rotateBonds(rng, grain2, rng.poisson(grain2.atoms.length / 1000));
      const phi = rng.uniform(0, 2 * Math.PI);
      const normal = { x: Math.cos(phi), y: Math.sin(phi) };
      const through = { x: size * rng.uniform(0.3, 0.7), y: size * rng.uniform(0.3, 0.7) };
      const side = (p: Point) => (p.x - through.x) * normal.x + (p.y - through.y) * normal.y;
      const kept1 = grain1.atoms.filter((p) => side(p) < 0);
      const nearLine = kept1.filter((p) => side(p) > -bondPx);
      const minSeparation2 = (0.75 * bondPx) ** 2;
      const kept2 = grain2.atoms.filter(
        (p) =>
          side(p) >= 0 &&
          (side(p) > bondPx || nearLine.every((q) => (p.x - q.x) ** 2 + (p.y - q.y) ** 2 >= minSeparation2)),
      );
      atoms = kept1.concat(kept2);
    }
    const vacancyFraction = rng.uniform(0, 0.02);
    atoms = atoms.filter(() => rng.next() >= vacancyFraction);
  } else {
    atoms = grain1.atoms;
  }
  // Mild ripple: a smooth in-plane displacement of up to 0.1 a from two long-wavelength waves.
  for (let w = 0; w < 2; w++) {
    const amplitude = rng.uniform(0, 0.05) * aPx;
    const wavelength = rng.uniform(0.5, 1.5) * size;
    const dir = rng.uniform(0, 2 * Math.PI);
    const pol = rng.uniform(0, 2 * Math.PI);
    const phase = rng.uniform(0, 2 * Math.PI);
    const kx = (2 * Math.PI * Math.cos(dir)) / wavelength;
    const ky = (2 * Math.PI * Math.sin(dir)) / wavelength;
    for (const p of atoms) {
      const s = amplitude * Math.sin(kx * p.x + ky * p.y + phase);
      p.x += s * Math.cos(pol);
      p.y += s * Math.sin(pol);
    }
  }
  return atoms;
}

/** Clean graphene image, size × size, min–max normalised to [0, 1]. Returns the sampling used. */
export function renderGraphene(
  rng: Rng,
  opts: Pick<GeneratorOptions, 'size' | 'pxPerLatticeMin' | 'pxPerLatticeMax' | 'defects'>,
): { image: Float32Array; pxPerLattice: number } {
  const { size } = opts;
  const aPx = rng.uniform(opts.pxPerLatticeMin, opts.pxPerLatticeMax);
  const sigmaPx = rng.uniform(ATOM_SIGMA_ANGSTROM[0], ATOM_SIGMA_ANGSTROM[1]) * (aPx / GRAPHENE_LATTICE_CONSTANT_A);
  const radius = Math.ceil(3 * sigmaPx);
  const atoms = grapheneAtoms(rng, size, aPx, opts.defects, radius + aPx);
  const image = new Float32Array(size * size);
  const gx = new Float64Array(2 * radius + 1);
  const gy = new Float64Array(2 * radius + 1);
  const inv2s2 = 1 / (2 * sigmaPx * sigmaPx);
  for (const p of atoms) {
    const cx = Math.round(p.x);
    const cy = Math.round(p.y);
    // Separable Gaussian: exp(−(dx² + dy²)/2σ²) = exp(−dx²/2σ²)·exp(−dy²/2σ²).
    for (let d = -radius; d <= radius; d++) {
      gx[d + radius] = Math.exp(-((cx + d - p.x) ** 2) * inv2s2);
      gy[d + radius] = Math.exp(-((cy + d - p.y) ** 2) * inv2s2);
    }
    for (let dy = -radius; dy <= radius; dy++) {
      const row = cy + dy;
      if (row < 0 || row >= size) continue;
      for (let dx = -radius; dx <= radius; dx++) {
        const col = cx + dx;
        if (col < 0 || col >= size) continue;
        image[row * size + col] += gy[dy + radius] * gx[dx + radius];
      }
    }
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of image) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const range = hi - lo || 1;
  for (let i = 0; i < image.length; i++) image[i] = (image[i] - lo) / range;
  return { image, pxPerLattice: aPx };
}

/**
 * Low-dose detector image of `clean`: expected counts μ = λ · clean·B / mean(clean·B), with B a 2-D
 * Gaussian beam profile, so the image-mean expected count is exactly the dose λ; counts ~ Poisson(μ);
 * then a random fraction of pixels is set to 0 (dead).
 */
export function simulateNoise(
  rng: Rng,
  clean: Float32Array,
  opts: Pick<
    GeneratorOptions,
    'size' | 'doseMin' | 'doseMax' | 'deadFracMin' | 'deadFracMax' | 'beamWidthMin' | 'beamWidthMax'
  >,
): { noisy: Float32Array; dose: number; deadPixels: number } {
  const { size } = opts;
  const n = size * size;
  const dose = rng.logUniform(opts.doseMin, opts.doseMax);
  const beamSigma = rng.uniform(opts.beamWidthMin, opts.beamWidthMax) * size;
  const bx = rng.uniform(0, size);
  const by = rng.uniform(0, size);
  const signal = new Float64Array(n);
  let total = 0;
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const beam = Math.exp(-((c - bx) ** 2 + (r - by) ** 2) / (2 * beamSigma * beamSigma));
      const s = clean[r * size + c] * beam;
      signal[r * size + c] = s;
      total += s;
    }
  }
  const perSignal = total > 0 ? (dose * n) / total : 0;
  const noisy = new Float32Array(n);
  for (let i = 0; i < n; i++) noisy[i] = rng.poisson(signal[i] * perSignal);
  const deadPixels = Math.round(rng.uniform(opts.deadFracMin, opts.deadFracMax) * n);
  // Partial Fisher–Yates: the first `deadPixels` entries become distinct random pixel indices.
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = 0; i < deadPixels; i++) {
    const j = rng.int(i, n - 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
    noisy[order[i]] = 0;
  }
  return { noisy, dose, deadPixels };
}

/** One clean/noisy pair; the same seed gives the same pair. */
export function simulateMicrograph(seed: number, opts: GeneratorOptions): Micrograph {
  const rng = new Rng(seed);
  const { image: clean, pxPerLattice } = renderGraphene(rng, opts);
  const { noisy, dose, deadPixels } = simulateNoise(rng, clean, opts);
  return { clean, noisy, dose, deadPixels, pxPerLattice };
}

export type Split = 'train' | 'test';

/** Per-image seed: item i of a split is the same whatever the set size. */
export function micrographSeed(seed: number, split: Split, index: number): number {
  return itemSeed(itemSeed(seed, split === 'train' ? 0 : 1), index);
}

/**
 * A dataset of `count` pairs: noisy and clean as N×size×size×1 float32, dose (λ) per image.
 * Yields to the event loop every few images so progress and the stop button stay live.
 */
export async function generateMicrographs(
  seed: number,
  split: Split,
  count: number,
  opts: GeneratorOptions,
  onProgress?: (done: number) => void,
  signal?: AbortSignal,
): Promise<ArraySet> {
  const perImage = opts.size * opts.size;
  const noisy = new Float32Array(count * perImage);
  const clean = new Float32Array(count * perImage);
  const dose = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    if (signal?.aborted) throw new DOMException('stopped by the user', 'AbortError');
    const m = simulateMicrograph(micrographSeed(seed, split, i), opts);
    noisy.set(m.noisy, i * perImage);
    clean.set(m.clean, i * perImage);
    dose[i] = m.dose;
    if (i % 16 === 15) {
      onProgress?.(i + 1);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
  onProgress?.(count);
  const shape = [count, opts.size, opts.size, 1];
  return { noisy: { data: noisy, shape }, clean: { data: clean, shape }, dose: { data: dose, shape: [count] } };
}
