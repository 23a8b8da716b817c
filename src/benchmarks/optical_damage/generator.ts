/**
 * Synthetic CLF beam-line diagnostic frames for optical_damage (seed-systems §5.6).
 *
 * The beam line has BEAM_LINE_OPTICS optics, each watched by a camera; a 492×656 frame shows one of
 * them: a circular or elliptic aperture (radius 60–95 px, centred within ±10 px of row 250,
 * column 370, rotated up to ±5°) lit by a super-Gaussian beam with faint concentric interference
 * fringes (period 8–20 px, contrast 2–10 %) and a vignetting gradient, surrounded by a dark mount
 * with a glinting edge. These are fixed per optic. Frame to frame the exposure (×0.7–1.3), the
 * centre (±3 px) and rotation (±1°), the beam pointing, the fringe phase and the read noise
 * (σ 0.5–2 % of full scale) vary, and one frame in five carries hot pixels.
 *
 * Damaged frames add 1–5 localised defects inside the beam — dark pits and bright burns (Gaussian
 * blobs), scratches (anti-aliased lines), irregular blotches (thresholded fBm) and diffraction
 * halos — whose union covers at most 2 % of the 200×200 analysis crop. Defects act on the
 * transmitted light as a multiplicative factor, so they are invisible where the beam is dark.
 * Each damaged frame comes with its ground-truth defect mask in crop coordinates.
 */
import { Rng } from '../../lib/engine/random';

export const FRAME_HEIGHT = 492;
export const FRAME_WIDTH = 656;
/** The reference crop (utils.load_images): rows 150:350, columns 270:470. */
export const CROP_TOP = 150;
export const CROP_LEFT = 270;
export const CROP_SIZE = 200;
export const OPTIC_ROW = 250;
export const OPTIC_COL = 370;
/** Largest share of the crop the defects of one frame may cover (keeps the task anomaly-like). */
export const MAX_DEFECT_FRACTION = 0.02;

export const DEFECT_KINDS = ['pit', 'burn', 'scratch', 'blotch', 'halo'] as const;
export type DefectKind = (typeof DEFECT_KINDS)[number];

export interface Frame {
  /** Raw intensities, FRAME_HEIGHT × FRAME_WIDTH, in [0, 1] (sensor full scale). */
  data: Float32Array;
  /** Ground-truth defect pixels in the reference crop, CROP_SIZE × CROP_SIZE (all zero if undamaged). */
  defectMask: Uint8Array;
  defects: DefectKind[];
  /** Which optic of the beam line this frame shows. */
  optic: number;
}

/** The number of optics on the synthetic beam line; each frame shows one of them. */
export const BEAM_LINE_OPTICS = 8;
/** The beam line's layout is fixed, like a real facility's: every run and every model sees the same optics. */
const BEAM_LINE_SEED = 0x0c1f;

/** One optic of the beam line and its camera: what stays fixed from frame to frame. */
export interface Optic {
  /** Aperture centre, frame pixels. */
  row: number;
  col: number;
  /** Aperture semi-axes along the rotated u (column-like) and v (row-like) directions. */
  radiusU: number;
  radiusV: number;
  rotation: number;
  edgeSoftnessPx: number;
  /** Super-Gaussian beam exp(−2 (r/w)^(2m)): w = beamWidth · radiusU, m = beamOrder. */
  beamWidth: number;
  beamOrder: number;
  /** Concentric fringes 1 + c cos(2π r / period + φ), centred this far from the beam. */
  fringeRowOffset: number;
  fringeColOffset: number;
  fringePeriod: number;
  fringeContrast: number;
  /** A linear gradient of up to ±15 % across the aperture. */
  vignetting: number;
  vignetteAngle: number;
  /** Dark surround, a slightly brighter mount face and a glint on the mount's inner edge. */
  darkLevel: number;
  mountLevel: number;
  mountOuterPx: number;
  glintOffsetPx: number;
  glintWidthPx: number;
  glintLevel: number;
}

