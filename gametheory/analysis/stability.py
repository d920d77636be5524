"""Stability of rest points: eigenvalues, classification, ESS, symbolic corner conditions, thresholds.

Theory
------
At a rest point :math:`x^*` the replicator dynamics are linearised with the
Jacobian in *reduced* coordinates (the shares of all strategies but the last of
each population), so there is no spurious eigenvalue transverse to the simplex.
With the eigenvalues :math:`\\lambda_1, \\dots, \\lambda_d` and a zero threshold
:math:`\\epsilon`, a rest point is

* a **sink** when every :math:`\\operatorname{Re}\\lambda < -\\epsilon` (asymptotically stable),
* a **source** when every :math:`\\operatorname{Re}\\lambda > \\epsilon`,
* a **saddle** when some are below :math:`-\\epsilon` and some above :math:`\\epsilon`
  (stable / unstable manifold dimensions are the counts),
* **non-hyperbolic** when some :math:`|\\operatorname{Re}\\lambda| \\le \\epsilon`:
  linearisation is inconclusive about asymptotic stability, and we say so
  (``decide_numerically=True`` simulates from perturbed starts, and says that
  it did).  If another eigenvalue has positive real part the point is still
  certainly unstable (Lyapunov's instability theorem), which is reported.

At a vertex (pure profile :math:`s`) the eigenvalues are exactly the payoff
differences :math:`f_{ij}(s) - f_{i s_i}(s)`, :math:`j \\ne s_i`; it is a sink
exactly when it is a *strict Nash equilibrium*.  In multi-population games
(Selten 1980, J. Theor. Biol. 84:93-101) an ESS is a strict Nash equilibrium,
hence pure, and (Ritzberger & Weibull 1995, Econometrica 63:1371-1399) the
asymptotically stable rest points of the replicator dynamics are exactly the
strict equilibria: no mixed rest point is an ESS or a sink.  With two strategies
per population the flow preserves volume in the coordinates
:math:`u_i = \\ln(x_i / (1 - x_i))`, so the Jacobian at an interior rest point has
zero trace.  :func:`analyze` checks all of this on every result and flags any
disagreement between the eigenvalue classification and the strict-Nash test.

Precision: every rest point known exactly (all vertices; mixed points found by
the exact solver, see :mod:`gametheory.analysis.equilibria`) gets its Jacobian from the
symbolic one with exact parameter values and its eigenvalues at 60 significant
digits (:func:`mpmath.eig`), and :math:`\\epsilon = 10^{-15}\\max(1, \\|J\\|_2)`:
zero eigenvalues, complex pairs and even defective (Jordan-block) eigenvalues
are classified correctly.  At a vertex the eigenvalues are the exact payoff differences,
classified by their exact signs (a difference of :math:`-10^{-124}` makes a sink, not a
zero eigenvalue).  Points known only numerically use double-precision
eigenvalues and :math:`\\epsilon = \\mathrm{tol}\\cdot\\max(1, \\|J\\|_2)`.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Mapping
from typing import Any

import numpy as np

from .._checks import as_dynamics, keywords_checked
from ..dynamics.base import Dynamics
from ..dynamics.replicator import ReplicatorDynamics
from ..errors import SpecificationError, suggest
from ..game import Game
from ..symmetric import is_symmetric_embedding
from .corners import corner_conditions
from .eigen import (
    EIGEN_DIGITS,
    EXACT_ZERO_TOLERANCE,
    _high_precision_eigenvalues,
    _jacobian_polynomials,
    _match_order,
)
from .equilibria import _exact_payoffs, exact_parameter_values, rest_points_at
from .ess import is_strict, vertex_deviation_gains
from .general import analyze_numerically, nash_stationary_report
from .restpoints import RestPoints
from .stability_report import _THEORY, Equilibrium, StabilityKind, StabilityReport, _classify, _is_nash_mixed
from .symmetric import analyze_symmetric

__all__ = ["analyze", "EIGEN_DIGITS", "EXACT_ZERO_TOLERANCE"]

#: Said of a two-population game with B = A^T (see :func:`gametheory.symmetric.is_symmetric_embedding`).
EMBEDDING_NOTE = (
    "This two-population game has B = A^T: it embeds a symmetric matrix game as two separate populations, "
    "and its stability is that of two populations (only strict Nash equilibria are ESS; no mixed rest point "
    "is asymptotically stable: the interior of good rock-paper-scissors, an ESS in one population, is a "
    "saddle here). Trajectories that start with both populations in the same state stay so and are those "
    "of one population; for the one-population stability, build the game with Game.symmetric(strategies, A)."
)


@keywords_checked
def analyze(
    model: Game | Dynamics,
    params: Mapping[str, Any] | None = None,
    *,
    tol: float = 1e-9,
    decide_numerically: bool = False,
    simulation_time: float | None = None,
    n_perturbations: int = 8,
    seed: int = 0,
    **rest_point_options: Any,
) -> StabilityReport:
    """Find every rest point, classify it, and decide which are ESS.

    Parameters
    ----------
    model
        A :class:`~gametheory.game.Game` (coerced to its replicator dynamics)
        or any :class:`~gametheory.dynamics.base.Dynamics`.  A dynamics without the
        replicator's theorems (``facts.sinks_are_strict_nash`` and
        ``facts.rest_points_equalize_payoffs``: logit, BNN, Smith...) is analysed
        numerically by :func:`~gametheory.analysis.general.analyze_numerically`
        (``n_starts``, ``seed`` and ``tol`` apply; not certified complete, no ESS).
    params
        Scalar parameter values (the game's defaults fill the rest).
    tol
        Relative zero threshold for eigenvalues of numerically found rest
        points, :math:`|\\operatorname{Re}\\lambda| \\le \\mathrm{tol}\\,\\max(1, \\|J\\|_2)`;
        exactly known points use 60-digit eigenvalues and
        :data:`EXACT_ZERO_TOLERANCE` instead (see module docstring).
    decide_numerically
        For non-hyperbolic rest points, integrate from ``n_perturbations``
        seeded starts at distance ``1e-3`` from the point, in random directions
        into the state space, over ``simulation_time`` (default
        :math:`\\max(200, 50 / \\min(1, r))` with :math:`r` the largest nonzero
        :math:`|\\operatorname{Re}\\lambda|`), and record in ``numerical_verdict``
        whether they approach (distance ratio < 0.1), leave (> 10) or stay near
        the point.  The linear classification itself is never changed.
    simulation_time, n_perturbations, seed
        Options of ``decide_numerically``.
    rest_point_options
        Passed to :func:`gametheory.analysis.equilibria.rest_points_at` (``method``,
        ``max_exact_solutions``, ``n_starts``...).

    Returns
    -------
    StabilityReport

    Raises
    ------
    AnalysisError
        For a dynamics with the replicator's rest-point theorems but without those of
        :func:`~gametheory.analysis.corners.corner_conditions`.

    Examples
    --------
    >>> from gametheory.models import crisis_governance
    >>> report = analyze(crisis_governance.game(), crisis_governance.OPTIMIZED)
    >>> [e.profile for e in report.ess], report.consistent
    ([('C', 'E', 'A')], True)
    """
    dyn = as_dynamics(model)
    game = dyn.game
    one_population = game.symmetric_payoffs is not None and isinstance(dyn, ReplicatorDynamics)
    if one_population or not (dyn.facts.sinks_are_strict_nash and dyn.facts.rest_points_equalize_payoffs):
        # no replicator theorems (logit, BNN, Smith...): rest points found numerically
        n_starts = rest_point_options.get("n_starts", 128)
        if one_population:  # the one-population theory: mixed ESS, exact on every face
            report = analyze_symmetric(dyn, params)
        elif dyn.facts.rest_points_are_nash:  # BNN, Smith: the game's Nash equilibria, exactly
            report = nash_stationary_report(dyn, analyze(dyn.game.replicator(), params), tol=tol)
        else:
            report = analyze_numerically(dyn, params, n_starts=n_starts, seed=seed, tol=tol)
        if not decide_numerically:
            return report
        decided = tuple(
            _decide(dyn, e, report.params, simulation_time, n_perturbations, seed)
            if e.kind is StabilityKind.NON_HYPERBOLIC
            else e
            for e in report.equilibria
        )
        return dataclasses.replace(report, equilibria=decided)
    # the parameters are resolved once, here; everything below uses these values
    exact_params = exact_parameter_values(dyn, params)
    float_params = {name: float(v) for name, v in exact_params.items()}
    pvec = np.array(list(float_params.values()), dtype=float)
    options = inspect.signature(rest_points_at).parameters
    unknown = [k for k in rest_point_options if k not in options or k in ("dyn", "exact_params")]
    if unknown:
        known = [*inspect.signature(analyze).parameters, *options]
        raise SpecificationError(
            f"analyze(): got an unexpected keyword argument {unknown[0]!r}{suggest(unknown[0], known)}"
        )
    rps: RestPoints = rest_points_at(dyn, exact_params, **rest_point_options)
    payoff_f = dyn.compiled("payoffs")
    table = corner_conditions(dyn)
    exact_payoffs, _ = _exact_payoffs(game, exact_params)
    equilibria = []
    notes = [f"Rest points: {rps.method}."]
    notes.extend(rps.notes)
    consistent = True
    two_strategy = all(pop.size == 2 for pop in game.populations)
    rounded = any("was rounded to" in n for n in rps.notes)  # irrational payoff constants
    jac_polys = None
    for rp in rps:
        x = rp.point
        if rp.digits is not None:
            if jac_polys is None:
                jac_polys = _jacobian_polynomials(dyn, exact_params)
            eig, norm = _high_precision_eigenvalues(jac_polys, rp.digits)
            eps = EXACT_ZERO_TOLERANCE * max(1.0, norm)
            # at 60 digits, parts below eps are zero to ~45 digits: store them as exact zeros
            eig = np.where(np.abs(eig.real) <= eps, 0.0, eig.real) + 1j * np.where(
                np.abs(eig.imag) <= eps, 0.0, eig.imag
            )
            precision = "rounded" if rounded else "exact"
        else:
            J = dyn.jacobian_at(x, float_params)
            eig = np.linalg.eigvals(J)
            norm = float(np.linalg.norm(J, 2))
            eps = tol * max(1.0, norm)
            precision = "double"
        flags = []
        pay = np.asarray(payoff_f(x[:, None], pvec[:, None])[:, 0], dtype=float)
        deviations = diffs = sym_eigs = conds = None
        if rp.is_vertex:
            deviations, diff_exact = vertex_deviation_gains(game, exact_payoffs, rp.profile)
            diffs = np.array([float(v) for v in diff_exact])
            is_ess = is_strict(diff_exact)
            is_nash = all(v <= 0 for v in diff_exact)
            eig, mismatch = _match_order(eig.astype(complex), diffs.astype(complex))
            if mismatch > 1e-9 * max(1.0, norm):
                flags.append(
                    f"the Jacobian eigenvalues differ from the payoff differences by {mismatch:.3g} "
                    "(they must be equal at a vertex)"
                )
            entry = table[rp.profile]
            sym_eigs, conds = entry.eigenvalues, entry.conditions
            if precision == "exact":
                # the eigenvalues ARE the exact payoff differences: show them, classify by their exact signs
                # (a difference of 1e-124 is negative, not a zero below the tolerance)
                eig = diffs.astype(complex)
        else:
            eig = eig.astype(complex)
            eig = eig[np.lexsort((-eig.imag, -eig.real))]
            is_ess = False
            is_nash = _is_nash_mixed(game, rp.support, pay, eps)
        if rp.is_vertex and precision == "exact":
            signs = np.array([1.0 if v > 0 else -1.0 if v < 0 else 0.0 for v in diff_exact])
            kind, n_s, n_u, n_c = _classify(signs, 0.5)
        else:
            kind, n_s, n_u, n_c = _classify(eig, eps)
        if kind is StabilityKind.SINK and not is_ess:
            flags.append(
                "classified as a sink but it is not a strict Nash equilibrium: this contradicts "
                "Ritzberger & Weibull (1995); likely a numerical problem"
            )
        if is_ess and kind is not StabilityKind.SINK:
            flags.append(
                f"a strict Nash equilibrium but the eigenvalues classify it as {kind.value}: this "
                "contradicts Ritzberger & Weibull (1995); likely a numerical problem"
            )
        if two_strategy and rp.location == "interior":
            trace = float(np.sum(eig.real))
            if abs(trace) > max(eps, 1e-9 * max(1.0, norm)) * len(eig):
                flags.append(
                    f"interior rest point with Jacobian trace {trace:.3g}, expected 0 (volume preservation)"
                )
        if flags:
            consistent = False
        equilibria.append(
            Equilibrium(
                point=x,
                eigenvalues=eig,
                kind=kind,
                is_ess=is_ess,
                is_nash=is_nash,
                support=rp.support,
                profile=rp.profile,
                exact=rp.exact,
                stable_dimension=n_s,
                unstable_dimension=n_u,
                center_dimension=n_c,
                zero_tolerance=eps,
                precision=precision,
                deviations=deviations,
                payoff_differences=diffs,
                symbolic_eigenvalues=sym_eigs,
                conditions=conds,
                disagreement="; ".join(flags) if flags else None,
            )
        )
    if decide_numerically:
        equilibria = [
            _decide(dyn, e, float_params, simulation_time, n_perturbations, seed)
            if e.kind is StabilityKind.NON_HYPERBOLIC
            else e
            for e in equilibria
        ]
    notes.append(_THEORY)
    if is_symmetric_embedding(game):
        notes.append(EMBEDDING_NOTE)
    if two_strategy:
        notes.append(
            "Two strategies per population: in u = ln(x/(1-x)) the flow preserves volume, so interior "
            "rest points have zero Jacobian trace and are never attractors (checked)."
        )
    if rps.continua:
        notes.append(
            "Continua of rest points: every point of them has a zero eigenvalue along the set; "
            "linearisation cannot decide their stability (Ritzberger & Weibull 1995: asymptotically "
            "stable sets are faces closed under weakly better replies)."
        )
    return StabilityReport(
        game=game,
        params=dict(rps.params),
        equilibria=tuple(equilibria),
        continua=rps.continua,
        complete=rps.complete,
        consistent=consistent,
        notes=tuple(notes),
    )


def _decide(
    dyn: Dynamics,
    e: Equilibrium,
    params: Mapping[str, float],
    simulation_time: float | None,
    n: int,
    seed: int,
) -> Equilibrium:
    """Simulate from perturbed starts around a non-hyperbolic rest point and record what happens."""
    import dataclasses

    rng = np.random.default_rng(seed)
    radius = 1e-3
    scale = max((abs(v.real) for v in e.eigenvalues if abs(v.real) > e.zero_tolerance), default=1.0)
    t_end = simulation_time if simulation_time is not None else max(200.0, 50.0 / min(scale, 1.0))
    start_d, end_d = [], []
    sizes = [pop.size for pop in dyn.game.populations]
    for _ in range(n):
        q = np.concatenate([rng.dirichlet(np.ones(k))[:-1] for k in sizes])
        direction = q - e.point
        x0 = e.point + radius * direction / max(np.linalg.norm(direction), 1e-12)
        x0 = np.clip(x0, 0.0, 1.0)
        traj = dyn.simulate(x0, (0.0, t_end), params, rtol=1e-10, atol=1e-12, raise_on_failure=False)
        start_d.append(float(np.linalg.norm(x0 - e.point)))
        end_d.append(float(np.linalg.norm(traj.final - e.point)))
    ratios = np.array(end_d) / np.array(start_d)
    if np.all(ratios < 0.1):
        verdict = f"attracting: all {n} perturbed starts approached it (distance ratio <= {ratios.max():.2g})"
    elif np.all(ratios > 10):
        verdict = f"repelling: all {n} perturbed starts left it (distance ratio >= {ratios.min():.3g})"
    elif np.all((ratios >= 0.1) & (ratios <= 10)):
        verdict = f"neutral: all {n} perturbed starts stayed at a comparable distance over t = {t_end:g}"
    else:
        verdict = (
            f"unstable: {int(np.sum(ratios > 10))} of {n} perturbed starts left it, "
            f"{int(np.sum(ratios < 0.1))} approached"
        )
    return dataclasses.replace(e, numerical_verdict=verdict)
