"""Global sensitivity analysis (gametheory.studies.sensitivity): Sobol' and Morris against closed forms."""

from __future__ import annotations

import math
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
import xarray as xr

import gametheory as gt
from gametheory.errors import ParameterError, SpecificationError
from gametheory.models import crisis_governance as cg
from gametheory.parameters import Parameter

A, B = 7.0, 0.1


def ishigami_game() -> gt.Game:
    """A 2x2 game whose three parameters x1, x2, x3 are declared on [-pi, pi] (the Ishigami inputs)."""
    return gt.Game.from_table(
        {"r": ["a", "b"], "c": ["a", "b"]},
        {("a", "a"): ("x1", "x2"), ("a", "b"): ("x3", 0), ("b", "a"): (0, 0), ("b", "b"): (0, 0)},
        parameters=[Parameter(n, 0.0, (-math.pi, math.pi)) for n in ("x1", "x2", "x3")],
    )


def ishigami(model: object, p: dict[str, float]) -> float:
    """Ishigami function sin x1 + a sin^2 x2 + b x3^4 sin x1"""
    return math.sin(p["x1"]) + A * math.sin(p["x2"]) ** 2 + B * p["x3"] ** 4 * math.sin(p["x1"])


class Flaky:
    """Ishigami, failing after ``limit`` evaluations (an interrupted run)."""

    def __init__(self, limit: float = math.inf) -> None:
        self.limit, self.calls = limit, 0

    def __call__(self, model: object, p: dict[str, float]) -> float:
        self.calls += 1
        if self.calls > self.limit:
            raise KeyboardInterrupt
        return ishigami(model, p)


def ishigami_exact() -> tuple[np.ndarray, np.ndarray]:
    """S1 and ST of the Ishigami function (Sobol' & Levitan 1999; Saltelli et al. 2008, p. 179)."""
    pi = math.pi
    v1 = 0.5 * (1 + B * pi**4 / 5) ** 2
    v2 = A**2 / 8
    v13 = B**2 * pi**8 * (1 / 18 - 1 / 50)  # = 8 b^2 pi^8 / 225
    var = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / var, np.array([v1 + v13, v2, v13]) / var


def test_exact_values_are_the_published_ones():
    s1, st = ishigami_exact()
    np.testing.assert_allclose(s1, [0.3139, 0.4424, 0.0], atol=5e-5)
    np.testing.assert_allclose(st, [0.5576, 0.4424, 0.2437], atol=5e-5)


def test_sobol_indices_of_ishigami_agree_with_the_closed_form():
    res = gt.sensitivity_indices(ishigami_game(), ishigami, n=1024, seed=0)
    s1, st = ishigami_exact()
    d = res.data
    assert res.parameters == ("x1", "x2", "x3") and d.attrs["n_evaluations"] == 1024 * 5
    # within the 95% bootstrap half-widths (seeded, so this is deterministic) ...
    assert np.all(np.abs(d["S1"].values - s1) <= d["S1_conf"].values)
    assert np.all(np.abs(d["ST"].values - st) <= d["ST_conf"].values)
    # ... and a loose absolute band: the Saltelli/Jansen estimators' error at n = 1024 is ~0.01 - 0.05
    np.testing.assert_allclose(d["S1"].values, s1, atol=0.05)
    np.testing.assert_allclose(d["ST"].values, st, atol=0.05)
    assert res.ranking() == ("x1", "x2", "x3")
    assert d.attrs["method"] == "sobol" and d.attrs["salib"] and "Ishigami" in d.attrs["outcomes"]
    assert "x1 0.55" in res.summary() and len(res.to_frame()) == 3


def test_sobol_second_order_finds_the_x1_x3_interaction():
    res = gt.sensitivity_indices(ishigami_game(), ishigami, n=1024, second_order=True)
    s2 = res.data["S2"].values
    s1, st = ishigami_exact()
    # the only interaction is x1-x3: S13 = ST1 - S1 = v13 / V
    assert abs(s2[0, 2] - (st[0] - s1[0])) <= max(res.data["S2_conf"].values[0, 2], 0.05)
    assert abs(s2[0, 1]) < 0.1 and abs(s2[1, 2]) < 0.1


