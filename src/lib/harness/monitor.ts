/**
 * The run monitor: a time series sampled every `intervalS` seconds (1 s by default, as
 * SciML-Bench's system monitor), with an Event column. Each event is attached to the sample
 * nearest to it in time; events that land on the same sample are joined with "; ".
 *
 * The sampler is injected: tf.memory() and the JS heap in the app and the CLI, a fake in tests.
 */
import type { TF } from './contract';

export type MonitorValue = number | string;
/** One sample; always has `Elapsed (sec)` and `Event` besides the sampler's columns. */
export type MonitorRow = Record<string, MonitorValue>;
export type Sampler = () => Record<string, MonitorValue>;

export const ELAPSED_COLUMN = 'Elapsed (sec)';
export const EVENT_COLUMN = 'Event';

export interface MonitorOptions {
  sampler: Sampler;
  /** Seconds between samples. */
  intervalS?: number;
  /** Milliseconds clock; performance.now by default. */
  now?: () => number;
}

export class Monitor {
  readonly rows: MonitorRow[] = [];
  readonly intervalS: number;
  private readonly sampler: Sampler;
  private readonly now: () => number;
  private startMs = 0;
  private lastSampleMs = -Infinity;
  private timer: ReturnType<typeof setInterval> | undefined;
  private pending: { name: string; atMs: number }[] = [];
  private running = false;

  constructor(options: MonitorOptions) {
    this.sampler = options.sampler;
    this.intervalS = options.intervalS ?? 1;
    if (!(this.intervalS > 0)) throw new Error(`monitor interval must be > 0 s, got ${this.intervalS}`);
    this.now = options.now ?? (() => performance.now());
  }

  /** Takes the first sample (at elapsed 0) and starts the timer. */
  start(useTimer = true): void {
    this.startMs = this.now();
    this.running = true;
    this.sample();
    if (useTimer) this.timer = setInterval(() => this.tick(), this.intervalS * 1000);
  }

  /**
   * Samples if one is due. Called from progress callbacks too, because a busy training loop
   * (tfjs cpu ops are synchronous) can starve the timer.
   */
  tick(): void {
    if (this.running && this.now() - this.lastSampleMs >= this.intervalS * 1000) this.sample();
  }

  event(name: string): void {
    this.pending.push({ name, atMs: this.now() });
    // Attach at once when no later sample can be nearer (the monitor has stopped).
    if (!this.running && this.rows.length) this.resolvePending(Infinity);
  }

  /** Takes a last sample, attaches pending events and stops the timer. */
  stop(): void {
    if (!this.running) return;
    this.sample();
    this.running = false;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private sample(): void {
    const atMs = this.now();
    this.resolvePending(atMs);
    const row: MonitorRow = { [ELAPSED_COLUMN]: round3((atMs - this.startMs) / 1000), ...this.sampler() };
    row[EVENT_COLUMN] = '';
    this.rows.push(row);
    this.lastSampleMs = atMs;
    // Events recorded before the first sample (or at the same instant) belong to it.
    this.resolvePending(atMs);
  }

  /** Attaches each pending event to the previous sample or to the one taken at `nextMs`, whichever is nearer. */
  private resolvePending(nextMs: number): void {
    const keep: { name: string; atMs: number }[] = [];
    for (const ev of this.pending) {
      const last = this.rows[this.rows.length - 1];
      if (last && ev.atMs - this.lastSampleMs <= nextMs - ev.atMs) appendEvent(last, ev.name);
      else keep.push(ev);
    }
    this.pending = keep;
  }

  /** The largest numeric value of a column (e.g. peak tensor bytes), or undefined if never sampled. */
  peak(column: string): number | undefined {
    let best: number | undefined;
    for (const row of this.rows) {
      const v = row[column];
      if (typeof v === 'number' && (best === undefined || v > best)) best = v;
    }
    return best;
  }

  toCSV(): string {
    return monitorToCSV(this.rows);
  }
}

function appendEvent(row: MonitorRow, name: string): void {
  row[EVENT_COLUMN] = row[EVENT_COLUMN] ? `${row[EVENT_COLUMN]}; ${name}` : name;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

// ---------------------------------------------------------------------------------------------
// CSV

function csvField(value: MonitorValue | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Columns in first-seen order, `Elapsed (sec)` first and `Event` last. */
export function monitorColumns(rows: readonly MonitorRow[]): string[] {
  const seen = new Set<string>([ELAPSED_COLUMN]);
  for (const row of rows) for (const key of Object.keys(row)) if (key !== EVENT_COLUMN) seen.add(key);
  return [...seen, EVENT_COLUMN];
}

export function monitorToCSV(rows: readonly MonitorRow[]): string {
  const columns = monitorColumns(rows);
  const lines = [columns.map(csvField).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(row[c])).join(','));
  return lines.join('\n') + '\n';
}

/** Splits CSV text into records (RFC 4180 quoting). */
function parseCSVRecords(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || record.length) {
    record.push(field);
    records.push(record);
  }
  return records;
}

/** Reads a monitor CSV back; numeric fields become numbers, empty fields are left out (Event stays ''). */
export function parseMonitorCSV(text: string): MonitorRow[] {
  const [header, ...records] = parseCSVRecords(text);
  if (!header) return [];
  return records.map((fields) => {
    const row: MonitorRow = {};
    header.forEach((column, i) => {
      const field = fields[i] ?? '';
      if (column === EVENT_COLUMN) row[column] = field;
      else if (field !== '') row[column] = Number.isFinite(Number(field)) ? Number(field) : field;
    });
    return row;
  });
}

// ---------------------------------------------------------------------------------------------
// Samplers

interface EngineMemory {
  numBytes: number;
  numTensors: number;
  numDataBuffers: number;
  /** webgpu: bytes in the backend's buffer pool, the better indicator of device memory use. */
  numBytesAllocatedInGPU?: number;
}

interface ChromiumPerformance {
  memory?: { usedJSHeapSize: number };
}

const MB = 1024 * 1024;

/**
 * Samples tf.memory() (bytes, tensors, data buffers; pooled GPU bytes on webgpu), the backend name
 * and the JS heap where the runtime reports it (Chromium's performance.memory, Node's process.memoryUsage).
 */
export function tfSampler(tf: TF, backend: string): Sampler {
  return () => {
    const mem = tf.memory() as EngineMemory;
    const row: Record<string, MonitorValue> = {
      Backend: backend,
      TFBytes: mem.numBytes,
      TFTensors: mem.numTensors,
      TFDataBuffers: mem.numDataBuffers,
    };
    if (mem.numBytesAllocatedInGPU !== undefined) row.GPUBytesAllocated = mem.numBytesAllocatedInGPU;
    const heap = (globalThis.performance as ChromiumPerformance | undefined)?.memory;
    if (heap) row['JSHeapUsed (MB)'] = round3(heap.usedJSHeapSize / MB);
    else if (typeof process !== 'undefined' && typeof process.memoryUsage === 'function') {
      const usage = process.memoryUsage();
      row['JSHeapUsed (MB)'] = round3(usage.heapUsed / MB);
      row['RSS (MB)'] = round3(usage.rss / MB);
    }
    return row;
  };
}
