"""The interface every dynamics of a population game implements.

A *dynamics* turns a :class:`~gametheory.game.Game` into an autonomous ODE on the
product of the populations' simplices,

.. math::  \\dot x = F(x; p), \\qquad x \\in \\prod_i \\Delta^{k_i - 1},

written in *reduced coordinates*: for each population the shares of all its
strategies but the last, in declaration order (the last share is one minus the
others).  Numerics, analysis, studies and plots take any :class:`Dynamics` and
ask it for what they need (equations, Jacobian, compiled functions, parameter
vectors, state checks, the integration chart, theory facts); none of them
tests for a concrete class to decide theory.

Adding a dynamics means one module with a subclass that sets :attr:`Dynamics.facts`
and :attr:`Dynamics.chart` and builds :attr:`Dynamics.equations` (and, for the
log-ratio chart, :attr:`Dynamics.growth_rates`).
"""

from __future__ import annotations

import abc
import dataclasses
import functools
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import sympy

from ..codegen import CompiledFunction, compile_expressions
from ..errors import NumericalError, ParameterError, SpecificationError, StateError, calls_checked
from ..expressions import ascii_name, parse_expression
from ..game import Game, state_names
from ..latex import latex_name
from ._payoff_table import check_payoffs_finite, fragile_payoffs

if TYPE_CHECKING:
    from ..numerics.integrate import Trajectory

__all__ = ["CHARTS", "Dynamics", "STATE_TOLERANCE", "TheoryFacts"]

#: Tolerance of input-state checks: a coordinate may be below 0, or a
#: population's shares sum above 1, by at most this much.
STATE_TOLERANCE = 1e-9

#: Integration charts a dynamics may prefer: ``"log-ratio"`` integrates
#: :math:`u_{ij} = \ln(x_{ij}/x_{i,\mathrm{ref}})` (needs invariant faces and
#: :attr:`Dynamics.growth_rates`), ``"shares"`` integrates the reduced state itself.
CHARTS = ("log-ratio", "shares")


@dataclasses.dataclass(frozen=True)
class TheoryFacts:
    """Theorems about a dynamics that analysis code may rely on.

    Analysis asks these flags instead of testing for a concrete class; a
    function that needs a fact the dynamics lacks raises
    :class:`~gametheory.errors.AnalysisError` naming it.

    Attributes
    ----------
    faces_invariant : bool
        Every face of the state space (a strategy with share 0 stays at 0) is
        forward-invariant; pure profiles are then rest points.
    rest_points_equalize_payoffs : bool
        The rest points are exactly the states at which every strategy in use
        in a population earns the same expected payoff (so they can be found
        support by support from payoff equalities).
    vertex_eigenvalues_are_payoff_differences : bool
        At a pure profile the Jacobian's eigenvalues are the payoff advantages
        :math:`f_{ij} - f_{i s_i}` of the unused strategies over the used one.
    sinks_are_strict_nash : bool
        A rest point is asymptotically stable exactly when it is a strict Nash
        equilibrium (Ritzberger and Weibull 1995 for the multi-population
        replicator dynamics); ESS verdicts may be read from payoffs.
    rest_points_are_nash : bool
        The rest points are exactly the Nash equilibria of the game (Nash
        stationarity: BNN and Smith, Sandholm 2010), so they can be enumerated
        exactly as the Nash equilibria found by the replicator analysis.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> facts = classic.matching_pennies_3().replicator().facts
    >>> facts.sinks_are_strict_nash, TheoryFacts().sinks_are_strict_nash
    (True, False)
    """

    faces_invariant: bool = False
    rest_points_equalize_payoffs: bool = False
    vertex_eigenvalues_are_payoff_differences: bool = False
    sinks_are_strict_nash: bool = False
    rest_points_are_nash: bool = False

    def require(self, fact: str, dynamics: Dynamics, needed_by: str) -> None:
        """Raise :class:`~gametheory.errors.AnalysisError` unless ``fact`` holds.

        Examples
        --------
        >>> from gametheory.models import classic
        >>> dyn = classic.matching_pennies_3().replicator()
        >>> dyn.facts.require("sinks_are_strict_nash", dyn, "strict_equilibria")
        """
        from ..errors import AnalysisError

        if not getattr(self, fact):
            raise AnalysisError(
                f"{needed_by} relies on the theorem '{fact.replace('_', ' ')}', which does not hold for "
                f"{dynamics.described()}"
            )


