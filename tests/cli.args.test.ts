import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { choice, pairsToOverrides, parseArgs, UsageError } from '../cli/args';
import { dateStamp, outputDir } from '../cli/paths';
import { TerminalProgress } from '../cli/progress';
import { formatBytes, formatMetric, table } from '../cli/format';

const RUN = { options: ['--mode', '--output_dir', '--seed'], flags: ['--verify'], pairs: true } as const;

describe('parseArgs', () => {
  it('reads positionals, options (both spellings), flags and repeated -b pairs', () => {
    const a = parseArgs(['demo', '--mode', 'inference', '-b', 'epochs', '3', '--output_dir=@x', '--benchmark_specific', 'lr', '-0.5', '--verify', '--seed', '-1'], RUN);
    expect(a.positionals).toEqual(['demo']);
    expect(a.options).toEqual({ '--mode': 'inference', '--output_dir': '@x', '--seed': '-1' });
    expect([...a.flags]).toEqual(['--verify']);
    expect(a.pairs).toEqual([
      ['epochs', '3'],
      ['lr', '-0.5'],
    ]);
    expect(pairsToOverrides([...a.pairs, ['epochs', '4']])).toEqual({ epochs: '4', lr: '-0.5' });
    expect(parseArgs(['--', '--mode'], RUN).positionals).toEqual(['--mode']);
  });

  it('explains malformed command lines', () => {
    expect(() => parseArgs(['--nope'], RUN)).toThrow(UsageError);
    expect(() => parseArgs(['--nope'], RUN)).toThrow(/unknown option --nope; valid options: --mode, --output_dir, --seed, --verify, -b/);
    expect(() => parseArgs(['-b', 'epochs'], RUN)).toThrow(/-b needs a KEY and a VALUE/);
    expect(() => parseArgs(['--mode'], RUN)).toThrow(/--mode needs a value/);
    expect(() => parseArgs(['--verify=1'], RUN)).toThrow(/takes no value/);
    expect(() => parseArgs(['-b', 'x', '1'], {})).toThrow(/unknown option -b/);
    expect(choice(undefined, '--mode', ['training', 'inference'], 'training')).toBe('training');
    expect(() => choice('train', '--mode', ['training', 'inference'], 'training')).toThrow(/--mode must be one of training, inference; got "train"/);
  });
});

describe('output folders', () => {
  it('follows SciML-Bench: <root>/<bench>/<yyyymmdd>/<mode>, @name under <root>/<bench>', () => {
    const date = new Date(2025, 0, 9, 23, 59);
    expect(dateStamp(date)).toBe('20250109');
    expect(outputDir(undefined, 'demo_cnn', 'training', date, '/r')).toBe(join('/r', 'demo_cnn', '20250109', 'training'));
    expect(outputDir('@first', 'demo_cnn', 'inference', date, '/r')).toBe(join('/r', 'demo_cnn', 'first'));
    expect(outputDir('/abs/out', 'demo_cnn', 'training', date, '/r')).toBe('/abs/out');
  });
});

describe('terminal output', () => {
  function sink(isTTY: boolean) {
    const chunks: string[] = [];
    return { chunks, out: { isTTY, columns: 60, write: (t: string) => chunks.push(t) } };
  }

  it('on a TTY redraws one progress line and keeps it below log lines', () => {
    const { chunks, out } = sink(true);
    const p = new TerminalProgress(out);
    p.update({ fraction: 0.5, label: 'epoch 1/2' });
    p.line('<MESSG> hello');
    p.done();
    expect(chunks[0]).toBe('\r##########---------- [ 50%] epoch 1/2\x1b[K');
    expect(chunks.slice(1, 3)).toEqual(['\r\x1b[K', '<MESSG> hello\n']);
    expect(chunks[3]).toContain('[ 50%] epoch 1/2');
    expect(chunks[4]).toBe('\r\x1b[K');
  });

  it('elsewhere prints a progress line at most every period', () => {
    const { chunks, out } = sink(false);
    let t = 0;
    const p = new TerminalProgress(out, 5, () => t);
    p.update({ fraction: 0.1, label: 'a' });
    t = 1000;
    p.update({ fraction: 0.2, label: 'b' });
    t = 6000;
    p.update({ fraction: 0.3, label: 'c' });
    p.line('log');
    expect(chunks).toEqual(['[ 10%] a\n', '[ 30%] c\n', 'log\n']);
  });

  it('formats numbers, sizes and tables', () => {
    expect(formatMetric(0.123456789)).toBe('0.123457');
    expect(formatMetric(42)).toBe('42');
    expect(formatMetric(NaN)).toBe('NaN');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(table([['a', 'bb', 'c'], ['ccc', 'd', 'e']], '  ')).toBe('  a    bb  c\n  ccc  d   e');
  });
});
