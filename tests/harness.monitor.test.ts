import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Monitor, monitorToCSV, parseMonitorCSV, tfSampler, type MonitorRow } from '../src/lib/harness/monitor';

function fakeClock() {
  let t = 0;
  return { now: () => t, set: (ms: number) => (t = ms) };
}

describe('Monitor', () => {
  it('samples on tick when due and attaches each event to the nearest sample', () => {
    const clock = fakeClock();
    let n = 0;
    const monitor = new Monitor({ sampler: () => ({ Count: n++ }), intervalS: 1, now: clock.now });
    monitor.event('before start');
    monitor.start(false); // sample at 0 s
    clock.set(300);
    monitor.event('start training'); // 0.3 s: nearer to 0 s than to 1 s
    clock.set(700);
    monitor.tick(); // not due
    monitor.event('epoch 0'); // 0.7 s: nearer to the next sample
    clock.set(1000);
    monitor.tick(); // sample at 1 s
    clock.set(2600);
    monitor.event('late'); // next sample comes late (3.5 s): 2.6 is nearer to 1.0? |1.6| vs |0.9| → next
    clock.set(3500);
    monitor.tick();
    clock.set(3600);
    monitor.event('a');
    monitor.event('b');
    monitor.stop(); // final sample at 3.6 s
    monitor.event('after stop');
    expect(monitor.rows.map((r) => [r['Elapsed (sec)'], r.Count, r.Event])).toEqual([
      [0, 0, 'before start; start training'],
      [1, 1, 'epoch 0'],
      [3.5, 2, 'late'],
      [3.6, 3, 'a; b; after stop'],
    ]);
    expect(monitor.peak('Count')).toBe(3);
    expect(monitor.peak('Missing')).toBeUndefined();
  });

  it('samples on its own timer', async () => {
    const monitor = new Monitor({ sampler: () => ({}), intervalS: 0.02 });
    monitor.start();
    await new Promise((r) => setTimeout(r, 150));
    monitor.stop();
    expect(monitor.rows.length).toBeGreaterThanOrEqual(4);
    const elapsed = monitor.rows.map((r) => r['Elapsed (sec)'] as number);
    expect(elapsed).toEqual([...elapsed].sort((a, b) => a - b));
  });

  it('refuses a non-positive interval', () => {
    expect(() => new Monitor({ sampler: () => ({}), intervalS: 0 })).toThrow(/interval/);
  });

  it('round-trips through CSV, quoting commas and quotes', () => {
    const rows: MonitorRow[] = [
      { 'Elapsed (sec)': 0, Backend: 'cpu', TFBytes: 0, Event: 'start training; epoch 0' },
      { 'Elapsed (sec)': 1.25, Backend: 'cpu', TFBytes: 4096, Extra: 'a, "b"', Event: '' },
    ];
    const csv = monitorToCSV(rows);
    expect(csv.split('\n')[0]).toBe('Elapsed (sec),Backend,TFBytes,Extra,Event');
    expect(csv.split('\n')[2]).toBe('1.25,cpu,4096,"a, ""b""",');
    expect(parseMonitorCSV(csv)).toEqual(rows);
  });

  it('tfSampler reports tfjs memory, the backend and the Node heap', async () => {
    await tf.setBackend('cpu');
    const t = tf.zeros([10, 10]);
    const row = tfSampler(tf, 'cpu')();
    expect(row.Backend).toBe('cpu');
    expect(row.TFBytes).toBeGreaterThanOrEqual(400);
    expect(row.TFTensors).toBeGreaterThanOrEqual(1);
    expect(row['JSHeapUsed (MB)']).toBeGreaterThan(0);
    expect(row['RSS (MB)']).toBeGreaterThan(0);
    t.dispose();
  });
});
