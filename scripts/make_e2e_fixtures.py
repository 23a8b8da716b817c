"""Writes the small files the end-to-end tests drop onto the app, with real numpy.

    /usr/bin/python3 scripts/make_e2e_fixtures.py
"""
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "e2e")
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(7)

# A stack of 3 noisy 80 x 72 images of a hexagonal lattice (counts), for em_denoise's apply step.
yy, xx = np.mgrid[0:80, 0:72].astype(np.float32)
lattice = sum(np.cos(2 * np.pi / 9.0 * (xx * np.cos(a) + yy * np.sin(a))) for a in (0, np.pi / 3, 2 * np.pi / 3))
clean = (lattice - lattice.min()) / (lattice.max() - lattice.min())
stack = rng.poisson(clean[None] * 20.0, size=(3, 80, 72)).astype(np.float32)
np.save(os.path.join(OUT, "micrographs.npy"), stack)

# An experimental-scan-shaped file for diffsims: q axis x (147,) and an 8 x 8 map y of profiles.
q = (0.0082905 * np.arange(13, 160)).astype(np.float64)
centres = rng.uniform(0.2, 1.2, size=6)
profile = sum(np.exp(-((q - c) / 0.01) ** 2) for c in centres)
y = (profile[None, None, :] + 0.05 * rng.random((8, 8, 147))).astype(np.float32)
np.savez(os.path.join(OUT, "scan.npz"), x=q, y=y)

# Two 240 x 260 camera frames (uint8) of a bright circular optic on a dark mount, the second with a
# dark pit, for optical_damage's apply step (the test moves the 200 x 200 crop window to 20, 30).
yy, xx = np.mgrid[0:240, 0:260].astype(np.float32)
beam = np.exp(-(((yy - 120) ** 2 + (xx - 130) ** 2) / (2 * 55.0**2)) ** 2)
frames = np.stack([beam, beam])
frames[1] *= 1 - 0.8 * np.exp(-((yy - 100) ** 2 + (xx - 150) ** 2) / (2 * 4.0**2))
frames = 200 * frames + rng.normal(0, 2, size=frames.shape)
np.save(os.path.join(OUT, "optic_frames.npy"), np.clip(frames, 0, 255).astype(np.uint8))
