"""Parameters of a game: name, default, bounds, description and source, validated once."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import sympy

from .errors import SpecificationError, calls_checked
from .expressions import ascii_name, parameter_symbol

if TYPE_CHECKING:
    pass

__all__ = ["Parameter"]


@calls_checked
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

    A Greek name is stored as its ASCII name (``"α"`` is ``"alpha"``, see
    :data:`gametheory.expressions.GREEK`), as in payoff strings.  Defaults and
    bounds may be Python or numpy numbers; they are stored as ``float``.

    Examples
    --------
    >>> import numpy as np
    >>> p = Parameter("θ", np.float64(0.5), (0, 1), "exposure probability", "section 2.1")
    >>> p.name, p.default, p.bounds
    ('theta', 0.5, (0.0, 1.0))
    >>> p.summary()
    'theta = 0.5 in [0, 1]: exposure probability (section 2.1)'
    """

    name: str
    default: float | None = None
    bounds: tuple[float, float] | None = None
    description: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.name, str):
            object.__setattr__(self, "name", ascii_name(self.name))  # "α" is "alpha", as in payoffs
        if not isinstance(self.name, str) or not self.name.isidentifier() or self.name.startswith("_"):
            raise SpecificationError(
                f"parameter name {self.name!r} must be an identifier not starting with '_'"
            )
        if self.default is not None:
            if isinstance(self.default, (bool, np.bool_)) or np.ndim(self.default) != 0:
                raise SpecificationError(f"parameter {self.name!r}: default {self.default!r} is not a number")
            try:
                value = float(self.default)  # numpy scalars and 0-d arrays convert exactly
            except (TypeError, ValueError):
                raise SpecificationError(
                    f"parameter {self.name!r}: default {self.default!r} is not a number"
                ) from None
            if not math.isfinite(value):
                raise SpecificationError(f"parameter {self.name!r}: default {value} is not finite")
            object.__setattr__(self, "default", value)
        for attribute in ("description", "source"):
            if getattr(self, attribute) is None:
                object.__setattr__(self, attribute, "")
            if not isinstance(getattr(self, attribute), str):
                raise SpecificationError(
                    f"parameter {self.name!r}: {attribute} must be text, got {type(getattr(self, attribute)).__name__}"
                )
        if self.bounds is not None:
            bad = isinstance(self.bounds, (str, bytes)) or any(
                isinstance(b, (bool, np.bool_, str, bytes))
                for b in np.ravel(np.asarray(self.bounds, dtype=object))
            )
            try:
                if bad:
                    raise ValueError
                lo, hi = (float(b) for b in self.bounds)
            except (TypeError, ValueError):
                raise SpecificationError(
                    f"parameter {self.name!r}: bounds {self.bounds!r} must be two numbers (lower, upper)"
                ) from None
            if math.isnan(lo) or math.isnan(hi):
                raise SpecificationError(f"parameter {self.name!r}: bounds ({lo}, {hi}) contain NaN")
            if lo == math.inf or hi == -math.inf:
                raise SpecificationError(
                    f"parameter {self.name!r}: bounds ({lo}, {hi}) admit no finite value"
                )
            if not lo <= hi:
                raise SpecificationError(f"parameter {self.name!r}: bounds ({lo}, {hi}) are reversed")
            object.__setattr__(self, "bounds", (lo, hi))
            if self.default is not None and not lo <= self.default <= hi:
                raise SpecificationError(
                    f"parameter {self.name!r}: default {self.default} lies outside its bounds ({lo}, {hi})"
                )

    def summary(self) -> str:
        """One line: name, default, bounds, description and source."""
        from .game_text import parameter_summary

        return parameter_summary(self)

    def _repr_markdown_(self) -> str:
        return self.summary()

    @property
    def symbol(self) -> sympy.Symbol:
        """The sympy symbol of the parameter: ``sympy.Symbol(name)``, no assumptions."""
        return parameter_symbol(self.name)
