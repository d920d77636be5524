"""Shared option checks (gametheory._checks) as every public numerics function applies them."""

from __future__ import annotations

import numpy as np
import pytest

import gametheory as gt
from gametheory import IntegrationError, SpecificationError
from gametheory._checks import (
    check_choice,
    check_count,
    check_flag,
    check_positive,
    check_t_span,
    check_tolerances,
)
from gametheory.models import classic


@pytest.fixture(scope="module")
def dyn():
    return classic.matching_pennies_3().replicator()


@pytest.mark.parametrize("name", ["rtol", "atol"])
@pytest.mark.parametrize("value", [True, False, np.bool_(True)])
def test_booleans_are_not_tolerances(dyn, name, value):
    """Regression: simulate(rtol=True) used to run with rtol 1.0 while simulate_many refused it."""
    with pytest.raises(IntegrationError, match=f"{name} must be a positive finite number"):
        gt.simulate(dyn, [0.5, 0.5, 0.5], (0, 1), **{name: value})
    with pytest.raises(IntegrationError, match=f"{name} must be a positive finite number"):
        gt.simulate_many(dyn, [0.5, 0.5, 0.5], (0, 1), backend="numpy", **{name: value})


@pytest.mark.parametrize("value", [0, -1e-8, float("nan"), float("inf"), "1e-8", None])
def test_bad_tolerances(value):
    with pytest.raises(IntegrationError, match="rtol must be"):
        check_tolerances(value, 1e-10)


def test_tolerances_accept_numpy_and_int():
    assert check_tolerances(np.float32(1e-3), 1) == (pytest.approx(1e-3), 1.0)


def test_same_defaults_for_simulate_and_simulate_many(dyn):
    tr = gt.simulate(dyn, [0.5, 0.5, 0.5], (0, 1))
    ens = gt.simulate_many(dyn, [0.5, 0.5, 0.5], (0, 1), backend="numpy")
    assert (tr.rtol, tr.atol) == (ens.rtol, ens.atol) == (1e-8, 1e-10)


def test_a_game_is_coerced_to_its_replicator():
    """simulate and simulate_many take a Game (regression: simulate(game, ...) failed on Game.check_state)."""
    game = classic.matching_pennies_3()
    tr = gt.simulate(game, [0.5, 0.5, 0.5], (0, 1))
    ref = game.replicator().simulate([0.5, 0.5, 0.5], (0, 1))
    np.testing.assert_array_equal(tr.y, ref.y)
    ens = gt.simulate_many(game, [0.5, 0.5, 0.5], (0, 1), backend="numpy")
    assert ens.success
    with pytest.raises(SpecificationError, match="must be a gametheory Game or a Dynamics"):
        gt.simulate("not a model", [0.5, 0.5, 0.5], (0, 1))


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"raise_on_failure": "yes"}, "raise_on_failure must be True or False"),
        ({"stiff_budget": 0}, "stiff_budget must be an integer"),
        ({"stiff_budget": True}, "stiff_budget must be an integer"),
        ({"method": "rk45"}, r"unknown method 'rk45' \(did you mean 'RK45'\?\)"),
        ({"coordinates": "logit"}, "unknown coordinates 'logit'"),
    ],
)
def test_simulate_option_errors(dyn, kwargs, fragment):
    with pytest.raises(IntegrationError, match=fragment):
        gt.simulate(dyn, [0.5, 0.5, 0.5], (0, 1), **kwargs)


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"progress": 1}, "progress must be True or False"),
        ({"raise_on_failure": None}, "raise_on_failure must be True or False"),
        ({"threads": 0}, "threads must be an integer"),
        ({"max_steps": True}, "max_steps must be an integer"),
        ({"method": "DP5"}, "unknown method 'DP5' for ensembles"),
        ({"coordinates": "logit"}, "unknown coordinates 'logit'"),
        ({"backend": "gpu"}, "unknown backend 'gpu'"),
    ],
)
def test_simulate_many_option_errors(dyn, kwargs, fragment):
    with pytest.raises(IntegrationError, match=fragment):
        gt.simulate_many(dyn, [0.5, 0.5, 0.5], (0, 1), **kwargs)


def test_small_checks():
    assert check_t_span([0, 1]) == ((0.0, 1.0), None)
    with pytest.raises(IntegrationError, match="two numbers"):
        check_t_span("ab")
    with pytest.raises(IntegrationError, match="strictly increasing"):
        check_t_span((0, 2), [1, 1])
    assert check_choice("a", ("a", "b"), name="x") == "a"
    assert check_count(np.int64(3), name="n") == 3
    assert check_flag(np.bool_(True), name="progress") is True
    assert check_positive(np.float32(0.5), name="cycle_tol") == 0.5
    with pytest.raises(gt.IntegrationError, match="cycle_tol must be a positive finite number"):
        check_positive(True, name="cycle_tol")
    with pytest.raises(gt.StateError, match="n must be an integer >= 1, got 0"):
        check_count(0, name="n", error=gt.StateError)


def test_progress_reports_on_stderr_and_changes_nothing(dyn, capsys):
    starts = np.random.default_rng(0).uniform(0, 1, (30, 3))
    quiet = gt.simulate_many(dyn, starts, (0, 5), backend="numpy", t_eval=[0, 5])
    loud = gt.simulate_many(dyn, starts, (0, 5), backend="numpy", t_eval=[0, 5], progress=True)
    assert "30 of 30 trajectories" in capsys.readouterr().err
    np.testing.assert_allclose(loud.y, quiet.y, rtol=0, atol=1e-14)
    np.testing.assert_array_equal(loud.nfev, quiet.nfev)
