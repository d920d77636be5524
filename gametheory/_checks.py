"""Argument checks shared by every public function: one place for each.

``as_dynamics(model)`` is the one coercion of a model: a :class:`~gametheory.game.Game`
becomes its replicator dynamics, a :class:`~gametheory.dynamics.base.Dynamics` is
used as it is, anything else is refused naming its type.
"""

from __future__ import annotations

from typing import Any

from .dynamics.base import Dynamics
from .errors import SpecificationError
from .game import Game

__all__ = ["as_dynamics"]


def as_dynamics(model: Any, *, name: str = "model") -> Dynamics:
    """The dynamics of ``model``: a Game is coerced (once) to its replicator dynamics.

    Parameters
    ----------
    model
        A :class:`~gametheory.game.Game` or any :class:`~gametheory.dynamics.base.Dynamics`.
    name
        The argument's name, used in the error message.

    Raises
    ------
    SpecificationError
        If ``model`` is neither.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> game = classic.matching_pennies_3()
    >>> as_dynamics(game).state_names
    ('x', 'y', 'z')
    >>> as_dynamics(game.replicator()) is not None
    True
    """
    if isinstance(model, Dynamics):
        return model
    if isinstance(model, Game):
        return model.replicator()
    raise SpecificationError(
        f"{name} must be a gametheory Game or a Dynamics (such as game.replicator()), got {type(model).__name__}"
    )
