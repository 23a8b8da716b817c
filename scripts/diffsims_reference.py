#!/usr/bin/python3
"""Reference data for the diffsims benchmark's tests, computed with pymatgen (Debian python3-pymatgen).

Writes tests/fixtures/diffsims/reference.json with, for each built-in CIF
(src/benchmarks/diffsims/cif/*.cif):
  - the full-cell composition and site count of pymatgen's CifParser (an independent symmetry expansion);
  - the ring positions q = 1/d = 2 sin(theta) / lambda (A^-1) and relative X-ray intensities of
    pymatgen's XRDCalculator (wavelength 0.61992 A, 2-theta 0-90 deg, as the reference evaluator);
  - per-element geometric partial structure factors S_el(hkl) = sum occ * exp(2 pi i h.r) over
    pymatgen's expanded sites, for a fixed list of hkl;
and the Doyle & Turner (1968) electron scattering-factor coefficients that pymatgen ships
(pymatgen/analysis/diffraction/atomic_scattering_params.json; f_e(s) = sum a_i exp(-b_i s^2), A),
a second published table to check the Lobato & Van Dyck (2014) coefficients against.

Run: /usr/bin/python3 scripts/diffsims_reference.py
"""
import json
import os
import sys
import warnings

try:
    import numpy as np
    from pymatgen.analysis.diffraction.xrd import ATOMIC_SCATTERING_PARAMS, XRDCalculator
    from pymatgen.io.cif import CifParser
except ImportError as exc:  # pragma: no cover - environment check
    sys.exit(f"pymatgen/numpy not available for {sys.executable}: {exc}")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CIF_DIR = os.path.join(ROOT, "src", "benchmarks", "diffsims", "cif")
OUT = os.path.join(ROOT, "tests", "fixtures", "diffsims", "reference.json")
PHASES = ["p4mbm_scaled_mixed_halide", "gratia_2h", "pbi2_2h"]
ELEMENTS = ["H", "C", "N", "O", "F", "Cl", "Br", "I", "Cs", "Sn", "Pb"]
HKL = [(1, 0, 0), (0, 0, 1), (1, 1, 0), (1, 0, 1), (1, 1, 1), (2, 0, 0), (0, 0, 2), (2, 1, 0),
       (2, 1, 1), (2, 2, 0), (1, 2, 3), (-1, 2, 0), (3, 1, 2), (0, 3, 1), (2, -1, 1)]
WAVELENGTH = 0.61992  # A, the reference evaluator's XRDCalculator wavelength
Q_MAX = 1.6  # A^-1, the simulation's |g| limit


def phase_reference(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        structure = CifParser(os.path.join(CIF_DIR, name + ".cif")).get_structures(primitive=False)[0]
    composition = {str(el): round(float(amount), 6) for el, amount in structure.composition.items()}
    pattern = XRDCalculator(wavelength=WAVELENGTH).get_pattern(structure, two_theta_range=(0, 90))
    q = np.array([2 * np.sin(np.radians(tt / 2)) / WAVELENGTH for tt in pattern.x])
    keep = q <= Q_MAX
    partials = []
    for hkl in HKL:
        entry = {"hkl": list(hkl)}
        for site in structure:
            for species, occ in site.species.items():
                phase = 2 * np.pi * np.dot(hkl, site.frac_coords)
                key = str(species.symbol)
                re_im = entry.setdefault(key, [0.0, 0.0])
                re_im[0] += occ * np.cos(phase)
                re_im[1] += occ * np.sin(phase)
        partials.append({k: ([round(float(x), 9) for x in v] if k != "hkl" else v) for k, v in entry.items()})
    return {
        "sites": len(structure),
        "composition": composition,
        "lattice": {"abc": list(structure.lattice.abc), "angles": list(structure.lattice.angles)},
        "xrd_q": [round(float(v), 9) for v in q[keep]],
        "xrd_intensity": [round(float(v), 6) for v in np.asarray(pattern.y)[keep]],
        "partial_structure_factors": partials,
    }


def main():
    doyle_turner = {el: ATOMIC_SCATTERING_PARAMS[el] for el in ELEMENTS}
    data = {
        "source": "pymatgen " + getattr(__import__("pymatgen.core", fromlist=["__version__"]), "__version__", "?"),
        "xrd_wavelength": WAVELENGTH,
        "doyle_turner": doyle_turner,
        "phases": {name: phase_reference(name) for name in PHASES},
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as fh:
        json.dump(data, fh, separators=(",", ":"))
        fh.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
