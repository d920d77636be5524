"""Game model files (TOML, JSON, reference-case JSON) and text renderings of a game.

A model file has the tables ``[populations]`` (name = list of strategies, in
order), ``[payoffs]`` (``"s1,s2,..." = [payoff of population 1, ...]``) and
optionally ``[parameters]`` (``name = default`` or a sub-table with
``default``, ``bounds``, ``description``, ``source``), a top-level ``name``
and ``state_dependent = true`` for payoffs that name the states (see
:class:`~gametheory.game.Game`).
Payoff strings are parsed safely (:mod:`gametheory.expressions`); nothing in a
file is executed.  :func:`to_toml` (also :meth:`Game.to_toml
<gametheory.game.Game.to_toml>`) and :func:`to_json` (also :meth:`Game.to_json
<gametheory.game.Game.to_json>`) write a file that :func:`load_game` reads back.
:func:`game_summary`, :func:`game_markdown` and :func:`game_html` render a game
for :meth:`Game.summary <gametheory.game.Game.summary>` and notebooks.

Examples
--------
>>> from gametheory.models import classic
>>> game = classic.matching_pennies_3()
>>> loads_game(to_toml(game)) == game
True
>>> loads_game(to_json(game), format="json") == game
True
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sympy

from .errors import ParseError, SpecificationError, keywords_checked, suggest
from .game import Game
from .game_text import game_html, game_markdown, game_summary, parameter_summary
from .parameters import Parameter
from .reference_cases import game_document_from_reference_case
from .symmetric import symmetric_arguments

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = [
    "MAX_FILE_BYTES",
    "game_document_from_reference_case",
    "game_html",
    "game_markdown",
    "game_summary",
    "load_game",
    "loads_game",
    "parameter_summary",
    "to_json",
    "to_toml",
]

from .limits import MAX_FILE_BYTES  # noqa: E402  (resource limits live in one place)


@keywords_checked
def to_toml(game: Game) -> str:
    """The game as a TOML model file that :func:`load_game` reads back.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> print(to_toml(classic.matching_pennies_3()))  # doctest: +ELLIPSIS
    name = "Three-player matching pennies (Jordan 1993)"
    <BLANKLINE>
    [populations]
    player1 = ["H", "T"]
    ...
    [payoffs]
    "H,H,H" = ["a", "a", "-a"]
    ...
    """
    out = []
    if game.name:
        out.append(f"name = {_toml_string(game.name)}")
    spec = game.symmetric_payoffs
    if spec is not None:  # one population: [symmetric] with its own payoffs (see load_game)
        out.append("\n[symmetric]")
        out.append(f"population = {_toml_string(game.populations[0].name)}")
        out.append(f"players = {spec.players}")
        out.append(f"strategies = [{', '.join(_toml_string(s) for s in spec.strategies)}]")
    elif game.state_dependent:
        out.append("state_dependent = true")
    if spec is None:
        out.append("\n[populations]")
    for p in game.populations if spec is None else ():
        out.append(f"{_toml_key(p.name)} = [{', '.join(_toml_string(s) for s in p.strategies)}]")
    for p in game.parameters:
        for field in ("description", "source"):
            value = getattr(p, field)
            if value is not None and not isinstance(value, str):
                raise SpecificationError(
                    f"parameter {p.name!r}: {field} must be a string to be written to TOML, got {value!r}"
                )
        out.append(f"\n[parameters.{_toml_key(p.name)}]")
        if p.default is not None:
            out.append(f"default = {_toml_number(p.default)}")
        if p.bounds is not None:
            out.append(f"bounds = [{_toml_float(p.bounds[0])}, {_toml_float(p.bounds[1])}]")
        if p.description:
            out.append(f"description = {_toml_string(p.description)}")
        if p.source:
            out.append(f"source = {_toml_string(p.source)}")
    if spec is not None:
        out.append("\n[symmetric.payoffs]")
        for s, row in zip(spec.strategies, spec.table):
            value = sympy.sstr(row) if spec.form == "counts" else [sympy.sstr(e) for e in row]
            text = (
                _toml_string(value) if isinstance(value, str) else f"[{', '.join(map(_toml_string, value))}]"
            )
            out.append(f"{_toml_key(s)} = {text}")
    elif all(_comma_safe(s) for pop in game.populations for s in pop.strategies):
        out.append("\n[payoffs]")
        for profile, row in game.payoffs.items():
            exprs = ", ".join(_toml_string(sympy.sstr(e)) for e in row)
            out.append(f"{_toml_string(','.join(profile))} = [{exprs}]")
    else:  # a strategy name with a comma (or edge spaces): one [[payoffs]] table per profile, unambiguous
        for profile, row in game.payoffs.items():
            exprs = ", ".join(_toml_string(sympy.sstr(e)) for e in row)
            out.append("\n[[payoffs]]")
            out.append(f"profile = [{', '.join(_toml_string(s) for s in profile)}]")
            out.append(f"payoffs = [{exprs}]")
    return "\n".join(out) + "\n"


@keywords_checked
def to_json(game: Game) -> str:
    """The game as a JSON model file that :func:`load_game` reads back (``.json``).

    The JSON file holds the document of a TOML model file (see :func:`load_game`)
    as one object, keys in a fixed order: ``name``, ``populations`` (name: list
    of strategies, in state order), ``parameters`` (name: an object with
    whichever of ``default``, ``bounds``, ``description``, ``source`` the
    parameter has; an unbounded side of ``bounds`` is ``null``, so the file is
    strict JSON) and ``payoffs``.  Payoffs are keyed ``"s1,s2,..."``; when a
    strategy name holds a comma (or starts or ends with a space) they are a
    list of ``{"profile": [...], "payoffs": [...]}`` objects instead, as
    :func:`to_toml` writes ``[[payoffs]]`` tables.  Payoff expressions are
    exact strings (rationals stay rationals); defaults and bounds are written
    as the shortest text that reads back as the same float.  Indented by two
    spaces, non-ASCII text kept as it is, one trailing newline: the same game
    always gives the same text.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> text = to_json(classic.matching_pennies_3())
    >>> print(text)  # doctest: +ELLIPSIS
    {
      "name": "Three-player matching pennies (Jordan 1993)",
      "populations": {
        "player1": [
          "H",
          "T"
        ],
    ...
      "parameters": {
        "a": {
          "default": 1.0
        }
      },
      "payoffs": {
        "H,H,H": [
          "a",
          "a",
          "-a"
        ],
    ...
    >>> loads_game(text, format="json") == classic.matching_pennies_3()
    True
    """
    parameters: dict[str, dict[str, Any]] = {}
    for p in game.parameters:
        spec: dict[str, Any] = {}
        if p.default is not None:
            spec["default"] = p.default
        if p.bounds is not None:
            spec["bounds"] = [None if math.isinf(b) else b for b in p.bounds]  # JSON has no infinity
        if p.description:
            spec["description"] = p.description
        if p.source:
            spec["source"] = p.source
        parameters[p.name] = spec
    rows = {profile: [sympy.sstr(e) for e in row] for profile, row in game.payoffs.items()}
    payoffs: dict[str, list[str]] | list[dict[str, list[str]]]
    if all(_comma_safe(s) for pop in game.populations for s in pop.strategies):
        payoffs = {",".join(profile): row for profile, row in rows.items()}
    else:
        payoffs = [{"profile": list(profile), "payoffs": row} for profile, row in rows.items()]
    document: dict[str, Any] = {
        "name": game.name,
        "populations": {p.name: list(p.strategies) for p in game.populations},
        "parameters": parameters,
        "payoffs": payoffs,
    }
    spec = game.symmetric_payoffs
    if spec is not None:  # one population: the [symmetric] table replaces populations and payoffs
        table = [sympy.sstr(e) if spec.form == "counts" else [sympy.sstr(v) for v in e] for e in spec.table]
        document = {"name": game.name, "parameters": parameters, "symmetric": {
            "population": game.populations[0].name, "players": spec.players,
            "strategies": list(spec.strategies), "payoffs": dict(zip(spec.strategies, table))}}  # fmt: skip
    elif game.state_dependent:
        document["state_dependent"] = True
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _comma_safe(strategy: str) -> bool:
    """Whether a strategy name survives the ``"s1,s2"`` profile key (split at commas, spaces stripped)."""
    return "," not in strategy and strategy == strategy.strip() and strategy != ""


# ---------------------------------------------------------------------- TOML
def _toml_string(s: str) -> str:
    out = []
    for c in s:
        if c == "\\" or c == '"':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif ord(c) < 32 or ord(c) == 127:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml_key(s: str) -> str:
    return s if _BARE_KEY.fullmatch(s) else _toml_string(s)


def _toml_number(v: Any) -> str:
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    return _toml_float(float(v))


def _toml_float(v: float) -> str:
    return "inf" if v == math.inf else "-inf" if v == -math.inf else repr(v)


@keywords_checked
def load_game(path: str | Path) -> Game:
    """Read a game from a TOML (``.toml``) or JSON (``.json``) model file.

    The file has the tables ``[populations]`` (name = list of strategies, in
    order), ``[payoffs]`` (``"s1,s2,..." = [payoff of population 1, ...]``) and
    optionally ``[parameters]`` (``name = default`` or a sub-table with
    ``default``, ``bounds``, ``description``, ``source``) and a top-level
    ``name``.  Payoff strings are parsed safely; nothing in the file is executed.
    Every parameter listed in ``[parameters]`` is kept, whether the payoffs use
    it or not (the rule of :class:`~gametheory.game.Game`).

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

    A JSON file holds the same document as an object (as :func:`to_json`
    writes it); there an unbounded side of ``bounds`` may be ``null``
    (``"bounds": [0, null]`` is ``(0, inf)``).  JSON files in the
    reference-case format of published games (keys ``players``,
    ``strategies``, ``parameters`` and ``payoffs`` keyed ``"(1,0,1)"``, where
    ``1`` is a player's *first* strategy) are read too; see
    :func:`game_document_from_reference_case`.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from gametheory.models import classic
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "pennies.toml"
    >>> _ = path.write_text(classic.matching_pennies_3().to_toml())
    >>> load_game(path) == classic.matching_pennies_3()
    True
    """
    path = Path(path)
    try:
        info = path.stat()
    except OSError as exc:
        raise SpecificationError(f"cannot read model file {str(path)!r}: {exc.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise ParseError(f"model file {str(path)!r} is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):  # a FIFO would block, /dev/zero never ends: regular files only
        raise ParseError(f"model file {str(path)!r} is not a regular file (a FIFO, device or socket)")
    if info.st_size > MAX_FILE_BYTES:
        raise ParseError(
            f"model file {str(path)!r} is {info.st_size:,} bytes, over the limit of {MAX_FILE_BYTES:,}"
        )
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)  # never more than the limit, whatever stat said
    except OSError as exc:
        raise SpecificationError(f"cannot read model file {str(path)!r}: {exc.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ParseError(f"model file {str(path)!r} is over the limit of {MAX_FILE_BYTES:,} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(f"model file {str(path)!r} is not UTF-8 text: {exc}") from None
    fmt = "json" if path.suffix.lower() == ".json" else "toml"
    return loads_game(text, source=str(path), format=fmt)


@keywords_checked
def loads_game(text: str, source: str = "<string>", format: str = "toml") -> Game:
    """Read a game from the text of a TOML or JSON model file (see :func:`load_game`).

    Examples
    --------
    >>> game = loads_game('''
    ... [populations]
    ... row = ["H", "T"]
    ... col = ["H", "T"]
    ... [parameters]
    ... a = 1.0
    ... [payoffs]
    ... "H,H" = ["a", "-a"]
    ... "H,T" = ["-a", "a"]
    ... "T,H" = ["-a", "a"]
    ... "T,T" = ["a", "-a"]
    ... ''')
    >>> game.parameter_names, game.defaults
    (('a',), {'a': 1.0})
    >>> loads_game('{"populations": {}, "payoffs": {}, "colour": 1}', format="json")
    Traceback (most recent call last):
    ...
    gametheory.errors.SpecificationError: model file '<string>': unknown top-level key(s) ['colour']; expected ['description', 'name', 'parameters', 'payoffs', 'populations', 'state_dependent', 'symmetric']
    """
    if not isinstance(text, str):
        hint = (
            " (decode bytes first, e.g. data.decode('utf-8'))" if isinstance(text, (bytes, bytearray)) else ""
        )
        raise ParseError(f"model text {source!r} must be a str, got {type(text).__name__}{hint}")
    if format == "json":
        try:
            doc = json.loads(text, object_pairs_hook=_no_duplicates(source))
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
        except RecursionError:
            raise ParseError(f"model file {source!r} is nested too deeply to read as TOML") from None
    else:
        raise SpecificationError(f"unknown model file format {format!r}; use 'toml' or 'json'")
    return _game_from_document(doc, source)


def _no_duplicates(source: str) -> Any:
    """A ``json`` ``object_pairs_hook`` refusing a key given twice in one object (json keeps the last)."""

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise SpecificationError(f"model file {source!r}: key {key!r} is given twice in one object")
            out[key] = value
        return out

    return hook


def _game_from_document(doc: Mapping[str, Any], source: str) -> Game:
    """Build a game from a parsed model document (TOML or JSON)."""
    known = {"name", "populations", "payoffs", "parameters", "description", "state_dependent", "symmetric"}
    extra = [k for k in doc if k not in known]
    if extra:
        raise SpecificationError(
            f"model file {source!r}: unknown top-level key(s) {extra}{suggest(extra[0], known)}; "
            f"expected {sorted(known)}"
        )
    if "symmetric" in doc:
        return Game.symmetric(
            **symmetric_arguments(doc, source), parameters=_parameters_from_document(doc, source)
        )
    for key in ("populations", "payoffs"):
        if key not in doc:
            raise SpecificationError(f"model file {source!r} has no [{key}] table")
        if key == "payoffs" and isinstance(doc[key], list):
            continue  # [[payoffs]] tables with profile = [...] (written when strategy names hold commas)
        if not isinstance(doc[key], Mapping):
            raise SpecificationError(f"model file {source!r}: [{key}] must be a table")
    payoffs = _payoff_table(doc["payoffs"], source)
    populations = doc["populations"]
    for name, strategies in populations.items():
        if not isinstance(strategies, list):
            raise SpecificationError(
                f"model file {source!r}: population {name!r} must be a list of strategy names"
            )
    if isinstance(populations, Mapping) and len(populations) == 1:
        raise SpecificationError(
            f"model file {source!r} has one population: for one population playing a symmetric game "
            "against itself, write a [symmetric] table (population, players, strategies, and "
            "[symmetric.payoffs] with one row or payoff per strategy; see Game.symmetric)"
        )
    parameters = _parameters_from_document(doc, source)
    name = doc.get("name", "")
    if not isinstance(name, str):
        raise SpecificationError(f"model file {source!r}: name must be a string")
    state_dependent = doc.get("state_dependent", False)
    if not isinstance(state_dependent, bool):
        raise SpecificationError(
            f"model file {source!r}: state_dependent must be true or false, got {state_dependent!r:.60}"
        )
    return Game.from_table(populations, payoffs, parameters, name=name, state_dependent=state_dependent)


def _parameters_from_document(doc: Mapping[str, Any], source: str) -> list[Parameter] | None:
    """The ``[parameters]`` of a model document, or None when it declares none."""
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
                bounds = spec.get("bounds")
                if isinstance(bounds, list) and len(bounds) == 2:  # JSON writes an unbounded side as null
                    lo, hi = (-math.inf if bounds[0] is None else bounds[0]), bounds[1]
                    spec = {**spec, "bounds": [lo, math.inf if hi is None else hi]}
                parameters.append(Parameter(pname, **spec))
            elif isinstance(spec, (int, float)) and not isinstance(spec, bool):
                parameters.append(Parameter(pname, spec))
            else:
                raise SpecificationError(
                    f"model file {source!r}: parameter {pname!r} must be a number or a table, got {spec!r}"
                )
    return parameters


def _payoff_table(raw: Any, source: str) -> dict[tuple[str, ...], Any]:
    """Payoffs keyed by profile tuples, from a ``[payoffs]`` table or a list of ``[[payoffs]]`` tables."""
    table: dict[tuple[str, ...], Any] = {}
    keys: dict[tuple[str, ...], Any] = {}
    if isinstance(raw, list):
        entries = []
        for k, entry in enumerate(raw, start=1):
            if not isinstance(entry, Mapping) or set(entry) != {"profile", "payoffs"}:
                raise SpecificationError(
                    f"model file {source!r}: [[payoffs]] entry {k} must have exactly the keys "
                    "'profile' and 'payoffs'"
                )
            profile = entry["profile"]
            if not isinstance(profile, list) or not all(isinstance(s, str) for s in profile):
                raise SpecificationError(
                    f"model file {source!r}: [[payoffs]] entry {k}: profile must be a list of strategy names, "
                    f"got {profile!r}"
                )
            entries.append((profile, tuple(profile), entry["payoffs"]))
    else:
        entries = [
            (key, tuple(s.strip() for s in key.split(",")) if isinstance(key, str) else key, row)
            for key, row in raw.items()
        ]
    for key, profile, row in entries:
        if not isinstance(profile, tuple):
            table[profile] = row  # not a profile at all: Game.from_table names it
            continue
        if profile in table:
            raise SpecificationError(
                f"model file {source!r}: payoff keys {keys[profile]!r} and {key!r} name the same profile {profile}"
            )
        keys[profile] = key
        table[profile] = row
    return table


# ------------------------------------------------------------ text renderings
