"""Multi-population normal-form games with symbolic payoffs.

A :class:`Game` has ``N >= 2`` populations; population ``i`` has ``k_i >= 2``
pure strategies.  For every pure strategy profile ``s = (s_1, ..., s_N)`` it
stores one payoff ``pi_i(s)`` per population, a sympy expression in the game's
parameters.  Members of population ``i`` are matched with one random member of
every other population, so the expected payoff of strategy ``j`` of population
``i`` at the mixed state ``x`` is the multilinear polynomial

.. math::  f_{ij}(x) = \\sum_{s_{-i}} \\pi_i(j, s_{-i}) \\prod_{l \\ne i} x_{l, s_l}.

Games are built from Python (:class:`Game`, :meth:`Game.from_table`) or read
from TOML (:func:`load_game`); payoff strings are parsed safely (see
:mod:`gametheory.expressions`).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import sympy

from .errors import ParseError, SpecificationError, suggest
from .expressions import parameter_symbol, parse_expression

if TYPE_CHECKING:
    from .dynamics.replicator import ReplicatorDynamics

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["Population", "Parameter", "Game", "load_game"]

#: Largest number of pure strategy profiles a game may have.
MAX_PROFILES = 100_000
#: Largest TOML model file accepted by :func:`load_game`, in bytes.
MAX_FILE_BYTES = 5_000_000


@dataclass(frozen=True)
class Population:
    """A population and the names of its pure strategies, in declaration order.

    The state of the population is the vector of shares of all strategies but
    the last (see :class:`~gametheory.dynamics.ReplicatorDynamics`).
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

    def index(self, strategy: str) -> int:
        """Position of ``strategy`` in this population, with a clear error if unknown."""
        try:
            return self.strategies.index(strategy)
        except ValueError:
            raise SpecificationError(
                f"population {self.name!r} has no strategy {strategy!r}"
                f"{suggest(strategy, self.strategies)}; its strategies are {list(self.strategies)}"
            ) from None


@dataclass(frozen=True)
class Parameter:
    """A named model parameter.

    Attributes
    ----------
    name
        Identifier used in payoff expressions.
    default
        Default numerical value, or ``None`` (then a value must be given).
    bounds
        ``(lower, upper)`` admissible range (``math.inf`` allowed), or ``None``.
    description
        What the parameter means.
    source
        Where it comes from (e.g. a section of a paper).
    """

    name: str
    default: float | None = None
    bounds: tuple[float, float] | None = None
    description: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.isidentifier() or self.name.startswith("_"):
            raise SpecificationError(
                f"parameter name {self.name!r} must be an identifier not starting with '_'"
            )
        if self.default is not None:
            try:
                value = float(self.default)
            except (TypeError, ValueError):
                raise SpecificationError(
                    f"parameter {self.name!r}: default {self.default!r} is not a number"
                ) from None
            if not math.isfinite(value):
                raise SpecificationError(f"parameter {self.name!r}: default {value} is not finite")
            object.__setattr__(self, "default", value)
        if self.bounds is not None:
            try:
                lo, hi = (float(b) for b in self.bounds)
            except (TypeError, ValueError):
                raise SpecificationError(
                    f"parameter {self.name!r}: bounds {self.bounds!r} must be two numbers (lower, upper)"
                ) from None
            if not lo <= hi:
                raise SpecificationError(f"parameter {self.name!r}: bounds ({lo}, {hi}) are reversed")
            object.__setattr__(self, "bounds", (lo, hi))
            if self.default is not None and not lo <= self.default <= hi:
                raise SpecificationError(
                    f"parameter {self.name!r}: default {self.default} lies outside its bounds ({lo}, {hi})"
                )

    @property
    def symbol(self) -> sympy.Symbol:
        """The sympy symbol of the parameter (real)."""
        return parameter_symbol(self.name)