function drawOptic(rng: Rng): Optic {
  const radius = rng.uniform(60, 95);
  const darkLevel = rng.uniform(0.01, 0.04);
  return {
    row: OPTIC_ROW + rng.uniform(-10, 10),
    col: OPTIC_COL + rng.uniform(-10, 10),
    radiusU: radius,
    // Half the optics are circular; the others are slightly elliptic (minor/major 0.8–0.95).
    radiusV: radius * (rng.next() < 0.5 ? 1 : rng.uniform(0.8, 0.95)),
    rotation: rng.uniform(-5, 5) * (Math.PI / 180),
    edgeSoftnessPx: rng.uniform(1, 3),
    beamWidth: rng.uniform(0.8, 1.1),
    beamOrder: rng.uniform(2, 4),
    fringeRowOffset: rng.uniform(-20, 20),
    fringeColOffset: rng.uniform(-20, 20),
    fringePeriod: rng.uniform(8, 20),
    fringeContrast: rng.uniform(0.02, 0.1),
    vignetting: rng.uniform(0, 0.15),
    vignetteAngle: rng.uniform(0, 2 * Math.PI),
    darkLevel,
    mountLevel: darkLevel + rng.uniform(0.01, 0.03),
    mountOuterPx: rng.uniform(50, 90),
    glintOffsetPx: rng.uniform(4, 12),
    glintWidthPx: rng.uniform(1, 3),
    glintLevel: rng.uniform(0.05, 0.15),
  };
}

let beamLineCache: readonly Optic[] | undefined;

/** The beam line's optics (the same for every seed). */
export function beamLine(): readonly Optic[] {
  if (!beamLineCache) {
    const rng = new Rng(BEAM_LINE_SEED);
    beamLineCache = Array.from({ length: BEAM_LINE_OPTICS }, () => drawOptic(rng));
  }
  return beamLineCache;
}

/** Where the aperture sits in this frame: the optic's place plus frame-to-frame jitter. */
interface Placement {
  row: number;
  col: number;
  radiusU: number;
  radiusV: number;
  cos: number;
  sin: number;
}

/**
 * One defect, rasterised into a box of the crop: `effect` is the relative change of transmitted light
 * (−0.5 halves it), `mask` the pixels counted as damaged.
 */
interface Stamp {
  top: number;
  left: number;
  height: number;
  width: number;
  effect: Float32Array;
  mask: Uint8Array;
}

/**
 * Renders one frame of a random optic among the first `optics` of the beam line; `damaged` adds
 * defects. All randomness comes from `rng`; the defects draw from a forked stream, so the same seed
 * gives the same optic, noise and hot pixels with or without damage.
 */
export function renderFrame(rng: Rng, damaged: boolean, optics = BEAM_LINE_OPTICS): Frame {
  if (!Number.isInteger(optics) || optics < 1 || optics > BEAM_LINE_OPTICS) {
    throw new Error(`The beam line has optics 1…${BEAM_LINE_OPTICS}; got ${optics}.`);
  }
  const defectRng = rng.fork(0xdefec7);
  const opticIndex = rng.int(0, optics - 1);
  const optic = beamLine()[opticIndex];
  // Frame-to-frame jitter: the mount drifts by up to 3 px and 1°.
  const rotation = optic.rotation + rng.uniform(-1, 1) * (Math.PI / 180);
  const placement: Placement = {
    row: optic.row + rng.uniform(-3, 3),
    col: optic.col + rng.uniform(-3, 3),
    radiusU: optic.radiusU,
    radiusV: optic.radiusV,
    cos: Math.cos(rotation),
    sin: Math.sin(rotation),
  };

  const transmission = new Float32Array(CROP_SIZE * CROP_SIZE).fill(1);
  const defectMask = new Uint8Array(CROP_SIZE * CROP_SIZE);
  const defects: DefectKind[] = [];
  if (damaged) addDefects(defectRng, placement, transmission, defectMask, defects);

  const data = renderOptic(rng, optic, placement, transmission);
  addHotPixels(rng, data);
  return { data, defectMask, defects, optic: opticIndex };
}

