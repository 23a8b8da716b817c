#!/usr/bin/python3
"""Reference values for the em_denoise image metrics and filters, from scikit-image and scipy.

Run with Debian's interpreter (python3-skimage, python3-scipy):

    /usr/bin/python3 scripts/em_denoise_reference.py            # writes the fixture
    /usr/bin/python3 scripts/em_denoise_reference.py --stdout   # prints it (the test compares)

Writes tests/fixtures/em_denoise/reference.json: a few small float32 arrays (each entry written as
the shortest decimal that reads back as that float32) and what these functions return for them
(outputs to 9 significant digits):
  skimage.metrics.structural_similarity(a, b, data_range=L)   (defaults: 7x7 uniform window,
      K1=0.01, K2=0.03, sample covariance, mean over the border-cropped map)
  skimage.metrics.peak_signal_noise_ratio(clean, test, data_range=1)
  scipy.ndimage.gaussian_filter(x, sigma)          (mode 'reflect', truncate 4)
  scipy.ndimage.median_filter(x, size)             (mode 'reflect')
"""

import json
import os
import sys

import numpy as np
import scipy
import scipy.ndimage as ndi
import skimage
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'fixtures', 'em_denoise', 'reference.json')


def f32(x):
    """float32 copy, returned as float64 so every function sees exactly the stored values."""
    return np.asarray(x, dtype=np.float32).astype(np.float64)


def arr(x):
    """An input array: float32 entries, shortest round-trip decimals."""
    return {'shape': list(x.shape), 'data': [float(repr(np.float32(v))) for v in x.ravel()]}


def result(x):
    """A computed array, to 9 significant digits."""
    return {'shape': list(x.shape), 'data': [float(f'{v:.9g}') for v in x.ravel()]}


def main():
    rng = np.random.default_rng(20240611)
    yy, xx = np.mgrid[0:24, 0:30]
    lattice = f32(0.5 + 0.4 * np.sin(2 * np.pi * xx / 7.0) * np.cos(2 * np.pi * yy / 5.0))
    noisy = f32(np.clip(lattice + rng.normal(0, 0.15, lattice.shape), 0, 1))
    random_a = f32(rng.uniform(0, 2, (19, 23)))
    random_b = f32(random_a * 0.7 + rng.uniform(0, 0.6, (19, 23)))

    small = f32(rng.poisson(3.0, (11, 9)))  # integer counts: many ties for the median
    filter_input = f32(noisy[:17, :13])
    arrays = {'lattice': lattice, 'noisy': noisy, 'random_a': random_a, 'random_b': random_b,
              'filter_input': filter_input, 'small': small}

    ssim_cases = [{'a': a, 'b': b, 'data_range': r, 'ssim': float(structural_similarity(arrays[a], arrays[b], data_range=r))}
                  for a, b, r in [('lattice', 'noisy', 1.0), ('random_a', 'random_b', 2.0), ('lattice', 'lattice', 1.0)]]
    psnr_cases = [{'clean': 'lattice', 'test': 'noisy',
                   'psnr': float(peak_signal_noise_ratio(lattice, noisy, data_range=1.0))}]
    gaussian_cases = [{'input': x, 'sigma': s, 'output': result(ndi.gaussian_filter(arrays[x], s))}
                      for x, s in [('filter_input', 0.75), ('filter_input', 2.0), ('small', 5.0)]]
    median_cases = [{'input': x, 'size': k, 'output': result(ndi.median_filter(arrays[x], size=k))}
                    for x, k in [('filter_input', 3), ('small', 5), ('small', 7)]]

    return {
        'generated_by': 'scripts/em_denoise_reference.py',
        'versions': {'numpy': np.__version__, 'scipy': scipy.__version__, 'skimage': skimage.__version__},
        'arrays': {name: arr(x) for name, x in arrays.items()},
        'ssim': ssim_cases,
        'psnr': psnr_cases,
        'gaussian_filter': gaussian_cases,
        'median_filter': median_cases,
    }


if __name__ == '__main__':
    text = json.dumps(main())
    if '--stdout' in sys.argv:
        sys.stdout.write(text)
    else:
        os.makedirs(os.path.dirname(OUT), exist_ok=True)
        with open(OUT, 'w') as fh:
            fh.write(text + '\n')
        print(f'wrote {os.path.relpath(OUT)}')
