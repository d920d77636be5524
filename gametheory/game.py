"""Multi-population normal-form games with symbolic payoffs.

A :class:`Game` has ``N >= 2`` populations; population ``i`` has ``k_i >= 2``
pure strategies.  For every pure strategy profile ``s = (s_1, ..., s_N)`` it
stores one payoff ``pi_i(s)`` per population, a sympy expression in the game's
parameters.  Members of population ``i`` are matched with one random member of
every other population, so the expected payoff of strategy ``j`` of population
``i`` at the mixed state ``x`` is the multilinear polynomial

.. math::  f_{ij}(x) = \\sum_{s_{-i}} \\pi_i(j, s_{-i}) \\prod_{l \\ne i} x_{l, s_l}.

Games are built from Python (:class:`Game`, :meth:`Game.from_table`) or read
from TOML or JSON files (:mod:`gametheory.io`); payoff strings are parsed safely (see
:mod:`gametheory.expressions`).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from ._state_names import check_state_names, state_names
from .errors import SpecificationError, calls_checked, suggest
from .expressions import parse_expression
from .parameters import Parameter

if TYPE_CHECKING:
    from .dynamics.base import Dynamics
    from .dynamics.replicator import ReplicatorDynamics

__all__ = ["Population", "Parameter", "Game", "state_names"]

from .limits import MAX_PROFILES  # noqa: E402  (resource limits live in one place)


@calls_checked
@dataclass(frozen=True)
class Population:
    """A population and the names of its pure strategies, in declaration order.

    The state of the population is the vector of shares of all strategies but
    the last (see :func:`state_names`).

    Examples
    --------
    >>> pop = Population("government", ["C", "B"])
    >>> pop.size, pop.index("B")
    (2, 1)
    >>> pop.summary()
    'government: C, B'
    """

    name: str
    strategies: tuple[str, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise SpecificationError(f"a population name must be a non-empty string, got {self.name!r}")
        if isinstance(self.strategies, str) or not isinstance(self.strategies, Iterable):
            raise SpecificationError(
                f"population {self.name!r}: strategies must be a sequence of names, got {self.strategies!r}"
            )
        strategies = tuple(self.strategies)
        object.__setattr__(self, "strategies", strategies)
        if len(strategies) < 2:
            raise SpecificationError(
                f"population {self.name!r} has {len(strategies)} strategy(ies) {list(strategies)}; "
                "a population needs at least 2 strategies"
            )
        for s in strategies:
            if not isinstance(s, str) or not s.strip():
                raise SpecificationError(
                    f"population {self.name!r}: strategy names must be non-empty strings, got {s!r}"
                )
        dupes = sorted({s for s in strategies if strategies.count(s) > 1})
        if dupes:
            raise SpecificationError(f"population {self.name!r} repeats strategy name(s) {dupes}")

    @property
    def size(self) -> int:
        """Number of pure strategies."""
        return len(self.strategies)

    def summary(self) -> str:
        """One line: ``name: strategy, strategy, ...``."""
        return f"{self.name}: {', '.join(self.strategies)}"

    def _repr_markdown_(self) -> str:
        return f"**{self.name}**: {', '.join(self.strategies)}"

    def index(self, strategy: str) -> int:
        """Position of ``strategy`` in this population, with a clear error if unknown."""
        try:
            return self.strategies.index(strategy)
        except ValueError:
            raise SpecificationError(
                f"population {self.name!r} has no strategy {strategy!r}"
                f"{suggest(strategy, self.strategies)}; its strategies are {list(self.strategies)}"
            ) from None


Profile = tuple[str, ...]


@calls_checked
@dataclass(frozen=True, eq=False)
class Game:
    """An ``N``-population game with symbolic payoffs.

    Parameters
    ----------
    populations
        :class:`Population` objects, or a mapping ``{name: [strategy, ...]}``.
    payoffs
        Mapping from every pure strategy profile (a tuple of strategy names, one
        per population, in population order) to a tuple of ``N`` payoffs, one per
        population.  Payoffs are strings, numbers or sympy expressions.
    parameters
        Optional: :class:`Parameter` objects, or a mapping ``{name: default}``
        or ``{name: Parameter}``.  When given, every name used in the payoffs
        must be declared; declared names that no payoff uses are kept as
        parameters (so a paper's full parameter set can be declared for each of
        its tables).  When omitted, the parameters are the names found in the
        payoffs (sorted), without defaults.  No parameter may be named like a
        state variable (:func:`state_names`: ``x``, ``y``, ``z``, ... or
        ``x1``, ``x2``, ...).
    name
        A title for the game.
    state_dependent
        When true, payoffs may use the state names (:func:`state_names`): ``x`` is
        the current share of population 1's first strategy, ``y`` that of
        population 2's first strategy, and so on.  Such payoffs must be polynomials
        in the states; the expected payoffs :math:`f_{ij}(x)` then hold the states
        through the payoffs too, so the replicator dynamics are still exact, but the
        rest-point theory of constant payoffs does not apply (see
        :mod:`gametheory._state_names`).  Default false: a state name in a payoff is
        an error, since payoffs are per pure profile.

    Raises
    ------
    SpecificationError
        On a missing or extra profile, a payoff tuple of the wrong length,
        duplicate names, undeclared parameters, a payoff that names a
        state variable (without ``state_dependent``) or is not polynomial in them.
    ParseError
        On a payoff expression that is not valid.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[3, 0], [5, 1]])
    >>> pd = Game(
    ...     {"row": ["C", "D"], "col": ["C", "D"]},
    ...     {(r, c): (A[i, j], A[j, i]) for i, r in enumerate("CD") for j, c in enumerate("CD")},
    ...     name="Prisoner's dilemma",
    ... )
    >>> pd.strategy_counts, pd.profiles[1], pd.payoff(("C", "D"), "col")
    ((2, 2), ('C', 'D'), 5)
    >>> pd.summary().splitlines()[-1]  # populations, parameters, payoff table
    '  D,D: 1 ; 1'
    >>> pd.replicator().equations[0].factor()
    x*(x - 1)*(y + 1)
    """

    populations: tuple[Population, ...]
    payoffs: Mapping[Profile, tuple[sympy.Expr, ...]]
    parameters: tuple[Parameter, ...] = ()
    name: str = ""
    state_dependent: bool = False
    _payoff_table: tuple[tuple[sympy.Expr, ...], ...] = field(init=False, repr=False)

    def __init__(
        self,
        populations: Sequence[Population] | Mapping[str, Sequence[str]],
        payoffs: Mapping[Sequence[str], Sequence[Any]],
        parameters: Sequence[Parameter] | Mapping[str, Any] | None = None,
        name: str = "",
        state_dependent: bool = False,
    ) -> None:
        if not isinstance(name, str):
            raise SpecificationError(f"the game's name must be text, got {type(name).__name__} {name!r:.60}")
        if not isinstance(state_dependent, bool):
            raise SpecificationError(f"state_dependent must be True or False, got {state_dependent!r:.60}")
        pops = _populations(populations)
        table = _payoff_table(pops, payoffs)
        # before _parameters: "uses 'y'" says more than "undeclared"
        check_state_names(pops, table, (), state_dependent)
        params = _parameters(table, parameters, state_names(pops) if state_dependent else ())
        check_state_names(pops, (), params, state_dependent)
        profiles = list(itertools.product(*(p.strategies for p in pops)))
        object.__setattr__(self, "populations", pops)
        object.__setattr__(self, "_payoff_table", table)
        object.__setattr__(self, "payoffs", MappingProxyType(dict(zip(profiles, table))))
        object.__setattr__(self, "parameters", params)
        object.__setattr__(self, "name", str(name))
        object.__setattr__(self, "state_dependent", state_dependent)

    @classmethod
    def from_table(
        cls,
        populations: Mapping[str, Sequence[str]],
        payoffs: Mapping[Sequence[str] | str, Sequence[Any]],
        parameters: Sequence[Parameter] | Mapping[str, Any] | None = None,
        name: str = "",
        state_dependent: bool = False,
    ) -> Game:
        """Build a game from a payoff table as printed in a paper.

        Examples
        --------
        >>> g = Game.from_table(
        ...     populations={"row": ["H", "T"], "col": ["H", "T"]},
        ...     payoffs={("H", "H"): ("a", "-a"), ("H", "T"): ("-a", "a"),
        ...              ("T", "H"): ("-a", "a"), ("T", "T"): ("a", "-a")},
        ... )
        >>> g.parameter_names
        ('a',)

        Profiles may also be given as comma-separated strings (``"H,T"``).
        With ``state_dependent=True`` payoffs may name the states (see :class:`Game`):

        >>> g = Game.from_table(
        ...     {"firm": ["comply", "violate"], "inspector": ["inspect", "skip"]},
        ...     {"comply,inspect": (0, "-c"), "comply,skip": (0, 0),
        ...      "violate,inspect": ("-F*(1 - x)", "b - c"), "violate,skip": ("g", 0)},
        ...     state_dependent=True,
        ... )
        >>> g.parameter_names, g.replicator().payoff_differences[0]
        (('F', 'b', 'c', 'g'), -F*x*y - g + y*(F + g))
        """
        keyed: dict[tuple[str, ...], Sequence[Any]] = {}
        for key, value in payoffs.items():
            if not isinstance(key, (str, tuple, list)):
                raise SpecificationError(
                    f"profile key {key!r} must be a tuple of strategy names or a string like 'C,E,A', "
                    f"got {type(key).__name__}"
                )
            profile = tuple(s.strip() for s in key.split(",")) if isinstance(key, str) else tuple(key)
            if profile in keyed:
                raise SpecificationError(f"profile {profile} is given twice in the payoff table")
            keyed[profile] = value
        return cls(populations, keyed, parameters, name, state_dependent)

    # ------------------------------------------------------------------ shape
    @property
    def n_populations(self) -> int:
        """Number of populations ``N``."""
        return len(self.populations)

    @property
    def strategy_counts(self) -> tuple[int, ...]:
        """Number of strategies of each population, ``(k_1, ..., k_N)``."""
        return tuple(p.size for p in self.populations)

    @property
    def profiles(self) -> tuple[Profile, ...]:
        """All pure strategy profiles, in lexicographic order of declaration."""
        return tuple(self.payoffs)

    @property
    def population_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.populations)

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)

    @property
    def symbols(self) -> tuple[sympy.Symbol, ...]:
        """Parameter symbols, in the order of :attr:`parameters`."""
        return tuple(p.symbol for p in self.parameters)

    @property
    def defaults(self) -> dict[str, float]:
        """Default values of the parameters that have one."""
        return {p.name: p.default for p in self.parameters if p.default is not None}

    def unknown_parameters(self, names: Iterable[str]) -> str:
        """The one message for parameter names the game does not have ("" when all are known).

        Every unknown name is listed once, each with a close suggestion, then the
        game's parameters: callers raise it as a :class:`~gametheory.errors.ParameterError`.

        Examples
        --------
        >>> from gametheory.models import classic
        >>> game = classic.matching_pennies_3()
        >>> game.unknown_parameters(["a"])
        ''
        >>> game.unknown_parameters(["aa", "b"])
        "unknown parameters 'aa' (did you mean 'a'?), 'b'; the game's parameters are ['a']"
        """
        known = self.parameter_names
        unknown = [str(k) for k in names if str(k) not in known]
        if not unknown:
            return ""
        listed = ", ".join(f"{k!r}{suggest(k, known)}" for k in unknown)
        return f"unknown parameter{'s' if len(unknown) > 1 else ''} {listed}; the game's parameters are {list(known)}"

    def parameter(self, name: str) -> Parameter:
        """The :class:`Parameter` called ``name``."""
        for p in self.parameters:
            if p.name == name:
                return p
        raise SpecificationError(f"game has no parameter {name!r}{suggest(name, self.parameter_names)}")

    def population(self, name: str) -> Population:
        """The :class:`Population` called ``name``."""
        for p in self.populations:
            if p.name == name:
                return p
        raise SpecificationError(f"game has no population {name!r}{suggest(name, self.population_names)}")

    def payoff(self, profile: Sequence[str] | Sequence[int], population: int | str) -> sympy.Expr:
        """Payoff of ``population`` (index or name) at ``profile`` (names or indices)."""
        idx = self.profile_indices(profile)
        i = (
            population
            if isinstance(population, int)
            else self.population_names.index(self.population(population).name)
        )
        return self.payoff_array(i)[idx]

    def profile_indices(self, profile: Sequence[str] | Sequence[int]) -> tuple[int, ...]:
        """Strategy indices of a profile given by names or by indices."""
        if len(profile) != self.n_populations:
            raise SpecificationError(
                f"profile {tuple(profile)} has {len(profile)} entries, the game has "
                f"{self.n_populations} populations {list(self.population_names)}"
            )
        out = []
        for pop, s in zip(self.populations, profile):
            if isinstance(s, (int,)) and not isinstance(s, bool):
                if not 0 <= s < pop.size:
                    raise SpecificationError(f"population {pop.name!r} has no strategy index {s}")
                out.append(int(s))
            else:
                out.append(pop.index(s))
        return tuple(out)

    @functools.cached_property
    def _arrays(self) -> tuple[sympy.Array, ...]:
        shape = self.strategy_counts
        return tuple(
            sympy.MutableDenseNDimArray([row[i] for row in self._payoff_table], shape).as_immutable()
            for i in range(self.n_populations)
        )

    def payoff_array(self, population: int) -> sympy.ImmutableDenseNDimArray:
        """Payoffs of population ``population`` as an array of shape ``strategy_counts``."""
        return self._arrays[population]

    # --------------------------------------------------------------- identity
    def canonical_table(self) -> str:
        """A canonical text of the game: populations, strategies and payoffs."""
        lines = [f"{p.name}: {', '.join(p.strategies)}" for p in self.populations]
        if self.state_dependent:  # static games keep their fingerprints
            lines.insert(0, "state-dependent payoffs")
        for profile, row in self.payoffs.items():
            lines.append(f"{','.join(profile)} -> {' ; '.join(sympy.srepr(sympy.expand(e)) for e in row)}")
        return "\n".join(lines)

    @functools.cached_property
    def fingerprint(self) -> str:
        """SHA-256 of :meth:`canonical_table`: identifies the model in saved results."""
        return hashlib.sha256(self.canonical_table().encode()).hexdigest()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Game):
            return NotImplemented
        return self.fingerprint == other.fingerprint and self.parameter_names == other.parameter_names

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by the specification (sympy expressions pickle; caches are rebuilt)."""
        return (
            Game,
            (self.populations, dict(self.payoffs), self.parameters, self.name, self.state_dependent),
        )

    def __repr__(self) -> str:
        pops = ", ".join(f"{p.name}{list(p.strategies)}" for p in self.populations)
        title = f"{self.name!r}, " if self.name else ""
        return f"Game({title}{pops}; parameters {list(self.parameter_names)})"

    # --------------------------------------------------------------- dynamics
    @functools.cached_property
    def _replicator(self) -> ReplicatorDynamics:
        from .dynamics.replicator import ReplicatorDynamics

        return ReplicatorDynamics(self)

    def replicator(self) -> ReplicatorDynamics:
        """The replicator dynamics of the game (computed once, then cached)."""
        return self._replicator

    def dynamics(self, kind: str = "replicator", **options: Any) -> Dynamics:
        """The dynamics ``kind`` of this game (see :data:`gametheory.dynamics.KINDS`), with its options.

        ``game.dynamics("replicator")`` is ``game.replicator()`` (cached); other kinds are
        built on each call.

        Examples
        --------
        >>> from gametheory.models import classic
        >>> game = classic.matching_pennies_3()
        >>> game.dynamics() is game.replicator()
        True
        """
        if kind == "replicator" and not options:
            return self._replicator
        from .dynamics import make_dynamics

        return make_dynamics(self, kind, **options)

    def summary(self) -> str:
        """Text summary: populations and strategies, parameters with defaults, payoff table."""
        from .io import game_summary

        return game_summary(self)

    def _repr_markdown_(self) -> str:
        from .io import game_markdown

        return game_markdown(self)

    def _repr_html_(self) -> str:
        from .io import game_html

        return game_html(self)

    def to_toml(self) -> str:
        """The game as a TOML model file that :func:`~gametheory.io.load_game` reads back (see :func:`gametheory.io.to_toml`)."""
        from .io import to_toml

        return to_toml(self)

    def to_json(self) -> str:
        """The game as a JSON model file that :func:`~gametheory.io.load_game` reads back (see :func:`gametheory.io.to_json`)."""
        from .io import to_json

        return to_json(self)


