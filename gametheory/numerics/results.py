"""What the numerical results share: frozen parameter mappings and their notebook rendering.

:class:`~gametheory.numerics.integrate.Trajectory` and
:class:`~gametheory.numerics.ensemble.Ensemble` follow the package's result
protocol: immutable, ``summary()`` (text), ``_repr_markdown_``/``_repr_html_``
for notebooks, ``to_frame()`` and ``plot(ax=None)``.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

__all__ = ["FrozenParams", "import_pandas", "markdown", "html_block"]


class FrozenParams(Mapping):
    """A read-only mapping of parameter names to values (floats or read-only arrays).

    Examples
    --------
    >>> p = FrozenParams({"a": 1.0})
    >>> p["a"], dict(p)
    (1.0, {'a': 1.0})
    >>> p["a"] = 2.0
    Traceback (most recent call last):
    ...
    TypeError: 'FrozenParams' object does not support item assignment
    """

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any]) -> None:
        values = dict(data)
        for value in values.values():
            if isinstance(value, np.ndarray):
                value.setflags(write=False)
        self._data = values

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self) == dict(other)

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        return repr(self._data)

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenParams, (self._data,))


def import_pandas() -> Any:
    """pandas, or an ImportError saying how to install it.

    Examples
    --------
    >>> import_pandas().__name__
    'pandas'
    """
    try:
        import pandas as pd
    except ImportError as exc:
        raise ImportError('to_frame() needs pandas: pip install pandas (or "gametheory-egt[all]")') from exc
    return pd


def markdown(summary: str) -> str:
    """A summary's first line as a heading, the rest as a list (for ``_repr_markdown_``).

    Examples
    --------
    >>> print(markdown("Title" + chr(10) + "a line"))
    **Title**
    <BLANKLINE>
    - a line
    <BLANKLINE>
    """
    first, *rest = summary.split("\n")
    return f"**{first}**\n\n" + "\n".join(f"- {line}" for line in rest if line.strip()) + "\n"


def html_block(summary: str) -> str:
    """A summary as HTML (for ``_repr_html_``).

    Examples
    --------
    >>> html_block("Title" + chr(10) + "x < 1")
    '<div><strong>Title</strong><ul><li>x &lt; 1</li></ul></div>'
    """
    first, *rest = summary.split("\n")
    items = "".join(f"<li>{html.escape(line)}</li>" for line in rest if line.strip())
    return f"<div><strong>{html.escape(first)}</strong><ul>{items}</ul></div>"
