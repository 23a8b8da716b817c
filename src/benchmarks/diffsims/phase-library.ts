/**
 * The notebook's phase list: which crystal phases the classifier learns, in label order, and the
 * user's own CIFs. Pure functions over the two benchmark parameters that hold it —
 * `phases` (comma-separated names, label order) and `custom_cifs` (JSON name → CIF text) — so the
 * Phases panel only renders and dispatches, and the tests exercise the same code.
 *
 * A CIF is validated exactly as a run would prepare it (sources.ts preparePhases: parse, expand to
 * the full cell, check every element has scattering-factor coefficients, enumerate reflections),
 * so a file the panel accepts cannot fail later for a reason the panel did not show.
 */
import { cellComposition, expandToCell, parseCif, type Cell } from './cif-parser';
import { cellVolume } from './crystal';
import { BUILTIN_CIFS } from './phases';
import { DEFAULT_SIMULATION } from './simulate';
import { parseCustomCifs, preparePhases, splitList } from './sources';

/** What a scientist checks about a phase before training on it. */
export interface PhaseSummary {
  name: string;
  /** Reduced formula with elements in the CIF's site order, e.g. "CsPbBr3"; per cell when not integral. */
  formula: string;
  /** Formula units per cell; undefined when partial occupancies give no integral cell content. */
  z: number | undefined;
  /** Occupancy-weighted atoms per element in the full cell. */
  composition: Record<string, number>;
  spaceGroup: { symbol?: string; number?: number };
  cell: Cell;
  /** Cell volume, Å³. */
  volume: number;
  /** Atom positions in the full cell (every symmetry image, each counted once). */
  atomsInCell: number;
  /** Sites in the CIF's asymmetric unit. */
  sites: number;
}

/** Counts within this of an integer are taken as integral (e.g. 6 × 0.333 = 1.998 N → 2). */
const INTEGRAL_TOLERANCE = 0.01;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** "2.000" → "2", "0.6" → "0.6", 1 → "" (formula style). */
function formulaCount(n: number): string {
  if (Math.abs(n - 1) < 1e-9) return '';
  return String(Number(n.toFixed(3)));
}

/** Reduced formula and Z from an ordered composition. */
export function reducedFormula(composition: Record<string, number>): { formula: string; z: number | undefined } {
  const entries = Object.entries(composition);
  const integral = entries.every(([, n]) => Math.abs(n - Math.round(n)) <= INTEGRAL_TOLERANCE && Math.round(n) > 0);
  if (!integral) return { formula: entries.map(([el, n]) => el + formulaCount(n)).join(''), z: undefined };
  const z = entries.map(([, n]) => Math.round(n)).reduce(gcd);
  return { formula: entries.map(([el, n]) => el + formulaCount(Math.round(n) / z)).join(''), z };
}

/**
 * Parses and validates a CIF as the simulator would, and summarises it. Throws the simulator's
 * error (it names the CIF and the missing item: cell length, symmetry operations, atom sites, an
 * element without scattering-factor coefficients, …).
 */
export function describeCif(name: string, text: string): PhaseSummary {
  preparePhases([{ name, cif: text }], DEFAULT_SIMULATION);
  const structure = parseCif(text, name);
  const atoms = expandToCell(structure);
  const composition = cellComposition(atoms);
  return {
    name,
    ...reducedFormula(composition),
    composition,
    spaceGroup: structure.spaceGroup,
    cell: structure.cell,
    volume: cellVolume(structure.cell),
    atomsInCell: atoms.length,
    sites: structure.sites.length,
  };
}

/** "P m -3 m", 221 → "Pm-3m (No. 221)": the short Hermann–Mauguin symbol and the IT number. */
export function spaceGroupLabel(spaceGroup: { symbol?: string; number?: number }): string {
  const symbol = spaceGroup.symbol?.replace(/\s+/g, '');
  const number = spaceGroup.number === undefined ? undefined : `No. ${spaceGroup.number}`;
  if (symbol && number) return `${symbol} (${number})`;
  return symbol ?? number ?? 'not given';
}

/**
 * describeCif, remembered: the panel lists the same few CIFs again on every parameter edit, and
 * preparing a phase (all reflections up to the simulator's |g| limit) takes tens of milliseconds.
 */
const described = new Map<string, PhaseSummary | Error>();
function describeRemembered(name: string, text: string): PhaseSummary {
  const key = `${name}\u0000${text}`;
  let result = described.get(key);
  if (result === undefined) {
    try {
      result = describeCif(name, text);
    } catch (e) {
      result = e as Error;
    }
    if (described.size >= 64) described.clear();
    described.set(key, result);
  }
  if (result instanceof Error) throw result;
  return result;
}

// ---------------------------------------------------------------------------------------------
// The phase choice held by the `phases` and `custom_cifs` parameters

export interface PhaseChoice {
  /** Included phases in label order (the `phases` parameter). */
  order: string[];
  /** User CIFs by phase name, included or not (the `custom_cifs` parameter). */
  custom: Record<string, string>;
}

export const isBuiltinPhase = (name: string): boolean => Object.hasOwn(BUILTIN_CIFS, name);

/**
 * Reads the two parameters. Never throws: a `custom_cifs` that is not valid (e.g. hand-edited in
 * an imported notebook) is reported in `problem` and read as no user CIFs.
 */
export function readPhaseChoice(phasesText: string, customCifsJson: string): { choice: PhaseChoice; problem?: string } {
  const order = [...new Set(splitList(phasesText))];
  try {
    return { choice: { order, custom: parseCustomCifs(customCifsJson) } };
  } catch (e) {
    return { choice: { order, custom: {} }, problem: (e as Error).message };
  }
}

