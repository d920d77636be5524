"""All rest points of the replicator dynamics: vertices, edges, faces, interior, and continua.

Method
------
A state :math:`x` is a rest point of :math:`\\dot x_{ij} = x_{ij}(f_{ij}(x) - \\bar f_i(x))`
exactly when, in every population, all strategies with positive share earn the
same expected payoff.  So the rest points are found *support by support*: for
every choice of a non-empty support :math:`S_i` per population (there are
:math:`\\prod_i (2^{k_i} - 1)` choices; 27 for three 2-strategy populations),
the shares off the support are zero, the shares on it are positive and sum to
one, and

.. math::  f_{ij}(x) - f_{i r_i}(x) = 0 \\qquad j \\in S_i \\setminus \\{r_i\\},

with :math:`r_i` the last strategy of :math:`S_i`.  This is a square polynomial
system (multilinear: :math:`f_{ij}` does not depend on population ``i``'s own
shares) in :math:`m = \\sum_i (|S_i| - 1)` unknowns.

Exact solution (the default for small systems).  Parameter values are turned
into exact rationals (their shortest decimal representation: ``0.1`` is
:math:`1/10`), the payoffs evaluated exactly, and the system solved over
:math:`\\mathbb{Q}`:

1. a Groebner basis (grevlex) decides whether there is no complex solution
   (basis ``[1]``), finitely many (zero-dimensional ideal), or a
   positive-dimensional set;
2. zero-dimensional: the basis is converted to lex order (FGLM).  In shape
   position (:math:`x_k = g_k(x_m)`, :math:`p(x_m) = 0`) :math:`p` is factored
   over :math:`\\mathbb{Q}`.  The real roots of a factor of degree 1, or of
   higher degree with coefficients of at most 256 bits
   (``_MAX_EXACT_ROOT_BITS`` in :mod:`~gametheory.analysis.algebra`), are
   isolated exactly, and those rest points have an exact algebraic expression
   (``RestPoint.exact``).  The roots of a factor with larger coefficients
   (e.g. parameters like ``1e-168`` as exact rationals) are computed
   numerically to 50 significant digits (:func:`mpmath.polyroots`), as is a
   triangular lex basis not in shape position (solved variable by variable);
   those points have ``exact=None`` but ``digits`` to 50 places and stay
   ``certified`` (the support system was solved completely, only the roots
   are numeric);
3. positive-dimensional: :func:`sympy.solve` decomposes the solution set into
   parametrised components; isolated components are rest points, the others
   are reported as :class:`RestPointSet` (a continuum), with the exact range of
   the free coordinate for one-dimensional sets and a sampled description
   otherwise.  An arbitrary point of a continuum is never reported as a rest point.

Shortcuts (:mod:`gametheory.analysis.shortcuts`), same answers: a face on which some
population has a strategy of its support weakly dominated (strictly somewhere) by another
holds no rest point inside it and is skipped (an exact sign test on the payoffs; not with
``method="numeric"`` nor once the work budget is used up; a support skipped this way is
proven empty, so it does not make the result incomplete); a system whose equations all have degree one (every face of a
two-population game) is solved by exact Gauss-Jordan elimination instead of a Groebner basis.

Only real solutions with every support share strictly positive are kept.
For a game with 2 strategies per population this enumerates every rest point:
the answer is certified complete (``RestPoints.complete``).

Numeric fallback.  The number of isolated complex solutions of a support
system is at most its multi-homogeneous Bezout number (:func:`bezout_bound`;
2 for the interior of a 2x2x2 game, 10 for 3x3x3, 44 for 2x2x2x2x2, the
McKelvey-McLennan bounds).  Above ``max_exact_solutions`` (default 12) sympy's
Groebner bases become slow (minutes), so those supports are solved by
multi-start Newton (``scipy.optimize.root`` from seeded random starts in the
face, then Newton polishing and de-duplication).  Such points carry
``certified=False`` and the result ``complete=False``: a numeric search can
miss rest points.

Work budget.  One call may spend :data:`WORK_BUDGET_SECONDS` (the
``work_budget`` option) on the enumeration; the exact solves that would start
after it are done by the numeric search instead, and after twice the budget the
remaining supports are not solved at all.  Either way the result is
``complete=False`` and a note names the supports concerned (a game with three
4-strategy populations has 3,375 supports; their Groebner bases take minutes).
The budget is checked between supports.

Irrational constants.  A payoff such as ``exp(-r)`` or ``sqrt(2)`` is rounded
to a rational with :data:`ROUND_DIGITS` significant digits for the solve
(noted in the result); the mixed rest points of such a game have no exact
expression (``exact=None``) but their ``digits`` and eigenvalues are accurate
to about that precision.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import time
from collections.abc import Mapping
from typing import Any

import mpmath
import numpy as np
import sympy

from .._checks import as_dynamics, check_flag, keywords_checked
from ..dynamics.base import Dynamics
from ..errors import AnalysisError, ParameterError
from ..game import Game
from ..progress import progress_reporter
from . import shortcuts
from .algebra import (
    _DIGITS,
    _POSITIVE,
    _components,
    _exact_positive,
    _is_zero_dimensional,
    _numeric_support,
    _solve_zero_dimensional,
    _support_names,
    _SupportSystem,
    bezout_bound,
    support_patterns,
)
from .continua import _continuum, _numeric_continuum
from .restpoints import RestPoint, RestPoints, RestPointSet
from .shortcuts import dominated_on_face, linear_solution, precision_context, rational_payoffs

__all__ = ["rest_points", "rest_points_at", "exact_parameter_values", "WORK_BUDGET_SECONDS"]

from ..limits import WORK_BUDGET_SECONDS  # noqa: E402  (resource limits live in one place)

#: Significant digits to which an irrational payoff value (``exp(-1)``, ``sqrt(2)``) is rounded
#: to a rational for the exact solve.
ROUND_DIGITS = 40

_CACHE: dict[tuple[Any, ...], RestPoints] = {}
_CACHE_SIZE = 256


# ---------------------------------------------------------- exact numbers
def _rational(value: float) -> sympy.Rational:
    """The exact rational of a float's shortest decimal representation (``0.1`` -> ``1/10``)."""
    return sympy.Rational(repr(float(value)))


