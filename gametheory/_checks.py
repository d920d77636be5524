"""Argument checks shared by every public function: one place for each.

Each check takes the value a user passed, returns it in canonical form, and
raises a :class:`~gametheory.errors.GameError` subclass naming the argument
otherwise:

- :func:`as_dynamics` -- the one coercion of a model: a :class:`~gametheory.game.Game`
  becomes its replicator dynamics, a :class:`~gametheory.dynamics.base.Dynamics`
  is used as it is;
- :func:`check_t_span` -- ``t_span = (t0, t1)`` and optional output times ``t_eval``;
- :func:`check_tolerances` -- ``rtol``/``atol`` (real numbers > 0; booleans refused);
- :func:`check_positive` -- any other positive finite number (``cycle_tol``);
- :func:`check_choice` -- a name from a fixed list (methods, backends, charts);
- :func:`check_count` -- a positive integer (``n``, ``max_steps``, ``threads``);
- :func:`check_flag` -- a boolean option (``raise_on_failure``, ``progress``).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from .dynamics.base import Dynamics
from .errors import GameError, IntegrationError, SpecificationError, keywords_checked, suggest
from .game import Game

__all__ = [
    "keywords_checked",
    "as_dynamics",
    "check_t_span",
    "check_tolerances",
    "check_positive",
    "check_choice",
    "check_count",
    "check_flag",
]


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


def _real(value: Any) -> bool:
    """A real number that is not a boolean (``True`` is an ``int`` in Python)."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def check_t_span(t_span: Any, t_eval: Any = None) -> tuple[tuple[float, float], np.ndarray | None]:
    """Validate ``t_span = (t0, t1)`` (finite, ``t1 > t0``) and ``t_eval`` inside it.

    Returns
    -------
    (t0, t1) : tuple of float
    t_eval : ndarray of shape (n_t,), strictly increasing, or None

    Raises
    ------
    IntegrationError
        Naming what is wrong with ``t_span`` or ``t_eval``.

    Examples
    --------
    >>> check_t_span((0, 10), [0, 5, 10])
    ((0.0, 10.0), array([ 0.,  5., 10.]))
    >>> check_t_span((5, 0))
    Traceback (most recent call last):
    ...
    gametheory.errors.IntegrationError: t_span (5, 0) is empty or reversed: the end time must be larger than the start
    """
    try:
        if isinstance(t_span, (str, bytes)):
            raise TypeError
        t0, t1 = (float(v) for v in t_span)
    except (TypeError, ValueError):
        raise IntegrationError(f"t_span must be two numbers (t0, t1), got {t_span!r}") from None
    if not (np.isfinite(t0) and np.isfinite(t1)):
        raise IntegrationError(f"t_span ({t0}, {t1}) must be finite")
    if not t1 > t0:
        raise IntegrationError(
            f"t_span ({t0:g}, {t1:g}) is empty or reversed: the end time must be larger than the start"
        )
    if t_eval is None:
        return (t0, t1), None
    try:
        te = np.asarray(t_eval, dtype=float)
    except (TypeError, ValueError):
        raise IntegrationError(f"t_eval must be a 1-D array of times, got {t_eval!r:.80}") from None
    if te.ndim != 1 or te.size == 0:
        raise IntegrationError(f"t_eval must be a non-empty 1-D array of times, got shape {te.shape}")
    if not np.isfinite(te).all():
        raise IntegrationError(f"t_eval contains NaN or infinite times: {t_eval!r:.80}")
    if te.min() < t0 or te.max() > t1:
        raise IntegrationError(f"t_eval must lie within t_span ({t0:g}, {t1:g})")
    if np.any(np.diff(te) <= 0):
        raise IntegrationError("t_eval must be strictly increasing")
    return (t0, t1), te


def check_tolerances(rtol: Any, atol: Any) -> tuple[float, float]:
    """Validate ``rtol`` and ``atol``: real numbers, finite and > 0 (booleans are refused); ``rtol < 1``.

    A relative tolerance of 1 or more allows errors as large as the solution itself: refused.

    Examples
    --------
    >>> check_tolerances(1e-8, 1e-10)
    (1e-08, 1e-10)
    >>> check_tolerances(True, 1e-10)
    Traceback (most recent call last):
    ...
    gametheory.errors.IntegrationError: rtol must be a positive finite number, got True
    """
    rtol, atol = check_positive(rtol, name="rtol"), check_positive(atol, name="atol")
    if rtol >= 1:
        raise IntegrationError(f"rtol must be below 1 (a relative error), got {rtol!r}")
    return rtol, atol


def check_positive(value: Any, *, name: str) -> float:
    """Validate a real number, finite and > 0 (booleans are refused); ``name`` is the argument's name.

    Examples
    --------
    >>> check_positive(1e-6, name="cycle_tol")
    1e-06
    >>> check_positive("tight", name="cycle_tol")
    Traceback (most recent call last):
    ...
    gametheory.errors.IntegrationError: cycle_tol must be a positive finite number, got 'tight'
    """
    if not (_real(value) and np.isfinite(value) and value > 0):
        raise IntegrationError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)


def check_choice(value: Any, choices: Sequence[str], *, name: str, what: str = "") -> str:
    """Validate that ``value`` is one of ``choices`` (a method, backend or chart name).

    ``name`` is the argument's name; ``what`` an optional qualifier of the
    message (``"for ensembles"``).

    Examples
    --------
    >>> check_choice("RK45", ("RK45", "DOP853"), name="method")
    'RK45'
    >>> check_choice("DOP835", ("RK45", "DOP853"), name="method")
    Traceback (most recent call last):
    ...
    gametheory.errors.IntegrationError: unknown method 'DOP835' (did you mean 'DOP853'?); choose one of ['RK45', 'DOP853']
    """
    if not isinstance(value, str) or value not in choices:
        qualifier = f" {what}" if what else ""
        hint = suggest(value, choices) if isinstance(value, str) else ""
        raise IntegrationError(f"unknown {name} {value!r}{qualifier}{hint}; choose one of {list(choices)}")
    return value


def check_count(value: Any, *, name: str, minimum: int = 1, error: type[GameError] = IntegrationError) -> int:
    """Validate an integer count ``>= minimum`` (``n``, ``max_steps``, ``threads``; booleans refused).

    ``error`` is the class raised (a count of starts is a :class:`~gametheory.errors.StateError`).

    Examples
    --------
    >>> check_count(50_000, name="max_steps")
    50000
    >>> check_count(0, name="max_steps")
    Traceback (most recent call last):
    ...
    gametheory.errors.IntegrationError: max_steps must be an integer >= 1, got 0
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise error(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_flag(value: Any, *, name: str, error: type[GameError] = IntegrationError) -> bool:
    """Validate a boolean option (``raise_on_failure``, ``progress``); ``error`` is the class raised.

    Examples
    --------
    >>> check_flag(False, name="progress")
    False
    >>> check_flag("yes", name="progress")
    Traceback (most recent call last):
    ...
    gametheory.errors.IntegrationError: progress must be True or False, got 'yes'
    """
    if not isinstance(value, (bool, np.bool_)):
        raise error(f"{name} must be True or False, got {value!r}")
    return bool(value)
