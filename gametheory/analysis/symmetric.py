r"""Exact stability analysis of one-population games under the replicator dynamics.

The theory of one population differs from that of several (see
:mod:`gametheory.analysis.stability`): here a mixed rest point can be
asymptotically stable, and a mixed strategy can be evolutionarily stable.

Rest points.  On the face of a support :math:`S` every strategy of :math:`S`
earns the same, :math:`f_i(x) = f_j(x)` for :math:`i, j \in S`, with
:math:`\sum_{i \in S} x_i = 1` and :math:`x_i > 0` on :math:`S`.  With a payoff
matrix (two players) these equations are linear; in a ``d``-player group game they
are polynomials of degree :math:`d - 1`.  :func:`analyze_symmetric` solves them
exactly (sympy, rational parameter values) on every face, so the enumeration is
complete unless a face holds a continuum of rest points (reported) or a system is
too large for exact algebra (then the face is searched numerically and the report
is not complete).

ESS (Maynard Smith & Price 1973).  :math:`x^*` is an ESS when every mutant
:math:`y \ne x^*` earns less than :math:`x^*` in the population
:math:`(1-\varepsilon)x^* + \varepsilon y` for all small :math:`\varepsilon > 0`.  With
:math:`z = y - x^*` the payoff advantage of the mutant is

.. math::  z \cdot f(x^* + \varepsilon z) = z \cdot f(x^*) + \varepsilon\, z^\top Df(x^*)\, z + O(\varepsilon^2),

so the exact test is: (1) :math:`x^*` is a Nash equilibrium (no strategy earns more
than the support); (2) on the tangent space of its face,
:math:`T = \{z : z_i = 0 \text{ off } S, \sum z_i = 0\}`, the quadratic form of
:math:`Df(x^*)` (the payoff matrix :math:`A` for two players) is negative definite,
decided exactly by the leading principal minors (Sylvester); and (3) the pure
strategies off the support earn strictly less (otherwise the alternative best replies
:math:`E \supsetneq S` join the test: for two players the form must be negative on the
cone of directions into them — decided exactly with one alternative best reply,
reported as undecided with more).  A form that is positive somewhere on :math:`T`
rules the ESS out.  For two players a form that is only semidefinite rules it out too
(the higher-order terms vanish: the point is neutrally stable, not an ESS); in a group
game it leaves the verdict open, and the report says so.

Stability.  Every ESS is asymptotically stable under the replicator dynamics
(Taylor & Jonker 1978; Hofbauer, Schuster & Sigmund 1979), even where the
linearisation is inconclusive; an interior ESS of a matrix game attracts the whole
interior.  An asymptotically stable rest point is a Nash equilibrium, but need not
be an ESS.  Each rest point is classified by the eigenvalues of the exact Jacobian
(reduced coordinates, 60 digits, see :mod:`gametheory.analysis.eigen`); a
classification that contradicts these theorems is flagged.

Examples
--------
>>> from gametheory.game import Game
>>> rps = Game.symmetric(["R", "P", "S"], [[0, -1, 2], [2, 0, -1], [-1, 2, 0]], name="good RPS")
>>> report = analyze_symmetric(rps.replicator())
>>> [(e.label, e.kind.value) for e in report.ess]
[('(1/3, 1/3)', 'sink')]
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy

from ..errors import AnalysisError
from .eigen import EXACT_ZERO_TOLERANCE, _high_precision_eigenvalues, _jacobian_polynomials, _match_order
from .equilibria import _rational, rounded_constant
from .stability_report import Equilibrium, StabilityKind, StabilityReport, _classify

__all__ = ["analyze_symmetric", "ess_verdict", "THEORY_ONE_POPULATION"]

#: Largest Bezout number (product of the equations' degrees) of a face solved exactly.
MAX_BEZOUT = 64
#: Digits at which signs of exact algebraic numbers are decided.
DIGITS = 50

THEORY_ONE_POPULATION = (
    "One population: an ESS (Maynard Smith & Price 1973) may be mixed; every ESS is asymptotically "
    "stable under the replicator dynamics (Taylor & Jonker 1978; Hofbauer, Schuster & Sigmund 1979), "
    "and every asymptotically stable rest point is a Nash equilibrium, though not necessarily an ESS."
)


def analyze_symmetric(dyn: Any, params: Mapping[str, Any] | None = None) -> StabilityReport:
    """Every rest point of the replicator dynamics of a one-population game, classified, with the ESS.

    See the module docstring for the method and the theory.  ``gametheory.analyze``
    calls this for the replicator dynamics of a game built with
    :meth:`~gametheory.game.Game.symmetric`.

    Examples
    --------
    >>> from gametheory.game import Game
    >>> hd = Game.symmetric(["H", "D"], [["(V - C)/2", "V"], [0, "V/2"]], parameters={"V": 2, "C": 3})
    >>> report = analyze_symmetric(hd.replicator())
    >>> [(e.label, e.is_ess, e.kind.value) for e in report]
    [('(1)', False, 'source'), ('(0)', False, 'source'), ('(2/3)', True, 'sink')]
    """
    game = dyn.game
    spec = game.symmetric_payoffs
    if spec is None:
        raise AnalysisError(f"analyze_symmetric needs a one-population game (Game.symmetric), got {game!r}")
    exact = dyn.exact_parameter_values(params)
    subs = {p.symbol: exact[p.name] for p in game.parameters}
    k = len(spec.strategies)
    shares = sympy.symbols(f"s0:{k}")
    fitness, rounded = [], False
    for i, f in enumerate(spec.fitness(shares)):
        f = sympy.expand(f.xreplace(subs))
        f = f.xreplace({v: _rational(v) for v in f.atoms(sympy.Float)})  # 0.1 -> 1/10, like parameters
        terms = sympy.Poly(f, *shares).as_dict(native=False)
        rounded |= any(not c.is_Rational for c in terms.values())  # exp(-1), sqrt(2): 40 digits
        what = f"the expected payoff of {spec.strategies[i]!r}"
        fitness.append(
            sum(
                (
                    rounded_constant(c, what) * sympy.Mul(*(s**e for s, e in zip(shares, m)))
                    for m, c in terms.items()
                ),
                sympy.Integer(0),
            )
        )
    Df = sympy.Matrix([[sympy.diff(f, s) for s in shares] for f in fitness])
    notes = [
        *(["Irrational payoff constants were rounded to 40 significant digits."] if rounded else []),
        f"Rest points: solved exactly on each of the {2**k - 1} faces of the simplex "
        f"({'linear equations' if spec.players == 2 else f'polynomials of degree {spec.players - 1}'}).",
    ]
    points: list[tuple[tuple[int, ...], tuple[sympy.Expr, ...]]] = []
    complete = True
    for size in range(1, k + 1):
        for support in itertools.combinations(range(k), size):
            found, note = _face_rest_points(fitness, shares, support, spec.players)
            points.extend((support, p) for p in found)
            if note:
                notes.append(note)
                complete = False
    jac = _jacobian_polynomials(dyn, exact)
    equilibria, consistent = [], True
    for support, x in points:
        e, undecided = _equilibrium(dyn, fitness, Df, shares, support, x, jac, spec.players)
        e = dataclasses.replace(e, precision="rounded") if rounded else e
        consistent &= e.disagreement is None
        equilibria.append(e)
        if undecided:
            notes.append(f"ESS at {e.label}: {undecided}; not counted as an ESS.")
    notes.append(THEORY_ONE_POPULATION)
    if spec.players == 2:
        notes.append(
            "Two players: the ESS test is exact (Haigh 1975); an interior ESS attracts the whole interior."
        )
    return StabilityReport(
        game=game,
        params={name: float(v) for name, v in exact.items()},
        equilibria=tuple(equilibria),
        continua=(),
        complete=complete,
        consistent=consistent,
        notes=tuple(notes),
    )


def _face_rest_points(
    fitness: list[sympy.Expr], shares: tuple[sympy.Symbol, ...], support: tuple[int, ...], players: int
) -> tuple[list[tuple[sympy.Expr, ...]], str | None]:
    """Exact rest points in the relative interior of the face ``support`` (full share vectors)."""
    k = len(shares)
    zero = {shares[j]: 0 for j in range(k) if j not in support}
    unknowns = [shares[j] for j in support]
    if len(support) == 1:
        return [tuple(sympy.Integer(int(j == support[0])) for j in range(k))], None
    first = fitness[support[0]].xreplace(zero)
    equations = [sympy.expand(fitness[i].xreplace(zero) - first) for i in support[1:]]
    equations.append(sum(unknowns) - 1)
    degrees = [sympy.Poly(e, *unknowns).total_degree() if e != 0 else 0 for e in equations]
    names = "{" + ", ".join(str(j + 1) for j in support) + "}"
    if all(e == 0 for e in equations[:-1]):  # every strategy of the face earns the same everywhere on it
        return [], f"Face {names}: a continuum of rest points (the whole face); not listed."
    bezout = int(np.prod([max(d, 1) for d in degrees]))
    if bezout > MAX_BEZOUT:
        return [], f"Face {names}: {bezout} possible solutions, beyond exact algebra; not searched."
    solutions = sympy.solve(equations, unknowns, dict=True)
    out = []
    for sol in solutions:
        values = [sympy.simplify(sol.get(u, u)) for u in unknowns]
        if any(v.free_symbols for v in values):
            return [], f"Face {names}: a continuum of rest points; not listed."
        if not all(_positive(v) for v in values):
            continue
        full = [sympy.Integer(0)] * k
        for j, v in zip(support, values):
            full[j] = v
        out.append(tuple(full))
    return out, None


def _positive(v: sympy.Expr) -> bool:
    value = sympy.N(v, DIGITS)
    return abs(sympy.im(value)) < sympy.Float(10) ** (-DIGITS // 2) and sympy.re(value) > 0


def _sign(v: sympy.Expr) -> int:
    """Exact sign of an algebraic number (zero tested symbolically, the sign at 50 digits)."""
    if v == 0 or sympy.simplify(v) == 0:
        return 0
    return 1 if sympy.re(sympy.N(v, DIGITS)) > 0 else -1


def ess_verdict(
    Df: sympy.Matrix, pay: list[sympy.Expr], support: tuple[int, ...], players: int
) -> tuple[bool | None, str]:
    """Whether a rest point with payoffs ``pay`` and payoff Jacobian ``Df`` is an ESS (``None``: undecided).

    Returns the verdict and the reason, as the module docstring describes.

    Examples
    --------
    >>> import sympy
    >>> A = sympy.Matrix([[0, -1, 2], [2, 0, -1], [-1, 2, 0]])  # good rock-paper-scissors
    >>> x = sympy.Matrix([sympy.Rational(1, 3)] * 3)
    >>> ess_verdict(A, list(A * x), (0, 1, 2), players=2)
    (True, 'Nash equilibrium; the payoff form is negative definite on the face tangent space')
    """
    k = len(pay)
    level = pay[support[0]]
    gains = [_sign(pay[j] - level) for j in range(k)]
    if any(g > 0 for g in gains):
        return False, "not a Nash equilibrium"
    best = [j for j in range(k) if j in support or gains[j] == 0]
    on_face = _definiteness(Df, support, support[-1])
    if on_face == "positive somewhere":
        return False, "a mutant on the face of the support invades (the payoff form is positive there)"
    if on_face == "semidefinite":
        if players == 2:
            return False, "neutrally stable only: the payoff form vanishes along a direction of the face"
        return None, "undecided: the payoff form is only semidefinite on the face (higher-order terms decide)"
    if len(best) == len(support):
        return True, "Nash equilibrium; the payoff form is negative definite on the face tangent space"
    extra = [j for j in best if j not in support]
    if _definiteness(Df, tuple(best), support[-1]) == "negative definite":
        return (
            True,
            "Nash equilibrium; the payoff form is negative definite towards the alternative best replies",
        )
    if players == 2:
        for j in extra:
            if _definiteness(Df, (*support, j), support[-1]) != "negative definite":
                return (
                    False,
                    f"the alternative best reply {j + 1} invades (the payoff form is not negative there)",
                )
    return None, f"undecided: {len(extra)} alternative best replies off the support (a copositivity question)"


def _definiteness(Df: sympy.Matrix, face: tuple[int, ...], ref: int) -> str:
    """Definiteness of :math:`z^T Df z` on ``{z : supp z in face, sum z = 0}``, exactly (Sylvester)."""
    basis = [j for j in face if j != ref]
    if not basis:
        return "negative definite"
    k = Df.shape[0]
    B = sympy.zeros(k, len(basis))
    for c, j in enumerate(basis):
        B[j, c], B[ref, c] = 1, -1
    Q = -(B.T * (Df + Df.T) * B) / 2  # positive definite iff the form is negative definite
    minors = [_sign(Q[:m, :m].det()) for m in range(1, len(basis) + 1)]
    if all(m > 0 for m in minors):
        return "negative definite"
    # positive semidefinite iff every principal minor is >= 0
    n = len(basis)
    for size in range(1, n + 1):
        for idx in itertools.combinations(range(n), size):
            if _sign(Q.extract(list(idx), list(idx)).det()) < 0:
                return "positive somewhere"
    return "semidefinite"


def _equilibrium(
    dyn: Any,
    fitness: list[sympy.Expr],
    Df: sympy.Matrix,
    shares: tuple[sympy.Symbol, ...],
    support: tuple[int, ...],
    x: tuple[sympy.Expr, ...],
    jac: Any,
    players: int,
) -> tuple[Equilibrium, str | None]:
    """The record of one rest point, and why its ESS verdict is open (``None`` when decided)."""
    at = dict(zip(shares, x))
    pay = [f.xreplace(at) for f in fitness]  # exact: rational coefficients at an algebraic point
    pop = dyn.game.populations[0]
    reduced = x[:-1]
    digits = [str(sympy.N(v, DIGITS)) for v in reduced]
    eig, norm = _high_precision_eigenvalues(jac, digits)
    eps = EXACT_ZERO_TOLERANCE * max(1.0, norm)
    eig = np.where(np.abs(eig.real) <= eps, 0.0, eig.real) + 1j * np.where(
        np.abs(eig.imag) <= eps, 0.0, eig.imag
    )
    is_ess, why = ess_verdict(Df.xreplace(at), pay, support, players)
    level = pay[support[0]]
    is_nash = all(_sign(pay[j] - level) <= 0 for j in range(len(pay)))
    deviations = diffs = None
    if len(support) == 1:
        i = support[0]
        others = [j for j in range(len(pay)) if j != i]
        deviations = tuple((pop.name, pop.strategies[j]) for j in others)
        diffs = np.array([float(pay[j] - pay[i]) for j in others])
        eig, _ = _match_order(eig.astype(complex), diffs.astype(complex))
    else:
        eig = eig.astype(complex)
        eig = eig[np.lexsort((-eig.imag, -eig.real))]
    kind, n_s, n_u, n_c = _classify(eig, eps)
    flags = []
    if is_ess and n_u:
        flags.append("an ESS with an unstable eigenvalue: this contradicts Taylor & Jonker (1978)")
    if kind is StabilityKind.SINK and not is_nash:
        flags.append("a sink that is not a Nash equilibrium: this contradicts the folk theorem")
    return Equilibrium(
        point=np.array([float(v) for v in reduced]),
        eigenvalues=eig,
        kind=kind,
        is_ess=bool(is_ess),
        is_nash=is_nash,
        support=(tuple(pop.strategies[j] for j in support),),
        profile=(pop.strategies[support[0]],) if len(support) == 1 else None,
        exact=tuple(reduced),
        stable_dimension=n_s,
        unstable_dimension=n_u,
        center_dimension=n_c,
        zero_tolerance=eps,
        precision="exact",
        deviations=deviations,
        payoff_differences=diffs,
        disagreement="; ".join(flags) if flags else None,
    ), (None if is_ess is not None else why)
