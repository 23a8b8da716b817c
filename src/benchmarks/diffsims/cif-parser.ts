/**
 * A small CIF 1.1 reader: what a kinematic diffraction simulation needs from a crystal structure.
 *
 * Reads the first data block: cell lengths and angles, space-group symbol and number, symmetry
 * operations (`_symmetry_equiv_pos_as_xyz` or `_space_group_symop_operation_xyz`) and atom sites
 * (fractional coordinates, element, occupancy, optional isotropic displacement). The sites are
 * expanded to the full cell by applying every operation and merging the images of a site that
 * coincide (within MERGE_TOLERANCE, periodic), so a site on a special position keeps its
 * multiplicity. Anything the simulator cannot do without is a clear error that names the item.
 */

export interface Cell {
  /** Lengths in Å. */
  a: number;
  b: number;
  c: number;
  /** Angles in degrees. */
  alpha: number;
  beta: number;
  gamma: number;
}

/** x' = R·x + t in fractional coordinates; `rotation` is row-major 3×3. */
export interface SymOp {
  rotation: number[];
  translation: [number, number, number];
}

export interface AtomSite {
  label: string;
  element: string;
  fract: [number, number, number];
  occupancy: number;
  /** Isotropic Debye–Waller B in Å² (0 when the CIF gives none). */
  bIso: number;
}

export interface CifStructure {
  name: string;
  cell: Cell;
  spaceGroup: { symbol?: string; number?: number };
  symops: SymOp[];
  sites: AtomSite[];
}

/** Images of one site closer than this (fractional, each axis, periodic) are the same atom. */
export const MERGE_TOLERANCE = 1e-3;

// ---------------------------------------------------------------------------------------------
// Tokenising

interface Loop {
  tags: string[];
  rows: string[][];
}

interface DataBlock {
  name: string;
  items: Map<string, string>;
  loops: Loop[];
}

/** Splits CIF text into tokens, honouring comments, quotes and ;-delimited text fields. */
function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li];
    if (line.startsWith(';')) {
      // Multi-line text field: runs to the next line that starts with ';'.
      const parts = [line.slice(1)];
      li++;
      while (li < lines.length && !lines[li].startsWith(';')) parts.push(lines[li++]);
      tokens.push(parts.join('\n').trim());
      continue;
    }
    let i = 0;
    while (i < line.length) {
      const ch = line[i];
      if (ch === ' ' || ch === '\t') {
        i++;
      } else if (ch === '#') {
        break;
      } else if (ch === "'" || ch === '"') {
        // A quote closes only when followed by whitespace or the end of the line.
        let j = i + 1;
        while (j < line.length && !(line[j] === ch && (j + 1 === line.length || /\s/.test(line[j + 1])))) j++;
        tokens.push(line.slice(i + 1, j));
        i = j + 1;
      } else {
        let j = i;
        while (j < line.length && line[j] !== ' ' && line[j] !== '\t') j++;
        tokens.push(line.slice(i, j));
        i = j;
      }
    }
  }
  return tokens;
}

const isTag = (t: string) => t.startsWith('_');
const isKeyword = (t: string) => /^(data_|loop_$|save_|global_$|stop_$)/i.test(t);

/** Reads the first data block (or the whole text when it has no data_ header). */
function parseFirstBlock(text: string): DataBlock {
  const tokens = tokenize(text);
  const block: DataBlock = { name: '', items: new Map(), loops: [] };
  let i = 0;
  let seenBlock = false;
  while (i < tokens.length) {
    const t = tokens[i];
    const lower = t.toLowerCase();
    if (lower.startsWith('data_')) {
      if (seenBlock) break;
      seenBlock = true;
      block.name = t.slice(5);
      i++;
    } else if (lower === 'loop_') {
      i++;
      const tags: string[] = [];
      while (i < tokens.length && isTag(tokens[i])) tags.push(tokens[i++].toLowerCase());
      const values: string[] = [];
      while (i < tokens.length && !isTag(tokens[i]) && !isKeyword(tokens[i])) values.push(tokens[i++]);
      const rows: string[][] = [];
      for (let r = 0; r + tags.length <= values.length; r += tags.length) rows.push(values.slice(r, r + tags.length));
      block.loops.push({ tags, rows });
    } else if (isTag(t)) {
      const value = tokens[i + 1];
      if (value === undefined || isTag(value) || isKeyword(value)) {
        i++;
      } else {
        block.items.set(lower, value);
        i += 2;
      }
    } else {
      i++;
    }
  }
  return block;
}

