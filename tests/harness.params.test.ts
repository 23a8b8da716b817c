import { describe, expect, it } from 'vitest';
import type { ParamSpecs } from '../src/lib/harness/contract';
import { castParam, describeType, ParamError, resolveParams } from '../src/lib/harness/params';

const specs = {
  epochs: { kind: 'int', default: 3, min: 1, max: 100, help: 'epochs', modes: ['training'] },
  lr: { kind: 'number', default: 0.01, min: 0, help: 'learning rate', modes: ['training'] },
  augment: { kind: 'bool', default: false, help: 'augment' },
  loss: { kind: 'enum', default: 'mse', options: ['mse', 'mae'], help: 'loss' },
  tag: { kind: 'string', default: 'run', help: 'free text' },
  n_test: { kind: 'int', default: 10, help: 'test items', modes: ['inference'] },
} as const satisfies ParamSpecs;

describe('castParam', () => {
  it('casts ints, numbers, bools, enums and strings from text', () => {
    expect(castParam('epochs', specs.epochs, '7')).toBe(7);
    expect(castParam('epochs', specs.epochs, ' +12 ')).toBe(12);
    expect(castParam('lr', specs.lr, '1e-3')).toBe(0.001);
    expect(castParam('lr', specs.lr, '.5')).toBe(0.5);
    expect(castParam('loss', specs.loss, 'mae')).toBe('mae');
    expect(castParam('tag', specs.tag, ' two words ')).toBe(' two words ');
  });

  it('accepts the SciML-Bench boolean words, case-insensitively', () => {
    for (const word of ['true', 'T', 'yes', 'Y', '1']) expect(castParam('augment', specs.augment, word)).toBe(true);
    for (const word of ['false', 'f', 'NO', 'n', '0']) expect(castParam('augment', specs.augment, word)).toBe(false);
  });

  it('checks typed values as they are', () => {
    expect(castParam('epochs', specs.epochs, 5)).toBe(5);
    expect(castParam('augment', specs.augment, true)).toBe(true);
    expect(() => castParam('epochs', specs.epochs, 2.5)).toThrow(/not an integer/);
    expect(() => castParam('lr', specs.lr, Number.NaN)).toThrow(/not a number/);
  });

  it('rejects bad values with a message naming the key', () => {
    const cases: [keyof typeof specs, string, RegExp][] = [
      ['epochs', '2.5', /epochs: "2.5" is not an integer/],
      ['epochs', '1e3', /not an integer/],
      ['epochs', '', /not an integer/],
      ['epochs', '0', /epochs: 0 is out of range; expected int in \[1, 100\]/],
      ['epochs', '101', /out of range/],
      ['lr', 'fast', /lr: "fast" is not a number/],
      ['lr', '0x10', /not a number/],
      ['lr', 'Infinity', /not a number/],
      ['lr', '-1', /out of range; expected number in \[0, inf\]/],
      ['augment', 'maybe', /augment: "maybe" is not a boolean; use one of true, t, yes, y, 1, false/],
      ['loss', 'huber', /loss: "huber" is not one of mse, mae/],
    ];
    for (const [key, raw, message] of cases) {
      let caught: unknown;
      try {
        castParam(key, specs[key], raw);
      } catch (err) {
        caught = err;
      }
      expect(caught, `${key}=${raw}`).toBeInstanceOf(ParamError);
      expect((caught as ParamError).key).toBe(key);
      expect((caught as Error).message).toMatch(message);
    }
  });

  it('describes types for help text', () => {
    expect(describeType(specs.epochs)).toBe('int in [1, 100]');
    expect(describeType(specs.lr)).toBe('number in [0, inf]');
    expect(describeType(specs.loss)).toBe('one of mse | mae');
    expect(describeType(specs.n_test)).toBe('int');
  });
});

describe('resolveParams', () => {
  it('fills defaults, applies overrides and lists what the mode uses', () => {
    const r = resolveParams(specs, { epochs: '4', augment: 'y' }, 'training');
    expect(r.values).toEqual({ epochs: 4, lr: 0.01, augment: true, loss: 'mse', tag: 'run', n_test: 10 });
    expect(r.used).toEqual({ epochs: 4, lr: 0.01, augment: true, loss: 'mse', tag: 'run' });
    expect(Object.keys(r.used)).toEqual(['epochs', 'lr', 'augment', 'loss', 'tag']);
    expect(r.otherMode).toEqual([]);
  });

  it('accepts keys of the other mode but reports them', () => {
    const r = resolveParams(specs, { epochs: '4', n_test: '20' }, 'inference');
    expect(r.used).toEqual({ augment: false, loss: 'mse', tag: 'run', n_test: 20 });
    expect(r.otherMode).toEqual(['epochs']);
    expect(r.values.epochs).toBe(4);
  });

  it('refuses an unknown key and lists the valid ones', () => {
    expect(() => resolveParams(specs, { epoch: '4' }, 'training')).toThrow(ParamError);
    expect(() => resolveParams(specs, { epoch: '4' }, 'training')).toThrow(
      /unknown parameter "epoch" \(sciml-bench would ignore it.*Valid parameters: epochs, lr, augment, loss, tag, n_test/,
    );
    // Inherited object properties are not parameters.
    expect(() => resolveParams(specs, { toString: 'x' }, 'training')).toThrow(/unknown parameter "toString"/);
  });

  it('propagates cast errors', () => {
    expect(() => resolveParams(specs, { lr: 'abc' }, 'training')).toThrow(/lr: "abc" is not a number/);
  });
});
