/**
 * Unit-cell geometry, the reciprocal lattice (1/d convention, no 2π) and kinematic structure
 * factors with electron scattering factors.
 *
 *   direct basis (rows of A):   a = (a, 0, 0),  b = (b cos γ, b sin γ, 0),  c completes the cell
 *   reciprocal basis (rows of B):  a_i · a*_j = δ_ij,  i.e. B = (A⁻¹)ᵀ
 *   g_hkl = h a* + k b* + l c*,   |g_hkl| = 1/d_hkl  (Å⁻¹)
 *   F_hkl = Σ_atoms occ · f_e(|g|) · exp(−B_iso s²) · exp(2πi (h x + k y + l z)),   s = |g|/2
 */
import { expandToCell, type Cell, type CellAtom, type CifStructure } from './cif-parser';
import { assertScatteringFactors, electronScatteringFactor } from './scattering';

const DEG = Math.PI / 180;

/** Direct lattice vectors as rows of a row-major 3×3 matrix, in Å. */
export function directMatrix(cell: Cell): number[] {
  const [al, be, ga] = [cell.alpha * DEG, cell.beta * DEG, cell.gamma * DEG];
  const cx = Math.cos(be);
  const cy = (Math.cos(al) - Math.cos(be) * Math.cos(ga)) / Math.sin(ga);
  const cz2 = 1 - cx * cx - cy * cy;
  if (!(cz2 > 0)) throw new Error(`cell angles α=${cell.alpha}, β=${cell.beta}, γ=${cell.gamma} do not form a cell`);
  return [
    cell.a, 0, 0,
    cell.b * Math.cos(ga), cell.b * Math.sin(ga), 0,
    cell.c * cx, cell.c * cy, cell.c * Math.sqrt(cz2),
  ];
}