/** All values of a tag: the loop column, or the single item as a one-element list. */
function values(block: DataBlock, tag: string): string[] | undefined {
  for (const loop of block.loops) {
    const col = loop.tags.indexOf(tag);
    if (col >= 0) return loop.rows.map((r) => r[col]);
  }
  const single = block.items.get(tag);
  return single === undefined ? undefined : [single];
}

/** A CIF number: "8.91(2)" → 8.91; "." and "?" (unknown) → undefined. */
export function cifNumber(value: string | undefined): number | undefined {
  if (value === undefined || value === '.' || value === '?') return undefined;
  const v = Number(value.replace(/\(\d+\)$/, ''));
  return Number.isFinite(v) ? v : undefined;
}

// ---------------------------------------------------------------------------------------------
// Symmetry operations

/** Parses one fraction or decimal, e.g. "1/2", "0.5", "1". */
function parseConstant(text: string): number {
  const slash = text.indexOf('/');
  const v = slash >= 0 ? Number(text.slice(0, slash)) / Number(text.slice(slash + 1)) : Number(text);
  if (!Number.isFinite(v)) throw new Error(`bad number '${text}'`);
  return v;
}

/** Parses an operation like "-x+y, -x, z+1/2" (any order of terms, any case). */
export function parseSymop(xyz: string): SymOp {
  const parts = xyz.replace(/\s+/g, '').toLowerCase().split(',');
  if (parts.length !== 3) throw new Error(`symmetry operation '${xyz}' does not have three components`);
  const rotation = new Array<number>(9).fill(0);
  const translation: [number, number, number] = [0, 0, 0];
  parts.forEach((expr, row) => {
    const terms = expr.match(/[+-]?[^+-]+/g);
    if (!terms) throw new Error(`symmetry operation '${xyz}' has an empty component`);
    for (const term of terms) {
      const sign = term.startsWith('-') ? -1 : 1;
      const body = term.replace(/^[+-]/, '');
      const axis = body.match(/^(?:([\d./]+)\*?)?([xyz])$|^([xyz])\*?([\d./]+)$/);
      if (axis) {
        const factorText = axis[1] ?? axis[4];
        const letter = axis[2] ?? axis[3];
        const factor = factorText ? parseConstant(factorText) : 1;
        rotation[row * 3 + 'xyz'.indexOf(letter)] += sign * factor;
      } else {
        try {
          translation[row] += sign * parseConstant(body);
        } catch (e) {
          throw new Error(`symmetry operation '${xyz}': cannot read term '${term}'`, { cause: e });
        }
      }
    }
  });
  return { rotation, translation };
}

const IDENTITY: SymOp = { rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1], translation: [0, 0, 0] };

// ---------------------------------------------------------------------------------------------
// Elements

