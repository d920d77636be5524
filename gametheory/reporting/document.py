"""The report as a document: :class:`HTMLReport` (sections, page, ``save``) and the output-path check."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import StoreError
from .html import Section, render

__all__ = ["HTMLReport", "check_output_path"]


class HTMLReport:
    """A model's report: its sections and the one-file HTML page.

    Attributes
    ----------
    title
        The model's name.
    sections
        The numbered sections (:class:`~gametheory.reporting.html.Section`), in order.
    params
        The parameter values used.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> from gametheory import report
    >>> rep = report(classic.hawk_dove(), sections=("model", "stability"))
    >>> rep.html.startswith("<!DOCTYPE html>"), [s.title for s in rep.sections]
    (True, ['Model', 'Rest points and stability'])
    """

    def __init__(self, title: str, subtitle: str, sections: list[Section], params: dict[str, float]) -> None:
        self.title, self.subtitle, self.sections, self.params = title, subtitle, sections, params
        self._html: str | None = None

    @property
    def html(self) -> str:
        """The page: one self-contained HTML document (inline CSS, MathML, PNG data URIs)."""
        if self._html is None:
            self._html = render(self.title, self.subtitle, self.sections)
        return self._html

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to ``path`` (one file, UTF-8) and return it as a :class:`~pathlib.Path`.

        Raises :class:`~gametheory.errors.StoreError` when ``path`` is a folder or
        its folder is missing or not writable.

        Examples
        --------
        >>> import tempfile
        >>> from gametheory.models import classic
        >>> from gametheory import report
        >>> rep = report(classic.hawk_dove(), sections=("model",))
        >>> rep.save(Path(tempfile.mkdtemp()) / "r.html").stat().st_size > 1000
        True
        """
        out = check_output_path(path)
        out.write_text(self.html, encoding="utf-8")
        return out

    def summary(self) -> str:
        """One line per section: its number, title and the seconds it took.

        Examples
        --------
        >>> from gametheory.models import classic
        >>> from gametheory import report
        >>> print(report(classic.hawk_dove(), sections=("model",)).summary().splitlines()[1][:10])
          1. Model
        """
        lines = [f"Report of {self.title}: {len(self.sections)} sections, {len(self.html) / 1e6:.2f} MB"]
        lines += [f"{k:3d}. {s.title} ({s.seconds:.1f} s)" for k, s in enumerate(self.sections, 1)]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"HTMLReport({self.title!r}, {len(self.sections)} sections)"


def check_output_path(path: str | os.PathLike[str]) -> Path:
    """``path`` as a Path, after checking a file can be written there (before any expensive work).

    Examples
    --------
    >>> check_output_path("/no/such/folder/r.html")
    Traceback (most recent call last):
    ...
    gametheory.errors.StoreError: cannot write the report to '/no/such/folder/r.html': folder '/no/such/folder' does not exist
    """
    out = Path(path)
    if out.is_dir():
        raise StoreError(f"cannot write the report to {str(out)!r}: it is a folder; give a file name")
    folder = out.parent
    if not folder.is_dir():
        raise StoreError(f"cannot write the report to {str(out)!r}: folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise StoreError(f"cannot write the report to {str(out)!r}: permission denied")
    return out
