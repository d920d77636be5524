r"""General dynamics typed in from their equations: a vector field on the state space, and no payoffs.

:func:`gametheory.from_equations` with ``form="general"`` (or ``form="auto"`` on
equations that are not of two-strategy replicator form) builds a
:class:`GivenDynamics`: the autonomous system

.. math::  \dot x_r = F_r(x; p), \qquad r = 1, \dots, d,

exactly as typed (right-hand sides parsed safely, states renamed to the package's
names), on the product of the populations' simplices in *reduced coordinates*
(per population the shares of all strategies but the last, the last being one
minus their sum).  Time is the equations' own; nothing is normalised.

There is no game behind such a system: no payoffs, so no Nash equilibria, no ESS,
no theorem (every flag of :class:`~gametheory.dynamics.base.TheoryFacts` is false,
the chart is ``"shares"``).  What needs only the field works: the exact Jacobian
(sympy's derivative; ``Abs(u)`` is differentiated as ``Max(u, -u)``, whose derivative
at ``u = 0`` is ``0``, and ``Max``/``Min`` give steps with :math:`H(0) = 1/2` as in
:mod:`gametheory.dynamics.positive_part`), ``simulate``, ``simulate_many`` (numpy and
numba), attractors, basins, sweeps and ``gametheory.analyze`` (which routes to
:func:`~gametheory.analysis.general.analyze_numerically`; Nash status ``None``).
The :attr:`~gametheory.dynamics.base.Dynamics.game` is a :class:`GameShape`: the
populations, strategies and parameters, whose payoff accessors raise.

**The state space must be forward-invariant.**  Shares stay shares only when the field
points into the state space or along its boundary:

.. math::  F_{ij} \ge 0 \text{ where } x_{ij} = 0, \qquad
           \textstyle\sum_{j < k_i} F_{ij} \le 0 \text{ where } \sum_{j < k_i} x_{ij} = 1.

For each such face the outward speed (:math:`-F_{ij}`, resp. :math:`\sum_j F_{ij}`) is
restricted to the face symbolically; when that is identically zero (``x (1 - x) g``) or
a non-positive constant the face is proven fine, a positive constant is refused at
once.  Every other face is checked numerically, at every parameter set the dynamics is
used with (:meth:`GivenDynamics.parameter_vector`, the one place parameters are
resolved; at the defaults already on construction when every parameter has one): at
the face's vertices and :data:`BOUNDARY_SAMPLES` seeded points of each face.  An outward
speed above :data:`BOUNDARY_TOLERANCE` times the field's scale there is an error naming
the equation, the point and the parameters.  The sampled check can miss a violation on
a small part of a face; it never refuses a field that respects the state space.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np
import sympy

from ..codegen import compile_expressions
from ..errors import AnalysisError, ParameterError, SpecificationError, calls_checked
from ..expressions import parse_expression
from ..game import Game, Parameter, state_names
from .base import Dynamics, TheoryFacts

__all__ = ["BOUNDARY_SAMPLES", "BOUNDARY_TOLERANCE", "GameShape", "GivenDynamics"]

#: Relative threshold of the boundary check: an outward speed counts when it exceeds this
#: times ``max(1, largest |F| at the samples)`` (far above the rounding of a field that is
#: zero on a face, about 1e-16 of the terms' size).
BOUNDARY_TOLERANCE = 1e-10
#: Seeded random points per face of the boundary check (besides the face's vertices).
BOUNDARY_SAMPLES = 64
#: At most this many vertices of the state space enter the boundary check (a seeded subset).
_MAX_VERTICES = 256
#: Parameter sets checked at once (memory of the boundary check: samples x sets x states).
_CHUNK = 128

_NO_PAYOFFS = (
    "it has no payoffs: it carries the shape of a system typed in from its equations (form='general')"
)


@calls_checked
class GameShape(Game):
    """The shape of a game, populations, strategies and parameters, with no payoffs.

    The carrier of a :class:`GivenDynamics`: analysis and numerics read the populations
    and parameters from it; everything that reads payoffs raises
    :class:`~gametheory.errors.SpecificationError` (:meth:`payoff`, :meth:`payoff_array`,
    :meth:`replicator`, :meth:`dynamics`, :meth:`to_toml`, :meth:`to_json`), and
    :attr:`payoffs` is empty.  Its :attr:`fingerprint` covers the equations it carries
    (:class:`GivenDynamics` puts its own there), so two typed-in systems of one shape are
    told apart in saved results.

    Examples
    --------
    >>> shape = GameShape({"p": ["1", "2"], "q": ["1", "2"]}, {"a": 1.0}, equations=("a - x", "y"))
    >>> shape.profiles[0], shape.parameter_names, dict(shape.payoffs)
    (('1', '1'), ('a',), {})
    >>> shape.payoff(("1", "1"), "p")
    Traceback (most recent call last):
    ...
    gametheory.errors.SpecificationError: GameShape.payoff: it has no payoffs: it carries the shape of a system typed in from its equations (form='general')
    """

    def __init__(
        self,
        populations: Mapping[str, Sequence[str]] | Sequence[Any],
        parameters: Sequence[Parameter] | Mapping[str, Any] | None = None,
        name: str = "",
        *,
        equations: Sequence[str] = (),
    ) -> None:
        n = len(populations)
        strategies = populations.values() if isinstance(populations, Mapping) else populations
        zeros = {
            tuple(profile): (0,) * n
            for profile in itertools.product(*(getattr(s, "strategies", s) for s in strategies))
        }
        super().__init__(populations, zeros, parameters, name)
        object.__setattr__(self, "payoffs", MappingProxyType({}))
        object.__setattr__(self, "equations", tuple(str(e) for e in equations))

    @property
    def profiles(self) -> tuple[tuple[str, ...], ...]:
        """All pure profiles (the vertices of the state space), in population order."""
        return tuple(itertools.product(*(p.strategies for p in self.populations)))

    def _refuse(self, what: str) -> Any:
        raise SpecificationError(f"GameShape.{what}: {_NO_PAYOFFS}")

    def payoff(self, profile: Any, population: Any) -> Any:
        """Refused: there are no payoffs."""
        return self._refuse("payoff")

    def payoff_array(self, population: int) -> Any:
        """Refused: there are no payoffs."""
        return self._refuse("payoff_array")

    def replicator(self) -> Any:
        """Refused: without payoffs there is no replicator dynamics."""
        return self._refuse("replicator")

    def dynamics(self, kind: str = "replicator", **options: Any) -> Any:
        """Refused: without payoffs there are no dynamics of a game."""
        return self._refuse("dynamics")

    def to_toml(self) -> str:
        """Refused: a model file holds payoffs."""
        return self._refuse("to_toml")

    def to_json(self) -> str:
        """Refused: a model file holds payoffs."""
        return self._refuse("to_json")

    def canonical_table(self) -> str:
        """Populations, strategies, a line saying there are no payoffs, and the equations."""
        lines = [f"{p.name}: {', '.join(p.strategies)}" for p in self.populations]
        lines.append("no payoffs: general equations")
        lines += [f"{s}' = {e}" for s, e in zip(state_names(self.populations), self.equations)]
        return "\n".join(lines)

    def summary(self) -> str:
        """Populations (with their states), parameters and the equations; no payoffs."""
        names = iter(state_names(self.populations))
        lines = [f"System {self.name!r}" if self.name else "System", "populations (state variables):"]
        for pop in self.populations:
            states = ", ".join(next(names) for _ in range(pop.size - 1))
            lines.append(f"  {pop.name}: {', '.join(pop.strategies)}  ({states})")
        lines.append("parameters: " + (", ".join(self.parameter_names) or "none"))
        lines.append("payoffs: none (typed in from its equations)")
        lines += [f"  {s}' = {e}" for s, e in zip(state_names(self.populations), self.equations)]
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        return "```\n" + self.summary() + "\n```"

    def _repr_html_(self) -> str:
        from html import escape

        return f"<pre>{escape(self.summary())}</pre>"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_game_shape, (self.populations, self.parameters, self.name, self.equations))

    def __repr__(self) -> str:
        pops = ", ".join(f"{p.name}{list(p.strategies)}" for p in self.populations)
        return f"GameShape({pops}; parameters {list(self.parameter_names)}; no payoffs)"


def _game_shape(populations: Any, parameters: Any, name: str, equations: Sequence[str]) -> GameShape:
    return GameShape(populations, parameters, name, equations=equations)


class GivenDynamics(Dynamics):
    r"""The dynamics :math:`\dot x = F(x; p)` exactly as typed in, on the product of simplices.

    Parameters
    ----------
    game : GameShape
        Populations, strategies and parameters (no payoffs).
    equations
        One right-hand side per state, in state order (text or sympy), in the states'
        package names (:func:`~gametheory.game.state_names` of the populations) and the
        parameters.
    given_names
        The names the states were typed with (for messages); the package names by default.

    Attributes
    ----------
    expected_payoffs : None
        There are none; ``compiled("payoffs")`` raises :class:`~gametheory.errors.AnalysisError`.
    given_names : tuple of str
        The typed names of the states, in state order.
    form : str
        ``"general"`` (class attribute; the replicator path of ``from_equations`` returns a
        :class:`~gametheory.dynamics.replicator.ReplicatorDynamics`).

    Raises
    ------
    SpecificationError
        An equation count other than the number of states, a name in an equation that is
        neither a state nor a parameter, or a field that leaves the state space (see the
        module docstring) for every parameter value or at the defaults.

    Examples
    --------
    >>> shape = GameShape({"p": ["1", "2"], "q": ["1", "2"]}, {"a": 2.0})
    >>> dyn = GivenDynamics(shape, ["x*(1 - x)*(a*y - 1)", "y*(1 - y)*(1 - x) - y*x"])
    >>> dyn.vector_field([0.5, 0.5]).tolist(), dyn.facts.rest_points_are_nash
    ([0.0, -0.125], False)
    >>> dyn.jacobian()[1, 0]
    -y*(1 - y) - y
    >>> GivenDynamics(shape, ["1 - x", "y - 1"])
    Traceback (most recent call last):
    ...
    gametheory.errors.SpecificationError: the equation of 'y' points out of the state space for every parameter value: where y = 0 it is y' = -1 < 0 (the field must point into the state space or along its boundary, or shares leave [0, 1])
    """

    facts: ClassVar[TheoryFacts] = TheoryFacts()
    chart: ClassVar[str] = "shares"
    form: ClassVar[str] = "general"
    expected_payoffs: Any

    def __init__(
        self, game: GameShape, equations: Sequence[Any], given_names: Sequence[str] | None = None
    ) -> None:
        if not isinstance(game, GameShape):
            raise SpecificationError(
                f"GivenDynamics needs a GameShape (populations and parameters, no payoffs), got {type(game).__name__}"
            )
        super().__init__(game)
        self.given_names = tuple(given_names) if given_names is not None else self.state_names
        if (
            isinstance(equations, (str, bytes))
            or len(equations) != self.dimension
            or len(self.given_names) != self.dimension
        ):
            raise SpecificationError(
                f"{self.dimension} equations are needed, one per state {list(self.state_names)}, "
                f"got {1 if isinstance(equations, (str, bytes)) else len(equations)}"
            )
        known = {*self.state_names, *game.parameter_names}
        rows = []
        for given, rhs in zip(self.given_names, equations):
            expr = parse_expression(rhs, where=f"the equation of {given!r}")
            unknown = sorted(s.name for s in expr.free_symbols if s.name not in known)
            if unknown:
                raise SpecificationError(
                    f"the equation of {given!r} uses {unknown[0]!r}, which is neither a state "
                    f"({', '.join(self.state_names)}) nor a declared parameter ({', '.join(game.parameter_names) or 'none'})"
                )
            rows.append(expr)
        self.expected_payoffs = None
        self.equations = sympy.ImmutableMatrix(rows)
        if game.equations != tuple(map(str, rows)):  # the fingerprint covers these very equations
            self.game = GameShape(
                game.populations, game.parameters, game.name, equations=list(map(str, rows))
            )
        self._faces = self._boundary_faces()
        if all(p.default is not None for p in game.parameters):
            try:
                self.parameter_vector(None)
            except ParameterError as exc:
                raise SpecificationError(f"at the parameters' defaults: {exc}") from None

    @functools.cached_property
    def _jacobian(self) -> sympy.ImmutableMatrix:
        # Abs(u) as Max(u, -u): sympy differentiates Abs of a complex symbol with re/im parts
        smooth = self.equations.replace(sympy.Abs, lambda u: sympy.Max(u, -u))
        return sympy.ImmutableMatrix(smooth.jacobian(sympy.Matrix(self.states)))

    def _system(self, which: str) -> sympy.Matrix:
        if which == "payoffs":
            raise AnalysisError(f"{type(self).__name__} {_NO_PAYOFFS}")
        return super()._system(which)

    def parameter_vector(self, params: Mapping[str, Any] | None = None) -> np.ndarray:
        """Validated parameter vector (see the base class), with the field checked on the boundary there.

        Raises
        ------
        ParameterError
            As the base class, or when at these values the field points out of the state
            space somewhere on its boundary (naming the equation, the point and the values).

        Examples
        --------
        >>> dyn = GivenDynamics(GameShape({"p": ["1", "2"], "q": ["1", "2"]}, {"a": None}), ["x*(1 - x)", "a - y"])
        >>> dyn.parameter_vector({"a": 0.5})
        array([0.5])
        >>> dyn.parameter_vector({"a": 2.0})
        Traceback (most recent call last):
        ...
        gametheory.errors.ParameterError: the equation of 'y' points out of the state space at {'a': 2.0}: where y = 1, at (x, y) = (1, 1), y' = 1 > 0 (the field must point into the state space or along its boundary, or shares leave [0, 1])
        """
        p = super().parameter_vector(params)
        if self._faces:
            problem = _cached_violation(self, p.tobytes(), p.shape)
            if problem:
                raise ParameterError(problem)
        return p

    # ---------------------------------------------------------------- the boundary check
    def _boundary_faces(self) -> tuple[tuple[Any, ...], ...]:
        """Faces not proven fine: ``(culprit, population, strategy, outward speed, where, lhs)``.

        Strategy ``j < k - 1`` is the face ``x_j = 0``, ``j = k - 1`` the face where the
        population's states sum to 1; a face with a positive constant outward speed is refused.
        """
        faces = []
        for i, sl in enumerate(self.population_slices()):
            own = self.states[sl]
            for j in range(len(own) + 1):
                if j < len(own):
                    outward, on_face = -self.equations[sl.start + j], {own[j]: 0}
                    where, culprit = f"{own[j]} = 0", f"the equation of {self.given_names[sl.start + j]!r}"
                    lhs = f"{own[j]}'"
                else:
                    outward = sympy.Add(*self.equations[sl])
                    on_face = {own[-1]: 1 - sum(own[:-1])} if own else {}
                    where = f"{own[0]} = 1" if len(own) == 1 else f"{' + '.join(map(str, own))} = 1"
                    names = [self.given_names[r] for r in range(sl.start, sl.stop)]
                    culprit = (
                        f"the equation of {names[0]!r}" if len(names) == 1 else f"the equations of {names}"
                    )
                    lhs = f"{own[0]}'" if len(own) == 1 else "the sum of " + ", ".join(f"{s}'" for s in own)
                restricted = sympy.expand(outward.xreplace(on_face))
                if restricted.is_number and restricted.is_real:
                    if restricted > 0:
                        speed = -restricted if j < len(own) else restricted
                        raise SpecificationError(
                            f"{culprit} point{'s' * culprit.startswith('the equation ')} out of the state "
                            f"space for every parameter value: where {where} "
                            f"it is {lhs} = {speed} {'<' if j < len(own) else '>'} 0 (the field must point "
                            "into the state space or along its boundary, or shares leave [0, 1])"
                        )
                    continue  # proven: tangent or inward on the whole face
                faces.append((culprit, i, j, outward, where, lhs))
        return tuple(faces)

    @functools.cached_property
    def _boundary_samples(self) -> tuple[np.ndarray, np.ndarray, Any, Any]:
        """Points on the faces ``(d, m)``, the face of each, the compiled outward speeds and field."""
        rng = np.random.default_rng(0)
        pops = self.game.populations
        vertices = [self.vertex(p) for p in self.game.profiles]
        if len(vertices) > _MAX_VERTICES:
            vertices = [vertices[k] for k in rng.choice(len(vertices), _MAX_VERTICES, replace=False)]
        interior = [
            np.concatenate([rng.dirichlet(np.ones(pop.size))[:-1] for pop in pops])
            for _ in range(BOUNDARY_SAMPLES)
        ]
        base = np.array(vertices + interior).T  # (d, m)
        columns, owners = [], []
        for k, (_, i, j, _, _, _) in enumerate(self._faces):
            sl = self.population_slices()[i]
            full = np.vstack([base[sl], 1.0 - base[sl].sum(axis=0)])
            full[j] = 0.0
            total = full.sum(axis=0)
            keep = total > 1e-12  # the vertex of strategy j itself has no projection
            pts = base[:, keep].copy()
            pts[sl] = full[:-1, keep] / total[keep]
            columns.append(pts)
            owners += [k] * pts.shape[1]
        outward = compile_expressions("outward", [f[3] for f in self._faces], self.states, self.parameters)
        field = self.compiled("rhs")
        return np.hstack(columns), np.asarray(owners), outward, field


def _cached_violation(dyn: GivenDynamics, key: bytes, shape: tuple[int, ...]) -> str | None:
    """The first boundary violation at the parameter vector(s) ``key`` (cached per dynamics), or None."""
    cache = dyn.__dict__.setdefault("_boundary_verdicts", {})
    if key not in cache:
        if len(cache) > 1024:
            cache.clear()
        cache[key] = _violation(dyn, np.frombuffer(key).reshape(shape))
    return cache[key]


def _violation(dyn: GivenDynamics, p: np.ndarray) -> str | None:
    points, owners, outward, field = dyn._boundary_samples
    sets = p[:, None] if p.ndim == 1 else p
    m = points.shape[1]
    for start in range(0, sets.shape[1], _CHUNK):
        block = sets[:, start : start + _CHUNK]
        n = block.shape[1]
        X = np.repeat(points, n, axis=1)  # column c = point c // n at set c % n
        P = np.tile(block, (1, m))
        with np.errstate(all="ignore"):
            speeds = np.asarray(outward(X, P), dtype=float)[owners.repeat(n), np.arange(m * n)]
            scale = np.abs(np.asarray(field(X, P), dtype=float))
        scale = np.where(np.isfinite(scale), scale, 0.0).max(axis=0).reshape(m, n).max(axis=0)
        bad = speeds.reshape(m, n) > BOUNDARY_TOLERANCE * np.maximum(1.0, scale)[None, :]
        if bad.any():
            c, s = map(int, np.argwhere(bad)[0])
            return _message(dyn, owners[c], points[:, c], block[:, s], float(speeds.reshape(m, n)[c, s]))
    return None


def _message(dyn: GivenDynamics, face: int, x: np.ndarray, p: np.ndarray, speed: float) -> str:
    culprit, _, j, _, where, lhs = dyn._faces[face]
    last = j == len(dyn.states[dyn.population_slices()[dyn._faces[face][1]]])
    values = {n: float(v) for n, v in zip(dyn.game.parameter_names, p)}
    point = ", ".join(f"{v:.6g}" for v in x)
    shown = speed if last else -speed
    return (
        f"{culprit} point{'s' * culprit.startswith('the equation ')} out of the state space"
        f"{f' at {values}' if values else ''}: where {where}, at ({', '.join(dyn.state_names)}) "
        f"= ({point}), {lhs} = {shown:.6g} {'>' if last else '<'} 0 (the field must point into the state space "
        "or along its boundary, or shares leave [0, 1])"
    )