# ---------------------------------------------------------------- validation
def _populations(populations: Any) -> tuple[Population, ...]:
    if isinstance(populations, Mapping):
        pops = tuple(Population(str(k), v) for k, v in populations.items())
    elif isinstance(populations, Iterable) and not isinstance(populations, str):
        pops = tuple(populations)
        for p in pops:
            if not isinstance(p, Population):
                raise SpecificationError(
                    f"populations must be Population objects or a mapping name -> strategies, got {p!r}"
                )
    else:
        raise SpecificationError(
            f"populations must be a mapping name -> strategies, got {type(populations).__name__}"
        )
    if len(pops) < 2:
        raise SpecificationError(
            f"a game needs at least 2 populations, got {len(pops)} {[p.name for p in pops]}"
        )
    names = [p.name for p in pops]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise SpecificationError(f"population name(s) {dupes} are used more than once")
    n_profiles = math.prod(p.size for p in pops)
    if n_profiles > MAX_PROFILES:
        raise SpecificationError(
            f"the game has {n_profiles:,} strategy profiles, more than the limit of {MAX_PROFILES:,}"
        )
    return pops


def _payoff_table(pops: tuple[Population, ...], payoffs: Any) -> tuple[tuple[sympy.Expr, ...], ...]:
    if not isinstance(payoffs, Mapping):
        raise SpecificationError(
            f"payoffs must be a mapping profile -> tuple of payoffs, got {type(payoffs).__name__}"
        )
    expected = list(itertools.product(*(p.strategies for p in pops)))
    given: dict[tuple[str, ...], Any] = {}
    for key, value in payoffs.items():
        profile = tuple(key) if isinstance(key, (tuple, list)) else key
        if not isinstance(profile, tuple) or len(profile) != len(pops):
            raise SpecificationError(
                f"profile {key!r} must name one strategy for each of the {len(pops)} populations "
                f"{[p.name for p in pops]}"
            )
        for pop, s in zip(pops, profile):
            pop.index(s)  # raises a clear error for unknown strategies
        given[profile] = value
    missing = [p for p in expected if p not in given]
    if missing:
        shown = ", ".join(str(m) for m in missing[:8]) + (" ..." if len(missing) > 8 else "")
        raise SpecificationError(
            f"the payoff table misses {len(missing)} of {len(expected)} strategy profiles: {shown}"
        )
    table = []
    for profile in expected:
        row = given[profile]
        if isinstance(row, np.ndarray) and row.ndim == 1:
            row = list(row)  # a row of a numpy payoff array: its entries are numpy scalars
        if isinstance(row, (str, bytes)) or not isinstance(row, Sequence):
            raise SpecificationError(
                f"payoffs at {profile} must be a sequence of {len(pops)} values, one per population "
                f"{[p.name for p in pops]}; got {row!r}"
            )
        if len(row) != len(pops):
            raise SpecificationError(
                f"payoffs at {profile} have {len(row)} entries, expected {len(pops)} "
                f"(one per population {[p.name for p in pops]})"
            )
        table.append(
            tuple(
                parse_expression(v, where=f"the payoff of {pop.name!r} at {profile}")
                for pop, v in zip(pops, row)
            )
        )
    return tuple(table)


