r"""Stability analysis for any dynamics: rest points found numerically, classified by the Jacobian.

The exact machinery of :func:`~gametheory.analysis.stability.analyze` rests on
theorems of the replicator dynamics (rest points equalize payoffs on their
support, sinks are strict Nash equilibria).  Other dynamics (logit, BNN,
Smith, replicator-mutator...) lack them, so :func:`analyze_numerically` finds
their rest points with no theorem at all:

1. Newton's method (``scipy.optimize.root``, ``hybr``, with the exact Jacobian)
   on :math:`F(x) = 0` from every vertex and from ``n_starts`` seeded interior
   points (Dirichlet-distributed shares);
2. a solution is kept when :math:`\|F(x)\|_\infty \le 10^{-10} \max(1, s)`
   (``s`` the largest absolute payoff at the parameters) and ``x`` lies in the
   state space (shares :math:`\ge -10^{-9}`, then clipped); solutions closer
   than :math:`10^{-6}` are merged, and a share within :math:`10^{-6}` of 0 or 1 is set
   to it when the residual stays below the threshold;
3. each is classified from the eigenvalues of the exact Jacobian evaluated in
   double precision, with the zero threshold of ``analyze`` (``tol``), and
   marked Nash or not from the expected payoffs at the point.

A system typed in from its equations (``form="general"``, no payoffs:
``dyn.expected_payoffs is None``) has no payoff scale: ``s`` is then the largest
absolute entry of the Jacobian at the vertices (for the replicator dynamics those
are payoff differences), and the Nash status is unknown (``is_nash`` is ``None``).

The enumeration is not certified complete (``complete=False``) and ESS are not
reported (an ESS is a property of the game; see ``analyze`` with the replicator
dynamics).  At a kink of a piecewise dynamics (BNN, Smith: a :math:`[\cdot]_+` term
vanishes) the field is not differentiable: such rest points carry a ``disagreement``
saying that their eigenvalues do not decide stability (and the report is marked
not ``consistent``).

Examples
--------
>>> from gametheory.models import classic
>>> report = analyze_numerically(classic.matching_pennies_3().replicator(), n_starts=16)
>>> report.complete, len(report.equilibria) >= 9
(False, True)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy
from scipy.optimize import root

from .._checks import as_dynamics, check_count, keywords_checked
from ..codegen import compile_expressions
from .restpoints import state_support
from .stability_report import Equilibrium, StabilityReport, _classify, _is_nash_mixed

__all__ = ["analyze_numerically", "nash_stationary_report"]

#: Residual threshold of an accepted rest point, relative to the payoff scale.
RESIDUAL = 1e-10
#: Distance below which two rest points are one, and a share is tried at the boundary it is near
#: (Newton converges only linearly at the kinks of BNN and Smith).
MERGE = 1e-6


@keywords_checked
def analyze_numerically(
    model: Any,
    params: Mapping[str, Any] | None = None,
    *,
    n_starts: int = 128,
    seed: int = 0,
    tol: float = 1e-8,
) -> StabilityReport:
    """Rest points of any dynamics by multi-start Newton, classified by their Jacobian eigenvalues.

    See the module docstring for the method and its guarantees (none of completeness).

    Examples
    --------
    >>> from gametheory.models import classic
    >>> report = analyze_numerically(classic.matching_pennies_3().replicator(), n_starts=16)
    >>> [e.kind.value for e in report.equilibria if e.support == (("H", "T"),) * 3]
    ['saddle']
    """
    dyn = as_dynamics(model)
    n_starts = check_count(n_starts, name="n_starts")
    p = dyn.parameter_vector(params)
    values = dict(zip(dyn.game.parameter_names, map(float, p)))
    d = dyn.dimension
    scale = _scale(dyn, p)
    f = dyn.compiled("rhs")
    jac = dyn.compiled("jac")
    rng = np.random.default_rng(seed)
    starts = [x for _, x in dyn.vertices()]
    starts += [np.concatenate([rng.dirichlet(np.ones(pop.size))[:-1] for pop in dyn.game.populations])
               for _ in range(n_starts)]  # fmt: skip
    found: list[np.ndarray] = []
    for x0 in starts:
        with np.errstate(all="ignore"):
            sol = root(
                lambda x: f(x[:, None], p[:, None])[:, 0],
                x0,
                jac=lambda x: jac(x[:, None], p[:, None])[..., 0].reshape(d, d),  # (1,) for d = 1
                method="hybr",
            )
        x = np.asarray(sol.x, dtype=float)
        if not np.all(np.isfinite(x)) or not _inside(dyn, x):
            continue
        x = _clip(dyn, x)
        residual = float(np.max(np.abs(f(x[:, None], p[:, None])[:, 0]))) if d else 0.0
        snapped = np.where(np.abs(x) < MERGE, 0.0, np.where(np.abs(x - 1) < MERGE, 1.0, x))
        if d and not np.array_equal(snapped, x) and _inside(dyn, snapped, 0.0):
            r_snapped = float(np.max(np.abs(f(snapped[:, None], p[:, None])[:, 0])))
            if r_snapped <= max(residual, RESIDUAL * scale):
                x, residual = snapped, r_snapped
        if residual > RESIDUAL * scale:
            continue
        if all(np.max(np.abs(x - y)) > MERGE for y in found):
            found.append(x)
    found.sort(key=lambda v: (-int(np.all(np.isin(v, (0.0, 1.0)))), tuple(v)))
    equilibria = _classified(dyn, found, [None] * len(found), p, scale, tol)
    payoffs = dyn.expected_payoffs is not None
    notes = (
        f"Rest points: numerical (Newton from the {len(dyn.vertices())} vertices and {n_starts} seeded "
        f"interior starts, residual <= {RESIDUAL:g} x {'payoff' if payoffs else 'rate'} scale); the "
        "enumeration is not certified complete.",
        f"{dyn.described()} does "
        "not have the replicator's theorems: no ESS verdicts; 'Nash' marks "
        "rest points where no strategy outside the support earns more than those in it."
        if payoffs
        else f"{type(dyn).__name__}: a system typed in from its equations, with no payoffs: Nash status "
        "unknown (is_nash None), no ESS verdicts, no game-theoretic theorems; stability from the Jacobian.",
    )
    return StabilityReport(
        game=dyn.game,
        params=values,
        equilibria=tuple(equilibria),
        continua=(),
        complete=False,
        consistent=not any(e.disagreement for e in equilibria),
        notes=notes,
    )


def nash_stationary_report(dyn: Any, exact: StabilityReport, tol: float = 1e-8) -> StabilityReport:
    """Rest points of a dynamics whose rest points are the Nash equilibria (BNN, Smith), enumerated exactly.

    Nash stationarity (``facts.rest_points_are_nash``) makes the rest points of ``dyn``
    exactly the game's Nash equilibria, which ``exact`` (the exact replicator analysis at
    the same parameters) enumerates, marked Nash.  When that enumeration is complete and
    has no continua, so is this one, with exact coordinates; each point is classified by
    the eigenvalues of ``dyn``'s own Jacobian (flagged at a kink).  Otherwise the numerical
    search of :func:`analyze_numerically` is used.  ``gametheory.analyze`` calls it.

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> report = gt.analyze(classic.matching_pennies_3().dynamics("smith"))
    >>> report.complete, [e.label for e in report.equilibria]
    (True, ['(1/2, 1/2, 1/2)'])
    """
    dyn.facts.require("rest_points_are_nash", dyn, "nash_stationary_report")
    if exact.continua or not exact.complete:
        return analyze_numerically(dyn, dict(exact.params), tol=tol)
    p = dyn.parameter_vector(dict(exact.params))
    scale = max(1.0, float(np.max(np.abs(_payoffs_at_vertices(dyn, p)))))
    nash = [e for e in exact.equilibria if e.is_nash]
    equilibria = _classified(dyn, [e.point for e in nash], [e.exact for e in nash], p, scale, tol)
    notes = (
        "Rest points: the Nash equilibria of the game (Nash stationarity of "
        f"{type(dyn).__name__}: Sandholm 2010), enumerated exactly by the replicator analysis; complete.",
        f"{type(dyn).__name__} does not have the replicator's stability theorems: no ESS verdicts; each "
        "point is classified by this dynamics' Jacobian.",
    )
    return StabilityReport(
        game=dyn.game,
        params=dict(exact.params),
        equilibria=tuple(equilibria),
        continua=(),
        complete=True,
        consistent=not any(e.disagreement for e in equilibria),
        notes=notes,
    )


def _classified(
    dyn: Any, points: list[np.ndarray], exact: list[Any], p: np.ndarray, scale: float, tol: float
) -> list[Equilibrium]:
    """Equilibrium records of ``points``: Jacobian eigenvalues, kind, Nash flag, kinks flagged."""
    values = dict(zip(dyn.game.parameter_names, map(float, p)))
    pay = dyn.compiled("payoffs") if dyn.expected_payoffs is not None else None
    strategies = [pop.strategies for pop in dyn.game.populations]
    # the arguments of the step functions in the Jacobian: where one vanishes, the field has a kink
    kinks = sorted({h.args[0] for h in dyn.jacobian().atoms(sympy.Heaviside)}, key=sympy.default_sort_key)
    kink_f = compile_expressions("kinks", kinks, dyn.states, dyn.parameters) if kinks else None
    equilibria = []
    for x, x_exact in zip(points, exact):
        J = dyn.jacobian_at(x, values)
        eig = np.linalg.eigvals(J).astype(complex)
        eig = eig[np.lexsort((-eig.imag, -eig.real))]
        norm = float(np.linalg.norm(J, 2))
        eps = tol * max(1.0, norm)
        kind, n_s, n_u, n_c = _classify(eig, eps)
        support = state_support(strategies, x)
        is_vertex = all(len(s) == 1 for s in support)
        at_kink = kink_f is not None and bool(
            np.any(np.abs(np.asarray(kink_f(x[:, None], p[:, None]))[:, 0]) <= MERGE * scale)
        )
        equilibria.append(
            Equilibrium(
                point=x,
                eigenvalues=eig,
                kind=kind,
                is_ess=False,
                is_nash=None
                if pay is None
                else _is_nash_mixed(
                    dyn.game, support, np.asarray(pay(x[:, None], p[:, None])[:, 0], float), eps * scale
                ),
                support=support,
                profile=tuple(s[0] for s in support) if is_vertex else None,
                exact=x_exact,
                stable_dimension=n_s,
                unstable_dimension=n_u,
                center_dimension=n_c,
                zero_tolerance=eps,
                precision="double",
                deviations=None,
                payoff_differences=None,
                symbolic_eigenvalues=None,
                conditions=None,
                disagreement=(
                    "at a kink of the dynamics (a [.]_+ term vanishes here): the field is not "
                    "differentiable, so these eigenvalues do not decide its stability"
                    if at_kink
                    else None
                ),
            )
        )
    return equilibria


def _scale(dyn: Any, p: np.ndarray) -> float:
    """``max(1, largest |payoff| at the vertices)``; without payoffs ``max(1, largest |J| entry there)``."""
    if dyn.expected_payoffs is not None:
        return max(1.0, float(np.max(np.abs(_payoffs_at_vertices(dyn, p)))))
    xs = np.array([x for _, x in dyn.vertices()]).T
    with np.errstate(all="ignore"):
        J = np.asarray(dyn.compiled("jac")(xs, np.repeat(p[:, None], xs.shape[1], axis=1)), dtype=float)
    finite = np.abs(J[np.isfinite(J)])
    return max(1.0, float(finite.max())) if finite.size else 1.0


def _payoffs_at_vertices(dyn: Any, p: np.ndarray) -> np.ndarray:
    pay = dyn.compiled("payoffs")
    xs = np.array([x for _, x in dyn.vertices()]).T
    return np.asarray(pay(xs, np.repeat(p[:, None], xs.shape[1], axis=1)), dtype=float)


def _inside(dyn: Any, x: np.ndarray, slack: float = 1e-9) -> bool:
    return all(np.all(x[sl] >= -slack) and x[sl].sum() <= 1 + slack for sl in dyn.population_slices())


def _clip(dyn: Any, x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    for sl in dyn.population_slices():
        total = x[sl].sum()
        if total > 1.0:
            x[sl] = x[sl] / total
    return x
