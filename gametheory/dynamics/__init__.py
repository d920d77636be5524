"""Dynamics of games: the :class:`~gametheory.dynamics.base.Dynamics` interface and its implementations.

Every dynamics is one module here and one entry of :data:`KINDS`, the name
``Game.dynamics(kind, **options)`` takes.  Modules are imported when first used.

Examples
--------
>>> from gametheory.models import classic
>>> "replicator" in KINDS, "logit" in KINDS
(True, True)
>>> make_dynamics(classic.matching_pennies_3(), "replicator").states
(x, y, z)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ..errors import SpecificationError, suggest

if TYPE_CHECKING:
    from ..game import Game
    from .base import Dynamics

__all__ = ["KINDS", "make_dynamics"]

#: ``kind`` -> ``"module:Class"`` of every dynamics ``Game.dynamics`` can build.
KINDS: dict[str, str] = {
    "replicator": "gametheory.dynamics.replicator:ReplicatorDynamics",
    "replicator_mutator": "gametheory.dynamics.replicator_mutator:ReplicatorMutatorDynamics",
    "adjusted_replicator": "gametheory.dynamics.adjusted_replicator:AdjustedReplicatorDynamics",
    "imitation": "gametheory.dynamics.imitation:ImitationDynamics",
    "logit": "gametheory.dynamics.logit:LogitDynamics",
    "best_response": "gametheory.dynamics.logit:BestResponseDynamics",
    "bnn": "gametheory.dynamics.bnn:BrownNeumannNashDynamics",
    "smith": "gametheory.dynamics.smith:SmithDynamics",
}


def make_dynamics(game: Game, kind: str, **options: Any) -> Dynamics:
    """The dynamics ``kind`` of ``game``, built with ``options`` (see each class for its options).

    Raises
    ------
    SpecificationError
        For an unknown ``kind`` (with the closest name) or an option the dynamics does not take.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> make_dynamics(classic.matching_pennies_3(), "replicatr")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gametheory.errors.SpecificationError: unknown dynamics 'replicatr' (did you mean 'replicator'?); available: [...'replicator'...]
    """
    if not isinstance(kind, str) or kind not in KINDS:
        hint = suggest(kind, KINDS) if isinstance(kind, str) else ""
        raise SpecificationError(f"unknown dynamics {kind!r}{hint}; available: {sorted(KINDS)}")
    module, name = KINDS[kind].split(":")
    return getattr(importlib.import_module(module), name)(game, **options)
