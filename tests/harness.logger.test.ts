import { describe, expect, it } from 'vitest';
import { ConsoleLogger, parseConsoleLog } from '../src/lib/harness/logger';

/** A clock the test advances by hand (milliseconds). */
function fakeClock() {
  let t = 1000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('ConsoleLogger', () => {
  it('writes SciML-Bench lines: four dots per level, BEGIN/ENDED with ELAPSED to 6 decimals, MESSG', () => {
    const clock = fakeClock();
    const streamed: string[] = [];
    const log = new ConsoleLogger({ now: clock.now, onLine: (l) => streamed.push(l) });
    log.begin('Running benchmark demo_cnn in training mode');
    log.message('seed 0');
    log.begin('Training the model');
    log.message('Epoch 00: loss=0.5\nsecond line');
    clock.advance(12345.678);
    expect(log.end()).toBeCloseTo(12.345678, 9);
    clock.advance(1.5);
    log.end('Running benchmark demo_cnn in training mode');
    expect(log.lines).toEqual([
      '<BEGIN> Running benchmark demo_cnn in training mode',
      '....<MESSG> seed 0',
      '....<BEGIN> Training the model',
      '........<MESSG> Epoch 00: loss=0.5',
      '........<MESSG> second line',
      '....<ENDED> Training the model [ELAPSED = 12.345678 sec]',
      '<ENDED> Running benchmark demo_cnn in training mode [ELAPSED = 12.347178 sec]',
    ]);
    expect(streamed).toEqual(log.lines);
    expect(log.toString()).toBe(log.lines.join('\n') + '\n');
  });

  it('ending an outer block by name closes the inner ones first', () => {
    const clock = fakeClock();
    const log = new ConsoleLogger({ now: clock.now });
    log.begin('outer');
    log.begin('inner');
    clock.advance(2000);
    log.end('outer');
    expect(log.lines.slice(2)).toEqual([
      '....<ENDED> inner [ELAPSED = 2.000000 sec]',
      '<ENDED> outer [ELAPSED = 2.000000 sec]',
    ]);
    expect(log.depth).toBe(0);
    expect(() => log.end()).toThrow(/without an open block/);
    log.begin('a');
    expect(() => log.end('b')).toThrow(/no open block named "b"/);
    log.closeAll();
    expect(log.depth).toBe(0);
  });

  it('parses a log back into its block tree with elapsed times', () => {
    const clock = fakeClock();
    const log = new ConsoleLogger({ now: clock.now });
    log.begin('run');
    log.begin('data');
    clock.advance(250);
    log.end();
    log.begin('train');
    log.message('Epoch 00');
    log.begin('unfinished');
    const tree = parseConsoleLog(log.toString() + 'stray text\n');
    expect(tree.children).toHaveLength(1);
    const run = tree.children[0];
    expect(run.name).toBe('run');
    expect(run.elapsedS).toBeUndefined();
    expect(run.children.map((c) => c.name)).toEqual(['data', 'train']);
    expect(run.children[0].elapsedS).toBe(0.25);
    expect(run.children[1].messages).toEqual(['Epoch 00']);
    expect(run.children[1].children[0].messages).toEqual(['stray text']);
  });
});