/** Beam, fringes, vignetting, mount and noise; `transmission` (crop coordinates) carries the defects. */
function renderOptic(rng: Rng, optic: Optic, at: Placement, transmission: Float32Array): Float32Array {
  const exposure = rng.uniform(0.7, 1.3);
  const peak = 0.6;
  // The beam points a little off the aperture centre; the fringes drift in phase and contrast.
  const beamRow = at.row + rng.normal(0, 2);
  const beamCol = at.col + rng.normal(0, 2);
  const beamWidth = optic.beamWidth * optic.radiusU;
  const fringeRow = beamRow + optic.fringeRowOffset;
  const fringeCol = beamCol + optic.fringeColOffset;
  const fringeContrast = optic.fringeContrast * rng.uniform(0.8, 1.2);
  const fringePhase = rng.uniform(0, 2 * Math.PI);
  const vignetteCos = Math.cos(optic.vignetteAngle) / optic.radiusU;
  const vignetteSin = Math.sin(optic.vignetteAngle) / optic.radiusU;
  const readNoise = rng.uniform(0.005, 0.02);
  const { darkLevel, mountLevel, mountOuterPx, glintOffsetPx, glintWidthPx, glintLevel, edgeSoftnessPx } = optic;

  const data = new Float32Array(FRAME_HEIGHT * FRAME_WIDTH);
  const meanRadius = 0.5 * (at.radiusU + at.radiusV);
  // The mount ends where (ρ − 1)·meanRadius = mountOuterPx; ρ = 1 lies at most radiusU from the centre.
  const reach = at.radiusU * (1 + mountOuterPx / meanRadius) + 2;
  const rowMin = Math.max(0, Math.floor(at.row - reach));
  const rowMax = Math.min(FRAME_HEIGHT - 1, Math.ceil(at.row + reach));
  const colMin = Math.max(0, Math.floor(at.col - reach));
  const colMax = Math.min(FRAME_WIDTH - 1, Math.ceil(at.col + reach));
  const glintReachPx = 4 * glintWidthPx;

  for (let y = 0; y < FRAME_HEIGHT; y++) {
    for (let x = 0; x < FRAME_WIDTH; x++) {
      let light = darkLevel;
      if (y >= rowMin && y <= rowMax && x >= colMin && x <= colMax) {
        const dy = y - at.row;
        const dx = x - at.col;
        const u = dx * at.cos + dy * at.sin;
        const v = -dx * at.sin + dy * at.cos;
        const rho = Math.sqrt((u / at.radiusU) ** 2 + (v / at.radiusV) ** 2);
        // Signed distance outside the aperture edge, in pixels (negative inside).
        const outsidePx = (rho - 1) * meanRadius;
        if (outsidePx < mountOuterPx) light = mountLevel;
        const glintPx = outsidePx - glintOffsetPx;
        if (Math.abs(glintPx) < glintReachPx) light += glintLevel * Math.exp(-(glintPx * glintPx) / (2 * glintWidthPx ** 2));
        const aperture = clamp01(0.5 - outsidePx / edgeSoftnessPx);
        if (aperture > 0) {
          const beamR2 = ((y - beamRow) ** 2 + (x - beamCol) ** 2) / beamWidth ** 2;
          const beam = Math.exp(-2 * Math.pow(beamR2, optic.beamOrder));
          const fringeR = Math.sqrt((y - fringeRow) ** 2 + (x - fringeCol) ** 2);
          const fringe = 1 + fringeContrast * Math.cos((2 * Math.PI * fringeR) / optic.fringePeriod + fringePhase);
          const vignette = 1 + optic.vignetting * (dx * vignetteCos + dy * vignetteSin);
          const cy = y - CROP_TOP;
          const cx = x - CROP_LEFT;
          const defect =
            cy >= 0 && cy < CROP_SIZE && cx >= 0 && cx < CROP_SIZE ? transmission[cy * CROP_SIZE + cx] : 1;
          light += peak * aperture * beam * fringe * vignette * defect;
        }
      }
      data[y * FRAME_WIDTH + x] = clamp01(exposure * light + rng.normal(0, readNoise));
    }
  }
  return data;
}

/** Occasional hot pixels anywhere on the sensor (they also move the whole-frame min–max). */
function addHotPixels(rng: Rng, data: Float32Array): void {
  if (rng.next() >= 0.2) return;
  const count = rng.int(1, 4);
  for (let i = 0; i < count; i++) {
    data[rng.int(0, FRAME_HEIGHT - 1) * FRAME_WIDTH + rng.int(0, FRAME_WIDTH - 1)] = rng.uniform(0.6, 1);
  }
}

