"""Shared fixtures: published reference cases (copied from shared/reference-cases with their citations)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import matplotlib
import pytest
from hypothesis import HealthCheck, Phase, settings

import gametheory as gt

matplotlib.use("Agg")

DATA = Path(__file__).parent / "data"

settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
# "ci-noshrink": the ci examples without shrinking, to see a failing example fast while debugging.
settings.register_profile(
    "ci-noshrink", settings.get_profile("ci"), phases=[Phase.explicit, Phase.reuse, Phase.generate]
)
settings.register_profile("dev", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def load_reference_case(name: str) -> tuple[gt.Game, dict, dict]:
    """A reference-case JSON as (game, parameters, raw document).

    In the JSON, key ``"(1,0,1)"`` means players 1 and 3 play their *first*
    strategy; we name the strategies ``s1`` (first) and ``s2`` (second).
    """
    doc = json.loads((DATA / f"{name}.json").read_text())
    players = doc["players"]
    payoffs = {}
    for key, row in doc["payoffs"].items():
        bits = [int(b) for b in key.strip("()").split(",")]
        payoffs[tuple("s1" if b == 1 else "s2" for b in bits)] = row
    game = gt.Game.from_table({p: ["s1", "s2"] for p in players}, payoffs)
    params = {k: float(v) for k, v in doc["parameters"].items()}
    return game, params, doc


@pytest.fixture(scope="session")
def wang():
    return load_reference_case("wang2023_s1_to_000")


@pytest.fixture(scope="session")
def jordan():
    return load_reference_case("jordan1993_matching_pennies")


@pytest.fixture(autouse=True)
def _restore_mpmath_precision():
    """A test that sets mpmath's global precision must not change the next test's arithmetic."""
    import mpmath

    dps = mpmath.mp.dps
    yield
    mpmath.mp.dps = dps
