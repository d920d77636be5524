"""The flagship's HTML reports in the figure build: the whole analysis of each calibration, one page each.

:func:`gametheory.report` at ``STATUS_QUO`` and at ``OPTIMIZED``: the model, its parameters, the
exact equations, every rest point with its stability, the ESS and their conditions, the
attractors, time series, the phase portrait, sensitivity panels and a regime map, in one
self-contained HTML file that opens offline.
"""

from __future__ import annotations

from typing import Any

from .models import crisis_governance as cg
from .reporting import report

__all__ = ["build_report", "report_manifest"]

#: The report of each calibration.
_CALIBRATIONS = {"report_status_quo": cg.STATUS_QUO, "report_optimized": cg.OPTIMIZED}

#: Sizes of the quick build (``--small``); the full build uses the report's defaults.
_SMALL = {"starts": 3, "attractor_starts": 16, "grid": 7, "regime_starts": 4, "sensitivity": 2}


def report_manifest() -> tuple[tuple[str, str, str, str, tuple[str, ...]], ...]:
    """The reports of the flagship build, ``(name, kind, section, caption, suffixes)``.

    Examples
    --------
    >>> [row[0] for row in report_manifest()]
    ['report_status_quo', 'report_optimized']
    """
    return (
        (
            "report_status_quo",
            "report",
            "2",
            "the whole analysis at STATUS_QUO, one offline HTML page",
            (".html",),
        ),
        (
            "report_optimized",
            "report",
            "4",
            "the whole analysis at OPTIMIZED, one offline HTML page",
            (".html",),
        ),
    )


def build_report(name: str, *, small: bool) -> dict[str, str]:
    """One report of :func:`report_manifest`, as ``{".html": page}``.

    Examples
    --------
    >>> page = build_report("report_status_quo", small=True)[".html"]
    >>> page.startswith("<!DOCTYPE html>") and "Rest points and stability" in page
    True
    """
    kwargs: dict[str, Any] = dict(_SMALL) if small else {}
    return {".html": report(cg.game(), dict(_CALIBRATIONS[name]), progress=False, **kwargs).html}