Profile = tuple[str, ...]


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
        must be declared and every declared name must be used.  When omitted,
        the parameters are the names found in the payoffs (sorted), without
        defaults.
    name
        A title for the game.

    Raises
    ------
    SpecificationError
        On a missing or extra profile, a payoff tuple of the wrong length,
        duplicate names, or undeclared/unused parameters.
    ParseError
        On a payoff expression that is not valid.
    """

    populations: tuple[Population, ...]
    payoffs: Mapping[Profile, tuple[sympy.Expr, ...]]
    parameters: tuple[Parameter, ...] = ()
    name: str = ""
    _payoff_table: tuple[tuple[sympy.Expr, ...], ...] = field(init=False, repr=False)

    def __init__(
        self,
        populations: Sequence[Population] | Mapping[str, Sequence[str]],
        payoffs: Mapping[Sequence[str], Sequence[Any]],
        parameters: Sequence[Parameter] | Mapping[str, Any] | None = None,
        name: str = "",
    ) -> None:
        pops = _populations(populations)
        table = _payoff_table(pops, payoffs)
        params = _parameters(table, parameters)
        profiles = list(itertools.product(*(p.strategies for p in pops)))
        object.__setattr__(self, "populations", pops)
        object.__setattr__(self, "_payoff_table", table)
        object.__setattr__(self, "payoffs", MappingProxyType(dict(zip(profiles, table))))
        object.__setattr__(self, "parameters", params)
        object.__setattr__(self, "name", str(name))

    @classmethod
    def from_table(
        cls,
        populations: Mapping[str, Sequence[str]],
        payoffs: Mapping[Sequence[str] | str, Sequence[Any]],
        parameters: Sequence[Parameter] | Mapping[str, Any] | None = None,
        name: str = "",
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
        """
        keyed: dict[tuple[str, ...], Sequence[Any]] = {}
        for key, value in payoffs.items():
            profile = tuple(s.strip() for s in key.split(",")) if isinstance(key, str) else tuple(key)
            if profile in keyed:
                raise SpecificationError(f"profile {profile} is given twice in the payoff table")
            keyed[profile] = value
        return cls(populations, keyed, parameters, name)

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
        return (Game, (self.populations, dict(self.payoffs), self.parameters, self.name))

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

    def to_toml(self) -> str:
        """The game as a TOML model file that :func:`load_game` reads back."""
        out = []
        if self.name:
            out.append(f"name = {_toml_string(self.name)}")
        out.append("\n[populations]")
        for p in self.populations:
            out.append(f"{_toml_key(p.name)} = [{', '.join(_toml_string(s) for s in p.strategies)}]")
        for p in self.parameters:
            out.append(f"\n[parameters.{p.name}]")
            if p.default is not None:
                out.append(f"default = {p.default!r}")
            if p.bounds is not None:
                out.append(f"bounds = [{_toml_float(p.bounds[0])}, {_toml_float(p.bounds[1])}]")
            if p.description:
                out.append(f"description = {_toml_string(p.description)}")
            if p.source:
                out.append(f"source = {_toml_string(p.source)}")
        out.append("\n[payoffs]")
        for profile, row in self.payoffs.items():
            exprs = ", ".join(_toml_string(sympy.sstr(e)) for e in row)
            out.append(f"{_toml_string(','.join(profile))} = [{exprs}]")
        return "\n".join(out) + "\n"


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


def _parameters(table: tuple[tuple[sympy.Expr, ...], ...], parameters: Any) -> tuple[Parameter, ...]:
    used = sorted({s.name for row in table for e in row for s in e.free_symbols})
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
    problems = []
    for n in used:
        if n not in names:
            problems.append(f"payoffs use {n!r}, which is not declared{suggest(n, names)}")
    for n in names:
        if n not in used:
            problems.append(f"parameter {n!r} is declared but no payoff uses it{suggest(n, used)}")
    if problems:
        raise SpecificationError("inconsistent parameters:\n  - " + "\n  - ".join(problems))
    return tuple(declared)