/** Reciprocal lattice vectors a*, b*, c* as rows (Å⁻¹, 1/d convention): B = (A⁻¹)ᵀ. */
export function reciprocalMatrix(cell: Cell): number[] {
  const m = directMatrix(cell);
  const [a, b, c] = [m.slice(0, 3), m.slice(3, 6), m.slice(6, 9)];
  const cross = (u: number[], v: number[]) => [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
  const bc = cross(b, c);
  const volume = a[0] * bc[0] + a[1] * bc[1] + a[2] * bc[2];
  return [...bc, ...cross(c, a), ...cross(a, b)].map((v) => v / volume);
}

/** Cell volume in Å³. */
export function cellVolume(cell: Cell): number {
  const m = directMatrix(cell);
  return m[0] * m[4] * m[8]; // A is lower-triangular
}

/** d-spacing of (hkl) in Å. */
export function dSpacing(cell: Cell, h: number, k: number, l: number): number {
  const r = reciprocalMatrix(cell);
  const gx = h * r[0] + k * r[3] + l * r[6];
  const gy = h * r[1] + k * r[4] + l * r[7];
  const gz = h * r[2] + k * r[5] + l * r[8];
  return 1 / Math.hypot(gx, gy, gz);
}

/** Miller indices with 0 < |g_hkl| ≤ gMax, in a fixed order (h, then k, then l ascending). */
export function enumerateHkl(cell: Cell, gMax: number): number[][] {
  const r = reciprocalMatrix(cell);
  // |h| = |g · a| ≤ gMax |a| bounds each index.
  const hMax = Math.ceil(gMax * cell.a);
  const kMax = Math.ceil(gMax * cell.b);
  const lMax = Math.ceil(gMax * cell.c);
  const out: number[][] = [];
  for (let h = -hMax; h <= hMax; h++) {
    for (let k = -kMax; k <= kMax; k++) {
      for (let l = -lMax; l <= lMax; l++) {
        if (h === 0 && k === 0 && l === 0) continue;
        const gx = h * r[0] + k * r[3] + l * r[6];
        const gy = h * r[1] + k * r[4] + l * r[7];
        const gz = h * r[2] + k * r[5] + l * r[8];
        if (gx * gx + gy * gy + gz * gz <= gMax * gMax) out.push([h, k, l]);
      }
    }
  }
  return out;
}

/** Kinematic structure factor F_hkl (Å) with electron scattering factors. */
export function structureFactor(atoms: readonly CellAtom[], cell: Cell, h: number, k: number, l: number): { re: number; im: number } {
  const g = 1 / dSpacing(cell, h, k, l);
  const s2 = (g / 2) ** 2;
  let re = 0;
  let im = 0;
  for (const a of atoms) {
    const amp = a.occupancy * electronScatteringFactor(a.element, g) * Math.exp(-a.bIso * s2);
    const phase = 2 * Math.PI * (h * a.fract[0] + k * a.fract[1] + l * a.fract[2]);
    re += amp * Math.cos(phase);
    im += amp * Math.sin(phase);
  }
  return { re, im };
}

/**
 * A phase ready for fast simulation: plain data (typed arrays), so it can be sent to workers.
 * Per reflection it keeps the Cartesian g of the unscaled cell and, per element, the geometric
 * partial structure factor P_el = Σ_{atoms of el} occ · exp(−B s²) · exp(2πi h·r), so that
 * F(g/scale) = Σ_el f_el(|g|/scale) P_el for any isotropic lattice scaling (the Debye–Waller
 * term is taken at the unscaled |g|).
 */
export interface PreparedPhase {
  name: string;
  cell: Cell;
  elements: string[];
  /** Number of reflections. */
  count: number;
  /** Miller indices, 3 per reflection. */
  hkl: Int16Array;
  /** Cartesian g of the unscaled cell, 3 per reflection (Å⁻¹). */
  g: Float64Array;
  /** |g| of the unscaled cell (Å⁻¹). */
  gLength: Float64Array;
  /** Partial structure factors, element-major within a reflection: [refl * nEl + el]. */
  partialRe: Float64Array;
  partialIm: Float64Array;
}

/**
 * Enumerates every reflection up to `gMax` (use the simulation's |g| limit times the largest
 * lattice scale) and drops those whose partial structure factors all vanish (systematic absences).
 */
export function preparePhase(structure: CifStructure, gMax: number): PreparedPhase {
  const atoms = expandToCell(structure);
  assertScatteringFactors(atoms.map((a) => a.element), `CIF '${structure.name}'`);
  const elements = [...new Set(atoms.map((a) => a.element))];
  const nEl = elements.length;
  const elementIndex = atoms.map((a) => elements.indexOf(a.element));
  const r = reciprocalMatrix(structure.cell);
  const totalOcc = atoms.reduce((s, a) => s + a.occupancy, 0);

  const hklList: number[] = [];
  const gList: number[] = [];
  const lenList: number[] = [];
  const pRe: number[] = [];
  const pIm: number[] = [];
  const re = new Float64Array(nEl);
  const im = new Float64Array(nEl);
  for (const [h, k, l] of enumerateHkl(structure.cell, gMax)) {
    const gx = h * r[0] + k * r[3] + l * r[6];
    const gy = h * r[1] + k * r[4] + l * r[7];
    const gz = h * r[2] + k * r[5] + l * r[8];
    const len = Math.hypot(gx, gy, gz);
    const s2 = (len / 2) ** 2;
    re.fill(0);
    im.fill(0);
    atoms.forEach((a, i) => {
      const amp = a.occupancy * Math.exp(-a.bIso * s2);
      const phase = 2 * Math.PI * (h * a.fract[0] + k * a.fract[1] + l * a.fract[2]);
      re[elementIndex[i]] += amp * Math.cos(phase);
      im[elementIndex[i]] += amp * Math.sin(phase);
    });
    let absent = true;
    for (let e = 0; e < nEl; e++) if (Math.hypot(re[e], im[e]) > 1e-6 * totalOcc) absent = false;
    if (absent) continue;
    hklList.push(h, k, l);
    gList.push(gx, gy, gz);
    lenList.push(len);
    for (let e = 0; e < nEl; e++) {
      pRe.push(re[e]);
      pIm.push(im[e]);
    }
  }
  return {
    name: structure.name,
    cell: structure.cell,
    elements,
    count: lenList.length,
    hkl: Int16Array.from(hklList),
    g: Float64Array.from(gList),
    gLength: Float64Array.from(lenList),
    partialRe: Float64Array.from(pRe),
    partialIm: Float64Array.from(pIm),
  };
}

/** |F|² of reflection j of a prepared phase at |g| = gLength (Å⁻¹). */
export function intensityOf(phase: PreparedPhase, j: number, gLength: number): number {
  const nEl = phase.elements.length;
  let re = 0;
  let im = 0;
  for (let e = 0; e < nEl; e++) {
    const f = electronScatteringFactor(phase.elements[e], gLength);
    re += f * phase.partialRe[j * nEl + e];
    im += f * phase.partialIm[j * nEl + e];
  }
  return re * re + im * im;
}

function lexicographicallyAfter(u: readonly number[], v: readonly number[]): boolean {
  for (let i = 0; i < u.length; i++) if (u[i] !== v[i]) return u[i] > v[i];
  return false;
}

/** One powder ring: position, relative intensity (max 100) and a representative hkl. */
export interface ReferencePeak {
  q: number;
  intensity: number;
  hkl: [number, number, number];
  multiplicity: number;
}

/**
 * Powder (ring) positions of a phase: reflections grouped by |g| (within 1e-6 Å⁻¹), intensity
 * Σ |F|² over the group (|F|² × multiplicity), scaled to 100 at the strongest, rings below
 * `relativeTolerance` × 100 dropped — like pymatgen's XRDCalculator (SCALED_INTENSITY_TOL = 1e-3),
 * but with electron scattering factors and no Lorentz–polarisation factor. Only the positions
 * matter to the evaluation; q = |g| = 1/d in Å⁻¹.
 */
export function referencePeaks(phase: PreparedPhase, qMax: number, relativeTolerance = 1e-3): ReferencePeak[] {
  const order = Array.from({ length: phase.count }, (_, j) => j)
    .filter((j) => phase.gLength[j] <= qMax)
    .sort((a, b) => phase.gLength[a] - phase.gLength[b]);
  const rings: ReferencePeak[] = [];
  for (const j of order) {
    const q = phase.gLength[j];
    const intensity = intensityOf(phase, j, q);
    const hkl: [number, number, number] = [phase.hkl[3 * j], phase.hkl[3 * j + 1], phase.hkl[3 * j + 2]];
    const last = rings[rings.length - 1];
    if (last && Math.abs(last.q - q) < 1e-6) {
      last.intensity += intensity;
      last.multiplicity++;
      // Prefer the all-non-negative, lexicographically largest representative, e.g. (110) not (-1-10).
      if (hkl.every((v) => v >= 0) && (last.hkl.some((v) => v < 0) || lexicographicallyAfter(hkl, last.hkl))) last.hkl = hkl;
    } else {
      rings.push({ q, intensity, hkl, multiplicity: 1 });
    }
  }
  const max = Math.max(0, ...rings.map((r) => r.intensity));
  if (max === 0) return [];
  return rings
    .map((r) => ({ ...r, intensity: (100 * r.intensity) / max }))
    .filter((r) => r.intensity >= 100 * relativeTolerance);
}

/** Relativistic electron wavelength in Å for an accelerating voltage in kV (200 kV → 0.025079 Å). */
export function electronWavelength(kiloVolts: number): number {
  const h = 6.62607015e-34;
  const m0 = 9.1093837015e-31;
  const e = 1.602176634e-19;
  const c = 299792458;
  const v = kiloVolts * 1e3;
  return (h / Math.sqrt(2 * m0 * e * v * (1 + (e * v) / (2 * m0 * c * c)))) * 1e10;
}
