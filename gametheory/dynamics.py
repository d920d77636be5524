"""Replicator dynamics of multi-population games, derived exactly with sympy.

State convention
----------------
For each population ``i`` with strategies ``1..k_i``, the state holds the shares
of all strategies but the last, in declaration order; the last share is
``1 - sum`` of the others.  For three 2-strategy populations the state is
``(x, y, z)``, the shares playing each population's first strategy.

Equations
---------
With expected payoffs :math:`f_{ij}(x)` (see :mod:`gametheory.game`) and the
population's mean payoff :math:`\\bar f_i = \\sum_j x_{ij} f_{ij}`, the
(Taylor-Jonker) replicator dynamics are

.. math::  \\dot x_{ij} = x_{ij}\\,(f_{ij}(x) - \\bar f_i(x)), \\qquad j < k_i .

For a 2-strategy population this is :math:`\\dot x = x(1-x)\\,\\Delta(x)` with the
payoff difference :math:`\\Delta = f_{i1} - f_{i2}`, which does not depend on
the population's own state.  In general we report the payoff advantages
:math:`\\Delta_{ij} = f_{ij} - f_{ik_i}` of each coordinate's strategy over the
last one; at a vertex where population ``i`` plays its last strategy they are
exactly the eigenvalues of the Jacobian in that population's directions.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from .codegen import CompiledFunction, compile_expressions
from .errors import NumericalError, ParameterError, StateError, suggest
from .game import Game

if TYPE_CHECKING:
    from .integrate import Trajectory

__all__ = ["ReplicatorDynamics", "STATE_TOLERANCE"]

#: Tolerance of input-state checks: a coordinate may be below 0, or a
#: population's shares sum above 1, by at most this much.
STATE_TOLERANCE = 1e-9

_LETTERS = "xyzwvu"


class ReplicatorDynamics:
    """Exact replicator dynamics of a :class:`~gametheory.game.Game`.

    Attributes
    ----------
    game : Game
    states : tuple of sympy.Symbol
        State symbols, in state order (see module docstring).
    coordinates : tuple of (int, int)
        For each state coordinate, ``(population index, strategy index)``.
    expected_payoffs : tuple of tuple of sympy.Expr
        ``expected_payoffs[i][j]`` is :math:`f_{ij}(x)`.
    payoff_differences : tuple of sympy.Expr
        For each coordinate :math:`\\Delta_{ij} = f_{ij} - f_{ik_i}`, collected
        in monomials of the states with factored coefficients.
    equations : sympy.ImmutableMatrix
        Column ``(d, 1)`` of right-hand sides; for a 2-strategy population
        ``x*(1 - x)*Delta``.
    """

    def __init__(self, game: Game) -> None:
        if not isinstance(game, Game):
            raise TypeError(f"ReplicatorDynamics needs a Game, got {type(game).__name__}")
        self.game = game
        self.coordinates: tuple[tuple[int, int], ...] = tuple(
            (i, j) for i, pop in enumerate(game.populations) for j in range(pop.size - 1)
        )
        self.states: tuple[sympy.Symbol, ...] = _state_symbols(game)
        # The derivation runs on sympy Poly objects in the states (coefficients in
        # the parameters): far faster than expanding Expr trees.
        share_polys = self._share_polys()
        payoff_polys = tuple(
            tuple(self._expected_payoff_poly(i, j, share_polys) for j in range(pop.size))
            for i, pop in enumerate(game.populations)
        )
        self._difference_polys = tuple(payoff_polys[i][j] - payoff_polys[i][-1] for i, j in self.coordinates)
        # For populations of 3+ strategies, the right-hand side x_ij (f_ij - mean_i) as a polynomial.
        self._equation_polys: list[sympy.Poly | None] = []
        for c, (i, j) in enumerate(self.coordinates):
            if game.populations[i].size == 2:
                self._equation_polys.append(None)
            else:
                mean = sum((sh * f for sh, f in zip(share_polys[i], payoff_polys[i])), self._poly(0))
                self._equation_polys.append(self._poly(self.states[c]) * (payoff_polys[i][j] - mean))
        self.expected_payoffs = tuple(tuple(_expr(f) for f in row) for row in payoff_polys)
        self.payoff_differences = tuple(_expr(d) for d in self._difference_polys)
        shares_expr = self.shares_symbolic()
        rows = []
        for c, (i, j) in enumerate(self.coordinates):
            s = self.states[c]
            if game.populations[i].size == 2:
                rows.append(s * (1 - s) * self.payoff_differences[c])
            else:
                # f_ij - mean_i = sum_l x_il (f_ij - f_il): vertices are exact zeros of this form
                terms = [
                    share * _expr(payoff_polys[i][j] - payoff_polys[i][l])
                    for l, share in enumerate(shares_expr[i])
                    if l != j
                ]
                rows.append(s * sympy.Add(*terms))
        self.equations = sympy.ImmutableMatrix(rows)

    def _poly(self, expr: Any) -> sympy.Poly:
        return sympy.Poly(expr, *self.states)

    def _share_polys(self) -> tuple[tuple[sympy.Poly, ...], ...]:
        out = []
        for sl in self.population_slices():
            own = [self._poly(s) for s in self.states[sl]]
            out.append((*own, self._poly(1 - sum(self.states[sl]))))
        return tuple(out)

    def _expected_payoff_poly(self, i: int, j: int, shares: tuple[tuple[sympy.Poly, ...], ...]) -> sympy.Poly:
        """:math:`f_{ij} = \\sum_{s_{-i}} \\pi_i(j, s_{-i}) \\prod_{l \\ne i} x_{l s_l}`."""
        game = self.game
        arr = game.payoff_array(i)
        others = [range(pop.size) if l != i else [j] for l, pop in enumerate(game.populations)]
        total = self._poly(0)
        for profile in itertools.product(*others):
            term = self._poly(arr[profile])
            for l, s in enumerate(profile):
                if l != i:
                    term = term * shares[l][s]
            total = total + term
        return total

    # ------------------------------------------------------------- structure
    @property
    def dimension(self) -> int:
        """Number of state coordinates ``d = sum_i (k_i - 1)``."""
        return len(self.states)

    @property
    def state_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.states)

    @property
    def parameters(self) -> tuple[sympy.Symbol, ...]:
        """Parameter symbols, in the order of the numeric parameter vector."""
        return self.game.symbols

    def population_slices(self) -> tuple[slice, ...]:
        """Slice of the state vector belonging to each population."""
        out, start = [], 0
        for pop in self.game.populations:
            out.append(slice(start, start + pop.size - 1))
            start += pop.size - 1
        return tuple(out)

    def shares_symbolic(self) -> tuple[tuple[sympy.Expr, ...], ...]:
        """For each population, the shares of all its strategies in terms of the states."""
        out = []
        for sl in self.population_slices():
            own = list(self.states[sl])
            out.append((*own, 1 - sum(own)))
        return tuple(out)

    def full_shares(self, x: Sequence[float]) -> tuple[np.ndarray, ...]:
        """Expand a reduced state into each population's full share vector."""
        x = self.check_state(x)
        return tuple(np.append(x[sl], 1.0 - x[sl].sum()) for sl in self.population_slices())

    def vertex(self, profile: Sequence[str] | Sequence[int]) -> np.ndarray:
        """Reduced state of the pure profile (strategy names or indices)."""
        idx = self.game.profile_indices(profile)
        x = np.zeros(self.dimension)
        for sl, (i, j) in zip(self.population_slices(), enumerate(idx)):
            if j < self.game.populations[i].size - 1:
                x[sl.start + j] = 1.0
        return x

    def vertices(self) -> tuple[tuple[tuple[str, ...], np.ndarray], ...]:
        """All pure profiles with their reduced states (all are rest points)."""
        return tuple((p, self.vertex(p)) for p in self.game.profiles)

    # -------------------------------------------------------------- symbolic
    @functools.cached_property
    def _jacobian(self) -> sympy.ImmutableMatrix:
        d = self.dimension
        entries = [[sympy.Integer(0)] * d for _ in range(d)]
        for r, (i, _) in enumerate(self.coordinates):
            s = self.states[r]
            for c in range(d):
                if self.game.populations[i].size == 2:
                    if c == r:
                        entries[r][c] = (1 - 2 * s) * self.payoff_differences[r]
                    else:
                        entries[r][c] = s * (1 - s) * _expr(self._difference_polys[r].diff(self.states[c]))
                else:
                    entries[r][c] = _expr(self._equation_polys[r].diff(self.states[c]))
        return sympy.ImmutableMatrix(entries)

    def jacobian(self) -> sympy.ImmutableMatrix:
        """Symbolic Jacobian :math:`\\partial \\dot x_r / \\partial x_c`, shape ``(d, d)``.

        For 2-strategy populations the entries keep the structure
        :math:`J_{rr} = (1 - 2x_r)\\Delta_r` and :math:`J_{rc} = x_r(1-x_r)\\,\\partial\\Delta_r/\\partial x_c`.
        """
        return self._jacobian

    def to_latex(self) -> str:
        """The system as a paper prints it (a LaTeX ``align`` environment)."""
        names = {p.symbol: _latex_name(p.name) for p in self.game.parameters}
        lines = []
        for r, (i, _j) in enumerate(self.coordinates):
            s = self.states[r]
            lhs = rf"\frac{{\mathrm{{d}}{sympy.latex(s)}}}{{\mathrm{{d}}t}}"
            if self.game.populations[i].size == 2:
                delta = sympy.latex(self.payoff_differences[r], symbol_names=names)
                rhs = rf"{sympy.latex(s)}\left(1 - {sympy.latex(s)}\right)\left[{delta}\right]"
            else:
                rhs = sympy.latex(self.equations[r], symbol_names=names)
            lines.append(f"{lhs} &= {rhs}")
        return "\\begin{align}\n" + " \\\\\n".join(lines) + "\n\\end{align}"

    # -------------------------------------------------------------- numerics
    def _system(self, which: str) -> sympy.Matrix:
        if which == "rhs":
            return self.equations
        if which == "jac":
            return self.jacobian()
        if which == "payoffs":
            return sympy.Matrix([f for row in self.expected_payoffs for f in row])
        raise ValueError(f"unknown compiled function {which!r}; use 'rhs', 'jac' or 'payoffs'")

    @functools.cached_property
    def _compiled(self) -> dict[str, CompiledFunction]:
        return {}

    def compiled(self, which: str, flavour: str = "array") -> CompiledFunction:
        """Compiled numerical function, generated once and cached.

        ``which`` is ``"rhs"`` (the equations, shape ``(d,)``), ``"jac"`` (the
        Jacobian, ``(d, d)``) or ``"payoffs"`` (all expected payoffs
        :math:`f_{ij}`, population by population, ``(sum k_i,)``); ``flavour``
        is ``"array"`` or ``"scalar"`` (see :mod:`gametheory.codegen`).
        """
        key = f"{which}:{flavour}"
        if key not in self._compiled:
            self._compiled[key] = compile_expressions(
                which, self._system(which), self.states, self.parameters, flavour
            )
        return self._compiled[key]

    def parameter_vector(self, params: Mapping[str, Any] | None = None) -> np.ndarray:
        """Numeric parameter vector, in the order of :attr:`parameters`.

        Values come from ``params`` and, for parameters not given there, from the
        game's defaults.  Values may be scalars or 1-D arrays (all arrays of one
        length ``n``); the result has shape ``(p,)`` or ``(p, n)``.

        Raises
        ------
        ParameterError
            Listing every missing parameter at once, naming unknown ones (with a
            suggestion), and rejecting NaN/inf or values outside declared bounds.
        """
        game = self.game
        params = dict(params or {})
        names = game.parameter_names
        problems = []
        for key in params:
            kname = key.name if isinstance(key, sympy.Symbol) else key
            if kname not in names:
                problems.append(
                    f"unknown parameter {kname!r}{suggest(str(kname), names)}; the game's parameters are "
                    f"{list(names)}"
                )
        params = {(k.name if isinstance(k, sympy.Symbol) else k): v for k, v in params.items()}
        missing = [n for n in names if n not in params and game.parameter(n).default is None]
        if missing:
            problems.append(f"no value given for parameter(s) {missing} (they have no default)")
        if problems:
            raise ParameterError("; ".join(problems))
        values, length = [], None
        for p in game.parameters:
            raw = params.get(p.name, p.default)
            try:
                value = np.asarray(raw, dtype=float)
            except (TypeError, ValueError):
                raise ParameterError(f"parameter {p.name!r}: value {raw!r} is not a number") from None
            if value.ndim > 1:
                raise ParameterError(
                    f"parameter {p.name!r}: values must be a scalar or a 1-D array, got shape {value.shape}"
                )
            if value.ndim == 1:
                if length is not None and value.shape[0] != length:
                    raise ParameterError(
                        f"parameter {p.name!r} has {value.shape[0]} values, other parameters have {length}"
                    )
                length = value.shape[0]
            bad = ~np.isfinite(value)
            if bad.any():
                raise ParameterError(
                    f"parameter {p.name!r} must be finite, got {value[bad].ravel()[0] if value.ndim else value}"
                )
            if p.bounds is not None:
                lo, hi = p.bounds
                out = (value < lo) | (value > hi)
                if out.any():
                    v = value[out].ravel()[0] if value.ndim else float(value)
                    raise ParameterError(f"parameter {p.name!r} = {v} lies outside its bounds [{lo}, {hi}]")
            values.append(value)
        if length is None:
            return np.array([float(v) for v in values], dtype=float)
        return np.stack([np.broadcast_to(v, (length,)) for v in values]).astype(float)

    def check_state(self, x: Any, *, name: str = "state") -> np.ndarray:
        """Validate a reduced state (shape ``(d,)``) and return it as a float array.

        Raises
        ------
        StateError
            If the shape is wrong, an entry is not finite, a share is negative or
            a population's shares sum above one (beyond :data:`STATE_TOLERANCE`).
        """
        try:
            arr = np.asarray(x, dtype=float)
        except (TypeError, ValueError):
            raise StateError(f"{name} {x!r} is not a vector of numbers") from None
        d = self.dimension
        if arr.shape != (d,):
            raise StateError(
                f"{name} must have shape ({d},) for coordinates {list(self.state_names)}, got shape {arr.shape}"
            )
        self._check_simplex(arr[:, None], name)
        return arr

    def check_states(self, xs: Any, *, name: str = "states") -> np.ndarray:
        """Validate a batch of states of shape ``(n, d)``; returns a float array."""
        try:
            arr = np.asarray(xs, dtype=float)
        except (TypeError, ValueError):
            raise StateError(f"{name} is not an array of numbers") from None
        if arr.ndim == 1 and arr.shape == (self.dimension,):
            arr = arr[None, :]
        if arr.ndim != 2 or arr.shape[1] != self.dimension:
            raise StateError(
                f"{name} must have shape (n, {self.dimension}) for coordinates {list(self.state_names)}, "
                f"got shape {arr.shape}"
            )
        self._check_simplex(arr.T, name)
        return arr

    def _check_simplex(self, cols: np.ndarray, name: str) -> None:
        """``cols`` has shape (d, n)."""
        if not np.isfinite(cols).all():
            raise StateError(f"{name} contains NaN or infinite values")
        tol = STATE_TOLERANCE
        neg = cols < -tol
        if neg.any():
            r, k = np.argwhere(neg)[0]
            raise StateError(
                f"{name}: share {self.state_names[r]} = {cols[r, k]:.6g} is negative "
                f"(population {self.game.populations[self.coordinates[r][0]].name!r})"
                + (f", at row {k}" if cols.shape[1] > 1 else "")
            )
        for i, sl in enumerate(self.population_slices()):
            total = cols[sl].sum(axis=0)
            over = total > 1 + tol
            if over.any():
                k = int(np.argmax(over))
                pop = self.game.populations[i]
                raise StateError(
                    f"{name}: the shares of population {pop.name!r} ({', '.join(self.state_names[sl])}) "
                    f"sum to {total[k]:.6g} > 1" + (f", at row {k}" if cols.shape[1] > 1 else "")
                )

    def simplex_excursion(self, ys: np.ndarray) -> float:
        """Largest violation of the state-space constraints in ``ys`` (shape ``(d, ...)``).

        ``max(-min share, max over populations of (sum of shares - 1), 0)``.
        """
        ys = np.asarray(ys, dtype=float)
        worst = max(0.0, float(-ys.min())) if ys.size else 0.0
        for sl in self.population_slices():
            if ys[sl].size:
                worst = max(worst, float((ys[sl].sum(axis=0) - 1.0).max()))
        return worst

    def vector_field(self, x: Any, params: Mapping[str, Any] | None = None) -> np.ndarray:
        """Evaluate :math:`\\dot x` at one state ``(d,)`` or a batch ``(n, d)``."""
        xs, single = self._batch(x)
        out = self._evaluate("rhs", xs, params).T
        return out[0] if single else out

    def jacobian_at(self, x: Any, params: Mapping[str, Any] | None = None) -> np.ndarray:
        """Evaluate the Jacobian at one state ``(d,)`` -> ``(d, d)`` or a batch -> ``(n, d, d)``."""
        xs, single = self._batch(x)
        out = np.moveaxis(self._evaluate("jac", xs, params), -1, 0)
        return out[0] if single else out

    def _batch(self, x: Any) -> tuple[np.ndarray, bool]:
        """Validated states as ``(n, d)`` and whether a single state ``(d,)`` was given."""
        try:
            arr = np.asarray(x, dtype=float)
        except (TypeError, ValueError):
            raise StateError(f"states {x!r:.80} are not a vector or an (n, d) array of numbers") from None
        return self.check_states(arr), arr.ndim == 1

    def _evaluate(self, which: str, xs: np.ndarray, params: Mapping[str, Any] | None) -> np.ndarray:
        """Compiled ``which`` at states ``xs`` (n, d); overflow or NaN raises :class:`NumericalError`."""
        p = _col(self.parameter_vector(params))
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            try:
                return self.compiled(which)(xs.T, p)
            except FloatingPointError as exc:
                raise NumericalError(
                    f"evaluating the {'vector field' if which == 'rhs' else 'Jacobian'} failed ({exc}): "
                    "parameter values or states are too extreme for double precision"
                ) from None

    def simulate(
        self, x0: Any, t_span: tuple[float, float], params: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> Trajectory:
        """Integrate one trajectory; see :func:`gametheory.integrate.simulate`."""
        from .integrate import simulate

        return simulate(self, x0, t_span, params, **kwargs)

    def simulate_many(
        self, states: Any, t_span: tuple[float, float], params: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> Any:
        """Integrate an ensemble; see :func:`gametheory.integrate.simulate_many`."""
        from .integrate import simulate_many

        return simulate_many(self, states, t_span, params, **kwargs)

    def __repr__(self) -> str:
        return f"ReplicatorDynamics({self.game!r}; states {list(self.state_names)})"


def _col(p: np.ndarray) -> np.ndarray:
    """Parameter vector ``(p,)`` -> ``(p, 1)`` so that it broadcasts against ``(d, n)`` states."""
    return p[:, None] if p.ndim == 1 else p


# ------------------------------------------------------------------ helpers
def _state_symbols(game: Game) -> tuple[sympy.Symbol, ...]:
    taken = set(game.parameter_names)
    names: list[str] = []
    for i, pop in enumerate(game.populations):
        letter = _LETTERS[i] if game.n_populations <= len(_LETTERS) else f"x{i + 1}_"
        if pop.size == 2:
            names.append(letter)
        else:
            names.extend(f"{letter}{j + 1}" for j in range(pop.size - 1))
    prefix = ""
    while any(prefix + n in taken for n in names):
        prefix += "s_"
    return tuple(sympy.Symbol(prefix + n, real=True) for n in names)


@functools.lru_cache(maxsize=4096)
def _factor(coefficient: sympy.Expr) -> sympy.Expr:
    """Factor a coefficient: cheaply (common content only) when it is linear in the parameters."""
    if coefficient.is_number:
        return coefficient
    poly = coefficient.as_poly()
    if poly is None or poly.total_degree() <= 1 or len(coefficient.free_symbols) > 12:
        return sympy.factor_terms(coefficient)
    return sympy.factor(coefficient)


def _expr(poly: sympy.Poly) -> sympy.Expr:
    """A polynomial in the states as a sum of monomials with factored coefficients."""
    gens = poly.gens
    terms = [_factor(c) * sympy.Mul(*(g**e for g, e in zip(gens, m))) for m, c in poly.terms()]
    return sympy.Add(*terms)


_GREEK = {
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "zeta",
    "eta",
    "theta",
    "iota",
    "kappa",
    "lambda",
    "mu",
    "nu",
    "xi",
    "pi",
    "rho",
    "sigma",
    "tau",
    "upsilon",
    "phi",
    "chi",
    "psi",
    "omega",
}


def _latex_name(name: str) -> str:
    """LaTeX for a parameter name: ``lam`` -> ``\\lambda``, ``R_g`` -> ``R_{g}``, ``theta`` -> ``\\theta``."""
    base, _, sub = name.partition("_")
    base = {"lam": "lambda"}.get(base, base)
    head = f"\\{base}" if base in _GREEK else base if len(base) == 1 else f"\\mathit{{{base}}}"
    return f"{head}_{{{sub}}}" if sub else head
