"""The analysis layer's contract: theory facts asked of the dynamics, one vertex naming, clear text.

Regression tests for the architecture issue's analysis defects and for the
result protocol (immutable, ``summary``, ``_repr_markdown_``/``_repr_html_``,
``to_frame``) of the analysis results.
"""

from __future__ import annotations

import dataclasses

import pytest

import gametheory as gt
from gametheory.analysis.corners import corner_conditions
from gametheory.analysis.equilibria import rest_points
from gametheory.analysis.ess import strict_equilibria
from gametheory.analysis.stability import analyze
from gametheory.analysis.thresholds import critical_values
from gametheory.dynamics.base import TheoryFacts
from gametheory.dynamics.replicator import ReplicatorDynamics
from gametheory.errors import AnalysisError, SpecificationError
from gametheory.models import classic, crisis_governance


class _NoTheorems(ReplicatorDynamics):
    """The replicator's equations, but claiming none of its theorems (a stand-in for a new dynamics)."""

    facts = TheoryFacts()


@pytest.mark.parametrize(
    ("call", "name", "fact"),
    [
        (lambda d: rest_points(d), "rest_points", "rest points equalize payoffs"),
        (lambda d: analyze(d), "analyze", "sinks are strict nash"),
        (lambda d: corner_conditions(d), "corner_conditions", "vertex eigenvalues are payoff differences"),
        (lambda d: critical_values(d, "F_g"), "corner_conditions", "vertex eigenvalues are payoff differences"),
        (lambda d: strict_equilibria(d), "strict_equilibria", "sinks are strict nash"),
    ],
)
def test_analysis_refuses_a_dynamics_without_the_theorem_it_needs(call, name, fact):
    dyn = _NoTheorems(crisis_governance.game())
    with pytest.raises(AnalysisError, match=name) as info:
        call(dyn)
    assert fact in str(info.value) and "_NoTheorems" in str(info.value)


@pytest.mark.parametrize("fn", [rest_points, analyze, corner_conditions, strict_equilibria])
def test_public_entries_refuse_non_models_with_a_game_error(fn):
    with pytest.raises(SpecificationError, match="Game or a Dynamics"):
        fn("not a game")


def test_entries_accept_a_game_or_its_dynamics_alike():
    game = classic.matching_pennies_3()
    dyn = game.replicator()
    assert len(rest_points(game)) == len(rest_points(dyn))
    assert analyze(game).summary() == analyze(dyn).summary()
    assert (strict_equilibria(game) == strict_equilibria(dyn)).all()
    assert corner_conditions(game).to_markdown() == corner_conditions(dyn).to_markdown()
