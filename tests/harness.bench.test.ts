import { describe, expect, it } from 'vitest';
import { BENCH_FORMAT, formatQuality, formatTable, judgeQuality, parseReport, type BenchRow } from '../bench/lib/report';
import { modules } from '../src/benchmarks/registry';
import { median, StepTimer } from '../bench/lib/step-timer';

describe('StepTimer', () => {
  it('takes the first batch as warm-up and the median of the rest as ms/step, skipping non-step marks', () => {
    let t = 0;
    const timer = new StepTimer(() => t);
    timer.event(); // start training, at 0
    t = 40;
    timer.progress('data ready'); // not a step; resets the mark
    t = 45;
    timer.event(); // epoch 0
    t = 545;
    timer.progress('epoch 1/2, batch 1/3'); // warm-up 0.5 s
    t = 555;
    timer.progress('epoch 1/2, batch 2/3'); // 10 ms
    t = 567;
    timer.progress('epoch 1/2, batch 3/3'); // 12 ms
    t = 900; // validation, then the next epoch's event
    timer.event();
    t = 911;
    timer.progress('epoch 2/2, batch 1/3'); // 11 ms
    expect(timer.summary()).toEqual({ steps: 4, warmupS: 0.5, msPerStep: 11 });
  });

  it('has nothing to report without steps', () => {
    const timer = new StepTimer(() => 0);
    timer.progress('batch 1/1'); // no mark before it
    expect(timer.summary()).toEqual({ steps: 0, warmupS: undefined, msPerStep: undefined });
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});

describe('bench report', () => {
  const row = (backend: string, itemsPerS: number, msPerStep?: number): BenchRow => ({
    benchmark: 'demo_cnn',
    backend,
    mode: 'training',
    status: 'ok',
    itemsPerS,
    msPerStep,
    steps: 10,
    warmupS: 0.25,
    peakTensorBytes: 2 * 1024 * 1024,
    timeS: 3,
    params: {},
    metrics: {},
  });

  it('prints a table with ratios against a baseline matched by benchmark, backend and mode', () => {
    const baseline = { format: BENCH_FORMAT, created: 'then', environment: {}, rows: [row('cpu', 100, 20)] } as const;
    const text = formatTable([row('cpu', 150, 10), row('webgpu', 50)], { ...baseline, rows: [...baseline.rows] });
    const lines = text.split('\n');
    expect(lines[0].split(/\s{2,}/)).toEqual(['benchmark', 'backend', 'mode', 'items/s', 'ms/step', 'warm-up s', 'peak MB', 'time s', 'status', 'items/s ×', 'ms/step ×']);
    expect(lines[1].trim().split(/\s+/)).toEqual(['demo_cnn', 'cpu', 'training', '150.0', '10.00', '0.250', '2.00', '3.00', 'ok', '1.50', '0.50']);
    expect(lines[2].trim().split(/\s+/)).toEqual(['demo_cnn', 'webgpu', 'training', '50.0', '—', '0.250', '2.00', '3.00', 'ok', '—', '—']);
  });

  it('reads back only its own JSON format', () => {
    const report = { format: BENCH_FORMAT, created: 'now', environment: {}, rows: [row('cpu', 1)] };
    expect(parseReport(JSON.stringify(report), 'f.json').rows).toHaveLength(1);
    expect(() => parseReport('{"rows": []}', 'f.json')).toThrow(/f.json: not a sciml-notebook-bench\/1 file/);
  });
});

describe('quality bars', () => {
  it('judges fixed floors and baselines of the same run, and reports metrics without a floor', () => {
    const rows = judgeQuality(
      'x',
      'cpu',
      [
        { mode: 'training', metric: 'accuracy', label: 'acc', atLeast: 0.95 },
        { mode: 'inference', metric: 'psnr', label: 'psnr vs gaussian', atLeast: 'gaussian_psnr' },
        { mode: 'inference', metric: 'psnr', label: 'psnr vs median', atLeast: 'median_psnr' },
        { mode: 'inference', metric: 'roc_auc', label: 'auc' },
        { mode: 'inference', metric: 'missing', label: 'gone', atLeast: 0 },
      ],
      { training: { accuracy: 0.949 }, inference: { psnr: 20, gaussian_psnr: 19, median_psnr: 21, roc_auc: 0.9 } },
    );
    expect(rows.map((r) => r.met)).toEqual([false, true, false, undefined, false]);
    expect(rows[1].floor).toBe(19);
    const table = formatQuality(rows);
    expect(table).toContain('NOT MET');
    expect(table).toContain('reported');
  });

  it('declares checks only for modes each benchmark has', () => {
    for (const m of modules) {
      for (const check of m.qualityBar ?? []) expect(m.benchmark.modes).toContain(check.mode);
    }
    expect(modules.filter((m) => m.qualityBar).map((m) => m.benchmark.id).sort()).toEqual(['diffsims', 'em_denoise', 'optical_damage']);
  });
});
