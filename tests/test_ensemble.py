"""Ensemble integration (simulate_many): agreement with one-at-a-time references, backends, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.integrate import RK45, solve_ivp

import gametheory as gt
from gametheory import IntegrationError, ParameterError, StateError
from gametheory.models import crisis_governance
from gametheory.numerics import kernel_numba as kn
from gametheory.numerics import system, tableaus
from gametheory.numerics.charts import LogRatioChart
from gametheory.testing import games, interior_states, states

needs_numba = pytest.mark.skipif(not kn.numba_available(), reason="numba (the 'fast' extra) is not installed")


@pytest.fixture(scope="module")
def flagship():
    return crisis_governance.game().replicator()


@pytest.fixture(scope="module")
def starts():
    """Interior starts, boundary starts (faces, edges) and vertices of the cube."""
    rng = np.random.default_rng(7)
    interior = rng.uniform(0.02, 0.98, (40, 3))
    boundary = np.array([[0.0, 0.5, 0.5], [1.0, 0.2, 0.3], [0.4, 0.0, 1.0], [0.3, 0.6, 0.0], [1.0, 0.5, 1.0]])
    corners = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 1.0]])
    return np.vstack([interior, boundary, corners])


def test_coefficients_are_scipys_dormand_prince():
    """The RK45 tableau, error weights and dense-output matrix equal scipy's RK45 (an independent transcription)."""
    np.testing.assert_array_equal(tableaus.RK45_C, RK45.C)
    np.testing.assert_array_equal(tableaus.RK45_A, RK45.A)
    np.testing.assert_array_equal(tableaus.RK45_B, RK45.B)
    np.testing.assert_array_equal(tableaus.RK45_E, RK45.E)
    np.testing.assert_array_equal(tableaus.RK45_P, RK45.P)


@pytest.mark.parametrize("method, scipy_method", [("RK45", "RK45"), ("DOP853", "DOP853")])
@pytest.mark.parametrize("params", [crisis_governance.STATUS_QUO, crisis_governance.OPTIMIZED])
def test_numpy_kernel_runs_scipys_method_step_for_step(flagship, starts, params, method, scipy_method):
    """Each member follows solve_ivp(method=RK45 / DOP853) on the same log-ratio ODE: same steps, same states.

    Includes the dense output at t_eval (DOP853's three extra stages count in nfev,
    as in scipy).  Only the order of floating-point sums differs, so the states
    agree to a few ulps of the logits (1e-12 absolute on shares) and so do the
    numbers of evaluations.
    """
    p = flagship.parameter_vector(params)
    t_eval = np.linspace(0, 30, 16)
    ens = flagship.simulate_many(starts, (0, 30), params, t_eval=t_eval, backend="numpy", method=method)
    assert ens.method == method
    growth = flagship.compiled("growth", "scalar")
    for k, x0 in enumerate(starts):
        chart = LogRatioChart.on_face_of(flagship, x0)
        if chart.u0.size == 0:
            np.testing.assert_array_equal(ens.final[k], x0)
            continue
        sol = solve_ivp(chart.rhs(growth, p), (0, 30), chart.u0, method=scipy_method, rtol=1e-8,
                        atol=1e-10, t_eval=t_eval)  # fmt: skip
        np.testing.assert_allclose(ens.y[k], chart.states(sol.y), rtol=0, atol=1e-12)
        assert ens.nfev[k] == sol.nfev


