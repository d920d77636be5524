"""Simulation of finite-population processes against exact results, the mean field and bad input.

Every statistical check uses a fixed seed, so it is deterministic; the tolerances
(4 standard errors) would still fail by chance with probability about 6e-5 per
check if the seed were changed.
"""

from __future__ import annotations

import concurrent.futures

import matplotlib
import numpy as np
import pytest
from scipy.integrate import cumulative_trapezoid

import gametheory as gt
from gametheory.errors import ParameterError, SpecificationError, StateError
from gametheory.finite import _sim_kernels
from gametheory.finite.simulate import mean_field, rate_table
from gametheory.models import classic
from gametheory.models import crisis_governance as cg

matplotlib.use("Agg")

V, C = 2.0, 3.0  # hawk-dove defaults
A = np.array([[(V - C) / 2, V], [0.0, V / 2]])  # a_ij, strategies (H, D)


def _fixation_by_hand(kind: str, z: int, intensity: float) -> float:
    """rho of one H among D (one population), the textbook sum over the birth-death chain, coded here."""
    ratios = []
    for j in range(1, z):  # j hawks
        n = np.array([j, z - j], dtype=float)
        pi = (A @ n - np.diag(A)) / (z - 1)  # self-interaction excluded
        if kind == "fermi":
            ratios.append(np.exp(-intensity * (pi[0] - pi[1])))  # T-/T+ of the Fermi rule
        else:
            phi = 1 - intensity + intensity * pi
            ratios.append(phi[1] / phi[0])
    return 1.0 / (1.0 + np.cumprod(ratios).sum())


@pytest.mark.parametrize("kind", ["fermi", "moran"])
def test_fixation_one_population(kind):
    z, runs = 15, 20_000
    if kind == "fermi":
        p = gt.pairwise_comparison(classic.hawk_dove(), z, beta=1.0)
    else:
        p = gt.moran(classic.hawk_dove(), z, w=0.5)
    exact = p.fixation_probability("D", "H")
    assert exact == pytest.approx(_fixation_by_hand(kind, z, p.intensity), rel=1e-10)
    sim = p.simulate([1, z - 1], 10_000, n_runs=runs, seed=11, record=False)
    assert sim.absorbed.all()
    est, se = sim.absorbing_distribution()["H"]
    assert abs(est - exact) < 4 * se  # binomial SE of the simulated frequency


def test_fixation_three_populations():
    """The flagship 2x2x2 game, Z = 10 each: one C mutant among B governments."""
    p = gt.pairwise_comparison(cg.game(), [10, 10, 10], beta=1.0, params=cg.OPTIMIZED)
    exact = p.fixation_probability(("B", "P", "I"), ("C", "P", "I"))
    sim = p.simulate([1, 9, 0, 10, 0, 10], 5_000, n_runs=8_000, seed=2, record=False)
    dist = sim.absorbing_distribution()
    est, se = dist["(C, P, I)"]
    assert abs(est - exact) < 4 * se
    assert dist["(B, P, I)"][0] + est == pytest.approx(1.0)


def test_absorption_times_match_exact():
    p = gt.moran(classic.hawk_dove(), 10, w=0.5)
    sim = p.simulate([9, 1], 10_000, n_runs=20_000, seed=4, record=False)
    mean, se = sim.mean_absorption_time()
    assert abs(mean - p.fixation_time("H", "D", conditional=False)) < 4 * se
    fixed = sim.absorption_time[np.array(sim.end_labels()) == "D"]
    cond_se = fixed.std(ddof=1) / np.sqrt(len(fixed))
    assert abs(fixed.mean() - p.fixation_time("H", "D", conditional=True)) < 4 * cond_se


def test_time_average_matches_stationary_distribution():
    """Rock-paper-scissors, Z = 6, mu = 0.05 (28 compositions): occupation over time vs the exact pi."""
    p = gt.pairwise_comparison(classic.rock_paper_scissors(), 6, beta=1.0, mu=0.05)
    P = p.transition_matrix(0.05).toarray()
    values, vectors = np.linalg.eig(P.T)  # brute force: the left eigenvector of eigenvalue 1
    pi = np.real(vectors[:, np.argmin(np.abs(values - 1))])
    pi /= pi.sum()
    sd = p.stationary_distribution(0.05)
    np.testing.assert_allclose(sd.probabilities, pi, atol=1e-12)
    times = np.linspace(20, 220, 4001)  # after a burn-in of 20 units (mixing takes a few units)
    sim = p.simulate([2, 2, 2], 220, n_runs=300, seed=8, record=times)
    keys = {tuple(c): k for k, c in enumerate(sd.counts.astype(int))}
    occupation = np.zeros((sim.n_runs, len(pi)))
    for r in range(sim.n_runs):
        idx = [keys[tuple(c)] for c in sim.paths[r]]
        occupation[r] = np.bincount(idx, minlength=len(pi)) / len(idx)
    est = occupation.mean(axis=0)
    se = occupation.std(axis=0, ddof=1) / np.sqrt(sim.n_runs)  # runs are independent
    assert np.all(np.abs(est - pi) < 4 * se + 1e-4), np.abs(est - pi) / se


