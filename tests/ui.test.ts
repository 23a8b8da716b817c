import { describe, expect, it } from 'vitest';
import { colormapLut, finiteDomain, maxPoolDownsample, toRgba } from '../src/lib/ui/colormap';
import { renderMarkdown } from '../src/lib/ui/markdown';
import { summarise, toCsv, toFloat32 } from '../src/lib/compute/arrays';
import { numericDType } from '../src/lib/io/dtype';

describe('heatmap helpers', () => {
  it('max-pools so a single bright pixel survives downsampling', () => {
    const img = new Float32Array(64 * 64);
    img[37 * 64 + 50] = 9;
    const small = maxPoolDownsample(img, 64, 64, 8);
    expect([small.height, small.width]).toEqual([8, 8]);
    expect(small.data[4 * 8 + 6]).toBe(9);
    expect(small.data.filter((v) => v > 0)).toHaveLength(1);
  });

  it('handles sizes that are not a multiple of the factor', () => {
    const img = Float32Array.from({ length: 5 * 3 }, (_, i) => i);
    const small = maxPoolDownsample(img, 5, 3, 2);
    expect([small.height, small.width]).toEqual([3, 2]);
    expect(Array.from(small.data)).toEqual([4, 5, 10, 11, 13, 14]);
  });

  it('maps the domain ends to the colormap ends; NaN is transparent', () => {
    const lut = colormapLut('viridis');
    const rgba = toRgba([0, 1, NaN], { min: 0, max: 1 }, 'viridis');
    expect(Array.from(rgba.slice(0, 3))).toEqual(Array.from(lut.slice(0, 3)));
    expect(Array.from(rgba.slice(4, 7))).toEqual(Array.from(lut.slice(765, 768)));
    expect(rgba[11]).toBe(0);
    expect(finiteDomain([NaN, 3, -Infinity, -2])).toEqual({ min: -2, max: 3 });
  });

  it('log scale spreads decades evenly', () => {
    const rgba = toRgba([1, 10, 100], { min: 1, max: 100 }, 'greys', 'log');
    expect([rgba[0], rgba[4], rgba[8]]).toEqual([0, 128, 255]);
  });
});

describe('markdown', () => {
  it('renders headings, emphasis, lists, code and tables', () => {
    const html = renderMarkdown('# Title\n\nSome **bold** and *it* with `code`.\n\n- a\n- b\n\n| k | v |\n|---|---|\n| x | 1 |');
    expect(html).toContain('<h2>Title</h2>');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<em>it</em>');
    expect(html).toContain('<code>code</code>');
    expect(html).toContain('<ul><li>a</li><li>b</li></ul>');
    expect(html).toContain('<td>x</td>');
  });

  it('escapes HTML so a notebook cannot inject markup', () => {
    const html = renderMarkdown('<img src=x onerror=alert(1)> [link](javascript:alert(1))');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('href="javascript');
  });
});

describe('array conversions', () => {
  it('converts int64, bool and complex to float32 for display', () => {
    expect(Array.from(toFloat32({ dtype: numericDType('i', 8), shape: [2], data: BigInt64Array.of(-3n, 2n ** 40n) }))).toEqual([-3, 2 ** 40]);
    expect(Array.from(toFloat32({ dtype: numericDType('c', 8), shape: [1], data: Float32Array.of(3, 4) }))).toEqual([5]);
  });

  it('summarises with NaN counted and ignored', () => {
    expect(summarise([1, NaN, 3, -1])).toEqual({ min: -1, max: 3, mean: 1, nanCount: 1 });
  });

  it('writes 2-D CSV row by row and refuses 3-D', () => {
    expect(toCsv({ dtype: numericDType('i', 4), shape: [2, 2], data: Int32Array.of(1, 2, 3, 4) })).toBe('1,2\n3,4\n');
    expect(() => toCsv({ dtype: numericDType('i', 4), shape: [1, 1, 1], data: Int32Array.of(1) })).toThrow(/at most 2 dimensions/);
  });
});
