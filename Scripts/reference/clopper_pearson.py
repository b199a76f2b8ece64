#!/usr/bin/env python3
"""Reference 95% Clopper-Pearson intervals from SciPy, for ProportionEstimateTests.

Draws 200 (k, n) pairs with a fixed seed (a quarter with n <= 20, where k = 0 and k = n occur, the
rest with n up to 1000) and writes k, n and the interval limits, computed as SciPy's beta
quantiles, with 17 significant digits to
Tests/RegistryDomainTests/Fixtures/clopper_pearson_scipy.csv.

Rerun with: python3 Scripts/reference/clopper_pearson.py   (needs numpy and scipy)
"""

import csv
import pathlib

import numpy as np
from scipy.stats import beta

SEED = 20250611
PAIRS = 200
ALPHA = 0.05
FIXTURE = (
    pathlib.Path(__file__).resolve().parents[2]
    / "Tests/RegistryDomainTests/Fixtures/clopper_pearson_scipy.csv"
)


def interval(k: int, n: int) -> tuple[float, float]:
    lower = 0.0 if k == 0 else beta.ppf(ALPHA / 2, k, n - k + 1)
    upper = 1.0 if k == n else beta.ppf(1 - ALPHA / 2, k + 1, n - k)
    return float(lower), float(upper)


def main() -> None:
    rng = np.random.default_rng(SEED)
    small = PAIRS // 4
    totals = np.concatenate([rng.integers(1, 21, size=small), rng.integers(21, 1001, size=PAIRS - small)])
    with FIXTURE.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["k", "n", "lower", "upper"])
        for n in totals:
            n = int(n)
            k = int(rng.integers(0, n + 1))
            lower, upper = interval(k, n)
            writer.writerow([k, n, f"{lower:.17g}", f"{upper:.17g}"])


if __name__ == "__main__":
    main()