/** "Pb2+" → "Pb", "I1-" → "I", "CL" → "Cl", "Site1" with no type symbol → "Si" (label fallback). */
function elementFrom(symbol: string): string | undefined {
  const m = symbol.match(/^([A-Za-z])([a-z]?)/);
  if (!m) return undefined;
  return m[1].toUpperCase() + (m[2] ?? '');
}

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * Parses CIF text. `name` labels the phase in error messages (usually the file's basename).
 * Throws an Error naming the first missing item the simulator needs.
 */
export function parseCif(text: string, name = 'structure'): CifStructure {
  const block = parseFirstBlock(text);
  const where = `CIF '${name}'`;

  const required = (tag: string): number => {
    const v = cifNumber(values(block, tag)?.[0]);
    if (v === undefined) throw new Error(`${where} is missing ${tag} (needed for the unit cell)`);
    return v;
  };
  const cell: Cell = {
    a: required('_cell_length_a'),
    b: required('_cell_length_b'),
    c: required('_cell_length_c'),
    alpha: required('_cell_angle_alpha'),
    beta: required('_cell_angle_beta'),
    gamma: required('_cell_angle_gamma'),
  };
  if (cell.a <= 0 || cell.b <= 0 || cell.c <= 0) throw new Error(`${where} has a non-positive cell length`);

  const symbol = ['_symmetry_space_group_name_h-m', '_space_group_name_h-m_alt', '_space_group_name_h-m']
    .map((t) => values(block, t)?.[0])
    .find((v) => v !== undefined && v !== '?' && v !== '.');
  const number = ['_space_group_it_number', '_symmetry_int_tables_number']
    .map((t) => cifNumber(values(block, t)?.[0]))
    .find((v) => v !== undefined);

  const opTexts = values(block, '_space_group_symop_operation_xyz') ?? values(block, '_symmetry_equiv_pos_as_xyz');
  let symops: SymOp[];
  if (opTexts && opTexts.length > 0) {
    symops = opTexts.map((t) => {
      try {
        return parseSymop(t);
      } catch (e) {
        throw new Error(`${where}: ${(e as Error).message}`, { cause: e });
      }
    });
  } else if (number === 1 || (symbol !== undefined && symbol.replace(/\s+/g, '') === 'P1')) {
    symops = [IDENTITY];
  } else {
    throw new Error(
      `${where} is missing its symmetry operations (_symmetry_equiv_pos_as_xyz or ` +
        `_space_group_symop_operation_xyz); space group ${symbol ?? number ?? '(unnamed)'} cannot be expanded without them`,
    );
  }

  const xs = values(block, '_atom_site_fract_x');
  const ys = values(block, '_atom_site_fract_y');
  const zs = values(block, '_atom_site_fract_z');
  if (!xs || !ys || !zs) {
    const missing = ['_atom_site_fract_x', '_atom_site_fract_y', '_atom_site_fract_z'].filter((t) => !values(block, t));
    throw new Error(`${where} is missing ${missing.join(', ')} (atom sites in fractional coordinates)`);
  }
  const labels = values(block, '_atom_site_label');
  const types = values(block, '_atom_site_type_symbol');
  if (!labels && !types) throw new Error(`${where} is missing _atom_site_type_symbol and _atom_site_label (atom elements)`);
  const occupancies = values(block, '_atom_site_occupancy');
  const uIso = values(block, '_atom_site_u_iso_or_equiv');
  const bIso = values(block, '_atom_site_b_iso_or_equiv');

  const sites: AtomSite[] = xs.map((xText, i) => {
    const label = labels?.[i] ?? types?.[i] ?? `site${i + 1}`;
    const element = elementFrom(types?.[i] ?? label);
    if (!element) throw new Error(`${where}: cannot tell the element of atom site '${label}'`);
    const fract: [number, number, number] = [cifNumber(xText), cifNumber(ys[i]), cifNumber(zs[i])].map((v, axis) => {
      if (v === undefined) throw new Error(`${where}: atom site '${label}' has no fractional ${'xyz'[axis]}`);
      return v;
    }) as [number, number, number];
    const u = cifNumber(uIso?.[i]);
    const b = cifNumber(bIso?.[i]);
    return {
      label,
      element,
      fract,
      occupancy: cifNumber(occupancies?.[i]) ?? 1,
      bIso: b ?? (u !== undefined ? 8 * Math.PI * Math.PI * u : 0),
    };
  });
  if (sites.length === 0) throw new Error(`${where} has no atom sites`);

  return { name, cell, spaceGroup: { symbol, number }, symops, sites };
}

/** Wraps into [0, 1), mapping values within rounding of 1 to 0. */
function wrap01(v: number): number {
  const w = v - Math.floor(v);
  return w > 1 - 1e-9 ? 0 : w;
}

/** One atom of the full unit cell (an image of an asymmetric-unit site). */
export interface CellAtom {
  label: string;
  element: string;
  fract: [number, number, number];
  occupancy: number;
  bIso: number;
}

/**
 * Applies every symmetry operation to every site; images of the same site that coincide
 * (periodically, within MERGE_TOLERANCE per axis) are kept once.
 */
export function expandToCell(structure: CifStructure): CellAtom[] {
  const atoms: CellAtom[] = [];
  for (const site of structure.sites) {
    const images: [number, number, number][] = [];
    for (const op of structure.symops) {
      const r = op.rotation;
      const [x, y, z] = site.fract;
      const image: [number, number, number] = [
        wrap01(r[0] * x + r[1] * y + r[2] * z + op.translation[0]),
        wrap01(r[3] * x + r[4] * y + r[5] * z + op.translation[1]),
        wrap01(r[6] * x + r[7] * y + r[8] * z + op.translation[2]),
      ];
      const duplicate = images.some((p) =>
        p.every((v, k) => {
          const d = Math.abs(v - image[k]);
          return Math.min(d, 1 - d) < MERGE_TOLERANCE;
        }),
      );
      if (!duplicate) images.push(image);
    }
    for (const fract of images) {
      atoms.push({ label: site.label, element: site.element, fract, occupancy: site.occupancy, bIso: site.bIso });
    }
  }
  return atoms;
}

/** Occupancy-weighted atom count per element in the full cell, e.g. { Pb: 2, I: 6, C: 2 }. */
export function cellComposition(atoms: readonly CellAtom[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of atoms) out[a.element] = (out[a.element] ?? 0) + a.occupancy;
  return out;
}
