"""The flagship in finite populations (issue 12, item 6): the numbers paper_figures/README.md states,
checked against an independent computation written here (closed-form fixation probabilities and a
dense high-precision solve of the embedded chain), and the new result and drawing functions."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import itertools  # noqa: E402

import mpmath  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import gametheory as gt  # noqa: E402
import gametheory.plot  # noqa: E402, F401
from gametheory import figures  # noqa: E402
from gametheory.errors import SpecificationError  # noqa: E402
from gametheory.figures_finite import KEY_TRANSITIONS, build_finite, finite_manifest, finite_process  # noqa: E402
from gametheory.models import classic  # noqa: E402
from gametheory.models import crisis_governance as cg  # noqa: E402

DIGITS = 400  # enough digits that 1e-173 next to 1 survives every sum (a local context: never global)


@pytest.fixture(autouse=True)
def _high_precision():
    """Every test here computes at DIGITS digits (1 - p for p within 1e-130 of 1), restored afterwards."""
    with mpmath.workdps(DIGITS):
        yield


def advantage(profile, i, params):
    """Payoff of population i's strategy in ``profile`` minus its other strategy's, partners fixed."""
    game = cg.game()
    pop = game.populations[i]
    other = list(profile)
    other[i] = pop.strategies[1 - pop.strategies.index(profile[i])]
    mine = float(game.payoff(tuple(profile), pop.name).subs(params))
    theirs = float(game.payoff(tuple(other), pop.name).subs(params))
    return mine - theirs


def rho(resident, mutant, params, z, beta):
    """Fermi process, monomorphic partners: T-/T+ = exp(-beta*Delta), so rho = 1 / sum_k exp(-beta*Delta*k)."""
    i = next(k for k in range(3) if resident[k] != mutant[k])
    with mpmath.workdps(DIGITS):
        d = mpmath.mpf(advantage(mutant, i, params)) * beta
        return 1 / mpmath.fsum(mpmath.exp(-d * k) for k in range(z))


def stationary(params, z, beta):
    """Dense embedded chain P_ss' = rho/3 over the 8 corners, solved in mpmath (no GTH, no logs)."""
    with mpmath.workdps(DIGITS):
        states = list(itertools.product("CB", "EP", "AI"))
        m = len(states)
        P = mpmath.zeros(m, m)
        for a, s in enumerate(states):
            for b, t in enumerate(states):
                if sum(x != y for x, y in zip(s, t)) == 1:
                    P[a, b] = rho(s, t, params, z, beta) / 3
            P[a, a] = 1 - mpmath.fsum(P[a, b] for b in range(m) if b != a)
        A = (P - mpmath.eye(m)).T
        for c in range(m):
            A[m - 1, c] = 1
        rhs = mpmath.zeros(m, 1)
        rhs[m - 1] = 1
        return {"(" + ", ".join(s) + ")": x for s, x in zip(states, mpmath.lu_solve(A, rhs))}


def test_manifest_appends_the_finite_artifacts():
    """The finite-population artifacts come right after the variants (issue 12), before later extensions."""
    names = [a.name for a in figures.manifest()]
    new = [row[0] for row in finite_manifest()]
    start = names.index(new[0])
    assert names[start : start + len(new)] == new and len(names) == len(set(names))
    variants = [row[0] for row in figures.variant_manifest()]
    assert names[start - len(variants) : start] == variants


@pytest.mark.parametrize("label, params", [("STATUS_QUO", cg.STATUS_QUO), ("OPTIMIZED", cg.OPTIMIZED)])
@pytest.mark.parametrize("beta", [0.01, 0.1, 1.0])
def test_stationary_distribution_matches_the_dense_chain(label, params, beta):
    sd = finite_process(params, beta=beta).stationary_distribution()
    hand = stationary(params, 100, beta)
    for state, p in zip(sd.labels, sd.probabilities):
        # relative 1e-9: the package works in log space in double precision over a few dozen terms
        assert float(p) == pytest.approx(float(hand[state]), rel=1e-9, abs=1e-300), state