def test_morris_ranks_the_ishigami_inputs():
    res = gt.sensitivity_indices(ishigami_game(), ishigami, method="morris", n=64, levels=8)
    # by mean absolute elementary effect: x1 (direct and through x3), then x3 (only via x1 sin x1), then x2
    # (x2's effect a sin^2 x2 is bounded by a = 7 but averages ~3 over the grid steps); Campolongo et al. 2007
    assert res.ranking() == ("x1", "x3", "x2")
    # mu_star is the mean |elementary effect|: recompute it from the design by hand
    X, Y = res.data["X"].values, res.data["Y"].values
    D = 3
    effects = [[] for _ in range(D)]
    for t in range(len(X) // (D + 1)):
        x, y = X[t * (D + 1) : (t + 1) * (D + 1)], Y[t * (D + 1) : (t + 1) * (D + 1)]
        for s in range(D):
            moved = np.flatnonzero(x[s + 1] != x[s])
            assert moved.size == 1
            i = moved[0]
            step = (x[s + 1, i] - x[s, i]) / (2 * math.pi)  # in units of the range (SALib's convention)
            effects[i].append((y[s + 1] - y[s]) / step)
    np.testing.assert_allclose(res.data["mu_star"].values, [np.mean(np.abs(e)) for e in effects], rtol=1e-12)
    np.testing.assert_allclose(res.data["sigma"].values, [np.std(e, ddof=1) for e in effects], rtol=1e-12)


def test_morris_of_a_linear_outcome_is_its_coefficients():
    def linear(model, p):
        return 5 * p["x1"] + 2 * p["x2"]

    res = gt.sensitivity_indices(ishigami_game(), linear, method="morris", n=8)
    # elementary effect of x_i = coefficient * range (2 pi), with no spread
    np.testing.assert_allclose(res.data["mu_star"].values, [10 * math.pi, 4 * math.pi, 0.0], atol=1e-9)
    np.testing.assert_allclose(res.data["sigma"].values, 0.0, atol=1e-9)


def test_several_outcomes_and_a_constant_one():
    res = gt.sensitivity_indices(ishigami_game(), {"ish": ishigami, "zero": lambda m, p: 0.0}, n=64)
    assert res.data["S1"].dims == ("outcome", "parameter")
    assert (
        bool(res.data["constant"].sel(outcome="zero")) and np.isnan(res.data["ST"].sel(outcome="zero")).all()
    )
    assert "zero: constant" in res.summary()


def test_flagship_outcomes_run_end_to_end():
    levers = {"F_g": (3.0, 8.0), "W": (0.5, 2.0)}
    res = gt.sensitivity_indices(
        cg.game(), {"ess": "ess:C,E,A", "any": "ess_exists", "basin": "basin_share:C,E,A", "t90": "time_to:0.9",
                    "tA": "time_to:A:0.9"},
        dict(cg.OPTIMIZED), bounds=levers, vary=list(levers), n=2,
        options={"basin_n": 32, "starts": 8, "t_end": 40.0, "backend": "numpy"},
    )  # fmt: skip
    d = res.data
    assert res.parameters == ("F_g", "W") and d["Y"].shape == (2 * 4, 5)
    Y = d["Y"].to_pandas()
    # every design point keeps the OPTIMIZED ESS (C,E,A) for these lever ranges: strict at every corner
    assert (Y["ess"] == 1).all() and (Y["any"] == 1).all()
    assert ((Y["basin"] >= 0) & (Y["basin"] <= 1)).all()
    assert ((Y["t90"] > 0) & (Y["t90"] <= 40) & (Y["tA"] <= Y["t90"] + 1e-12)).all()


def test_a_rerun_with_the_store_resumes_and_gives_the_same_dataset(tmp_path):
    kwargs = {"n": 64, "chunk_size": 64}
    whole = gt.sensitivity_indices(ishigami_game(), Flaky(), **kwargs)
    assert whole.chunks.n_chunks == 5
    with pytest.raises(KeyboardInterrupt):
        gt.sensitivity_indices(ishigami_game(), Flaky(limit=150), store=tmp_path / "s", **kwargs)
    again = gt.sensitivity_indices(ishigami_game(), Flaky(), store=tmp_path / "s", **kwargs)
    assert again.chunks.loaded == (0, 1) and again.chunks.computed == (2, 3, 4)
    assert again.data.equals(whole.data)
    assert gt.sensitivity_indices(ishigami_game(), Flaky(), store=tmp_path / "s", **kwargs).chunks.loaded == (
        0, 1, 2, 3, 4)  # fmt: skip
    with pytest.raises(gt.errors.StoreError, match="different study"):
        gt.sensitivity_indices(ishigami_game(), ishigami, store=tmp_path / "s", **kwargs)


def test_executors_give_identical_results():
    distributed = pytest.importorskip("distributed")
    args = (ishigami_game(), {"ish": ishigami, "ess": "ess_exists"})
    kwargs = {"n": 32, "chunk_size": 40}
    here = gt.sensitivity_indices(*args, **kwargs)
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        pooled = gt.sensitivity_indices(*args, executor=pool, **kwargs)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as c,
        distributed.Client(c) as client,
    ):
        dasked = gt.sensitivity_indices(*args, executor=client, **kwargs)
    for other in (pooled, dasked):
        assert other.data.equals(here.data)
        assert other.provenance.spec_sha256 == here.provenance.spec_sha256


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"vary": ["S"]}, ParameterError, "'S' is varied but has no finite bounds"),
        ({"vary": ["S"]}, ParameterError, "bounds={'S': (lower, upper)}"),
        ({"bounds": {"Fg": (0, 1)}}, ParameterError, "did you mean 'F_g'"),
        ({"bounds": {"F_g": (2, 1)}}, ParameterError, "lower < upper"),
        ({"n": 0}, SpecificationError, "n"),
        ({"method": "fast"}, SpecificationError, "unknown method 'fast'"),
        ({"outcome": "ess:X,Y,Z"}, SpecificationError, "unknown profile 'X,Y,Z'"),
        ({"outcome": "basin"}, SpecificationError, "unknown outcome 'basin'"),
        ({"outcome": "time_to:2"}, SpecificationError, "level must be a share"),
        ({"outcome": 3}, SpecificationError, "callable"),
        ({"options": {"basin": 3}}, SpecificationError, "unknown options"),
        ({"outcome": lambda m, p: math.nan}, SpecificationError, "finite"),
    ],
)
def test_bad_input(kwargs, error, fragment):
    kwargs = {"outcome": "ess_exists", "n": 2} | kwargs
    with pytest.raises(error, match=fragment.replace("(", r"\(").replace(")", r"\)").replace("{", r"\{")):
        gt.sensitivity_indices(cg.game(), **kwargs)


