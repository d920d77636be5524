"""Reference-case JSON documents of published games, translated to model documents.

A reference case names ``players``, their ``strategies``, ``parameters`` and
``payoffs`` keyed ``"(1,0,1)"``; :func:`game_document_from_reference_case`
turns it into the document of a model file, which
:func:`gametheory.io.loads_game` reads (it recognises a reference case by its
``players`` key).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import SpecificationError

__all__ = ["game_document_from_reference_case"]


def game_document_from_reference_case(doc: Mapping[str, Any], source: str = "<json>") -> dict[str, Any]:
    """Translate a reference-case JSON document into a model document.

    Reference cases name ``players`` (their order is the state order), give
    ``strategies`` either per player (``{"player": ["first", "second"]}``) or
    for all (``{"all": [...]}``), ``parameters`` as ``{name: value}`` and
    ``payoffs`` keyed ``"(s1,s2,...)"`` where ``s_i = 1`` means player ``i``'s
    first strategy and ``0`` its second (2-strategy players), or ``s_i = k``
    (1-based strategy index) when a player has more strategies.  Every listed
    parameter is kept, used by the payoffs or not (as :class:`Game` keeps them).

    Examples
    --------
    >>> doc = game_document_from_reference_case({
    ...     "players": ["p", "q"], "parameters": {"a": 2, "unused": 1},
    ...     "payoffs": {"(1,1)": ["a", "0"], "(1,0)": ["0", "1"], "(0,1)": ["0", "1"], "(0,0)": ["1", "0"]},
    ... })
    >>> doc["populations"], doc["payoffs"][("1", "0")], doc["parameters"]
    ({'p': ['1', '0'], 'q': ['1', '0']}, ['0', '1'], {'a': 2, 'unused': 1})
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
    keys: dict[tuple[str, ...], Any] = {}
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
        if tuple(profile) in payoffs:
            raise SpecificationError(
                f"reference case {source!r}: payoff keys {keys[tuple(profile)]!r} and {key!r} "
                "name the same profile"
            )
        keys[tuple(profile)] = key
        payoffs[tuple(profile)] = row
    params = doc.get("parameters") or {}
    if not isinstance(params, Mapping):
        raise SpecificationError(f"reference case {source!r}: 'parameters' must be an object")
    # Reference cases may list parameters their payoff table does not use; they are kept as
    # declared parameters (the rule of Game: declared but unused names are accepted).
    return {
        "name": str(doc.get("id", "")),
        "populations": populations,
        "payoffs": payoffs,
        "parameters": dict(params),
    }