def test_readme_numbers():
    # paper_figures/README.md, "The flagship in finite populations"
    sq, op = stationary(cg.STATUS_QUO, 100, 1.0), stationary(cg.OPTIMIZED, 100, 1.0)
    assert float(1 - sq["(B, P, I)"]) == pytest.approx(1.0e-43, rel=0.05)
    assert float(sq["(B, P, A)"]) == pytest.approx(1.0e-43, rel=0.05)
    assert float(1 - op["(C, E, A)"]) == pytest.approx(3.0e-129, rel=0.05)
    low_sq, low_op = stationary(cg.STATUS_QUO, 100, 0.01), stationary(cg.OPTIMIZED, 100, 0.01)
    assert [round(float(low_sq[s]), 3) for s in ("(B, P, I)", "(B, P, A)", "(C, P, I)", "(C, E, A)")] == [
        0.567, 0.200, 0.101, 0.033,
    ]  # fmt: skip
    assert round(float(low_op["(C, E, A)"]), 3) == 0.824
    assert round(float(low_op["(B, P, I)"]), 3) == 0.051
    mid_sq, mid_op = stationary(cg.STATUS_QUO, 100, 0.1), stationary(cg.OPTIMIZED, 100, 0.1)
    assert float(1 - mid_sq["(B, P, I)"]) == pytest.approx(5.1e-5, rel=0.02)
    assert float(1 - mid_op["(C, E, A)"]) == pytest.approx(4.4e-13, rel=0.02)
    assert round(float(stationary(cg.STATUS_QUO, 100, 0.03)["(B, P, I)"]), 3) == 0.936
    assert round(float(stationary(cg.OPTIMIZED, 100, 0.03)["(C, E, A)"]), 3) == 0.999
    assert round(float(stationary(cg.STATUS_QUO, 10, 0.1)["(B, P, I)"]), 3) == 0.532
    gaps = {
        abs(advantage(s, i, p)) for p in (cg.STATUS_QUO, cg.OPTIMIZED)
        for s in itertools.product("CB", "EP", "AI") for i in range(3)
    }  # fmt: skip
    assert min(gaps) == pytest.approx(0.5) and max(gaps) == pytest.approx(12.0)
    # the key transitions at Z = 100, beta = 1
    assert float(rho(("B", "P", "I"), ("C", "P", "I"), cg.OPTIMIZED, 100, 1.0)) == pytest.approx(
        1 - np.exp(-2)
    )
    assert float(rho(("B", "P", "I"), ("C", "P", "I"), cg.STATUS_QUO, 100, 1.0)) == pytest.approx(
        4.83e-61, rel=1e-3
    )
    assert float(rho(("C", "E", "A"), ("B", "E", "A"), cg.STATUS_QUO, 100, 1.0)) == pytest.approx(
        0.7275, abs=1e-4
    )
    assert float(rho(("C", "E", "A"), ("B", "E", "A"), cg.OPTIMIZED, 100, 1.0)) == pytest.approx(
        2.5e-138, rel=0.01
    )


@pytest.mark.parametrize("params", [cg.STATUS_QUO, cg.OPTIMIZED])
def test_fixation_curve_matches_the_closed_form(params):
    pairs = [(r, m) for r, m, _ in KEY_TRANSITIONS]
    base = finite_process(params)
    fc = gt.fixation_curve(base, pairs, sizes=[2, 7, 30, 100])
    for k, (r, m) in enumerate(pairs):
        for t, z in enumerate([2, 7, 30, 100]):
            # 1e-9 relative in log space: double-precision sums of at most 100 terms
            expected = float(mpmath.log(rho(r, m, params, z, 1.0)))
            assert fc.log_probabilities[k, t] == pytest.approx(expected, rel=1e-9, abs=1e-9)
        assert fc.neutral[k].tolist() == [0.5, 1 / 7, 1 / 30, 0.01]
    fb = gt.fixation_curve(base, pairs[0], intensities=[0.0, 0.5])
    assert fb.variable == "beta" and fb.probabilities[0, 0] == pytest.approx(0.01)


def test_stationary_curve_over_sizes_matches_single_processes():
    base = gt.pairwise_comparison(classic.hawk_dove(), 10, beta=0.5)
    st = gt.stationary_curve(base, sizes=[3, 8])
    for row, z in zip(st.probabilities, [3, 8]):
        direct = gt.pairwise_comparison(classic.hawk_dove(), z, beta=0.5).stationary_distribution()
        assert row.tolist() == direct.probabilities.tolist()
    assert st.intensity_name == "Z"


def test_bad_grids_are_refused():
    base = gt.pairwise_comparison(classic.hawk_dove(), 10)
    with pytest.raises(SpecificationError, match="exactly one grid"):
        gt.fixation_curve(base, ("H", "D"))
    with pytest.raises(SpecificationError, match="integer >= 2"):
        gt.fixation_curve(base, ("H", "D"), sizes=[1, 5])
    with pytest.raises(SpecificationError, match="FiniteProcess"):
        gt.stationary_curve(classic.hawk_dove(), sizes=[5])
    with pytest.raises(SpecificationError, match="transitions"):
        gt.fixation_curve(base, [], sizes=[5])
    sd = base.stationary_distribution()
    with pytest.raises(SpecificationError, match="2 or 3 populations"):
        gt.plot.stationary_cube(sd)


def test_result_is_immutable_and_draws():
    fc = gt.fixation_curve(gt.moran(classic.hawk_dove(), 10, w=0.0), ("H", "D"), sizes=[5, 10])
    with pytest.raises(ValueError):
        fc.log_probabilities[0, 0] = 1.0
    assert "x neutral" in fc.summary() and len(fc.to_frame()) == 2
    assert fc.plot().get_ylabel().startswith("fixation")


@pytest.mark.parametrize("name", [row[0] for row in finite_manifest()])
def test_each_artifact_builds(name):
    built = build_finite(name, small=True)
    if isinstance(built, dict):
        assert "(B, P, I) → (C, P, I)" in built[".md"] and "\\end{tabular}" in built[".tex"]
    else:
        assert len(built.axes) >= 4
        import matplotlib.pyplot as plt

        plt.close(built)