def test_salib_missing_is_a_clear_error(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "SALib", None)
    with pytest.raises(SpecificationError, match="pip install"):
        gt.sensitivity_indices(ishigami_game(), ishigami, n=2)


def test_the_plot_ranks_the_parameters_by_total_index():
    import matplotlib.pyplot as plt

    from gametheory import plot

    res = gt.sensitivity_indices(ishigami_game(), ishigami, n=1024)
    ax = res.plot()
    assert res.ranking() == ("x1", "x2", "x3")
    assert [t.get_text() for t in ax.get_yticklabels()] == [plot.parameter_label(p) for p in res.ranking()]
    widths = [p.get_width() for p in ax.patches]  # 3 ST bars (ranked), then 3 S1 bars
    np.testing.assert_allclose(widths[:3], np.sort(res.data["ST"].values)[::-1])
    ax = plot.sensitivity_indices(
        gt.sensitivity_indices(ishigami_game(), ishigami, method="morris", n=8), top=2
    )
    assert len(ax.get_yticklabels()) == 2
    with pytest.raises(SpecificationError, match="SensitivityIndices"):
        plot.sensitivity_indices(object())
    plt.close("all")


def test_flagship_ess_outcome_is_the_closed_form_condition():
    from gametheory.figures_sensitivity import LEVER_BOUNDS

    res = gt.sensitivity_indices(cg.game(), "ess:C,E,A", dict(cg.STATUS_QUO), bounds=LEVER_BOUNDS, n=16)
    X = res.data["X"].to_pandas()
    # (C,E,A) is strict Nash iff every population loses by deviating there (payoffs of crisis_governance at
    # g = n = c = 1, STATUS_QUO for the parameters not varied):
    # government R_g - C_g + V_n + V_c - S - W + s_g - lam (V_n + V_c) + F_g = 2 - S - W - 6 lam + F_g > 0,
    # NGO -1 + 6 tau + S + F_n + K_n > 0 and citizens 1 + W > 0 (always, on these ranges)
    gov = 2 - X["S"] - X["W"] - 6 * X["lam"] + X["F_g"]
    ngo = -1 + 6 * X["tau"] + X["S"] + X["F_n"] + X["K_n"]
    assert (ngo > 0).all()
    np.testing.assert_array_equal(res.data["Y"].values, (gov > 0).astype(float).values)
    # the levers that do not enter the condition have exactly zero indices; F_g moves it most
    st = res.data["ST"].to_series()
    assert (st[["theta", "mu", "tau", "F_n", "K_n"]] == 0).all() and res.ranking()[0] == "F_g"


def test_ess_exists_sees_a_mixed_ess():
    from gametheory.models import classic

    game = classic.hawk_dove()  # one population: the mixed ESS V/C exists for 0 < V < C, (1) for V > C
    res = gt.sensitivity_indices(game, "ess_exists", bounds={"V": (0.5, 4.0)}, params={"C": 3.0}, n=4)
    assert (res.data["Y"].values == 1).all() and bool(res.data["constant"])


def test_result_reads_as_its_dataset():
    """The issue asks for an xarray.Dataset of indices: the result indexes, selects and exposes attrs like one."""
    res = gt.sensitivity_indices(
        cg.game(), "ess:C,E,A", dict(cg.OPTIMIZED), bounds={"F_g": (3, 8)}, method="morris", n=4
    )
    assert isinstance(res.data, xr.Dataset)
    assert "mu_star" in res and res.attrs["method"] == "morris"
    np.testing.assert_array_equal(res["mu_star"].values, res.data["mu_star"].values)
    assert float(res.sel(parameter="F_g")["mu_star"]) == float(res.data["mu_star"].sel(parameter="F_g"))
