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

import sympy

from ._game_checks import _parameters, _payoff_table
from ._state_names import check_state_names, state_names
from .errors import SpecificationError, calls_checked, suggest
from .limits import MAX_PROFILES
from .parameters import Parameter

if TYPE_CHECKING:
    from .dynamics.base import Dynamics
    from .dynamics.replicator import ReplicatorDynamics
    from .symmetric import SymmetricPayoffs

__all__ = ["Population", "Parameter", "Game", "state_names"]


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
    symmetric_payoffs: SymmetricPayoffs | None = None
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
        self._set(pops, table, params, name, state_dependent, None)

    def _set(
        self,
        pops: tuple[Population, ...],
        table: tuple[tuple[sympy.Expr, ...], ...],
        params: tuple[Parameter, ...],
        name: str,
        state_dependent: bool,
        symmetric: SymmetricPayoffs | None,
    ) -> None:
        profiles = list(itertools.product(*(p.strategies for p in pops)))
        object.__setattr__(self, "populations", pops)
        object.__setattr__(self, "_payoff_table", table)
        object.__setattr__(self, "payoffs", MappingProxyType(dict(zip(profiles, table))))
        object.__setattr__(self, "parameters", params)
        object.__setattr__(self, "name", str(name))
        object.__setattr__(self, "state_dependent", state_dependent)
        object.__setattr__(self, "symmetric_payoffs", symmetric)

    @classmethod
    def symmetric(
        cls,
        strategies: Sequence[str],
        payoffs: Any,
        *,
        players: int = 2,
        parameters: Sequence[Parameter] | Mapping[str, Any] | None = None,
        name: str = "",
        population: str = "population",
    ) -> Game:
        """A one-population game: a symmetric matrix game, or a symmetric ``players``-player group game.

        One population plays against itself (see :mod:`gametheory.symmetric` for the
        matching, the formulas and the conventions).

        Parameters
        ----------
        strategies
            Names of the population's pure strategies.
        payoffs
            For ``players=2``: a :math:`k \\times k` table (nested lists, numpy array, sympy
            matrix, or a mapping ``{strategy: row}``) with ``payoffs[i][j]`` the payoff of
            strategy ``i`` against ``j``.  For any group size: one payoff per strategy (a
            sequence, or a mapping ``{strategy: payoff}``) in terms of the counts of co-players
            using each strategy, ``n1, n2, ...`` or ``n_<strategy>`` (see
            :func:`gametheory.symmetric.count_names`).
        players
            The group size ``d >= 2``.
        parameters, name
            As for :class:`Game`.
        population
            The population's name.

        Raises
        ------
        SpecificationError
            On a table of the wrong shape, a group size below 2, a payoff naming a state
            variable or an unknown count, a parameter named like a state or a count.

        Examples
        --------
        Hawk-dove, whose mixed equilibrium (hawks at share V/C) is an ESS:

        >>> hd = Game.symmetric(["H", "D"], [["(V - C)/2", "V"], [0, "V/2"]], parameters={"V": 2, "C": 3})
        >>> hd.replicator().equations[0].factor()
        x*(x - 1)*(C*x - V)/2

        A public goods game in groups of 4 (cooperators pay 1; the pot, times r, is shared):

        >>> pgg = Game.symmetric(["C", "D"], {"C": "r*(n_C + 1)/4 - 1", "D": "r*n_C/4"}, players=4)
        >>> pgg.replicator().payoff_differences
        (r/4 - 1,)
        """
        from .symmetric import build_symmetric, check_count_parameters

        if not isinstance(name, str):
            raise SpecificationError(f"the game's name must be text, got {type(name).__name__} {name!r:.60}")
        if not isinstance(population, str):
            raise SpecificationError(f"population must be a name (text), got {population!r:.60}")
        pop = Population(population, strategies)
        spec, table = build_symmetric(pop, payoffs, players)
        params = _parameters(table, parameters, state_names((pop,)))
        check_state_names((pop,), (), params, True)
        check_count_parameters([p.name for p in params], pop.strategies)
        game = object.__new__(cls)
        game._set((pop,), table, params, name, True, spec)
        return game

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
        if self.symmetric_payoffs is not None:  # one population: the group size is part of the model
            lines.insert(0, f"one population, {self.symmetric_payoffs.players}-player symmetric game")
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
        if self.symmetric_payoffs is not None:
            return (
                _rebuild_symmetric,
                (self.symmetric_payoffs, self.parameters, self.name, self.populations[0].name),
            )
        return (
            Game,
            (self.populations, dict(self.payoffs), self.parameters, self.name, self.state_dependent),
        )

    def __repr__(self) -> str:
        pops = ", ".join(f"{p.name}{list(p.strategies)}" for p in self.populations)
        title = f"{self.name!r}, " if self.name else ""
        if self.symmetric_payoffs is not None:
            pops = f"one population {pops}, {self.symmetric_payoffs.players}-player symmetric"
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
        from .game_text import game_summary

        return game_summary(self)

    def _repr_markdown_(self) -> str:
        from .game_text import game_markdown

        return game_markdown(self)

    def _repr_html_(self) -> str:
        from .game_text import game_html

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
            f"a game needs at least 2 populations, got {len(pops)} {[p.name for p in pops]}: for one "
            "population playing a symmetric game against itself, use Game.symmetric(strategies, payoffs) "
            "(a k x k matrix, or a group game with players=d)"
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


def _rebuild_symmetric(
    spec: SymmetricPayoffs, parameters: tuple[Parameter, ...], name: str, population: str
) -> Game:
    """Unpickle a one-population game from its specification."""
    # the count symbols n1, n2, ... of a counts table are valid count names
    table = list(spec.table) if spec.form == "counts" else [list(row) for row in spec.table]
    return Game.symmetric(
        list(spec.strategies),
        table,
        players=spec.players,
        parameters=parameters,
        name=name,
        population=population,
    )
