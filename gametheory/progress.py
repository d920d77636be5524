"""Progress reporting, one way for every long computation.

A function that takes ``progress=True`` reports on stderr how many of its items
(trajectories, starts, chunks) are done: with a `tqdm <https://tqdm.github.io>`_ bar
when tqdm is installed (the ``progress`` extra), else with a plain line rewritten
about every 5 %.  Both read ``"<what>: <done> of <total> <unit>"``.  ``progress=False``
(the default) reports nothing.  Reporting never changes a result.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any

__all__ = ["progress_reporter"]

#: tqdm's bar, laid out like the plain line: "simulate_many: 30 of 30 trajectories |###| [00:01<00:00]"
_BAR_FORMAT = "{desc}: {n:,} of {total:,} {unit} |{bar}| [{elapsed}<{remaining}]"


class _Reporter:
    """Counts finished items; subclasses show the count.  A context manager that closes itself."""

    def __init__(self, total: int, desc: str, unit: str) -> None:
        self.total, self.desc, self.unit = int(total), desc, unit
        self.n = 0

    def update(self, k: int = 1) -> None:
        """``k`` more items are done."""
        self.n += int(k)

    def close(self) -> None:
        """The computation is over (called on leaving the ``with`` block)."""

    def __enter__(self) -> _Reporter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class _PlainLine(_Reporter):
    """A stderr line rewritten each time another twentieth of the items is done."""

    def __init__(self, total: int, desc: str, unit: str) -> None:
        super().__init__(total, desc, unit)
        self._shown = -1

    def update(self, k: int = 1) -> None:
        super().update(k)
        step = self.n * 20 // max(self.total, 1)
        if step != self._shown or self.n >= self.total:
            self._shown = step
            print(
                f"\r{self.desc}: {self.n:,} of {self.total:,} {self.unit}",
                end="",
                file=sys.stderr,
                flush=True,
            )

    def close(self) -> None:
        print(file=sys.stderr, flush=True)


class _Bar(_Reporter):
    """A tqdm bar on stderr."""

    def __init__(self, total: int, desc: str, unit: str, tqdm: Any) -> None:
        super().__init__(total, desc, unit)
        self._bar = tqdm(total=self.total, desc=desc, unit=unit, file=sys.stderr, bar_format=_BAR_FORMAT)

    def update(self, k: int = 1) -> None:
        super().update(k)
        self._bar.update(int(k))

    def close(self) -> None:
        self._bar.close()


def progress_reporter(total: int, desc: str, enabled: bool, *, unit: str = "items") -> _Reporter:
    """The reporter of a computation of ``total`` items: a tqdm bar, a plain stderr line, or silence.

    Parameters
    ----------
    total
        Number of items (trajectories, starts, chunks).
    desc
        What is computed, usually the public function's name.
    enabled
        The caller's ``progress`` option (already checked with
        :func:`gametheory._checks.check_flag`); False gives a reporter that shows nothing.
    unit
        The items' name, plural.

    Returns
    -------
    reporter
        A context manager with ``update(k=1)`` (``k`` more items done) and ``close()``.

    Examples
    --------
    >>> with progress_reporter(3, "demo", False, unit="starts") as bar:
    ...     for _ in range(3):
    ...         bar.update(1)
    >>> bar.n
    3
    """
    if not enabled:
        return _Reporter(total, desc, unit)
    try:
        from tqdm import tqdm
    except ImportError:
        return _PlainLine(total, desc, unit)
    return _Bar(total, desc, unit, tqdm)
