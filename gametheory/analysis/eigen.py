"""Eigenvalues of the Jacobian at exactly known rest points, at 60 significant digits.

The exact analyses (:func:`~gametheory.analysis.stability.analyze` and the
one-population analysis of :mod:`gametheory.analysis.symmetric`) substitute exact
parameter values into the symbolic Jacobian, evaluate it at a rest point given to 50
digits and compute its eigenvalues with :func:`mpmath.eig` at :data:`EIGEN_DIGITS`
digits; real parts below :data:`EXACT_ZERO_TOLERANCE` times the norm are zero.

Shortcuts, same eigenvalues: the matrix is first put in block-triangular form (strongly
connected components of its nonzero pattern; at a vertex every block has size one, so the
eigenvalues are the exact diagonal entries, and on a face the rows of unused strategies split
off), and only the diagonal blocks go to :func:`mpmath.eig`; the entries are evaluated with
gmpy2 at the same precision; the Jacobian's terms come from differentiating the equations'
monomials, kept per dynamics so that sweeps over parameter values reuse them.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import sympy

from ..dynamics.base import Dynamics
from ..errors import AnalysisError
from .equilibria import rounded_constant
from .shortcuts import precision_context

__all__ = ["EIGEN_DIGITS", "EXACT_ZERO_TOLERANCE"]

#: Significant digits of the eigenvalue computation at exactly known rest points.
EIGEN_DIGITS = 60
#: Relative zero threshold for eigenvalues computed at :data:`EIGEN_DIGITS` digits.
EXACT_ZERO_TOLERANCE = 1e-15


def _jacobian_polynomials(
    dyn: Dynamics, exact_params: Mapping[str, sympy.Rational]
) -> list[list[list[tuple[tuple[int, ...], sympy.Rational]]]]:
    """The Jacobian with exact parameter values substituted: per entry, its ``(monomial, coefficient)`` terms."""
    subs = {p.symbol: exact_params[p.name] for p in dyn.game.parameters}
    from .shortcuts import enabled

    fast = _jacobian_from_equations(dyn, subs) if enabled() else None
    if fast is not None:
        return fast
    J = dyn.jacobian()
    d = dyn.dimension
    out = []
    for r in range(d):
        row = []
        for c in range(d):
            entry = sympy.expand(J[r, c].xreplace(subs))
            if entry == 0:
                row.append([])
                continue
            try:
                poly = sympy.Poly(entry, *dyn.states, domain=sympy.QQ)
                row.append(list(poly.terms()))
            except sympy.polys.polyerrors.PolificationFailed as exc:  # pragma: no cover - not a polynomial
                raise AnalysisError(
                    f"the Jacobian entry ({r}, {c}) is not a polynomial in the state: {entry}"
                ) from exc
            except sympy.polys.polyerrors.CoercionFailed:
                # irrational constants (exp(-1), sqrt(2)): coefficients rounded like the payoffs
                what = f"the Jacobian entry ({r}, {c}) of {dyn.state_names[r]!r}"
                terms = sympy.Poly(entry, *dyn.states, domain=sympy.EX).as_dict(native=False)
                row.append([(monom, rounded_constant(coeff, what)) for monom, coeff in terms.items()])
        out.append(row)
    return out


_EQUATION_TERMS: weakref.WeakKeyDictionary[Any, list[dict[tuple[int, ...], sympy.Expr]]] = (
    weakref.WeakKeyDictionary()
)


def _jacobian_from_equations(
    dyn: Dynamics, subs: Mapping[sympy.Symbol, sympy.Rational]
) -> list[list[list[tuple[tuple[int, ...], sympy.Rational]]]] | None:
    """:func:`_jacobian_polynomials` by differentiating the equations' monomials (no symbolic Jacobian).

    The equations' terms (coefficients with the parameters as symbols) are kept per dynamics, so a
    sweep over parameter values expands them once.  Only where ``jacobian()`` is the exact derivative
    of ``equations`` (the replicator, and dynamics that keep the default); ``None`` otherwise, or when
    a coefficient is not rational at these parameters (irrational constants: the general path rounds).
    """
    from ..dynamics.replicator import ReplicatorDynamics

    own = type(dyn)._jacobian
    if own is not Dynamics._jacobian and not (
        isinstance(dyn, ReplicatorDynamics) and own is ReplicatorDynamics._jacobian
    ):
        return None
    try:
        terms = _EQUATION_TERMS.get(dyn)
    except TypeError:  # pragma: no cover - an unhashable dynamics
        terms = None
    if terms is None:
        try:
            terms = [sympy.Poly(sympy.expand(e), *dyn.states).as_dict(native=False) for e in dyn.equations]
        except sympy.polys.polyerrors.PolynomialError:  # pragma: no cover - not polynomial in the state
            return None
        try:
            _EQUATION_TERMS[dyn] = terms
        except TypeError:  # pragma: no cover
            pass
    d = dyn.dimension
    out = []
    for r in range(d):
        values = {}
        for monom, coeff in terms[r].items():
            v = coeff.xreplace(subs)
            if not v.is_Rational:
                return None
            if v != 0:
                values[monom] = v
        row = []
        for c in range(d):
            entry = []
            for monom, v in values.items():
                if monom[c]:
                    lowered = (*monom[:c], monom[c] - 1, *monom[c + 1 :])
                    entry.append((lowered, v * monom[c]))
            row.append(entry)
        out.append(row)
    return out


def _high_precision_eigenvalues(
    jac: list[list[list[tuple[tuple[int, ...], sympy.Rational]]]], digits: Sequence[str]
) -> tuple[np.ndarray, float]:
    """Eigenvalues of the Jacobian at a point given to 50 digits, computed at :data:`EIGEN_DIGITS` digits.

    Returns the eigenvalues (complex, double) and the spectral norm of the Jacobian.
    """

    mp = precision_context(EIGEN_DIGITS)
    from .shortcuts import enabled

    d = len(jac)
    entries = _entries_gmpy2(jac, digits, mp) if enabled() else None
    if entries is None:
        x = [mp.mpf(v) for v in digits]
        entries = []
        for r in range(d):
            row = []
            for c in range(d):
                v = mp.mpf(0)
                for monom, coeff in jac[r][c]:
                    term = mp.mpf(coeff.p) / coeff.q
                    for xi, e in zip(x, monom):
                        if e:
                            term *= xi**e
                    v += term
                row.append(v)
            entries.append(row)

    ev = []
    blocks = _diagonal_blocks(entries) if enabled() else [list(range(d))]
    for block in blocks:
        if len(block) == 1:  # mpmath.eig wants at least a 2 x 2 matrix; a 1 x 1 block is its own eigenvalue
            ev.append(entries[block[0]][block[0]])
        elif (
            len(block) == 2 and enabled()
        ):  # lambda = (a + d)/2 +- sqrt(((a - d)/2)^2 + b c), at full precision
            (a, b), (c, dd) = ([entries[r][k] for k in block] for r in block)
            half, disc = (a + dd) / 2, ((a - dd) / 2) ** 2 + b * c
            root = mp.sqrt(disc) if disc >= 0 else mp.mpc(0, mp.sqrt(-disc))
            ev.extend([half + root, half - root])
        else:
            sub = mp.matrix([[entries[r][c] for c in block] for r in block])
            ev.extend(mp.eig(sub, left=False, right=False))
    vals = np.array([complex(float(mp.re(z)), float(mp.im(z))) for z in ev])
    norm = float(np.linalg.norm(np.array([[float(v) for v in row] for row in entries]), 2))
    return vals, norm


def _entries_gmpy2(
    jac: list[list[list[tuple[tuple[int, ...], sympy.Rational]]]], digits: Sequence[str], mp: Any
) -> list[list[Any]] | None:
    """The Jacobian entries at the point as mpmath numbers, computed with gmpy2 at ``mp``'s precision.

    The same sums as the plain mpmath evaluation (each monomial's value computed once), in C: about
    ten times faster.  Rounding differs only in the last bits of the working precision.  ``None``
    without gmpy2 (the ``fast`` extra).
    """
    try:
        import gmpy2
    except ImportError:  # pragma: no cover - gmpy2 comes with the fast extra
        return None
    old = gmpy2.get_context()
    gmpy2.set_context(gmpy2.context(precision=mp.prec))
    try:
        x = [gmpy2.mpfr(v) for v in digits]
        monomials: dict[tuple[int, ...], Any] = {}
        out = []
        for row_terms in jac:
            row = []
            for terms in row_terms:
                v = gmpy2.mpfr(0)
                for monom, coeff in terms:
                    m = monomials.get(monom)
                    if m is None:
                        m = gmpy2.mpfr(1)
                        for xi, e in zip(x, monom):
                            if e:
                                m *= xi**e
                        monomials[monom] = m
                    v += m * gmpy2.mpq(int(coeff.p), int(coeff.q))
                man, exp = v.as_mantissa_exp()
                row.append(mp.mpf((int(man), int(exp))))
            out.append(row)
        return out
    finally:
        gmpy2.set_context(old)


def _diagonal_blocks(entries: list[list[Any]]) -> list[list[int]]:
    """Index sets of the diagonal blocks of a block-triangular permutation of a square matrix.

    The strongly connected components of the graph with an edge :math:`r \to c` for every
    nonzero off-diagonal entry :math:`(r, c)`: ordered topologically they put the matrix in
    block-triangular form, so its eigenvalues are those of the diagonal blocks together.  At
    a rest point on a face the rows of the unused strategies are zero off the diagonal (their
    shares are exactly zero), so most blocks there have size one: exact diagonal entries.

    Examples
    --------
    >>> sorted(_diagonal_blocks([[1, 2, 0], [0, 3, 0], [4, 0, 5]]))
    [[0], [1], [2]]
    >>> sorted(map(sorted, _diagonal_blocks([[1, 2], [3, 4]])))
    [[0, 1]]
    """
    d = len(entries)
    succ = [[c for c in range(d) if c != r and entries[r][c] != 0] for r in range(d)]
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    blocks: list[list[int]] = []
    counter = 0

    def visit(v: int) -> None:  # Tarjan's algorithm (d is small: recursion is fine)
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in succ[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            block = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                block.append(w)
                if w == v:
                    break
            blocks.append(sorted(block))

    for v in range(d):
        if v not in index:
            visit(v)
    return blocks


def _match_order(eigenvalues: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, float]:
    """Reorder ``eigenvalues`` to best match ``targets``; return them and the largest mismatch."""
    from scipy.optimize import linear_sum_assignment

    cost = np.abs(targets[:, None] - eigenvalues[None, :])
    rows, cols = linear_sum_assignment(cost)
    out = eigenvalues[cols[np.argsort(rows)]]
    return out, float(np.max(np.abs(out - targets))) if len(targets) else 0.0