def _parameters(
    table: tuple[tuple[sympy.Expr, ...], ...], parameters: Any, states: Sequence[str] = ()
) -> tuple[Parameter, ...]:
    """Declared parameters (or the sorted names the payoffs use, when none are declared).

    Every name the payoffs use must be declared.  Declared names that no payoff
    uses are kept (a paper's full parameter set may be declared for every table);
    they are listed as likely typos only when a used name is undeclared.
    """
    used = sorted({s.name for row in table for e in row for s in e.free_symbols} - set(states))
    if parameters is None:
        return tuple(Parameter(n) for n in used)
    if isinstance(parameters, Mapping):
        declared = []
        for key, value in parameters.items():
            if isinstance(value, Parameter):
                if value.name != key:
                    raise SpecificationError(f"parameter declared under {key!r} is named {value.name!r}")
                declared.append(value)
            else:
                declared.append(Parameter(str(key), value))
    elif isinstance(parameters, Iterable) and not isinstance(parameters, str):
        declared = []
        for p in parameters:
            if not isinstance(p, Parameter):
                raise SpecificationError(f"parameters must be Parameter objects, got {p!r}")
            declared.append(p)
    else:
        raise SpecificationError(
            f"parameters must be a mapping name -> default or a sequence of Parameter, got {parameters!r}"
        )
    names = [p.name for p in declared]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise SpecificationError(f"parameter(s) {dupes} are declared more than once")
    problems = [
        f"payoffs use {n!r}, which is not declared{suggest(n, names)}" for n in used if n not in names
    ]
    if problems:
        problems += [
            f"parameter {n!r} is declared but no payoff uses it{suggest(n, used)}"
            for n in names
            if n not in used
        ]
        raise SpecificationError("inconsistent parameters:\n  - " + "\n  - ".join(problems))
    return tuple(declared)
