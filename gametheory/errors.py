"""One exception hierarchy for the whole package.

Every error the package raises on purpose derives from :class:`GameError`, so a
caller can catch everything we signal with one ``except gt.GameError``.  Each
subclass also derives from the closest built-in exception (``ValueError``,
``RuntimeError``) so that generic code keeps working.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "GameError",
    "ParseError",
    "SpecificationError",
    "ParameterError",
    "StateError",
    "IntegrationError",
    "AnalysisError",
    "NumericalError",
    "StoreError",
    "suggest",
]


class GameError(Exception):
    """Base class of every error raised by :mod:`gametheory`."""


class ParseError(GameError, ValueError):
    """A payoff expression or model file is not valid or not safe to read."""


class SpecificationError(GameError, ValueError):
    """A game is specified inconsistently (profiles, populations, parameters)."""


class ParameterError(GameError, ValueError):
    """Parameter values are missing, unknown, or not finite."""


class StateError(GameError, ValueError):
    """A state is outside the product of simplices or has the wrong shape."""


class IntegrationError(GameError, RuntimeError):
    """A numerical integration failed or left the state space."""


class AnalysisError(GameError, RuntimeError):
    """A stability or equilibrium computation could not be completed reliably."""


class NumericalError(GameError, ArithmeticError):
    """A numerical evaluation overflowed or produced NaN (parameters or states too extreme)."""


class StoreError(GameError, RuntimeError):
    """An on-disk result store is inconsistent with the computation asked for."""


def suggest(name: str, candidates: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest candidate, or ``""``."""
    candidates = [str(c) for c in candidates]
    by_lower = {c.lower(): c for c in candidates}
    close = difflib.get_close_matches(str(name).lower(), list(by_lower), n=1, cutoff=0.6)
    return f" (did you mean {by_lower[close[0]]!r}?)" if close else ""
