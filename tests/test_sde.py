"""Stochastic replicator dynamics (gametheory.numerics.sde) against exact solutions and a finite population.

Exact solutions: with a constant payoff advantage ``a`` (strategy A earns ``a``, B earns 0) and
payoff noise, ``u = ln(x/(1-x))`` is a Brownian motion with drift, ``u(T) = u0 + aT + sigma (W_A(T) -
W_B(T))``, computed here from the same Wiener increments the schemes are given.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.special import expit, logit

import gametheory as gt
from gametheory.errors import GameError, IntegrationError, ParameterError, SpecificationError
from gametheory.models import classic, crisis_governance


def constant_advantage(a: float = 1.0) -> gt.Game:
    return gt.Game.symmetric(["A", "B"], [["a", "a"], [0, 0]], parameters={"a": a})


def brownian(n_fine: int, n_paths: int, m: int, T: float, seed: int) -> np.ndarray:
    """Wiener increments on the finest grid, shape (n_fine, n_paths, m)."""
    return np.random.default_rng(seed).standard_normal((n_fine, n_paths, m)) * np.sqrt(T / n_fine)


def coarsen(fine: np.ndarray, n: int) -> np.ndarray:
    """The same Brownian path on n steps: sums of consecutive fine increments."""
    return fine.reshape(n, fine.shape[0] // n, *fine.shape[1:]).sum(axis=1)


def exact_constant_advantage(x0: float, a: float, sigma: float, T: float, fine: np.ndarray) -> np.ndarray:
    W = fine.sum(axis=0)
    return expit(logit(x0) + a * T + sigma * (W[:, 0] - W[:, 1]))


def slope(h, err) -> float:
    return float(np.polyfit(np.log(h), np.log(np.abs(err)), 1)[0])


# ------------------------------------------------------------------ exactness and orders
def test_log_ratio_chart_is_exact_for_constant_payoffs():
    # additive noise and a constant drift in u: Euler-Maruyama reproduces u(T) to rounding
    T, sigma, x0, N = 2.0, 0.8, 0.3, 200
    fine = brownian(64, N, 2, T, seed=1)
    exact = exact_constant_advantage(x0, 1.0, sigma, T, fine)
    sde = gt.stochastic_replicator(constant_advantage(), sigma)
    for n in (4, 64):
        ens = sde.simulate_many([[x0]] * N, (0, T), dt=T / n, increments=coarsen(fine, n), seed=0)
        assert np.abs(ens.final[:, 0] - exact).max() < 1e-12


@pytest.mark.parametrize(("scheme", "order"), [("euler-maruyama", 0.5), ("milstein", 1.0)])
def test_strong_order_in_the_shares_chart(scheme, order):
    # mean |x_h(T) - x(T)| over 4000 paths driven by the same Brownian paths; its relative standard
    # error is ~2%, so the fitted slope over h = 1/4 .. 1/128 is within ~0.03 of the true order;
    # band +-0.15 (measured: 0.50 and 0.99)
    T, sigma, x0, N = 1.0, 0.5, 0.3, 4000
    fine = brownian(2**9, N, 2, T, seed=5)
    exact = exact_constant_advantage(x0, 1.0, sigma, T, fine)
    sde = gt.stochastic_replicator(constant_advantage(), sigma)
    hs, errors = [], []
    for k in range(2, 8):
        n = 2**k
        ens = sde.simulate_many(
            [[x0]] * N, (0, T), dt=T / n, scheme=scheme, chart="shares", increments=coarsen(fine, n), seed=0
        )
        hs.append(T / n)
        errors.append(np.abs(ens.final[:, 0] - exact).mean())
    assert abs(slope(hs, errors) - order) < 0.15


@pytest.mark.parametrize("scheme", ["euler-maruyama", "milstein"])
def test_weak_order_one(scheme):
    # |E x_h(T) - E x(T)| with common random numbers: the standard error of the mean difference
    # (< 2.3e-4) is under 1/6 of the smallest bias (1.4e-3 at h = 1/16); band [0.75, 1.25]
    # around the weak order 1 of both schemes (measured: 0.99 and 0.95)
    T, sigma, x0, N = 1.0, 0.7, 0.3, 20000
    fine = brownian(64, N, 2, T, seed=7)
    exact = exact_constant_advantage(x0, 1.0, sigma, T, fine)
    sde = gt.stochastic_replicator(constant_advantage(), sigma)
    hs, bias = [], []
    for k in range(1, 5):
        n = 2**k
        ens = sde.simulate_many(
            [[x0]] * N, (0, T), dt=T / n, scheme=scheme, chart="shares", increments=coarsen(fine, n), seed=0
        )
        diff = ens.final[:, 0] - exact
        assert abs(diff.mean()) > 4 * diff.std() / np.sqrt(N)  # a bias well above the noise
        hs.append(T / n)
        bias.append(diff.mean())
    assert 0.75 < slope(hs, bias) < 1.25


# ------------------------------------------------------------------ the simplex
@pytest.mark.parametrize(
    ("game", "start"),
    [
        (classic.rock_paper_scissors(), [0.3, 0.3]),
        (classic.matching_pennies_3(), [0.2, 0.5, 0.9]),
        (crisis_governance.game(), [0.3, 0.6, 0.2]),
    ],
)
def test_payoff_noise_never_leaves_the_simplex(game, start):
    sde = gt.stochastic_replicator(game, 200.0)
    ens = sde.simulate_many([start] * 100, (0, 5), dt=0.05, seed=4)
    dyn = game.replicator()
    assert np.isfinite(ens.paths).all()
    assert dyn.simplex_excursion(np.moveaxis(ens.paths, 1, 0)) <= 1e-12


def test_absent_strategies_stay_absent_under_payoff_noise():
    sde = gt.stochastic_replicator(classic.rock_paper_scissors(), 3.0)
    ens = sde.simulate_many([[0.0, 0.4]] * 20, (0, 3), dt=0.01, seed=2)
    assert (ens.paths[:, 0] == 0.0).all() and (ens.paths[:, 1] > 0).all()


# ------------------------------------------------------------------ demographic noise
def moran_pairwise(N: int, w: float, x0: float, generations: float, runs: int, seed: int) -> np.ndarray:
    """Hawk-dove (V=2, C=3) in a population of N: the local-update pairwise comparison process.

    Each elementary step picks a focal individual and a model (with replacement); the focal
    adopts the model's strategy with probability 1/2 + w/2 (f_model - f_focal), with the expected
    payoffs at the current shares, f_H = 2 - 2.5 x, f_D = 1 - x; N steps per generation.
    """
    rng = np.random.default_rng(seed)
    i = np.full(runs, round(x0 * N))
    for _ in range(round(generations * N)):
        x = i / N
        f_hawk, f_dove = 2 - 2.5 * x, 1 - x
        focal, model = rng.random(runs) < x, rng.random(runs) < x
        p = 0.5 + 0.5 * w * (np.where(model, f_hawk, f_dove) - np.where(focal, f_hawk, f_dove))
        switch = (focal != model) & (rng.random(runs) < p)
        i = i + np.where(switch, np.where(model, 1, -1), 0)
    return i / N


def mean_var_se(v: np.ndarray) -> tuple[float, float, float, float]:
    m, s2 = v.mean(), v.var(ddof=1)
    m4 = ((v - m) ** 4).mean()
    return m, s2, np.sqrt(s2 / len(v)), np.sqrt((m4 - s2**2) / len(v))


@pytest.mark.parametrize("scheme", ["euler-maruyama", "milstein"])
def test_demographic_diffusion_matches_the_finite_population(scheme):
    # replicator time tau = w t, sigma = 1/sqrt(w); mean and variance of x at tau = 2 within 4
    # standard errors (the diffusion approximation errs by O(1/N); N = 50 keeps that well below)
    w, N, x0, tau, R = 0.5, 50, 0.2, 2.0, 4000
    finite = moran_pairwise(N, w, x0, tau / w, R, seed=11)
    sde = gt.stochastic_replicator(classic.hawk_dove(), 1 / np.sqrt(w), noise="demographic", sizes=[N])
    ens = sde.simulate_many([[x0]] * R, (0, tau), dt=0.005, seed=3, scheme=scheme)
    a, b = mean_var_se(finite), mean_var_se(ens.final[:, 0])
    assert abs(a[0] - b[0]) < 4 * np.hypot(a[2], b[2])
    assert abs(a[1] - b[1]) < 4 * np.hypot(a[3], b[3])


def test_demographic_absorption_is_permanent_and_reported():
    sde = gt.stochastic_replicator(classic.rock_paper_scissors(), 1.0, noise="demographic", sizes=[8])
    ens = sde.simulate_many([[0.3, 0.3]] * 100, (0, 40), dt=0.02, seed=6, save_every=1)
    times = ens.absorption_time[:, 0]
    assert 0 < ens.absorbed_fraction[0] <= 1
    full = np.concatenate([ens.paths, 1 - ens.paths.sum(axis=1, keepdims=True)], axis=1)
    for k in np.flatnonzero(~np.isnan(times)):
        after = full[k][:, ens.t >= times[k]]
        assert ((after == 0.0) | (after == 1.0)).all() and (after == after[:, :1]).all()
    assert (ens.paths >= 0).all() and (ens.paths.sum(axis=1) <= 1 + 1e-12).all()
    assert "absorbed at a vertex" in ens.summary()


# ------------------------------------------------------------------ deterministic limit
def reference(dyn, x0, T, params, t_eval):
    sol = solve_ivp(
        lambda t, x: dyn.vector_field(np.clip(x, 0, 1), params),
        (0, T),
        x0,
        method="DOP853",
        rtol=1e-12,
        atol=1e-14,
        t_eval=t_eval,
    )
    return sol.y


@pytest.mark.parametrize(
    ("noise", "sizes"), [("payoff", None), ("additive", None), ("demographic", [10**15] * 3)]
)
def test_sigma_to_zero_recovers_the_replicator(noise, sizes):
    # Euler's global error is first order in h: halving h halves it (ratio in [1.7, 2.3])
    game, params, x0, T = crisis_governance.game(), crisis_governance.OPTIMIZED, [0.3, 0.6, 0.2], 3.0
    sigma = 1.0 if noise == "demographic" else 0.0
    sde = gt.stochastic_replicator(game, sigma, noise=noise, sizes=sizes)
    errors = []
    for dt in (2e-3, 1e-3):
        ens = sde.simulate_many([x0] * 2, (0, T), params, dt=dt, seed=0)
        ref = reference(game.replicator(), x0, T, params, ens.t)
        errors.append(np.abs(ens.paths - ref).max())
        assert np.allclose(ens.deterministic, ref, atol=1e-8)
    assert errors[1] < 5e-3 and 1.7 < errors[0] / errors[1] < 2.3


# ------------------------------------------------------------------ results and reproducibility
def test_seed_reproduces_and_results_are_frozen():
    sde = gt.stochastic_replicator(classic.hawk_dove(), 0.4)
    a = sde.simulate_many([[0.2]] * 10, (0, 2), dt=0.1, seed=42)
    b = sde.simulate_many([[0.2]] * 10, (0, 2), dt=0.1, seed=42)
    c = sde.simulate_many([[0.2]] * 10, (0, 2), dt=0.1, seed=43)
    drawn = sde.simulate_many([[0.2]] * 10, (0, 2), dt=0.1)
    assert np.array_equal(a.paths, b.paths) and not np.array_equal(a.paths, c.paths)
    assert np.array_equal(sde.simulate_many([[0.2]] * 10, (0, 2), dt=0.1, seed=drawn.seed).paths, drawn.paths)
    with pytest.raises(ValueError):
        a.paths[0, 0, 0] = 1.0
    assert list(a.to_frame().columns) == ["path", "t", "x"]
    assert a.quantiles([0.5]).shape == (1, 1, len(a.t))


def test_plot_draws_paths_bands_and_deterministic():
    import matplotlib

    matplotlib.use("Agg")
    ens = gt.stochastic_replicator(crisis_governance.game(), 0.2).simulate_many(
        [[0.3, 0.6, 0.2]] * 30, (0, 5), crisis_governance.OPTIMIZED, seed=1
    )
    ax = ens.plot()
    assert len(ax.lines) == 3 * (5 + 2) and len(ax.collections) == 3 * 2
    assert np.allclose(ax.lines[5].get_ydata(), ens.deterministic[0])


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"sigma": -0.1}, SpecificationError, "sigma"),
        ({"sigma": float("nan")}, SpecificationError, "sigma"),
        ({"sigma": [0.1, 0.2]}, SpecificationError, "sigma"),
        ({"sigma": 0.1, "noise": "white"}, GameError, "noise"),
        ({"sigma": 0.1, "noise": "demographic"}, SpecificationError, "sizes"),
        ({"sigma": 0.1, "noise": "demographic", "sizes": [10, 20]}, SpecificationError, "sizes"),
        ({"sigma": 0.1, "noise": "demographic", "sizes": [1]}, SpecificationError, "sizes"),
        ({"sigma": 0.1, "sizes": [10]}, SpecificationError, "sizes"),
    ],
)
def test_bad_model_input(kwargs, error, fragment):
    sigma = kwargs.pop("sigma")
    with pytest.raises(error, match=fragment):
        gt.stochastic_replicator(classic.hawk_dove(), sigma, **kwargs)


def test_additive_noise_needs_two_strategy_populations():
    with pytest.raises(SpecificationError, match="additive"):
        gt.stochastic_replicator(classic.rock_paper_scissors(), 0.1, noise="additive")


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"dt": 0}, IntegrationError, "dt"),
        ({"dt": -0.1}, IntegrationError, "dt"),
        ({"scheme": "heun"}, IntegrationError, "scheme"),
        ({"chart": "polar"}, IntegrationError, "chart"),
        ({"backend": "cuda"}, IntegrationError, "backend"),
        ({"increments": np.zeros((3, 1, 2))}, IntegrationError, "increments"),
        ({"seed": -1}, IntegrationError, "seed"),
    ],
)
def test_bad_simulation_input(kwargs, error, fragment):
    sde = gt.stochastic_replicator(classic.hawk_dove(), 0.1)
    with pytest.raises(error, match=fragment):
        sde.simulate_many([[0.5]], (0, 1), **kwargs)


def test_refused_combinations():
    rps = classic.rock_paper_scissors()
    with pytest.raises(IntegrationError, match="milstein"):
        gt.stochastic_replicator(rps, 1.0, noise="demographic", sizes=[10]).simulate_many(
            [[0.3, 0.3]], (0, 1), scheme="milstein"
        )
    with pytest.raises(IntegrationError, match="shares"):
        gt.stochastic_replicator(rps, 1.0).simulate_many([[0.3, 0.3]], (0, 1), chart="shares")
    with pytest.raises(IntegrationError, match="log-ratio"):
        gt.stochastic_replicator(classic.hawk_dove(), 1.0, noise="demographic", sizes=[10]).simulate_many(
            [[0.3]], (0, 1), chart="log-ratio"
        )
    with pytest.raises(ParameterError, match="one parameter set"):
        gt.stochastic_replicator(classic.hawk_dove(), 1.0).simulate_many(
            [[0.3]] * 2, (0, 1), {"V": [1.0, 2.0]}
        )


@pytest.mark.parametrize(("noise", "m"), [("payoff", 2), ("additive", 1)])
def test_log_ratio_and_shares_charts_agree_as_h_shrinks(noise, m):
    # the two charts integrate the same Ito SDE (hawk-dove: state-dependent payoffs, no exact
    # solution); driven by the same Brownian paths they converge to the same strong solution.  Both
    # schemes are strong order 1 here (additive noise in the log-ratio chart; Milstein in shares),
    # so the gap is O(h): 8x smaller h, gap ~8x smaller (measured 7.4-7.6; asserted > 5).  A wrong
    # Ito correction in either chart would leave a gap of order sigma^2 T that does not shrink.
    T, sigma, x0, N = 1.0, 0.8, 0.3, 500
    fine = brownian(2**10, N, m, T, seed=9)
    sde = gt.stochastic_replicator(classic.hawk_dove(), sigma, noise=noise)
    gaps = []
    for n in (2**7, 2**10):
        inc = coarsen(fine, n)
        log = sde.simulate_many([[x0]] * N, (0, T), dt=T / n, increments=inc, seed=0)
        shares = sde.simulate_many(
            [[x0]] * N, (0, T), dt=T / n, increments=inc, seed=0, chart="shares", scheme="milstein"
        )
        gaps.append(np.abs(log.final - shares.final).mean())
    assert gaps[1] < gaps[0] / 5 and gaps[1] < 2e-4


def test_demographic_noise_of_three_types_has_the_wright_fisher_covariance():
    # neutral game (all payoffs 0): one Euler-Maruyama step from x has increments of covariance
    # sigma^2 h (diag(x) - x x^T) / N (Traulsen, Claussen & Hauert 2012, local update), each entry
    # within 4 standard errors of the sample covariance (SE^2 = (V_jj V_ll + V_jl^2) / n)
    x, N, sigma, h, n = np.array([0.2, 0.3, 0.5]), 10, 1.5, 0.01, 20000
    game = gt.Game.symmetric(["A", "B", "C"], [[0, 0, 0]] * 3)
    sde = gt.stochastic_replicator(game, sigma, noise="demographic", sizes=[N])
    ens = sde.simulate_many([x[:2]] * n, (0, h), dt=h, seed=8)
    step = np.concatenate([ens.final, 1 - ens.final.sum(axis=1, keepdims=True)], axis=1) - x
    expected = sigma**2 * h * (np.diag(x) - np.outer(x, x)) / N
    sample = np.cov(step.T)
    se = np.sqrt((np.outer(np.diag(expected), np.diag(expected)) + expected**2) / n)
    assert (np.abs(sample - expected) < 4 * se).all()
    assert np.abs(step.mean(axis=0)).max() < 4 * np.sqrt(np.diag(expected).max() / n)
