"""No catastrophic backtracking: time grows linearly with length, also for adversarial text.

Each fragment mimics the start of something a component looks for (dnr, date, heading, clause
marker, party marker, acronym definition) and is repeated 5,000 and 50,000 times. Linear time
gives a ratio near 10; the bound leaves room for noise on shared machines and for the garbage
collector's passes over the 100,000 mentions some fragments produce, but not for the quadratic
blow-up (ratio ~100) that backtracking or rescanning causes.
"""

from __future__ import annotations

import time

import pytest

import kommunnlp

ADVERSARIAL = {
    "dnr": "Dnr KS 2018/906 ",
    "dnr-broken": "KS 2018/ Dnr: 1.7.1-",
    "date": "den 26 oktober 2018 ",
    "date-broken": "den 26 ok 18/1 ",
    "heading": "Förslag till beslut\n1. ",
    "clause": "Socialnämnden beslutar att ",
    "bullet": "- att ",
    "party": "Anna Berg (S), ",
    "party-open": "Anna Berg (",
    "acronym": "Stärkt tidigt stöd (STS) ",
    "paren": "(",
    "digits": "2018/2018/2018 ",
}
MAX_RATIO = 40.0


def best_time(text: str, repeats: int = 2) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        kommunnlp.extract(text)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_linear_time_adversarial(name: str) -> None:
    fragment = ADVERSARIAL[name]
    kommunnlp.extract(fragment * 100)  # warm up the pipeline outside the timing
    small = best_time(fragment * 5_000)
    large = best_time(fragment * 50_000, repeats=1)
    ratio = large / max(small, 1e-2)
    assert ratio < MAX_RATIO, f"{name}: 50k reps took {large:.2f}s, 5k took {small:.2f}s (ratio {ratio:.1f})"