/** The parameter values of a choice ('' = no user CIFs). */
export function writePhaseChoice(choice: PhaseChoice): { phases: string; custom_cifs: string } {
  return {
    phases: choice.order.join(','),
    custom_cifs: Object.keys(choice.custom).length > 0 ? JSON.stringify(choice.custom) : '',
  };
}

/** "My phase, v2.CIF" → "My_phase_v2": the file's basename, safe in the comma-separated list. */
export function phaseNameFromFile(fileName: string): string {
  const base = fileName.replace(/^.*[\\/]/, '').replace(/\.cif$/i, '');
  const safe = base.replace(/[\s,]+/g, '_').replace(/^_+|_+$/g, '');
  return safe === '' ? 'phase' : safe;
}

/** What happened to one added file. */
export interface AddMessage {
  fileName: string;
  kind: 'added' | 'renamed' | 'duplicate' | 'error';
  text: string;
}

/**
 * Adds user CIFs: each is validated as the simulator would; a valid one joins the end of the
 * label order under its file's basename. A name already taken (a built-in phase or another user
 * CIF with different text) gets the first free suffix _2, _3, … and a message says so; a file
 * identical to a known phase adds nothing (it re-includes that phase if it was excluded). An
 * invalid file changes nothing and its message is the simulator's error.
 */
export function addCifFiles(choice: PhaseChoice, files: readonly { fileName: string; text: string }[]): { choice: PhaseChoice; messages: AddMessage[] } {
  let order = [...choice.order];
  const custom = { ...choice.custom };
  const messages: AddMessage[] = [];
  for (const { fileName, text } of files) {
    if (!/\.cif$/i.test(fileName)) {
      messages.push({ fileName, kind: 'error', text: 'not a .cif file: only CIF crystal structures can be added as phases' });
      continue;
    }
    const base = phaseNameFromFile(fileName);
    try {
      describeRemembered(base, text);
    } catch (e) {
      messages.push({ fileName, kind: 'error', text: (e as Error).message });
      continue;
    }
    const same = [...Object.entries(custom), ...Object.entries(BUILTIN_CIFS)].find(([, existing]) => existing === text)?.[0];
    if (same !== undefined) {
      const what = `identical to ${Object.hasOwn(custom, same) ? 'the user phase' : 'the built-in phase'} ${same}`;
      if (order.includes(same)) {
        messages.push({ fileName, kind: 'duplicate', text: `${what}, already in the list: nothing changed` });
      } else {
        order = [...order, same];
        messages.push({ fileName, kind: 'duplicate', text: `${what}: included again (label ${order.length - 1})` });
      }
      continue;
    }
    const taken = (n: string) => isBuiltinPhase(n) || Object.hasOwn(custom, n);
    let name = base;
    for (let k = 2; taken(name); k++) name = `${base}_${k}`;
    custom[name] = text;
    order = [...order, name];
    if (name === base) {
      messages.push({ fileName, kind: 'added', text: `added as ${name} (label ${order.length - 1})` });
    } else {
      const owner = isBuiltinPhase(base) ? 'a built-in phase' : 'another user phase';
      messages.push({ fileName, kind: 'renamed', text: `added as ${name} (label ${order.length - 1}): ${owner} is already called ${base}` });
    }
  }
  return { choice: { order, custom }, messages };
}

/** Removes a user phase (its CIF and its label) or drops any other name from the label order. */
export function removePhase(choice: PhaseChoice, name: string): PhaseChoice {
  const { [name]: _removed, ...custom } = choice.custom;
  return { order: choice.order.filter((n) => n !== name), custom };
}

/** Includes a phase (at the end of the label order) or excludes it, keeping its CIF. */
export function setIncluded(choice: PhaseChoice, name: string, included: boolean): PhaseChoice {
  const order = choice.order.filter((n) => n !== name);
  return { ...choice, order: included ? [...order, name] : order };
}

/** Moves an included phase by `delta` places in the label order (clamped). */
export function movePhase(choice: PhaseChoice, name: string, delta: number): PhaseChoice {
  const from = choice.order.indexOf(name);
  if (from < 0) return choice;
  const to = Math.max(0, Math.min(choice.order.length - 1, from + delta));
  const order = [...choice.order];
  order.splice(to, 0, ...order.splice(from, 1));
  return { ...choice, order };
}

/** One row of the Phases panel. */
export interface PhaseRow {
  name: string;
  builtin: boolean;
  /** Class label (index in the label order); undefined when excluded. */
  label: number | undefined;
  summary?: PhaseSummary;
  /** Why this phase cannot be simulated (unknown name, invalid CIF). */
  error?: string;
}

/** Rows in label order, then the excluded built-in and user phases. */
export function phaseRows(choice: PhaseChoice): PhaseRow[] {
  const row = (name: string, label: number | undefined): PhaseRow => {
    const builtin = !Object.hasOwn(choice.custom, name) && isBuiltinPhase(name);
    const text = builtin ? BUILTIN_CIFS[name] : choice.custom[name];
    if (!Object.hasOwn(choice.custom, name) && !builtin) {
      return { name, builtin, label, error: `unknown phase '${name}': neither built in nor among the user CIFs` };
    }
    try {
      return { name, builtin, label, summary: describeRemembered(name, text) };
    } catch (e) {
      return { name, builtin, label, error: (e as Error).message };
    }
  };
  const known = new Set([...Object.keys(BUILTIN_CIFS), ...Object.keys(choice.custom)]);
  const excluded = [...known].filter((n) => !choice.order.includes(n));
  return [...choice.order.map((n, i) => row(n, i)), ...excluded.map((n) => row(n, undefined))];
}
