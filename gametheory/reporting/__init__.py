"""One-command, self-contained HTML reports of a model: :func:`report` and :class:`HTMLReport`.

:mod:`.build` collects the sections by calling the package's public computing
functions; :mod:`.html` renders them (inline CSS, MathML equations, PNG data
URIs: one file, nothing fetched from the network).
"""

from __future__ import annotations

from .build import SECTIONS, report
from .document import HTMLReport

__all__ = ["SECTIONS", "HTMLReport", "report"]