/** 1–5 defects inside the beam; one that would push the union past the area budget is skipped. */
function addDefects(
  rng: Rng,
  at: Placement,
  transmission: Float32Array,
  mask: Uint8Array,
  kinds: DefectKind[],
): void {
  const budgetPx = Math.floor(MAX_DEFECT_FRACTION * CROP_SIZE * CROP_SIZE);
  let coveredPx = 0;
  const count = rng.int(1, 5);
  for (let i = 0; i < count; i++) {
    const kind = DEFECT_KINDS[rng.int(0, DEFECT_KINDS.length - 1)];
    const [row, col] = pointInBeam(rng, at);
    const stamp = makeStamp(rng, kind, row - CROP_TOP, col - CROP_LEFT);
    let newPx = 0;
    forEachStampPixel(stamp, (s, c) => {
      if (stamp.mask[s] && !mask[c]) newPx++;
    });
    if (newPx === 0 || coveredPx + newPx > budgetPx) continue;
    forEachStampPixel(stamp, (s, c) => {
      transmission[c] = Math.max(0, transmission[c] * (1 + stamp.effect[s]));
      if (stamp.mask[s]) mask[c] = 1;
    });
    coveredPx += newPx;
    kinds.push(kind);
  }
}

/** A point well inside the illuminated aperture (within 75 % of its radius), in frame pixels. */
function pointInBeam(rng: Rng, at: Placement): [number, number] {
  let u: number;
  let v: number;
  do {
    u = rng.uniform(-0.75, 0.75);
    v = rng.uniform(-0.75, 0.75);
  } while (u * u + v * v > 0.5625);
  const du = u * at.radiusU;
  const dv = v * at.radiusV;
  return [at.row + du * at.sin + dv * at.cos, at.col + du * at.cos - dv * at.sin];
}

/** Calls fn(stamp index, crop index) for every stamp pixel that lies inside the crop. */
function forEachStampPixel(stamp: Stamp, fn: (s: number, c: number) => void): void {
  for (let r = 0; r < stamp.height; r++) {
    const cy = stamp.top + r;
    if (cy < 0 || cy >= CROP_SIZE) continue;
    for (let q = 0; q < stamp.width; q++) {
      const cx = stamp.left + q;
      if (cx < 0 || cx >= CROP_SIZE) continue;
      fn(r * stamp.width + q, cy * CROP_SIZE + cx);
    }
  }
}

/** A stamp of side 2·half+1 centred on (row, col), filled by profile(dy, dx) → [effect, inMask]. */
function radialStamp(row: number, col: number, half: number, profile: (dy: number, dx: number) => [number, boolean]): Stamp {
  const top = Math.round(row) - half;
  const left = Math.round(col) - half;
  const side = 2 * half + 1;
  const effect = new Float32Array(side * side);
  const mask = new Uint8Array(side * side);
  for (let r = 0; r < side; r++) {
    for (let q = 0; q < side; q++) {
      const [e, m] = profile(top + r - row, left + q - col);
      effect[r * side + q] = e;
      mask[r * side + q] = m ? 1 : 0;
    }
  }
  return { top, left, height: side, width: side, effect, mask };
}

function makeStamp(rng: Rng, kind: DefectKind, row: number, col: number): Stamp {
  switch (kind) {
    case 'pit':
    case 'burn': {
      // Gaussian blob, σ 1–6 px, contrast ±20–80 %; the mask is the 2σ disc.
      const sigma = rng.uniform(1, 6);
      const contrast = (kind === 'pit' ? -1 : 1) * rng.uniform(0.2, 0.8);
      return radialStamp(row, col, Math.ceil(3 * sigma), (dy, dx) => {
        const d2 = dy * dy + dx * dx;
        return [contrast * Math.exp(-d2 / (2 * sigma * sigma)), d2 <= 4 * sigma * sigma];
      });
    }
    case 'scratch':
      return scratchStamp(rng, row, col);
    case 'blotch':
      return blotchStamp(rng, row, col);
    case 'halo': {
      // A small dark core with a diffraction ring (radius 4–10 px) around it.
      const coreSigma = rng.uniform(1, 2.5);
      const coreContrast = -rng.uniform(0.3, 0.7);
      const ringRadius = rng.uniform(4, 10);
      const ringWidth = rng.uniform(1, 2);
      const ringContrast = (rng.next() < 0.5 ? -1 : 1) * rng.uniform(0.15, 0.4);
      const extent = ringRadius + 2 * ringWidth;
      return radialStamp(row, col, Math.ceil(ringRadius + 3 * ringWidth), (dy, dx) => {
        const d = Math.sqrt(dy * dy + dx * dx);
        const core = coreContrast * Math.exp(-(d * d) / (2 * coreSigma * coreSigma));
        const ring = ringContrast * Math.exp(-((d - ringRadius) ** 2) / (2 * ringWidth * ringWidth));
        return [core + ring, d <= extent];
      });
    }
  }
}

