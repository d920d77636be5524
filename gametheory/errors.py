"""One exception hierarchy for the whole package.

Every error the package raises on purpose derives from :class:`GameError`, so a
caller can catch everything we signal with one ``except gt.GameError``.  Each
subclass also derives from the closest built-in exception (``ValueError``,
``RuntimeError``) so that generic code keeps working.
"""

from __future__ import annotations

import difflib
import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any

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
    """Base class of every error raised by :mod:`gametheory`.

    Examples
    --------
    >>> import gametheory as gt
    >>> try:
    ...     gt.parse_expression("2 +")
    ... except gt.GameError as exc:
    ...     print(type(exc).__name__)
    ParseError
    """


class ParseError(GameError, ValueError):
    """A payoff expression or model file is not valid or not safe to read.

    Examples
    --------
    >>> import gametheory as gt
    >>> gt.parse_expression("__import__('os')")
    Traceback (most recent call last):
    ...
    gametheory.errors.ParseError: ...
    """


class SpecificationError(GameError, ValueError):
    """A game is specified inconsistently (profiles, populations, parameters).

    Examples
    --------
    >>> import gametheory as gt
    >>> gt.Game.from_table({"row": ["H", "T"], "col": ["H", "T"]}, {("H", "H"): (1, -1)})
    Traceback (most recent call last):
    ...
    gametheory.errors.SpecificationError: ...
    """


class ParameterError(GameError, ValueError):
    """Parameter values are missing, unknown, or not finite.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> classic.matching_pennies_3().replicator().parameter_vector({"b": 1.0})
    Traceback (most recent call last):
    ...
    gametheory.errors.ParameterError: ...
    """


class StateError(GameError, ValueError):
    """A state is outside the product of simplices or has the wrong shape.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> classic.matching_pennies_3().replicator().check_state([0.5, 1.5, 0.5])
    Traceback (most recent call last):
    ...
    gametheory.errors.StateError: ...
    """


class IntegrationError(GameError, RuntimeError):
    """A numerical integration failed or left the state space.

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> gt.simulate(classic.matching_pennies_3(), [0.5, 0.5, 0.5], (10, 0))
    Traceback (most recent call last):
    ...
    gametheory.errors.IntegrationError: ...
    """


class AnalysisError(GameError, RuntimeError):
    """A stability or equilibrium computation could not be completed reliably.

    Examples
    --------
    Also raised when an analysis needs a theorem the dynamics does not satisfy
    (see :class:`~gametheory.dynamics.base.TheoryFacts`).

    >>> from gametheory.errors import AnalysisError, GameError
    >>> issubclass(AnalysisError, GameError)
    True
    """


class NumericalError(GameError, ArithmeticError):
    """A numerical evaluation overflowed or produced NaN (parameters or states too extreme).

    Examples
    --------
    >>> from gametheory.models import classic
    >>> dyn = classic.matching_pennies_3().replicator()
    >>> dyn.vector_field([0.5, 0.5, 0.5], {"a": 1e308})
    Traceback (most recent call last):
    ...
    gametheory.errors.NumericalError: ...
    """


class StoreError(GameError, RuntimeError):
    """An on-disk result store is inconsistent with the computation asked for.

    Examples
    --------
    Raised, for example, when a sweep is asked to resume into a store written
    for another study (the message names the keys that differ).

    >>> from gametheory.errors import GameError, StoreError
    >>> issubclass(StoreError, GameError)
    True
    """


def suggest(name: str, candidates: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest candidate, or ``""``.

    Examples
    --------
    >>> suggest("Fg", ["F_g", "R_n", "S"])
    " (did you mean 'F_g'?)"
    >>> suggest("zzz", ["F_g"])
    ''
    """
    candidates = [str(c) for c in candidates]
    by_lower = {c.lower(): c for c in candidates}
    close = difflib.get_close_matches(str(name).lower(), list(by_lower), n=1, cutoff=0.6)
    return f" (did you mean {by_lower[close[0]]!r}?)" if close else ""


def keywords_checked(func: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a public function so that a call it cannot take raises a :class:`SpecificationError`.

    An unknown keyword (``rtoll=1e-6``), a missing or an extra positional
    argument would otherwise be Python's raw ``TypeError``; the error names the
    function, the argument and the closest valid keyword.

    Examples
    --------
    >>> @keywords_checked
    ... def integrate(model, *, rtol=1e-8):
    ...     return rtol
    >>> integrate("m", rtoll=1e-6)
    Traceback (most recent call last):
    ...
    gametheory.errors.SpecificationError: integrate(): got an unexpected keyword argument 'rtoll' (did you mean 'rtol'?)
    """
    signature = inspect.signature(func)
    names = list(signature.parameters)
    callee = func.__qualname__.removesuffix(".__init__")  # a class is called by its name

    @functools.wraps(func)
    def checked(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except TypeError:
            try:  # was it the call itself (checked by Python before the body runs)?
                signature.bind(*args, **kwargs)
            except TypeError as exc:
                unknown = [k for k in kwargs if k not in signature.parameters]
                hint = suggest(unknown[0], names) if unknown else ""
                message = str(exc)
                if not message.startswith(func.__name__):
                    message = f"{callee}(): {message}"
                raise SpecificationError(f"{message}{hint}") from None
            raise

    return checked


def calls_checked(cls: type) -> type:
    """Class decorator: :func:`keywords_checked` on the constructor and every public method.

    Apply it above ``@dataclass`` (so the generated ``__init__`` is wrapped too).
    Properties are left alone; class and static methods are wrapped inside.

    Examples
    --------
    >>> @calls_checked
    ... class Model:
    ...     def rate(self, x, *, scale=1.0):
    ...         return scale * x
    >>> Model().rate(2, scael=3)
    Traceback (most recent call last):
    ...
    gametheory.errors.SpecificationError: Model.rate(): got an unexpected keyword argument 'scael' (did you mean 'scale'?)
    """
    for name, member in list(vars(cls).items()):
        if name.startswith("_") and name != "__init__":
            continue
        if isinstance(member, (classmethod, staticmethod)):
            setattr(cls, name, type(member)(keywords_checked(member.__func__)))
        elif inspect.isfunction(member) and not hasattr(member, "__wrapped__"):
            setattr(cls, name, keywords_checked(member))
    return cls
