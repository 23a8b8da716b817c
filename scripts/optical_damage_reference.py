#!/usr/bin/python3
"""Reference values for the optical_damage metrics, from numpy and scikit-learn.

Writes a JSON fixture (default tests/fixtures/optical_damage/reference.json) holding seeded inputs
and what numpy.percentile, sklearn.metrics.roc_auc_score / average_precision_score /
accuracy_score / f1_score and the SciML-Bench optical_damage verdict rule return for them.
tests/optical_damage.metrics.test.ts checks the TypeScript port against it.

Usage: /usr/bin/python3 scripts/optical_damage_reference.py [output.json]
"""
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, average_precision_score, f1_score, roc_auc_score

PERCENTILES = [0, 1, 25, 50, 95, 99, 99.5, 99.9, 99.99, 100]
REFERENCE_PERCENTILES = [99.0, 99.5, 99.9]


def floats(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def score_cases(rng):
    """Image scores with labels: continuous, heavily tied, and perfectly separated."""
    cases = []
    labels = (rng.random_sample(300) < 0.3).astype(int)
    continuous = rng.normal(size=300) + 1.2 * labels
    cases.append(("continuous", continuous, labels))
    cases.append(("ties", np.round(continuous, 0), labels))
    separated = np.where(labels == 1, 2.0, 1.0) + 0.1 * rng.random_sample(300)
    cases.append(("separated", separated, labels))
    out = []
    for name, scores, y in cases:
        scores = scores.astype(np.float32)
        out.append(
            {
                "name": name,
                "scores": floats(scores),
                "labels": [int(v) for v in y],
                "roc_auc": float(roc_auc_score(y, scores)),
                "average_precision": float(average_precision_score(y, scores)),
            }
        )
    return out


def percentile_cases(rng):
    out = []
    for n in (1, 2, 37, 1001):
        values = rng.exponential(size=n).astype(np.float32)
        out.append(
            {
                "values": floats(values),
                "percentiles": PERCENTILES,
                "expected": [float(np.percentile(values, p)) for p in PERCENTILES],
            }
        )
    return out


def verdict_case(rng):
    """The reference rule on squared-error maps (optical_damage.py, inference)."""
    n, h, w = 16, 12, 12
    errors = rng.exponential(scale=0.01, size=(n, h, w)).astype(np.float32)
    labels = np.zeros(n, dtype=int)
    labels[:6] = 1  # damaged first, as the reference concatenates them
    for i in range(6):
        r, c = rng.randint(0, h - 2), rng.randint(0, w - 2)
        errors[i, r : r + 2, c : c + 2] += rng.uniform(0.02, 0.2)
    # One undamaged image with a hot pixel: a false positive at the lower percentiles.
    errors[10, 3, 4] += 0.15
    result = {"errors": floats(errors), "shape": [n, h, w], "labels": [int(v) for v in labels], "thresholds": []}
    for p in REFERENCE_PERCENTILES:
        threshold = np.percentile(errors, p)
        verdicts = np.any(errors > threshold, axis=(1, 2))
        result["thresholds"].append(
            {
                "percentile": p,
                "threshold": float(threshold),
                "verdicts": [int(v) for v in verdicts],
                # Argument order as in the reference (predictions first); both metrics are symmetric.
                "accuracy": float(accuracy_score(verdicts, labels)),
                "f1": float(f1_score(verdicts, labels)),
            }
        )
    return result


def preprocess_case():
    """utils.load_images on a known 492×656 frame: whole-frame min–max, then crop 150:350, 270:470."""
    rows, cols = np.meshgrid(np.arange(492), np.arange(656), indexing="ij")
    frame = (np.sin(0.013 * rows * cols) + 0.002 * rows - 0.001 * cols).astype(np.float32)
    frame[10, 20] = 5.0  # the frame maximum lies outside the crop
    x = (frame - np.min(frame)) / (np.max(frame) - np.min(frame))
    x = np.where(np.isnan(x), np.zeros_like(x), x)
    crop = x[150:350, 270:470]
    probes = [[0, 0], [0, 199], [199, 0], [199, 199], [57, 131], [100, 100]]
    return {
        "formula": "sin(0.013*r*c) + 0.002*r - 0.001*c, float32, with frame[10,20] = 5",
        "sum": float(np.sum(crop, dtype=np.float64)),
        "min": float(crop.min()),
        "max": float(crop.max()),
        "probes": [{"row": r, "col": c, "value": float(crop[r, c])} for r, c in probes],
    }


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "tests/fixtures/optical_damage/reference.json"
    rng = np.random.RandomState(20240611)
    fixture = {
        "generated_by": "scripts/optical_damage_reference.py",
        "numpy": np.__version__,
        "sklearn": __import__("sklearn").__version__,
        "scores": score_cases(rng),
        "percentiles": percentile_cases(rng),
        "verdicts": verdict_case(rng),
        "preprocess": preprocess_case(),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(fixture, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