def exact_parameter_values(dyn: Dynamics, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validated scalar parameter values as exact rationals (shortest decimal of each float).

    The one resolution of ``params`` for exact analysis: defaults fill the
    rest, unknown or missing names raise :class:`~gametheory.errors.ParameterError`.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> dyn = classic.matching_pennies_3().replicator()
    >>> exact_parameter_values(dyn, None)
    {'a': 1}
    >>> from gametheory.models import crisis_governance
    >>> dyn = crisis_governance.game().replicator()
    >>> exact_parameter_values(dyn, {"F_g": 0.1})["F_g"]
    1/10
    """
    return dyn.exact_parameter_values(params)  # the one resolution, in the Dynamics


def _exact_payoffs(game: Game, exact: Mapping[str, sympy.Rational]) -> tuple[list[np.ndarray], list[str]]:
    """Payoff arrays (object arrays of sympy Rationals) per population, and notes on rounding."""
    subs = {p.symbol: exact[p.name] for p in game.parameters}
    notes = []
    arrays = []
    for i in range(game.n_populations):
        arr = game.payoff_array(i)
        out = np.empty(game.strategy_counts, dtype=object)
        for idx in itertools.product(*(range(k) for k in game.strategy_counts)):
            value = sympy.sympify(arr[idx]).xreplace(subs)
            if isinstance(value, sympy.Float):
                value = _rational(float(value))
            elif not value.is_Rational:
                approx = value.evalf(30)
                if not approx.is_real or not approx.is_finite:
                    profile = tuple(game.populations[l].strategies[j] for l, j in enumerate(idx))
                    raise ParameterError(
                        f"the payoff of {game.populations[i].name!r} at {profile} is {approx}, not a finite "
                        "real number, at these parameter values"
                    )
                value = _rounded(approx, i, idx, game)
                notes.append(
                    f"the payoff of {game.populations[i].name!r} at index {idx} is irrational at these "
                    f"parameters and was rounded to {ROUND_DIGITS} significant digits for the exact solve: "
                    "points and eigenvalues are numeric (to about that precision), not exact"
                )
            out[idx] = value
        arrays.append(out)
    return arrays, notes


def _rounded(approx: sympy.Expr, i: int, idx: tuple[int, ...], game: Game) -> sympy.Rational:
    """A finite real number (already evaluated) as a rational with :data:`ROUND_DIGITS` significant digits."""
    value = sympy.Rational(str(sympy.Float(approx, ROUND_DIGITS)))
    if not value.is_Rational:  # pragma: no cover - evalf returned a finite real Float
        raise ParameterError(
            f"the payoff of {game.populations[i].name!r} at index {idx} is not a real number"
        )
    return value


def rounded_constant(value: sympy.Expr, what: str) -> sympy.Rational:
    """A numeric sympy constant as an exact rational, or rounded to :data:`ROUND_DIGITS` digits if irrational.

    Raises :class:`~gametheory.errors.ParameterError` naming ``what`` when the value is not a
    finite real number (``sqrt(-1)``, ``zoo``).

    Examples
    --------
    >>> rounded_constant(sympy.Rational(1, 3), "x")
    1/3
    >>> float(rounded_constant(sympy.sqrt(2), "x")) == 2 ** 0.5
    True
    """
    value = sympy.sympify(value)
    if value.is_Rational:
        return value
    approx = value.evalf(ROUND_DIGITS)
    if not approx.is_Number or not approx.is_real or not approx.is_finite:
        raise ParameterError(f"{what} is {approx}, not a finite real number, at these parameter values")
    return sympy.Rational(str(sympy.Float(approx, ROUND_DIGITS)))


def _support_list(supports: list[Any], shown: int = 10) -> str:
    """The first ``shown`` supports as text, and how many more."""
    text = "; ".join(str(n) for n in supports[:shown])
    return text + (f" and {len(supports) - shown} more" if len(supports) > shown else "")


@keywords_checked
def rest_points(
    model: Game | Dynamics,
    params: Mapping[str, Any] | None = None,
    *,
    tol: float = 1e-10,
    method: str = "auto",
    max_exact_solutions: int = 12,
    n_starts: int = 64,
    seed: int = 0,
    work_budget: float | None = None,
    progress: bool = False,
) -> RestPoints:
    """Every rest point of the replicator dynamics at one parameter set.

    Solves, for every support pattern, the equal-payoff conditions (see the
    module docstring for the method and its guarantees).

    Parameters
    ----------
    model
        A :class:`~gametheory.game.Game` (coerced to its replicator dynamics)
        or any :class:`~gametheory.dynamics.base.Dynamics` whose rest points
        equalize payoffs.
    params
        Scalar parameter values (the game's defaults fill the rest).
    tol
        Numeric solutions are accepted only with every support share above
        ``tol`` (smaller ones belong to a smaller face, which is solved on its own).
    method
        ``"auto"``: exact where the support's Bezout bound is at most
        ``max_exact_solutions``, numeric otherwise; ``"exact"``: exact everywhere
        (may be very slow for large games); ``"numeric"``: multi-start Newton
        for every non-vertex support (for testing and very large games).
    max_exact_solutions
        Largest Bezout bound solved exactly by ``"auto"``.
    n_starts, seed
        Random starts per support for the numeric search, and their seed.
    work_budget
        Seconds the exact (Groebner) solves may take in all (default
        :data:`WORK_BUDGET_SECONDS`); the supports left when it is used up are
        solved numerically, the result is then not ``complete`` and a note
        names them.  ``math.inf`` for no budget.
    progress
        Report on stderr how many support systems are done
        (:func:`gametheory.progress.progress_reporter`).

    Returns
    -------
    RestPoints
        Iterable over the isolated :class:`RestPoint` objects; continua in
        ``.continua``; ``.complete`` says whether the enumeration is certified.

    Raises
    ------
    ParameterError
        On missing, unknown or non-finite parameters, or array-valued ones.
    AnalysisError
        If the dynamics' rest points are not where payoffs are equal
        (``facts.rest_points_equalize_payoffs``), or on a bad option.

    Examples
    --------
    >>> from gametheory.models import crisis_governance
    >>> res = rest_points(crisis_governance.game(), crisis_governance.STATUS_QUO)
    >>> len(res.vertices), [p.label for p in res.mixed], res.complete
    (8, ['(1, 1/4, 11/24)'], True)
    """
    dyn = as_dynamics(model)
    return rest_points_at(
        dyn,
        exact_parameter_values(dyn, params),
        tol=tol,
        method=method,
        max_exact_solutions=max_exact_solutions,
        n_starts=n_starts,
        seed=seed,
        work_budget=work_budget,
        progress=progress,
    )


def rest_points_at(
    dyn: Dynamics,
    exact_params: Mapping[str, sympy.Rational],
    *,
    tol: float = 1e-10,
    method: str = "auto",
    max_exact_solutions: int = 12,
    n_starts: int = 64,
    seed: int = 0,
    work_budget: float | None = None,
    progress: bool = False,
) -> RestPoints:
    """:func:`rest_points` at parameters already resolved by :func:`exact_parameter_values`.

    For callers (such as :func:`~gametheory.analysis.stability.analyze`) that
    resolve the parameters once and pass the exact values down.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> dyn = classic.matching_pennies_3().replicator()
    >>> len(rest_points_at(dyn, exact_parameter_values(dyn, None)))
    9
    """
    dyn.facts.require("rest_points_equalize_payoffs", dyn, "rest_points")
    if method not in ("auto", "exact", "numeric"):
        raise AnalysisError(f"unknown method {method!r}; use 'auto', 'exact' or 'numeric'")
    if not (isinstance(tol, (int, float)) and 0 < tol < 1e-2):
        raise AnalysisError(f"tol must be a small positive number, got {tol!r}")
    if work_budget is None:
        work_budget = WORK_BUDGET_SECONDS
    if (
        isinstance(work_budget, bool)
        or not isinstance(work_budget, (int, float))
        or math.isnan(work_budget)
        or work_budget < 0
    ):
        raise AnalysisError(f"work_budget must be a number of seconds >= 0, got {work_budget!r}")
    progress = check_flag(progress, name="progress", error=AnalysisError)
    exact_params = dict(exact_params)
    key = (
        shortcuts.enabled(),
        id(dyn),
        dyn.game.fingerprint,
        tuple(exact_params.items()),
        tol,
        method,
        max_exact_solutions,
        n_starts,
        seed,
        float(work_budget),
    )
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    result = _rest_points(
        dyn, exact_params, tol, method, max_exact_solutions, n_starts, seed, float(work_budget), progress
    )
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = result
    return result


def _linear_point(system: _SupportSystem, solution: list[Any], names: Any, residual: Any) -> list[RestPoint]:
    """The rest point (if inside the face) of a support system with the unique rational ``solution``.

    The same acceptance as the Groebner path: the last unknown in (0, 1) and every support
    share above ``_POSITIVE``, at 50 digits.
    """
    mp = precision_context(_DIGITS)
    exact_vals = [sympy.Rational(int(v.numerator), int(v.denominator)) for v in solution]
    values_mp = [mp.mpf(v.p) / v.q for v in exact_vals]
    if not 0 < values_mp[-1] < 1 or not all(v > _POSITIVE for v in system.support_shares(values_mp)):
        return []
    reduced_mp = system.reduced_values(values_mp)
    x = np.array([float(v) for v in reduced_mp])
    digits = tuple(mpmath.nstr(v, _DIGITS) for v in reduced_mp)
    exact = tuple(sympy.sympify(v) for v in system.reduced_values(exact_vals))
    return [RestPoint(x, names, exact, None, True, residual(x), digits)]


def _rest_points(
    dyn: Dynamics,
    exact_params: dict[str, sympy.Rational],
    tol: float,
    method: str,
    max_exact_solutions: int,
    n_starts: int,
    seed: int,
    work_budget: float = math.inf,
    progress: bool = False,
) -> RestPoints:
    game = dyn.game
    fast = shortcuts.enabled()
    payoffs, notes = _exact_payoffs(game, exact_params)
    pvec = np.array([float(v) for v in exact_params.values()], dtype=float)
    rhs = dyn.compiled("rhs")
    rng = np.random.default_rng(seed)
    d = dyn.dimension
    points: list[RestPoint] = []
    continua: list[RestPointSet] = []
    complete = True
    numeric_supports = 0

    def residual(x: np.ndarray) -> float:
        return float(np.max(np.abs(rhs(x[:, None], pvec[:, None])[:, 0]))) if d else 0.0

    over_budget: list[Any] = []
    skipped: list[Any] = []
    started = time.perf_counter()
    patterns = support_patterns(game)
    bar = progress_reporter(len(patterns), "rest_points", progress, unit="supports")
    payoffs_q = rational_payoffs(payoffs) if fast else None
    for support in patterns:
        bar.update()
        if (
            fast
            and method != "numeric"
            and time.perf_counter() - started <= work_budget  # over budget: the notes name it as before
            and dominated_on_face(payoffs_q, support)
        ):
            continue  # a strategy dominated on the face: no rest point inside it, proven (see shortcuts)
        names = _support_names(game, support)
        system = _SupportSystem(dyn, payoffs, support)
        if system.m == 0:
            x = np.array([float(v) for v in system.reduced])
            profile = tuple(S[0] for S in names)
            exact = tuple(sympy.Integer(int(v)) for v in system.reduced)
            digits = tuple(str(int(v)) for v in system.reduced)
            points.append(RestPoint(x, names, exact, profile, True, residual(x), digits))
            continue
        gens = system.unknowns
        eqs = system.equations
        if any(e.is_number and e != 0 for e in eqs):
            continue  # a payoff difference that is a nonzero constant on this face: no rest point
        bound = bezout_bound([len(S) for S in support])
        use_exact = method == "exact" or (method == "auto" and bound <= max_exact_solutions)
        elapsed = time.perf_counter() - started
        if elapsed > 2 * work_budget:
            skipped.append(names)  # the budget of the numeric fallback is used up too
            complete = False
            continue
        if use_exact and elapsed > work_budget:
            use_exact = False
            over_budget.append(names)
        if not use_exact:
            numeric_supports += 1
            complete = False
            singular = []
            for v, isolated in _numeric_support(system, rng, n_starts, tol):
                values = dict(zip(gens, v.tolist()))
                x = np.array([float(sympy.sympify(e).xreplace(values)) for e in system.reduced])
                if isolated:
                    points.append(RestPoint(x, names, None, None, False, residual(x)))
                else:
                    singular.append((x, v))
            if singular:
                continua.append(_numeric_continuum(dyn, names, system, singular))
                notes.append(
                    f"support {names}: numeric solutions with a singular Jacobian, reported as a "
                    "(numeric, uncertified) continuum of rest points"
                )
            continue
        if fast:
            kind, solution = linear_solution(system.polys, system.m)
            if kind == "none":
                continue
            if kind == "unique":
                points.extend(_linear_point(system, solution, names, residual))
                continue
        nonzero = [q for q in system.polys if q]
        if nonzero:
            from sympy.polys.groebnertools import groebner as _groebner

            G = _groebner(nonzero, system.ring)
            if len(G) == 1 and G[0].is_ground:
                continue  # the basis is [1]: no complex solution at all
            zero_dim = _is_zero_dimensional(G, system.m)
        else:
            zero_dim = False
        positivity = system.positivity()
        if zero_dim:
            for exact_vals, values_mp in _solve_zero_dimensional(G, system):
                if not all(v > _POSITIVE for v in system.support_shares(values_mp)):
                    continue
                reduced_mp = system.reduced_values(values_mp)
                x = np.array([float(v) for v in reduced_mp])
                digits = tuple(mpmath.nstr(v, _DIGITS) for v in reduced_mp)
                exact = None
                if exact_vals is not None:
                    exact = tuple(sympy.sympify(v) for v in system.reduced_values(list(exact_vals)))
                points.append(RestPoint(x, names, exact, None, True, residual(x), digits))
            continue
        comps, verified = _components(system)
        if not verified:
            complete = False
            notes.append(f"support {names}: sympy.solve returned a solution that did not verify")
        for full, free in comps:
            exprs = [sympy.cancel(e.xreplace(full)) for e in positivity]
            reduced = tuple(sympy.cancel(e.xreplace(full)) for e in system.reduced)
            if not free:
                if all(_exact_positive(e) for e in exprs):
                    digits = tuple(str(sympy.N(e, _DIGITS)) for e in reduced)
                    x = np.array([float(v) for v in digits])
                    points.append(RestPoint(x, names, reduced, None, True, residual(x), digits))
                continue
            cset = _continuum(dyn, names, system, free, exprs, reduced, rng)
            if cset is None:
                continue
            if not cset.certified:
                complete = False
                notes.append(
                    f"support {names}: a {len(free)}-dimensional solution set whose range in the face was "
                    "explored by sampling only"
                )
            if cset.samples.shape[0] == 0:
                notes.append(
                    f"support {names}: a {len(free)}-dimensional solution set; no point of it inside the "
                    "face was found by sampling (not a proof that there is none)"
                )
                continue
            continua.append(cset)
    bar.close()
    method_text = {
        "auto": f"exact (Groebner bases over Q) where the Bezout bound is <= {max_exact_solutions}, "
        "multi-start Newton otherwise",
        "exact": "exact (Groebner bases over Q) for every support",
        "numeric": "multi-start Newton for every non-vertex support (not certified)",
    }[method]
    if numeric_supports:
        notes.append(
            f"{numeric_supports} support system(s) were solved numerically ({n_starts} seeded starts each): "
            "the enumeration is not certified complete"
        )
    if over_budget:
        notes.append(
            f"the exact enumeration used up its work budget of {work_budget:g} s (work_budget, "
            f"WORK_BUDGET_SECONDS): {len(over_budget)} support(s) left were solved numerically instead: "
            f"{_support_list(over_budget)}"
        )
    if skipped:
        notes.append(
            f"INCOMPLETE: the numeric fallback used up a second work budget of {work_budget:g} s: "
            f"{len(skipped)} support(s) were not solved at all: {_support_list(skipped)}"
        )
    if notes and any("was rounded to" in n for n in notes):  # irrational payoffs: no exact expression
        points = [p if p.is_vertex else dataclasses.replace(p, exact=None) for p in points]
    points.sort(key=lambda p: (p.face_dimension,))
    return RestPoints(
        points=tuple(points),
        continua=tuple(continua),
        complete=complete,
        params=dict(zip(game.parameter_names, map(float, pvec))),
        exact_parameters=dict(exact_params),
        method=method_text,
        notes=tuple(notes),
        dynamics=dyn,
    )