/** An anti-aliased line 1–2 px wide and 10–80 px long; mostly dark (scattering), sometimes bright. */
function scratchStamp(rng: Rng, row: number, col: number): Stamp {
  const length = rng.uniform(10, 80);
  const width = rng.uniform(1, 2);
  const angle = rng.uniform(0, Math.PI);
  const contrast = rng.next() < 0.7 ? -rng.uniform(0.3, 0.8) : rng.uniform(0.2, 0.5);
  const ux = Math.cos(angle);
  const uy = Math.sin(angle);
  const halfLength = length / 2;
  return radialStamp(row, col, Math.ceil(halfLength + width + 1), (dy, dx) => {
    // Distance from the segment centred on the stamp centre.
    const along = Math.max(-halfLength, Math.min(halfLength, dx * ux + dy * uy));
    const distance = Math.hypot(dx - along * ux, dy - along * uy);
    const coverage = clamp01(width / 2 + 0.5 - distance);
    return [contrast * coverage, coverage > 0];
  });
}

/**
 * An irregular blotch of 50–600 px²: fractal value noise minus a radial falloff, thresholded so the
 * blotch covers the drawn area, with a 0.1-wide soft edge in field units.
 */
function blotchStamp(rng: Rng, row: number, col: number): Stamp {
  const areaPx = Math.round(rng.uniform(50, 600));
  const contrast = -rng.uniform(0.3, 0.8);
  const half = Math.ceil(1.2 * Math.sqrt(areaPx)) + 3;
  const side = 2 * half + 1;
  const field = new Float32Array(side * side);
  for (let octave = 0, amplitude = 1, cell = side / 2; octave < 3; octave++, amplitude /= 2, cell /= 2) {
    addValueNoise(rng, field, side, cell, amplitude);
  }
  for (let r = 0; r < side; r++) {
    for (let q = 0; q < side; q++) {
      field[r * side + q] -= 1.5 * (((r - half) ** 2 + (q - half) ** 2) / (half * half));
    }
  }
  const threshold = Float32Array.from(field).sort()[field.length - areaPx];
  return radialStamp(row, col, half, (dy, dx) => {
    const r = Math.max(0, Math.min(side - 1, Math.round(dy) + half));
    const q = Math.max(0, Math.min(side - 1, Math.round(dx) + half));
    const f = field[r * side + q];
    return [contrast * smoothstep(threshold - 0.1, threshold + 0.1, f), f >= threshold];
  });
}

/** Adds smoothly interpolated random values on a grid of `cell`-pixel spacing. */
function addValueNoise(rng: Rng, field: Float32Array, side: number, cell: number, amplitude: number): void {
  const nodes = Math.ceil(side / cell) + 2;
  const grid = new Float32Array(nodes * nodes);
  for (let i = 0; i < grid.length; i++) grid[i] = rng.next();
  for (let r = 0; r < side; r++) {
    const gy = r / cell;
    const iy = Math.floor(gy);
    const ty = smoothstep(0, 1, gy - iy);
    for (let q = 0; q < side; q++) {
      const gx = q / cell;
      const ix = Math.floor(gx);
      const tx = smoothstep(0, 1, gx - ix);
      const a = grid[iy * nodes + ix] + tx * (grid[iy * nodes + ix + 1] - grid[iy * nodes + ix]);
      const b = grid[(iy + 1) * nodes + ix] + tx * (grid[(iy + 1) * nodes + ix + 1] - grid[(iy + 1) * nodes + ix]);
      field[r * side + q] += amplitude * (a + ty * (b - a));
    }
  }
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

function smoothstep(edge0: number, edge1: number, v: number): number {
  const t = clamp01((v - edge0) / (edge1 - edge0));
  return t * t * (3 - 2 * t);
}