def test_seeds_reproduce_and_executors_agree():
    p = gt.pairwise_comparison(cg.game(), [8, 8, 8], beta=1.0, mu=0.01, params=cg.STATUS_QUO)
    x0 = [4, 4, 4, 4, 4, 4]
    a = p.simulate(x0, 20, n_runs=300, seed=7, chunk_size=64)
    b = p.simulate(x0, 20, n_runs=300, seed=7, chunk_size=64)
    c = p.simulate(x0, 20, n_runs=300, seed=8, chunk_size=64)
    np.testing.assert_array_equal(a.paths, b.paths)
    assert not np.array_equal(a.paths, c.paths)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        d = p.simulate(x0, 20, n_runs=300, seed=7, chunk_size=64, executor=pool)
    np.testing.assert_array_equal(a.paths, d.paths)
    with concurrent.futures.ProcessPoolExecutor(2) as pool:
        e = p.simulate(x0, 20, n_runs=300, seed=7, chunk_size=64, executor=pool, backend="numpy")
    np.testing.assert_array_equal(a.paths, e.paths)
    assert a.seed == 7 and p.simulate(x0, 1, seed=None).seed is not None


@pytest.mark.parametrize("mu", [0.0, 0.02])
@pytest.mark.parametrize("kind", ["fermi", "moran"])
def test_numba_and_numpy_give_the_same_runs(kind, mu):
    if kind == "fermi":
        p = gt.pairwise_comparison(cg.game(), [6, 6, 6], beta=2.0, mu=mu, params=cg.OPTIMIZED)
        x0 = [3, 3, 2, 4, 5, 1]
    else:
        p = gt.moran(classic.rock_paper_scissors(), 12, w=0.3, mu=mu)
        x0 = [4, 4, 4]
    a = p.simulate(x0, 30, n_runs=500, seed=3, backend="numba")
    b = p.simulate(x0, 30, n_runs=500, seed=3, backend="numpy")
    for name in ("paths", "final", "events", "absorbed"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    np.testing.assert_array_equal(np.isnan(a.absorption_time), np.isnan(b.absorption_time))
    assert (a.backend, b.backend) == ("numba", "numpy")


def test_splitmix64_reference_and_table():
    state = np.array([1234567], dtype=np.uint64)
    state, out = _sim_kernels.splitmix64(state)
    assert int(out[0]) == 6457827717110365317  # splitmix64(1234567), first output (reference value)
    p = gt.pairwise_comparison(classic.rock_paper_scissors(), 5, mu=0.1)
    table, delta, moves = rate_table(p)
    n = np.array([1, 3, 1])
    row = n[0] + 6 * n[1]  # mixed radix (Z + 1)^j over the first k - 1 counts
    np.testing.assert_allclose(np.diff(table[row], prepend=0), p.rates(n), atol=1e-15)
    for m, (_, a, b) in enumerate(p.moves):
        moved = n.copy()
        moved[a] -= 1
        moved[b] += 1
        assert row + delta[m] == moved[0] + 6 * moved[1]


def _moran_mean_field_by_hand(x0: float, t: np.ndarray, w: float) -> np.ndarray:
    """Replicator trajectory of hawk-dove, then the Moran clock: dt = phi_bar / w dtau."""
    rep = classic.hawk_dove().replicator()
    tau = np.linspace(0, 3 * t[-1] / w, 30_001)  # phi_bar / w >= 1/3 here, so tau(t_max) < 3 t_max / w
    x = rep.simulate([x0], (0, tau[-1]), t_eval=tau).y[0]
    shares = np.stack([x, 1 - x])
    phi_bar = 1 - w + w * np.einsum("it,ij,jt->t", shares, A, shares)
    clock = cumulative_trapezoid(phi_bar / w, tau, initial=0)
    return np.interp(t, clock, x)


@pytest.mark.parametrize("kind", ["fermi", "moran"])
def test_mean_field_limit_and_rate(kind):
    """Single paths deviate from the mean field by ~ Z^-1/2; the mean over runs by ~ Z^-1.

    The fluctuations of the shares are Gaussian with variance sigma(t)^2 / Z (linear
    noise approximation), and the mean's bias is O(1/Z) (self-interaction, Z - 1
    denominators, the noise-induced drift).  With 200 runs the RMS estimate at each Z
    is within a few per cent, so the fitted slope of log RMS against log Z is -0.5
    within 0.15; the mean errors are measured with 100,000 runs, their MC error under
    15 % of the bias at Z = 160, so the slope is -1 within 0.2.
    """
    game = classic.hawk_dove()
    t = np.linspace(0, 4, 21)
    if kind == "fermi":
        reference = game.dynamics("imitation", beta=1.0).simulate([0.2], (0, 4), t_eval=t).y[0]
        make = lambda z: gt.pairwise_comparison(game, z, beta=1.0)  # noqa: E731
    else:
        reference = _moran_mean_field_by_hand(0.2, t, 0.5)
        make = lambda z: gt.moran(game, z, w=0.5)  # noqa: E731
    rms, bias = [], []
    for z in (50, 200, 800):
        sim = make(z).simulate([z // 5, z - z // 5], 4, n_runs=200, seed=z, record=t)
        np.testing.assert_allclose(sim.mean_field[:, 0], reference, atol=1e-6)  # same time unit
        rms.append(np.sqrt(((sim.shares[:, :, 0] - reference) ** 2).mean()))
    for z in (20, 40, 80, 160):
        sim = make(z).simulate([z // 5, z - z // 5], 4, n_runs=100_000, seed=z, record=t)
        bias.append(np.abs(sim.mean_path()[0][:, 0] - reference).max())
    slope = np.polyfit(np.log([50, 200, 800]), np.log(rms), 1)[0]
    assert -0.65 < slope < -0.35, slope
    slope = np.polyfit(np.log([20, 40, 80, 160]), np.log(bias), 1)[0]
    assert -1.2 < slope < -0.8, slope


def test_mean_field_with_mutation_matches_its_equation():
    """The Fermi drift with mutation at one point, against the formula coded here."""
    p = gt.pairwise_comparison(classic.hawk_dove(), 100, beta=2.0, mu=0.1)
    x = mean_field(p, [30, 70], [0.0, 1e-4])
    f = A @ np.array([0.3, 0.7])
    drift = 0.9 * 0.3 * 0.7 * np.tanh(2.0 * (f[0] - f[1]) / 2) + 0.1 * (1 - 2 * 0.3)
    assert (x[1, 0] - 0.3) / 1e-4 == pytest.approx(drift, rel=1e-3)


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_refused_composition_raises(backend):
    """w = 1: hawks have fitness pi_H <= 0 from 9 hawks on; a run that gets there is refused."""
    p = gt.moran(classic.hawk_dove(), 10, w=1.0)
    with pytest.raises(StateError, match=r"fitness .* at composition \(9, 1\)"):
        p.simulate([9, 1], 10, seed=1, backend=backend)  # refused at the start
    with pytest.raises(StateError, match=r"fitness .* at composition \((9, 1|10, 0)\)"):
        p.simulate([1, 9], 1000, n_runs=200, seed=1, backend=backend)  # refused on the way


def test_result_object():
    p = gt.pairwise_comparison(classic.hawk_dove(), 20, beta=1.0)
    sim = p.simulate([4, 16], 200, n_runs=50, seed=1)
    assert not sim.paths.flags.writeable
    with pytest.raises(AttributeError):
        sim.seed = 3
    frame = sim.to_frame()
    assert list(frame.columns[:3]) == ["run", "population:H", "population:D"] and len(frame) == 50
    assert "runs to t = 200" in sim.summary()
    q = sim.quantiles([0.1, 0.9])
    assert q.shape == (2, 101, 2) and np.all(q[0] <= q[1])
    for kind in ("paths", "times", "states"):
        assert sim.plot(kind=kind) is not None
    with pytest.raises(SpecificationError, match="kind"):
        sim.plot(kind="bars")
    steps = p.simulate([4, 16], steps=40, record=[0.0, 1.0, 2.0])
    assert steps.t.tolist() == [0.0, 1.0, 2.0] and steps.events[0] <= 40


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"x0_counts": [5, 4]}, StateError, "sum to 9"),
        ({"x0_counts": [-1, 11]}, StateError, "non-negative"),
        ({"x0_counts": [1, 2, 7]}, StateError, "2 counts"),
        ({"n_runs": 0}, ParameterError, "n_runs"),
        ({"t_max": 0.0}, ParameterError, "t_max"),
        ({"t_max": -1.0}, ParameterError, "t_max"),
        ({"t_max": None}, SpecificationError, "t_max"),
        ({"steps": 10}, SpecificationError, "exactly one"),
        ({"backend": "cuda"}, SpecificationError, "backend"),
        ({"executor": "pool"}, SpecificationError, "executor"),
        ({"record": 1}, ParameterError, "record"),
        ({"record": [2.0, 1.0]}, ParameterError, "increasing"),
        ({"record": [1.0, 50.0]}, ParameterError, "beyond the horizon"),
        ({"seed": "abc"}, ParameterError, "seed"),
        ({"seed": -1}, ParameterError, "seed"),
    ],
)
def test_bad_input(kwargs, error, fragment):
    p = gt.pairwise_comparison(classic.hawk_dove(), 10)
    args = {"x0_counts": [5, 5], "t_max": 10.0} | kwargs
    with pytest.raises(error, match=fragment):
        p.simulate(args.pop("x0_counts"), args.pop("t_max"), **args)


def test_dask_executor_gives_the_same_runs():
    distributed = pytest.importorskip("distributed")
    p = gt.pairwise_comparison(classic.hawk_dove(), 30, beta=1.0, mu=0.01)
    a = p.simulate([10, 20], 10, n_runs=200, seed=5, chunk_size=50)
    with distributed.Client(
        processes=False, n_workers=1, threads_per_worker=2, dashboard_address=":0"
    ) as client:
        b = p.simulate([10, 20], 10, n_runs=200, seed=5, chunk_size=50, executor=client, progress=True)
    np.testing.assert_array_equal(a.paths, b.paths)