@calls_checked
class Dynamics(abc.ABC):
    r"""A dynamics of a multi-population game, on the product of simplices.

    Subclasses set :attr:`facts` and :attr:`chart`, and build
    :attr:`equations` (a ``(d, 1)`` sympy matrix in :attr:`states` and the
    game's parameter symbols) in their constructor after calling
    ``super().__init__(game)``; :meth:`jacobian` defaults to the exact
    symbolic derivative of :attr:`equations`.

    Attributes
    ----------
    game : Game
    states : tuple of sympy.Symbol
        State symbols, in state order: for each population the shares of all
        strategies but the last.
    coordinates : tuple of (int, int)
        For each state coordinate, ``(population index, strategy index)``.
    expected_payoffs : tuple of tuple of sympy.Expr
        ``expected_payoffs[i][j]`` is :math:`f_{ij}(x)`, the expected payoff of
        strategy ``j`` of population ``i`` against the other populations.
    equations : sympy.ImmutableMatrix
        Column ``(d, 1)`` of right-hand sides :math:`\dot x = F(x; p)`.
    facts : TheoryFacts
        Theorems analysis may rely on (class attribute).
    chart : str
        The integration chart this dynamics prefers, one of :data:`CHARTS`.

    The symbols in :attr:`states` and :attr:`parameters` carry no assumptions:
    ``sympy.Symbol("x")`` is the state ``x`` and ``sympy.Symbol(name)`` the
    parameter ``name``, so user substitutions work; :meth:`equations_at` gives
    the system at numeric parameter values.

    Examples
    --------
    >>> import sympy
    >>> from gametheory.models import classic
    >>> dyn = classic.matching_pennies_3().replicator()  # a Dynamics subclass
    >>> dyn.states, dyn.dimension, dyn.parameters, dyn.chart
    ((x, y, z), 3, (a,), 'log-ratio')
    >>> dyn.equations[0]
    x*(1 - x)*(4*a*y - 2*a)
    >>> dyn.equations[0].subs({"a": 1, sympy.Symbol("y"): 1})
    2*x*(1 - x)
    >>> dyn.vertex(("H", "T", "H")), dyn.full_shares([0.2, 0.5, 1.0])[0]
    (array([1., 0., 1.]), array([0.2, 0.8]))
    >>> dyn.vector_field([0.5, 0.25, 0.5], {"a": 1.0})
    array([-0.25,  0.  ,  0.  ])
    >>> dyn.jacobian_at([0.5, 0.25, 0.5]).shape, dyn.compiled("jac", "scalar").shape
    ((3, 3), (3, 3))
    >>> dyn.check_state([0.5, 1.2, 0.0])
    Traceback (most recent call last):
    ...
    gametheory.errors.StateError: state: the shares of population 'player2' (y) sum to 1.2 > 1
    """

    facts: ClassVar[TheoryFacts] = TheoryFacts()
    chart: ClassVar[str] = "shares"
    #: ``"game"``: derived from a game's payoffs; ``"general"``: typed in from its equations, no payoffs.
    form: ClassVar[str] = "game"
    expected_payoffs: tuple[tuple[sympy.Expr, ...], ...] | None  # None: no payoffs (form "general")
    equations: sympy.ImmutableMatrix

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        calls_checked(cls)  # every dynamics: a call it cannot take is a SpecificationError

    def __init__(self, game: Game) -> None:
        if not isinstance(game, Game):
            raise SpecificationError(f"{type(self).__name__} needs a Game, got {type(game).__name__}")
        self.game = game
        self.coordinates: tuple[tuple[int, int], ...] = tuple(
            (i, j) for i, pop in enumerate(game.populations) for j in range(pop.size - 1)
        )
        self.states: tuple[sympy.Symbol, ...] = _state_symbols(game)
        if game.state_dependent:  # theorems on payoffs constant per profile lapse; faces stay invariant
            # (Nash stationarity holds for any population game: Sandholm 2010, ch. 5)
            self.facts = TheoryFacts(
                faces_invariant=self.facts.faces_invariant,
                rest_points_are_nash=self.facts.rest_points_are_nash,
            )

    @property
    def growth_rates(self) -> tuple[tuple[sympy.Expr, ...], ...]:
        r"""Per-capita growth :math:`\dot x_{ij} / x_{ij}` of every strategy, up to a
        term common to the population (needed by the ``"log-ratio"`` chart, where
        :math:`\dot u_{ij} = g_{ij} - g_{i,\mathrm{ref}}`)."""
        raise NotImplementedError(f"{type(self).__name__} does not define growth rates")

    def described(self) -> str:
        """The dynamics' class name, with the kind of game when its theorems may lapse for it."""
        if self.game.symmetric_payoffs is not None:
            return f"{type(self).__name__} of a one-population game"
        suffix = " of a game with state-dependent payoffs" if self.game.state_dependent else ""
        return type(self).__name__ + suffix

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
        return sympy.ImmutableMatrix(self.equations.jacobian(sympy.Matrix(self.states)))

    def jacobian(self) -> sympy.ImmutableMatrix:
        """Symbolic Jacobian :math:`\\partial \\dot x_r / \\partial x_c`, shape ``(d, d)``."""
        return self._jacobian

    def to_latex(self) -> str:
        """The system as a paper prints it (a LaTeX ``align`` environment), one line per state.

        Examples
        --------
        >>> from gametheory.models import classic
        >>> game = classic.matching_pennies_3()
        >>> [r"\\max" in game.dynamics(kind).to_latex() for kind in ("bnn", "smith")]
        [True, True]
        """
        names = {p.symbol: latex_name(p.name) for p in self.game.parameters}
        lines = [
            rf"\frac{{\mathrm{{d}}{sympy.latex(s)}}}{{\mathrm{{d}}t}} &= {sympy.latex(rhs, symbol_names=names)}"
            for s, rhs in zip(self.states, self.equations)
        ]
        return "\\begin{align}\n" + " \\\\\n".join(lines) + "\n\\end{align}"

    # -------------------------------------------------------------- numerics
    def _system(self, which: str) -> sympy.Matrix:
        if which == "rhs":
            return self.equations
        if which == "jac":
            return self.jacobian()
        if which == "payoffs":
            return sympy.Matrix([f for row in self.expected_payoffs for f in row])
        if which == "growth":
            return sympy.Matrix([g for row in self.growth_rates for g in row])
        raise SpecificationError(
            f"unknown compiled function {which!r}; use 'rhs', 'jac', 'payoffs' or 'growth'"
        )

    @functools.cached_property
    def _compiled(self) -> dict[str, CompiledFunction]:
        return {}

    def compiled(self, which: str, flavour: str = "array") -> CompiledFunction:
        """Compiled numerical function, generated once and cached.

        ``which`` is ``"rhs"`` (the equations, shape ``(d,)``), ``"jac"`` (the
        Jacobian, ``(d, d)``), ``"payoffs"`` (all expected payoffs
        :math:`f_{ij}`, population by population, ``(sum k_i,)``) or ``"growth"``
        (all :attr:`growth_rates`, same layout; the log-ratio chart's input); ``flavour``
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

        Values come from ``params`` (keys are names or the parameters' sympy
        symbols) and, for parameters not given there, from the game's defaults.
        Values may be scalars or 1-D arrays (all arrays of one length ``n``); the
        result has shape ``(p,)`` or ``(p, n)``.  This is the one place where
        ``params`` are resolved and validated; every computing function uses it.

        ``params`` may hold only the game's parameters.  The game keeps every
        parameter it was declared with, used by its payoffs or not, so a paper's
        full parameter dict works with each table declared with it; a name the
        game does not have is an error (all such names reported together).

        Raises
        ------
        ParameterError
            In one message: every unknown name (each with a suggestion), every
            missing parameter (no value and no default); or a NaN/inf value, a
            value outside its declared bounds.

        Examples
        --------
        >>> from gametheory.models import classic
        >>> dyn = classic.matching_pennies_3().replicator()
        >>> dyn.parameter_vector({"a": 2.0})
        array([2.])
        >>> dyn.parameter_vector({"aa": 1, "b": 2})
        Traceback (most recent call last):
        ...
        gametheory.errors.ParameterError: unknown parameters 'aa' (did you mean 'a'?), 'b'; the game's parameters are ['a']
        """
        if params is not None and not isinstance(params, Mapping):
            raise ParameterError(
                f"params must be a mapping {{name: value}}, e.g. {{'F_g': 3.0}}; got {type(params).__name__} "
                f"{params!r:.60}"
            )
        game = self.game
        params = dict(params or {})
        names = game.parameter_names
        problems = []
        params = {ascii_name(k.name if isinstance(k, sympy.Symbol) else str(k)): v for k, v in params.items()}
        unknown = game.unknown_parameters(params)
        if unknown:
            problems.append(unknown)
        missing = [n for n in names if n not in params and game.parameter(n).default is None]
        if missing:
            problems.append(f"no value given for parameter(s) {missing} (they have no default)")
        if problems:
            raise ParameterError("; ".join(problems))
        values, length = [], None
        for p in game.parameters:
            raw = params.get(p.name, p.default)
            if raw is None or isinstance(raw, (bool, np.bool_, str, bytes)):
                raise ParameterError(f"parameter {p.name!r}: value {raw!r} is not a number")
            try:
                value = np.asarray(raw, dtype=float)
            except (TypeError, ValueError):
                raise ParameterError(f"parameter {p.name!r}: value {raw!r:.80} is not a number") from None
            if np.asarray(raw).dtype.kind in "bUS":
                raise ParameterError(f"parameter {p.name!r}: values {raw!r:.80} are not numbers")
            if value.ndim > 1:
                raise ParameterError(
                    f"parameter {p.name!r}: values must be a scalar or a 1-D array, got shape {value.shape}"
                )
            if value.ndim == 1:
                if value.shape[0] == 0:
                    raise ParameterError(f"parameter {p.name!r}: the array of values is empty")
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
            out = np.array([float(v) for v in values], dtype=float)
        else:
            out = np.stack([np.broadcast_to(v, (length,)) for v in values]).astype(float)
        check_payoffs_finite(self._fragile_payoffs, self.game.parameter_names, out)
        return out

    @functools.cached_property
    def _fragile_payoffs(self) -> tuple[tuple[str, sympy.Expr, CompiledFunction], ...]:
        return fragile_payoffs(self.game, self.states, self.parameters)

    def exact_parameter_values(self, params: Mapping[str, Any] | None = None) -> dict[str, sympy.Rational]:
        """One validated parameter set as exact rationals: ``{name: value}``, in :attr:`parameters` order.

        ``params`` is resolved and validated by :meth:`parameter_vector`; each
        float becomes the exact rational of its shortest decimal representation
        (``0.1`` is ``1/10``), as numbers in payoff strings do.

        Raises
        ------
        ParameterError
            As :meth:`parameter_vector`, or when values are arrays (one set at a time).

        Examples
        --------
        >>> from gametheory.models import classic
        >>> classic.matching_pennies_3().replicator().exact_parameter_values({"a": 0.1})
        {'a': 1/10}
        """
        values = self.parameter_vector(params)
        if values.ndim != 1:
            raise ParameterError(
                f"one parameter set at a time is needed here; got arrays of {values.shape[1]} values "
                "(use strict_equilibria or a sweep for many parameter sets)"
            )
        return {name: parse_expression(float(v)) for name, v in zip(self.game.parameter_names, values)}

    def equations_at(self, params: Mapping[str, Any] | None = None) -> sympy.ImmutableMatrix:
        """The equations with numeric parameter values substituted: :math:`F(x; p)` at fixed ``p``.

        ``params`` is resolved and validated exactly as by :meth:`parameter_vector`
        (names or symbols; missing ones from the game's defaults; one scalar
        each), and the values enter exactly (:meth:`exact_parameter_values`).
        The result is a ``(d, 1)`` matrix in :attr:`states` only.

        (The package's symbols carry no assumptions, so ``sympy.Symbol("a")`` is
        the parameter ``a``: ``dyn.equations.subs({"a": 2})`` works as well.)

        Examples
        --------
        >>> from gametheory.models import classic
        >>> dyn = classic.matching_pennies_3().replicator()
        >>> dyn.equations_at({"a": 2})[0].factor()
        -4*x*(x - 1)*(2*y - 1)
        """
        exact = self.exact_parameter_values(params)
        return sympy.ImmutableMatrix(self.equations.xreplace(dict(zip(self.parameters, exact.values()))))

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
        d = self.dimension  # (d, d, n); one state coordinate compiles to (1, n)
        out = np.moveaxis(self._evaluate("jac", xs, params).reshape(d, d, -1), -1, 0)
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
        """Integrate one trajectory; see :func:`gametheory.numerics.integrate.simulate`."""
        from ..numerics.integrate import simulate

        return simulate(self, x0, t_span, params, **kwargs)

    def simulate_many(
        self, starts: Any, t_span: tuple[float, float], params: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> Any:
        """Integrate an ensemble; see :func:`gametheory.numerics.ensemble.simulate_many`."""
        from ..numerics.ensemble import simulate_many

        return simulate_many(self, starts, t_span, params, **kwargs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.game!r}; states {list(self.state_names)})"


def _col(p: np.ndarray) -> np.ndarray:
    """Parameter vector ``(p,)`` -> ``(p, 1)`` so that it broadcasts against ``(d, n)`` states."""
    return p[:, None] if p.ndim == 1 else p


def _state_symbols(game: Game) -> tuple[sympy.Symbol, ...]:
    """Plain symbols (no assumptions) named by :func:`gametheory.game.state_names`.

    A game's parameters never take these names (the game refuses them), so a
    user's ``sympy.Symbol("x")`` is the state symbol ``x``.
    """
    return tuple(sympy.Symbol(n) for n in state_names(game.populations))