@given(st.data())
def test_endpoints_agree_with_simulate(data):
    """Property (issue 4): ensemble endpoints = one-at-a-time simulate, at tight tolerance, to 1e-6.

    Random games (2-3 populations, 2-3 strategies, at most 8 profiles), random
    parameters, an interior and an arbitrary (possibly boundary) start.  Two
    independent integrators: our RK45 ensemble at rtol 1e-9 (global error ~1e-8
    over t = 3) and scipy's DOP853 in simulate at rtol 1e-10; 1e-6 leaves a
    factor of ~100 for error growth along the flow.
    """
    game = data.draw(games(max_populations=3, max_profiles=8, symbolic=True))
    dyn = game.replicator()
    params = {p.name: data.draw(st.floats(-3, 3)) for p in game.parameters}
    x0s = np.array([data.draw(interior_states(game)), data.draw(states(game))])
    ens = dyn.simulate_many(x0s, (0, 3), params, rtol=1e-9, atol=1e-11, backend="numpy")
    assert ens.success
    for k, x0 in enumerate(x0s):
        ref = dyn.simulate(x0, (0, 3), params, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(ens.final[k], ref.final, rtol=0, atol=1e-6)


def test_dense_output_agrees_with_simulate(flagship, starts):
    t_eval = np.linspace(0, 20, 81)
    params = crisis_governance.OPTIMIZED
    ens = flagship.simulate_many(
        starts[:12], (0, 20), params, t_eval=t_eval, rtol=1e-10, atol=1e-12, backend="numpy"
    )
    for k in range(12):
        ref = flagship.simulate(starts[k], (0, 20), params, t_eval=t_eval, rtol=1e-12, atol=1e-14)
        # DOP853's 7th-order interpolant between steps at rtol 1e-10 is accurate to ~1e-9 here
        np.testing.assert_allclose(ens.y[k], ref.y, rtol=0, atol=1e-7)


def test_parameter_arrays_give_one_parameter_set_per_trajectory(flagship):
    """Broadcast one start against parameter arrays; each member equals its own simulate."""
    f_n = np.array([0.0, 1.0, 4.0, 8.0])
    lam = np.array([0.8, 0.6, 0.3, 0.1])
    params = dict(crisis_governance.STATUS_QUO) | {"F_n": f_n, "lam": lam}
    ens = flagship.simulate_many([0.6, 0.5, 0.4], (0, 40), params, rtol=1e-10, atol=1e-12, backend="numpy")
    assert ens.final.shape == (4, 3) and np.array_equal(ens.params["F_n"], f_n)
    assert ens.params["C_g"] == crisis_governance.STATUS_QUO["C_g"]
    for k in range(4):
        one = dict(params) | {"F_n": f_n[k], "lam": lam[k]}
        ref = flagship.simulate([0.6, 0.5, 0.4], (0, 40), one, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(ens.final[k], ref.final, rtol=0, atol=1e-7)


def test_faces_and_vertices_are_invariant(flagship, starts):
    ens = flagship.simulate_many(
        starts, (0, 50), crisis_governance.OPTIMIZED, t_eval=[0, 10, 50], backend="numpy"
    )
    on_face = starts == 0
    assert np.all(ens.y[on_face[:, :, None].repeat(3, axis=2)] == 0)
    np.testing.assert_array_equal(ens.final[-2:], starts[-2:])  # vertices are rest points
    assert ens.n_steps[-1] == 0
    # every other start reaches (1, 1, 1) under the optimized calibration, or its face's sink
    assert np.all((ens.final >= 0) & (ens.final <= 1))


@needs_numba
@pytest.mark.parametrize("params", [crisis_governance.STATUS_QUO, crisis_governance.OPTIMIZED])
def test_numba_and_numpy_backends_agree(flagship, starts, params):
    """Same algorithm (DOP853, log-ratio), two implementations: same step counts, states equal to rounding.

    RK45 is checked against numpy in the 'shares' test below: each (coordinates,
    method) pair is a kernel of its own, compiled once (seconds), so the tests
    compile two that together run every branch of the generated solver.
    """
    t_eval = np.linspace(0, 50, 11)
    a = flagship.simulate_many(starts, (0, 50), params, t_eval=t_eval, backend="numpy")
    b = flagship.simulate_many(starts, (0, 50), params, t_eval=t_eval, backend="numba")
    assert a.backend == "numpy" and b.backend == "numba"
    np.testing.assert_array_equal(a.status, b.status)
    # summation order differs: logits agree to ~1e-13 relative, shares to well below 1e-10
    np.testing.assert_allclose(a.final, b.final, rtol=0, atol=1e-10)
    np.testing.assert_allclose(a.y, b.y, rtol=0, atol=1e-10)
    assert np.mean(a.nfev == b.nfev) > 0.95


@needs_numba
def test_numba_result_does_not_depend_on_threads(flagship, starts):
    p = crisis_governance.STATUS_QUO
    one = flagship.simulate_many(starts, (0, 50), p, backend="numba", threads=1)
    two = flagship.simulate_many(starts, (0, 50), p, backend="numba", threads=2)
    np.testing.assert_array_equal(one.final, two.final)
    np.testing.assert_array_equal(one.nfev, two.nfev)


@needs_numba
def test_numba_reports_overflow_like_numpy(flagship):
    """Penalties of 1e308 overflow the payoff differences: status -3 and NaN, no exception, no warning."""
    params = dict(crisis_governance.STATUS_QUO) | {"F_g": 1e308, "L_g": 1e308}
    for backend in ("numpy", "numba"):
        ens = flagship.simulate_many([[0.3, 0.4, 0.5], [0.5, 0.5, 0.5]], (0, 10), params, backend=backend)
        assert ens.status.tolist() == [-3, -3] and np.isnan(ens.final).all()


@needs_numba
def test_numba_rk45_shares_coordinates_and_parameter_arrays(flagship):
    """The RK45 kernel in 'shares' coordinates (the replicator equation itself), with per-trajectory
    parameters and dense output, against numpy and against simulate."""
    x0 = np.random.default_rng(3).uniform(0.05, 0.95, (6, 3))
    params = dict(crisis_governance.OPTIMIZED) | {"S": np.linspace(0, 4, 6)}
    kwargs = {"coordinates": "shares", "method": "RK45", "t_eval": np.linspace(0, 30, 7)}
    a = flagship.simulate_many(x0, (0, 30), params, backend="numpy", **kwargs)
    b = flagship.simulate_many(x0, (0, 30), params, backend="numba", **kwargs)
    # in shares, the step control admits local errors of rtol * |x| = 1e-8 near x = 1: a rounding-level
    # difference between the backends can flip one step decision and move an endpoint by that much
    np.testing.assert_allclose(a.final, b.final, rtol=0, atol=1e-7)
    np.testing.assert_allclose(a.y, b.y, rtol=0, atol=1e-7)
    for k in range(6):
        ref = flagship.simulate(x0[k], (0, 30), dict(params) | {"S": params["S"][k]}, rtol=1e-12, atol=1e-14,
                                t_eval=kwargs["t_eval"])  # fmt: skip
        # RK45 in shares at rtol 1e-8: global errors of ~1e-7 at most on this contracting flow
        np.testing.assert_allclose(b.y[k], ref.y, rtol=0, atol=1e-6)


@needs_numba
def test_compiled_kernel_is_reloaded_from_the_disk_cache(flagship, starts):
    """A new process (here: a dropped in-memory cache) loads numba's machine code instead of compiling."""
    if kn.kernel_cache_dir() is None:
        pytest.skip("no writable kernel cache directory")
    first = flagship.simulate_many(starts, (0, 20), backend="numba")  # compiled (or loaded) once here
    ens_system = system.EnsembleSystem.from_dynamics(flagship, "numba")
    key = ens_system.kernel_key("log-ratio", "DOP853")
    module_file = kn.kernel_cache_dir() / f"gametheory_kernel_{key[:24]}.py"
    assert module_file.read_text() == kn._kernel_module_source(ens_system, "log-ratio", "DOP853")
    kn._NUMBA_KERNELS.pop(key)
    again = flagship.simulate_many(starts, (0, 20), backend="numba")
    kernel = kn._NUMBA_KERNELS[key]
    assert sum(kernel.stats.cache_hits.values()) == 1 and not kernel.stats.cache_misses
    np.testing.assert_array_equal(again.final, first.final)


def test_kernel_cache_directory_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("GAMETHEORY_KERNEL_CACHE", "off")
    assert kn.kernel_cache_dir() is None
    monkeypatch.setenv("GAMETHEORY_KERNEL_CACHE", str(tmp_path / "kernels"))
    assert kn.kernel_cache_dir() == tmp_path / "kernels" and (tmp_path / "kernels").is_dir()


def test_ensemble_is_frozen_and_labelled(flagship):
    ens = flagship.simulate_many(
        [[0.5, 0.5, 0.5], [0.2, 0.9, 0.4]], (0, 5), t_eval=[0, 1, 5], backend="numpy"
    )
    assert ens.y.shape == (2, 3, 3) and ens.t.tolist() == [0, 1, 5] and len(ens) == 2
    np.testing.assert_array_equal(ens["z"], ens.y[:, 2, :])
    np.testing.assert_array_equal(ens.y[:, :, 0], ens.x0)
    with pytest.raises(AttributeError):
        ens.backend = "numba"
    with pytest.raises(ValueError):
        ens.final[0, 0] = 1.0
    with pytest.raises(StateError, match="did you mean 'x'"):
        ens["X"]
    assert ens.success and ens.messages == {0: system.STATUS_MESSAGES[0]}
    assert ens.fingerprint == flagship.game.fingerprint and "2 trajectories" in repr(ens)
    no_eval = flagship.simulate_many([0.5, 0.5, 0.5], (0, 5), backend="numpy")
    assert no_eval.t.tolist() == [5.0] and np.array_equal(no_eval.y[:, :, 0], no_eval.final)


def test_to_frame_is_long_format(flagship):
    pytest.importorskip("pandas")
    params = dict(crisis_governance.STATUS_QUO) | {"W": np.array([0.5, 1.0])}
    ens = flagship.simulate_many([0.5, 0.5, 0.5], (0, 5), params, t_eval=[0, 2.5, 5], backend="numpy")
    frame = ens.to_frame()
    assert list(frame.columns) == ["trajectory", "t", "x", "y", "z", "status", "W"]
    assert len(frame) == 6
    np.testing.assert_array_equal(frame["y"].to_numpy(), ens.y[:, 1, :].reshape(-1))


@pytest.mark.parametrize(
    "kwargs, error, fragment",
    [
        ({"backend": "cuda"}, IntegrationError, "unknown backend"),
        ({"method": "DP5"}, IntegrationError, r"unknown method 'DP5' for ensembles"),
        ({"coordinates": "polar"}, IntegrationError, "unknown coordinates"),
        ({"rtol": 0}, IntegrationError, "rtol must be"),
        ({"atol": float("nan")}, IntegrationError, "atol must be"),
        ({"max_steps": 0}, IntegrationError, "max_steps"),
        ({"t_span": (1, 1)}, IntegrationError, "empty or reversed"),
        ({"t_eval": [0, 99]}, IntegrationError, "within t_span"),
        ({"states": [[0.5, 0.5]]}, StateError, "shape"),
        ({"states": [[0.5, 0.5, 0.5], [0.5, -0.2, 0.5]]}, StateError, r"share y = -0.2 is negative.*row 1"),
        ({"params": {"F_m": 1.0}}, ParameterError, "did you mean 'F_n'"),
        (
            {"params": {"F_n": [1.0, 2.0, 3.0]}},
            IntegrationError,
            "2 initial states but parameter arrays of length 3",
        ),
    ],
)
def test_bad_input_raises_our_errors(flagship, kwargs, error, fragment):
    args = {"states": [[0.5, 0.5, 0.5], [0.1, 0.2, 0.3]], "t_span": (0, 10)} | kwargs
    with pytest.raises(error, match=fragment):
        flagship.simulate_many(args.pop("states"), args.pop("t_span"), args.pop("params", None), **args)


def _stiff_game():
    g = gt.Game.from_table(
        {"r": ["a", "b"], "c": ["a", "b"]},
        {("a", "a"): ("k", "1"), ("a", "b"): ("-k", "0"), ("b", "a"): ("0", "0"), ("b", "b"): ("0", "1")},
    )
    return g.replicator()


def test_failures_are_reported_per_trajectory():
    """An explicit method on a stiff problem runs out of steps; the ensemble reports it per trajectory."""
    dyn = _stiff_game()
    starts = [[0.6, 0.3], [0.0, 1.0]]  # the second is a vertex: a rest point, no steps needed
    kwargs = {"max_steps": 50, "coordinates": "shares", "backend": "numpy"}
    ens = dyn.simulate_many(starts, (0, 1e4), {"k": 1e6}, **kwargs)
    assert ens.status.tolist() == [-2, 0] and not ens.success and ens.failed.tolist() == [0]
    assert np.isnan(ens.final[0]).all() and ens.final[1].tolist() == [0.0, 1.0]
    assert -2 in ens.messages and "max_steps" in ens.messages[-2]
    with pytest.raises(IntegrationError, match=r"1 of 2 trajectories failed.*x0 = \[0.6, 0.3\].*max_steps"):
        dyn.simulate_many(starts, (0, 1e4), {"k": 1e6}, raise_on_failure=True, **kwargs)
    # in log-ratio coordinates the same problem is not stiff: u' is a bounded payoff difference
    logit = dyn.simulate_many(starts, (0, 1e4), {"k": 1e6}, max_steps=500, backend="numpy")
    assert logit.success and logit.n_steps[0] < 500


def test_overflow_is_reported_not_warned():
    """Payoffs of 1e300 overflow: status -3, NaN states, and no RuntimeWarning (warnings are errors here)."""
    dyn = _stiff_game()
    ens = dyn.simulate_many([[0.6, 0.3]], (0, 10), {"k": 1e300}, backend="numpy")
    assert ens.status.tolist() == [-3] and np.isnan(ens.final).all()


def test_auto_backend_without_numba(monkeypatch, flagship):
    kn.numba_available.cache_clear()
    monkeypatch.setattr(kn, "numba_available", lambda: False)
    assert flagship.simulate_many([0.5, 0.5, 0.5], (0, 1), backend="auto").backend == "numpy"
    with pytest.raises(ImportError, match=r"gametheory-egt\[fast\]"):
        flagship.simulate_many([0.5, 0.5, 0.5], (0, 1), backend="numba")


def test_generated_source_format_is_checked():
    """The numba kernel parses the generator's output; an unexpected line is an error, not silence."""
    with pytest.raises(ValueError, match="unexpected line"):
        kn._split_scalar_source("def f(x, p, out):\n    out = 3\n    return None\n")


def test_ensemble_result_protocol(flagship):
    params = dict(crisis_governance.STATUS_QUO) | {"W": np.array([0.5, 1.0])}
    ens = flagship.simulate_many([0.5, 0.5, 0.5], (0, 5), params, t_eval=[0, 2.5, 5], backend="numpy")
    text = ens.summary()
    assert text.startswith("Ensemble of 2 trajectories") and "varying across trajectories: W" in text
    assert ens._repr_markdown_().startswith("**Ensemble") and "<ul>" in ens._repr_html_()
    with pytest.raises(TypeError):
        ens.params["W"] = 0.0
    with pytest.raises(ValueError):
        ens.params["W"][0] = 0.0
    ax = ens.plot()
    assert len(ax.get_lines()) == 6
