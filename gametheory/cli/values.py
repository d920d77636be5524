"""Built-in models, defaults and the parsing of NAME=VALUE and grid arguments of the command line."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..errors import ParameterError

#: Defaults of the study commands: ``t_span = (0, DEFAULT_T_END)``, ``DEFAULT_STARTS`` starts.
DEFAULT_T_END = 100.0
DEFAULT_STARTS = 64
#: Largest sweep.csv written as time paths by ``--csv auto`` (bigger sweeps: final states only).
CSV_MAX_ROWS = 1_000_000


def _crisis() -> tuple[Any, dict[str, Mapping[str, float]]]:
    from ..models import crisis_governance as cg

    return cg.game(), {"STATUS_QUO": cg.STATUS_QUO, "OPTIMIZED": cg.OPTIMIZED}


def _pennies() -> tuple[Any, dict[str, Mapping[str, float]]]:
    from ..models import classic

    return classic.matching_pennies_3(), {}


def _wang() -> tuple[Any, dict[str, Mapping[str, float]]]:
    from ..models import classic

    return classic.wang2023_air_pollution(), {"SCENARIO_1": classic.WANG2023_SCENARIO_1}


#: Built-in models by name: a factory returning ``(game, {preset name: parameter dict})``.
BUILTIN_MODELS: dict[str, Callable[[], tuple[Any, dict[str, Mapping[str, float]]]]] = {
    "crisis_governance": _crisis,
    "matching_pennies_3": _pennies,
    "wang2023_air_pollution": _wang,
}


def _number(text: str, where: str) -> float:
    """``text`` as a finite float; else a ParameterError ``"<where> '<text>' is not a number"``."""
    try:
        value = float(text)
    except ValueError:
        raise ParameterError(f"{where} {text.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise ParameterError(f"{where} {text.strip()!r} is not finite")
    return value


def parse_assignments(items: Sequence[str]) -> dict[str, float]:
    """``--params`` items ``NAME=VALUE`` as a dict; ParameterError for a malformed item or a name given twice.

    Examples
    --------
    >>> parse_assignments(["F_g=8", "S=3.5"])
    {'F_g': 8.0, 'S': 3.5}
    """
    out: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ParameterError(f"--params expects NAME=VALUE, got {item!r}")
        if name in out:
            raise ParameterError(f"--params gives {name!r} twice")
        out[name] = _number(value, f"--params {name}: value")
    return out


def parse_grid(item: str) -> tuple[str, Any]:
    """One ``--param`` item, ``NAME=V1,V2,...`` or ``NAME=START:STOP:NUM``, as ``(name, values)``.

    ``START:STOP:NUM`` stands for ``numpy.linspace(START, STOP, NUM)`` (both
    ends included); ``NAME=V`` gives one value.  ``values`` has shape ``(n,)``.
    A malformed item raises a :class:`~gametheory.errors.ParameterError` naming it.

    Examples
    --------
    >>> name, values = parse_grid("F_g=1:8:5")
    >>> name, values.tolist()
    ('F_g', [1.0, 2.75, 4.5, 6.25, 8.0])
    >>> parse_grid("S=0.5, 1, 2")[1].tolist()
    [0.5, 1.0, 2.0]
    >>> parse_grid("S=1:2")
    Traceback (most recent call last):
    gametheory.errors.ParameterError: --param 'S=1:2': a range is START:STOP:NUM, e.g. S=1:8:5
    """
    import numpy as np

    name, sep, spec = item.partition("=")
    name = name.strip()
    if not sep or not name or not spec.strip():
        raise ParameterError(f"--param expects NAME=V1,V2,... or NAME=START:STOP:NUM, got {item!r}")
    if ":" in spec:
        parts = spec.split(":")
        if len(parts) != 3:
            raise ParameterError(f"--param {item!r}: a range is START:STOP:NUM, e.g. {name}=1:8:5")
        start, stop = _number(parts[0], f"--param {item!r}:"), _number(parts[1], f"--param {item!r}:")
        num = parts[2].strip()
        if not num.isdigit() or int(num) < 1:
            raise ParameterError(f"--param {item!r}: NUM (the number of values) must be a positive integer")
        return name, np.linspace(start, stop, int(num))
    return name, np.array([_number(v, f"--param {item!r}:") for v in spec.split(",")])


def parse_grids(items: Sequence[str]) -> dict[str, Any]:
    """Every ``--param`` item (see :func:`parse_grid`) as ``{name: values}``; a name given twice is refused.

    Examples
    --------
    >>> {k: v.tolist() for k, v in parse_grids(["a=1,2", "b=0:1:3"]).items()}
    {'a': [1.0, 2.0], 'b': [0.0, 0.5, 1.0]}
    """
    out: dict[str, Any] = {}
    for item in items:
        name, values = parse_grid(item)
        if name in out:
            raise ParameterError(f"--param gives {name!r} twice")
        out[name] = values
    return out
