"""The general attractor path (dynamics without replicator vertex theory), against independent computation.

Independent: hand-coded numpy fields from the textbook formulas (logit softmax, one-population
replicator x_i (f_i - f_bar) with f = A x), brute-force solve_ivp(DOP853, rtol 1e-12) from a grid.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.optimize import fsolve

import gametheory as gt
from gametheory.analysis.attractors import AttractorKind
from gametheory.analysis.attractors_general import uses_general_path
from gametheory.analysis.lyapunov import certify_sink
from gametheory.dynamics.given import GameShape, GivenDynamics
from gametheory.models import classic
from gametheory.studies.general import uses_general_certificate

ETA = 0.2


def _coordination() -> gt.Game:
    return gt.Game.from_table(
        {"row": ["A", "B"], "col": ["A", "B"]},
        {("A", "A"): (2, 2), ("A", "B"): (0, 0), ("B", "A"): (0, 0), ("B", "B"): (1, 1)},
    )


def _logit_hand(x: np.ndarray) -> np.ndarray:
    """x' = sigma_A(f(y)/eta) - x, y' = sigma_A(f(x)/eta) - y; f_A - f_B = 2y - (1 - y) = 3y - 1."""
    return np.array(
        [1 / (1 + np.exp(-(3 * x[1] - 1) / ETA)) - x[0], 1 / (1 + np.exp(-(3 * x[0] - 1) / ETA)) - x[1]]
    )


RPS = np.array([[0.0, -1.0, 2.0], [2.0, 0.0, -1.0], [-1.0, 2.0, 0.0]])  # good RPS: win 2, loss 1


def _rps_hand(x: np.ndarray) -> np.ndarray:
    s = np.array([x[0], x[1], 1 - x[0] - x[1]])
    f = RPS @ s
    return (s * (f - s @ f))[:2]


def test_routing_by_facts() -> None:
    assert not uses_general_path(classic.matching_pennies_3().replicator())
    assert uses_general_path(_coordination().dynamics("logit", eta=ETA))
    assert uses_general_path(classic.rock_paper_scissors().replicator())
    assert uses_general_certificate(classic.hawk_dove().replicator())


def test_logit_basins_agree_with_brute_force() -> None:
    dyn = _coordination().dynamics("logit", eta=ETA)
    rng = np.random.default_rng(0)
    for x in rng.random((5, 2)):  # the hand-coded field is the package's field
        np.testing.assert_allclose(dyn.vector_field(x), _logit_hand(x), rtol=1e-12, atol=1e-14)
    sinks = [fsolve(_logit_hand, g, xtol=1e-14) for g in ([0.0, 0.0], [1.0, 1.0])]
    r = 10
    res = gt.basins(dyn, resolution=r, t_span=(0, 60), backend="numpy")
    names = res.outcomes
    assert len(names) == 4 and res.share.sel(outcome="not certified") == 0
    centres = (np.arange(r) + 0.5) / r
    brute = np.empty((r, r), dtype=int)
    for i, a in enumerate(centres):
        for j, b in enumerate(centres):
            end = solve_ivp(
                lambda t, x: _logit_hand(x), (0, 60), [a, b], method="DOP853", rtol=1e-12, atol=1e-14
            ).y[:, -1]
            brute[i, j] = int(np.argmin([np.max(np.abs(end - s)) for s in sinks]))
    # the package orders sinks as analyze reports them: map by position
    order = [
        int(np.argmin([np.max(np.abs(float(v) - s[0])) for s in sinks]))
        for v in [float(n.split("= (")[1].split(",")[0]) for n in names[:2]]
    ]
    mapped = np.array(order)[res.grid.values]
    # the separatrix (the saddle's stable manifold, x + y ~ 0.53) passes between cell centres of a 10-grid;
    # both classifications are proofs/converged integrations, so they must agree everywhere
    assert (mapped == brute).all()
    share_low = float(res.share.sel(outcome=names[order.index(0)]))
    assert share_low == pytest.approx(float((brute == 0).mean()))


def test_logit_attractors_certified_two_qre() -> None:
    dyn = _coordination().dynamics("logit", eta=ETA)
    rep = gt.attractors(dyn, starts=[[0.05, 0.1], [0.9, 0.8]])
    assert [o.kind for o in rep.outcomes] == [AttractorKind.REST_POINT] * 2
    assert all(o.certified for o in rep.outcomes)
    assert rep.outcomes[0].point[0] < 0.01 and rep.outcomes[1].point[0] > 0.99


def test_good_rps_every_interior_start_goes_to_centre_certified() -> None:
    dyn = classic.rock_paper_scissors().replicator()
    for x in np.random.default_rng(1).dirichlet(np.ones(3), 4)[:, :2]:
        np.testing.assert_allclose(dyn.vector_field(x), _rps_hand(x), atol=1e-14)
    rep = gt.attractors(dyn, n=12, seed=3)
    assert all(o.kind is AttractorKind.REST_POINT and o.certified for o in rep.outcomes)
    np.testing.assert_allclose(rep.outcomes[0].point, [1 / 3, 1 / 3], atol=1e-9)
    res = gt.basins(dyn, n=64, t_span=(0, 200), backend="numpy")
    assert res.outcomes == ("rest point (x1, x2) = (0.3333, 0.3333)", "not certified", "failed")
    assert float(res.share[0]) == 1.0 and res.data.attrs["vertex_theory"].startswith("general dynamics")


def test_hawk_dove_mixed_ess_and_regime_map() -> None:
    dyn = classic.hawk_dove().replicator()  # V = 2, C = 3: x* = V / C
    rep = gt.attractors(dyn, starts=[[0.05], [0.95]])
    assert all(o.certified for o in rep.outcomes)
    np.testing.assert_allclose(rep.outcomes[0].point, [2 / 3], atol=1e-12)
    rm = gt.regime_map(dyn, {"C": [1.5, 4.0]}, n=8, t_span=(0, 100), backend="numpy")
    # V > C: pure hawk (x = 1) is the sink; V < C: x = V / C = 0.5
    assert rm.prevailing.values.tolist() == ["rest point (x) = (1)", "rest point (x) = (0.5)"]
    assert rm.regime.values.tolist()[0] == "sink rest point (x) = (1)"


@pytest.mark.parametrize("kind", ["bnn", "smith"])
def test_bnn_smith_converge_to_unique_interior_ne_not_certified(kind: str) -> None:
    dyn = classic.rock_paper_scissors().dynamics(kind)
    rep = gt.attractors(dyn, starts=[[0.6, 0.3], [0.1, 0.2]], t_span=(0, 400))
    for o in rep.outcomes:
        assert o.kind is AttractorKind.REST_POINT and not o.certified
        np.testing.assert_allclose(o.point, [1 / 3, 1 / 3], atol=1e-8)
        assert "kink" in o.evidence
    assert not certify_sink(dyn, [1 / 3, 1 / 3], dyn.parameter_vector()).certified


def test_given_dynamics_typed_logit() -> None:
    shape = GameShape({"p": ["A", "B"], "q": ["A", "B"]}, {})
    dyn = GivenDynamics(shape, [f"1/(1 + exp(-(3*y - 1)/{ETA})) - x", f"1/(1 + exp(-(3*x - 1)/{ETA})) - y"])
    assert dyn.expected_payoffs is None
    rep = gt.attractors(dyn, starts=[[0.05, 0.1], [0.9, 0.8]])
    ref = gt.attractors(_coordination().dynamics("logit", eta=ETA), starts=[[0.05, 0.1], [0.9, 0.8]])
    for a, b in zip(rep.outcomes, ref.outcomes):
        assert a.certified and b.certified
        np.testing.assert_allclose(a.point, b.point, atol=1e-8)


@pytest.mark.parametrize("which", ["rps", "logit"])
def test_trapping_ellipsoid_is_forward_invariant(which: str) -> None:
    if which == "rps":
        dyn, field, x0 = classic.rock_paper_scissors().replicator(), _rps_hand, np.array([1 / 3, 1 / 3])
    else:
        dyn, field = _coordination().dynamics("logit", eta=ETA), _logit_hand
        x0 = fsolve(_logit_hand, [1.0, 1.0], xtol=1e-14)
    cert = certify_sink(dyn, x0, dyn.parameter_vector())
    assert cert.certified
    # sample the boundary {V = c}: e = sqrt(c) L^{-T} u with P = L L^T, |u| = 1
    L = np.linalg.cholesky(cert.P)
    angles = np.linspace(0, 2 * np.pi, 721)[:-1]
    U = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    E = np.sqrt(cert.level) * np.linalg.solve(L.T, U.T).T
    np.testing.assert_allclose(np.einsum("ni,ij,nj->n", E, cert.P, E), cert.level, rtol=1e-10)
    dV = np.array([2 * e @ cert.P @ field(cert.point + e) for e in E])
    assert (dV < 0).all()


BAD_RPS = np.array([[0.0, -2.0, 1.0], [1.0, 0.0, -2.0], [-2.0, 1.0, 0.0]])  # win 1, loss 2


def _logit_rps_hand(x: np.ndarray, eta: float = 0.1) -> np.ndarray:
    s = np.array([x[0], x[1], 1 - x[0] - x[1]])
    f = BAD_RPS @ s / eta
    e = np.exp(f - f.max())
    return (e / e.sum() - s)[:2]


def test_logit_bad_rps_limit_cycle_against_brute_force() -> None:
    dyn = classic.rock_paper_scissors(win=1.0, loss=2.0).dynamics("logit", eta=0.1)
    for x in np.random.default_rng(2).dirichlet(np.ones(3), 4)[:, :2]:
        np.testing.assert_allclose(dyn.vector_field(x), _logit_rps_hand(x), rtol=1e-12, atol=1e-14)
    rep = gt.attractors(dyn, starts=[[0.3, 0.3], [0.8, 0.1]], t_span=(0, 400))
    assert [o.kind for o in rep.outcomes] == [AttractorKind.LIMIT_CYCLE] * 2
    assert len(rep.attractors) == 1  # one cycle: the same label from both starts
    o = rep.outcomes[0]
    assert 0 < o.multiplier < 1 and not o.certified
    # brute force: period from successive upward crossings of x1 = 0.34 after the transient
    sol = solve_ivp(lambda t, x: _logit_rps_hand(x), (0, 200), [0.3, 0.3], method="DOP853", rtol=1e-12,
                    atol=1e-14, dense_output=True)  # fmt: skip
    ts = np.linspace(150, 200, 200_001)
    v = sol.sol(ts)[0] - 0.34
    up = ts[np.flatnonzero((v[:-1] < 0) & (v[1:] >= 0))]
    # crossing times are located to the sample spacing 2.5e-4: the period to ~1e-3 over one difference
    assert o.period == pytest.approx(float(np.mean(np.diff(up))), abs=1e-4 * 10)
    np.testing.assert_allclose(o.point, [1 / 3, 1 / 3], atol=1e-4)  # centre of the symmetric cycle


def test_one_coordinate_jacobian_and_smith_regime_map() -> None:
    dyn = (
        classic.hawk_dove().replicator()
    )  # x' = x (1 - x) (f_H - f_D), f_H - f_D = (V - C x) / 2 - (1 - x) V / 2
    h = 1e-6
    fd = (dyn.vector_field([0.4 + h]) - dyn.vector_field([0.4 - h])) / (2 * h)
    np.testing.assert_allclose(dyn.jacobian_at([0.4]), [fd], rtol=1e-7)  # (1, 1), as documented
    rm = gt.regime_map(
        classic.hawk_dove().dynamics("smith"), {"C": [3.0, 4.0]}, n=4, t_span=(0, 60), backend="numpy"
    )
    # Smith's rest point x = V / C sits on a kink: never certified, but every end state is near it
    assert float(rm.shares.sel(outcome="not certified").min()) == 1.0
    np.testing.assert_allclose(rm.near.sum("vertex").values, 1.0)


POSITIVE = gt.Game.from_table(
    {"row": ["A", "B"], "col": ["A", "B"]},
    {("A", "A"): (3, 3), ("A", "B"): (1, 1), ("B", "A"): (1, 1), ("B", "B"): (2, 2)},
)


@pytest.mark.parametrize(
    ("kind", "options", "certified"),
    [
        ("imitation", {}, True),  # tanh: bounded by interval arithmetic too
        ("smith", {}, True),  # at a strict equilibrium no [.]_+ argument vanishes: smooth there
        ("replicator_mutator", {"mutation": 0.05}, True),
        ("adjusted_replicator", {}, True),
        (
            "bnn",
            {},
            False,
        ),  # a kink at each strict equilibrium (zero Jacobian): slow approach, never certified
    ],
)
def test_every_dynamics_reaches_its_two_sinks(kind: str, options: dict, certified: bool) -> None:
    dyn = POSITIVE.dynamics(kind, **options)
    starts = [[0.9, 0.85], [0.1, 0.15]]
    rep = gt.attractors(dyn, starts=starts, t_span=(0, 3000))  # BNN: distance ~ 1 / (c t)
    assert [o.kind for o in rep.outcomes] == [AttractorKind.REST_POINT] * 2
    assert [o.certified for o in rep.outcomes] == [certified] * 2
    for o, x0 in zip(rep.outcomes, starts):
        assert np.max(np.abs(dyn.vector_field(o.point))) < 1e-9  # a rest point
        end = solve_ivp(lambda t, x: dyn.vector_field(np.clip(x, 0, 1)), (0, 6000), x0, method="DOP853",
                        rtol=1e-12, atol=1e-14).y[:, -1]  # fmt: skip
        assert np.max(np.abs(end - o.point)) < 1e-3  # BNN approaches algebraically (~1/t)
    if not certified:
        assert all("slower than exponential" in o.evidence for o in rep.outcomes)