# ---------------------------------------------------------------------- TOML
def _toml_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _toml_key(s: str) -> str:
    return s if s.replace("_", "").replace("-", "").isalnum() else _toml_string(s)


def _toml_float(v: float) -> str:
    return "inf" if v == math.inf else "-inf" if v == -math.inf else repr(v)


def load_game(path: str | Path) -> Game:
    """Read a game from a TOML (``.toml``) or JSON (``.json``) model file.

    The file has the tables ``[populations]`` (name = list of strategies, in
    order), ``[payoffs]`` (``"s1,s2,..." = [payoff of population 1, ...]``) and
    optionally ``[parameters]`` (``name = default`` or a sub-table with
    ``default``, ``bounds``, ``description``, ``source``) and a top-level
    ``name``.  Payoff strings are parsed safely; nothing in the file is executed.

    Example::

        name = "Matching pennies"
        [populations]
        row = ["H", "T"]
        col = ["H", "T"]
        [parameters]
        a = 1.0
        [payoffs]
        "H,H" = ["a", "-a"]
        "H,T" = ["-a", "a"]
        "T,H" = ["-a", "a"]
        "T,T" = ["a", "-a"]

    A JSON file holds the same document as an object.  JSON files in the
    reference-case format of published games (keys ``players``,
    ``strategies``, ``parameters`` and ``payoffs`` keyed ``"(1,0,1)"``, where
    ``1`` is a player's *first* strategy) are read too; see
    :func:`game_document_from_reference_case`.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SpecificationError(f"cannot read model file {str(path)!r}: {exc.strerror}") from None
    if size > MAX_FILE_BYTES:
        raise ParseError(f"model file {str(path)!r} is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(f"model file {str(path)!r} is not UTF-8 text: {exc}") from None
    fmt = "json" if path.suffix.lower() == ".json" else "toml"
    return loads_game(text, source=str(path), format=fmt)


def loads_game(text: str, source: str = "<string>", format: str = "toml") -> Game:
    """Read a game from the text of a TOML or JSON model file (see :func:`load_game`)."""
    if format == "json":
        try:
            doc = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise ParseError(f"model file {source!r} is not valid JSON: {exc}") from None
        if not isinstance(doc, dict):
            raise SpecificationError(f"model file {source!r}: the JSON document must be an object")
        if "players" in doc:
            doc = game_document_from_reference_case(doc, source)
    elif format == "toml":
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ParseError(f"model file {source!r} is not valid TOML: {exc}") from None
    else:
        raise SpecificationError(f"unknown model file format {format!r}; use 'toml' or 'json'")
    return _game_from_document(doc, source)


def game_document_from_reference_case(doc: Mapping[str, Any], source: str = "<json>") -> dict[str, Any]:
    """Translate a reference-case JSON document into a model document.

    Reference cases name ``players`` (their order is the state order), give
    ``strategies`` either per player (``{"player": ["first", "second"]}``) or
    for all (``{"all": [...]}``), ``parameters`` as ``{name: value}`` and
    ``payoffs`` keyed ``"(s1,s2,...)"`` where ``s_i = 1`` means player ``i``'s
    first strategy and ``0`` its second (2-strategy players), or ``s_i = k``
    (1-based strategy index) when a player has more strategies.
    """
    players = doc.get("players")
    if not isinstance(players, list) or not all(isinstance(p, str) for p in players):
        raise SpecificationError(f"reference case {source!r}: 'players' must be a list of names")
    spec = doc.get("strategies") or {}
    if not isinstance(spec, Mapping):
        raise SpecificationError(f"reference case {source!r}: 'strategies' must be an object")
    populations: dict[str, list[str]] = {}
    for player in players:
        names = spec.get(player, spec.get("all", ["1", "0"]))
        if not isinstance(names, list) or len(names) < 2:
            raise SpecificationError(f"reference case {source!r}: strategies of {player!r} must be a list")
        populations[player] = [str(n) for n in names]
    payoffs: dict[tuple[str, ...], Any] = {}
    raw = doc.get("payoffs")
    if not isinstance(raw, Mapping):
        raise SpecificationError(f"reference case {source!r}: 'payoffs' must be an object")
    for key, row in raw.items():
        try:
            codes = [int(c) for c in str(key).strip().strip("()").split(",")]
        except ValueError:
            raise SpecificationError(
                f"reference case {source!r}: payoff key {key!r} must look like '(1,0,1)'"
            ) from None
        if len(codes) != len(players):
            raise SpecificationError(
                f"reference case {source!r}: payoff key {key!r} needs {len(players)} entries"
            )
        profile = []
        for player, code in zip(players, codes):
            names = populations[player]
            index = (0 if code == 1 else 1 if code == 0 else -1) if len(names) == 2 else code - 1
            if not 0 <= index < len(names):
                raise SpecificationError(
                    f"reference case {source!r}: payoff key {key!r} has no strategy {code} for {player!r}"
                )
            profile.append(names[index])
        payoffs[tuple(profile)] = row
    params = doc.get("parameters") or {}
    if not isinstance(params, Mapping):
        raise SpecificationError(f"reference case {source!r}: 'parameters' must be an object")
    # Reference cases may list parameters their payoff table does not use; keep only used ones.
    used = {
        sym.name
        for row in payoffs.values()
        if isinstance(row, Sequence) and not isinstance(row, str)
        for entry in row
        for sym in parse_expression(entry, where=f"reference case {source!r}").free_symbols
    }
    params = {k: v for k, v in params.items() if k in used}
    return {
        "name": str(doc.get("id", "")),
        "populations": populations,
        "payoffs": payoffs,
        "parameters": dict(params),
    }


def _game_from_document(doc: Mapping[str, Any], source: str) -> Game:
    """Build a game from a parsed model document (TOML or JSON)."""
    known = {"name", "populations", "payoffs", "parameters", "description"}
    extra = [k for k in doc if k not in known]
    if extra:
        raise SpecificationError(
            f"model file {source!r}: unknown top-level key(s) {extra}{suggest(extra[0], known)}; "
            f"expected {sorted(known)}"
        )
    for key in ("populations", "payoffs"):
        if key not in doc:
            raise SpecificationError(f"model file {source!r} has no [{key}] table")
        if not isinstance(doc[key], Mapping):
            raise SpecificationError(f"model file {source!r}: [{key}] must be a table")
    populations = doc["populations"]
    for name, strategies in populations.items():
        if not isinstance(strategies, list):
            raise SpecificationError(
                f"model file {source!r}: population {name!r} must be a list of strategy names"
            )
    params_doc = doc.get("parameters")
    parameters: list[Parameter] | None = None
    if params_doc is not None:
        if not isinstance(params_doc, Mapping):
            raise SpecificationError(f"model file {source!r}: [parameters] must be a table")
        parameters = []
        for pname, spec in params_doc.items():
            if isinstance(spec, Mapping):
                allowed = {"default", "bounds", "description", "source"}
                bad = [k for k in spec if k not in allowed]
                if bad:
                    raise SpecificationError(
                        f"model file {source!r}: parameter {pname!r} has unknown field(s) {bad}; "
                        f"allowed: {sorted(allowed)}"
                    )
                parameters.append(Parameter(pname, **spec))
            elif isinstance(spec, (int, float)) and not isinstance(spec, bool):
                parameters.append(Parameter(pname, spec))
            else:
                raise SpecificationError(
                    f"model file {source!r}: parameter {pname!r} must be a number or a table, got {spec!r}"
                )
    name = doc.get("name", "")
    if not isinstance(name, str):
        raise SpecificationError(f"model file {source!r}: name must be a string")
    return Game.from_table(populations, doc["payoffs"], parameters, name=name)
