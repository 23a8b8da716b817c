import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { predictionFileArrays, predictionFileName } from '../src/benchmarks/diffsims/sources';
import { writeNpz } from '../src/lib/io/npz';

function pythonHasNumpy(): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const hasNumpy = pythonHasNumpy();
if (!hasNumpy) console.warn('skipping the numpy round trip: /usr/bin/python3 has no numpy');

describe('diffsims prediction file', () => {
  it('is named after the input file', () => {
    expect(predictionFileName('roi_3_rebin_radial_crop.npz')).toBe('roi_3_rebin_radial_crop_probability_pred.npz');
    expect(predictionFileName('scans/map.h5')).toBe('map_probability_pred.npz');
  });

  it.skipIf(!hasNumpy)('opens in numpy without allow_pickle, with pred, phases and cnn_id', () => {
    const pred = { data: Float32Array.from({ length: 2 * 3 * 3 }, (_, i) => i / 18), shape: [2, 3, 3] };
    const phases = ['p4mbm_scaled_mixed_halide', 'gratia_2h', 'pbi2_2h'];
    const path = join(mkdtempSync(join(tmpdir(), 'diffsims-')), 'scan_probability_pred.npz');
    writeFileSync(path, writeNpz(predictionFileArrays(pred, phases, '5f0c3c1e-1111-4222-8333-944455556666')));
    const script = [
      'import json, sys, numpy as np',
      'd = np.load(sys.argv[1])',
      'print(json.dumps({"keys": sorted(d.files), "shape": list(d["pred"].shape), "dtype": str(d["pred"].dtype),',
      '  "last": float(d["pred"][1, 2, 2]), "phases": [str(p) for p in d["phases"]], "kind": d["phases"].dtype.kind,',
      '  "cnn_id": str(d["cnn_id"])}))',
    ].join('\n');
    const out = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, path], { encoding: 'utf8' }));
    expect(out).toEqual({
      keys: ['cnn_id', 'phases', 'pred'],
      shape: [2, 3, 3],
      dtype: 'float32',
      last: expect.closeTo(17 / 18, 6),
      phases,
      kind: 'U',
      cnn_id: '5f0c3c1e-1111-4222-8333-944455556666',
    });
  });
});
