"""Benchmark: the validity rule's headline counted with invalid responses (METHODOLOGY §3).

The rule needs only each unit's headline index and the district's, from pass 1's counts.
This times, on a synthetic count table of U units × the 22 items of sipas-2640 (values 1–5,
random counts), ``analysis.compute_results`` with empty moments (what the rule ran until
06/12/2026: every interval and variance computed, then dropped) against
``analysis.headline_indices`` (the index alone), CPU time of this process, median of 5, for
respondent and dossier weighting. Both give the same indices (tests/analysis/
test_analysis_results.py); nothing is asserted here.

    .venv/bin/python -m bench.bench_headlines [--units 20,120]
"""

from __future__ import annotations

import argparse
import statistics
import time
from functools import partial

import numpy as np
import pandas as pd

from analysis import compute_results, headline_indices
from questionnaires import shipped_instruments


def counts_of(units: int, items: list[str], seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = [(unit, item, value, int(rng.integers(1, 60)))
            for unit in range(units) for item in items for value in range(1, 6)]
    return pd.DataFrame(rows, columns=["unit", "item", "value", "count"])


def cpu_ms(function, runs: int = 5) -> float:
    function()  # first call: imports and caches, not measured
    times = []
    for _ in range(runs):
        started = time.process_time()
        function()
        times.append(1000 * (time.process_time() - started))
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", default="20,120")
    args = parser.parse_args()
    instrument = shipped_instruments()["sipas-2640"]
    items = [item.code for item in instrument.rating_items]
    for units in map(int, args.units.split(",")):
        counts = counts_of(units, items)
        respondents = counts[["unit"]].drop_duplicates().assign(n_respondents=1)
        moments = pd.DataFrame(columns=["unit", "target", "sum_z2", "sum_z4", "n_respondents"])
        for weighting in ("respondent", "dossier"):
            weights = None
            if weighting == "dossier":
                weights = pd.DataFrame({"unit": range(units), "weight": range(100, 100 + units)})
            before = cpu_ms(partial(compute_results, counts, respondents, moments, instrument,
                                    weights=weights))
            after = cpu_ms(partial(headline_indices, counts, instrument, weights=weights))
            print(f"{units} units, {weighting}: compute_results {before:.0f} ms, "
                  f"headline_indices {after:.0f} ms (÷ {before / after:.1f})")


if __name__ == "__main__":
    main()
