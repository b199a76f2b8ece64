#!/usr/bin/env python3
"""Survival cohorts for KaplanMeierCurveTests; R's survival package gives their reference estimates.

Generates survival datasets with a fixed seed (weekly assessment times with many tied events and
censorings, heavy censoring, a median that is not reached, a curve that falls to 0, follow-up
shorter than 12 months, continuous times, and a cohort with every patient censored) and writes
Tests/RegistryDomainTests/Fixtures/kaplan_meier_observations.csv: dataset, time, event (1/0).
Scripts/reference/kaplan_meier.R then fits R's survfit to them.

The datasets are checked, in exact rational arithmetic, never to put S(t) exactly on 0.5: there
the median depends on R's tolerance for "equal to 0.5", so that case is tested by hand in Swift instead.

Rerun with: python3 Scripts/reference/kaplan_meier.py   (needs numpy)
"""

import csv
import math
import pathlib
from fractions import Fraction

import numpy as np

SEED = 20250612
FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "Tests/RegistryDomainTests/Fixtures"


def weekly(days: np.ndarray) -> np.ndarray:
    """Rounds up to the next weekly assessment, which creates ties between events and censorings."""
    return np.maximum(7, np.ceil(days / 7) * 7)


def follow_up(event_times: np.ndarray, censoring_times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.minimum(event_times, censoring_times), (event_times <= censoring_times).astype(int)


def datasets(rng: np.random.Generator) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    result = {}
    result["weekly_ties"] = follow_up(weekly(rng.exponential(300, 60)), weekly(rng.uniform(30, 900, 60)))
    result["heavy_censoring"] = follow_up(
        np.ceil(rng.exponential(600, 80)), np.ceil(rng.uniform(0, 500, 80))
    )
    result["median_not_reached"] = follow_up(
        np.ceil(rng.exponential(3000, 40)), np.ceil(rng.uniform(200, 800, 40))
    )
    result["all_events_to_zero"] = (np.ceil(rng.exponential(200, 11)), np.ones(11, dtype=int))
    result["short_follow_up"] = follow_up(np.ceil(rng.exponential(250, 30)), np.ceil(rng.uniform(0, 300, 30)))
    result["continuous_times"] = follow_up(rng.weibull(1.3, 100) * 400, rng.uniform(50, 1000, 100))
    result["all_censored"] = (np.ceil(rng.uniform(10, 700, 10)), np.zeros(10, dtype=int))
    return result


def assert_never_exactly_half(name: str, times: np.ndarray, events: np.ndarray) -> None:
    survival = Fraction(1)
    for time in sorted(set(times.tolist())):
        at_risk = int(np.sum(times >= time))
        deaths = int(np.sum((times == time) & (events == 1)))
        if deaths:
            survival *= Fraction(at_risk - deaths, at_risk)
            if survival == Fraction(1, 2):
                raise SystemExit(f"{name}: S({time}) is exactly 1/2; change the seed or the dataset")


def number(value: float) -> str:
    return "" if math.isinf(value) or math.isnan(value) else f"{value:.17g}"


def main() -> None:
    rng = np.random.default_rng(SEED)
    observations = [["dataset", "time", "event"]]
    for name, (times, events) in datasets(rng).items():
        assert_never_exactly_half(name, times, events)
        observations += [[name, number(t), int(e)] for t, e in zip(times, events)]
    with (FIXTURES / "kaplan_meier_observations.csv").open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(observations)


if __name__ == "__main__":
    main()
