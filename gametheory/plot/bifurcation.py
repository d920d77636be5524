"""Bifurcation diagrams: :func:`bifurcation_diagram` draws a :func:`gametheory.continuation` result.

One share (or a chosen function of the state) against the continuation
parameter, each branch in its own colour: stable stretches solid, unstable
dashed, neutral dotted; points outside the state space are not drawn.  Each
bifurcation is marked by kind and labelled with its (exact, where known) value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import sympy
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from ..errors import SpecificationError
from .theme import COLUMN_WIDTH, CYCLE, new_axes, parameter_label, styled, symbol_label

__all__ = ["bifurcation_diagram"]

STYLES = {"stable": "-", "unstable": "--", "neutral": ":"}
MARKERS = {"fold": ("o", "LP"), "transcritical": ("s", "BP"), "pitchfork": ("^", "PF"), "hopf": ("D", "H")}


def _coordinate(result: Any, coordinate: Any) -> tuple[Callable[[np.ndarray], np.ndarray], str]:
    names = list(result.state_names)
    if callable(coordinate):
        return (lambda X: np.asarray([coordinate(x) for x in X], dtype=float)), "f(state)"
    if isinstance(coordinate, str):
        if coordinate not in names:
            raise SpecificationError(f"unknown coordinate {coordinate!r}; the states are {names}")
        coordinate = names.index(coordinate)
    if not isinstance(coordinate, (int, np.integer)) or not 0 <= coordinate < len(names):
        raise SpecificationError(
            f"coordinate must be a state name, an index below {len(names)} or a function"
        )
    r = int(coordinate)
    return (lambda X: X[:, r]), symbol_label(names[r])


def _runs(labels: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """Maximal runs ``[i, j]`` (inclusive, overlapping by one point) of equal stability."""
    out, i = [], 0
    n = len(labels)
    while i < n - 1:
        j = i + 1
        while j < n - 1 and labels[j] == labels[i]:
            j += 1
        out.append((i, j, labels[i]))
        i = j
    return out


@styled
def bifurcation_diagram(
    result: Any,
    ax: Axes | None = None,
    *,
    coordinate: int | str | Callable[[np.ndarray], float] = 0,
    ylabel: str | None = None,
    labels: bool = True,
) -> Axes:
    """Draw a continuation result: the chosen coordinate of every branch against the parameter.

    Parameters
    ----------
    result
        A :class:`~gametheory.analysis.continuation.ContinuationResult`.
    ax
        Axes to draw into (a new figure otherwise).
    coordinate
        A state name, its index, or a function of the reduced state (a 1-D array).
    ylabel
        Axis label (default: the state's symbol).
    labels
        Write each bifurcation's kind and value next to its marker.

    Each distinct bifurcation value is written once, above the panel (exact where known).

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> res = gt.continuation(classic.hawk_dove(), "V", {"C": 3.0}, span=(1.0, 5.0))
    >>> ax = bifurcation_diagram(res)
    >>> ax.get_xlabel(), len(ax.lines) >= 3
    ('$V$', True)
    """
    f, default_label = _coordinate(result, coordinate)
    ax = new_axes(ax, (COLUMN_WIDTH, 0.75 * COLUMN_WIDTH))
    for k, b in enumerate(result.branches):
        y = f(np.asarray(b.states))
        y = np.where(b.inside, y, np.nan)
        colour = CYCLE[k % len(CYCLE)]
        for i, j, stab in _runs(b.stability):
            ax.plot(b.parameter[i : j + 1], y[i : j + 1], STYLES[stab], color=colour, lw=1.2)
    labelled: list[float] = []
    for bif in result.bifurcations:
        marker, short = MARKERS[bif.kind]
        yv = float(f(np.asarray(bif.state)[None, :])[0])
        ax.plot([bif.parameter], [yv], marker, ms=4, mfc="white", mec="black", mew=0.8, zorder=5)
        # each value once, above the panel, with a faint guide down to the points; labels closer than
        # 5% of the span to one already written are left out (the guide stays), and a long exact value
        # (a radical) is written as a decimal so that labels stay legible
        gap = 0.05 * (result.span[1] - result.span[0])
        if labels and all(abs(bif.parameter - v) > gap for v in labelled):
            labelled.append(bif.parameter)
            short_exact = bif.exact is not None and len(sympy.sstr(bif.exact)) <= 6
            value = f"${sympy.latex(bif.exact)}$" if short_exact else f"{bif.parameter:.4g}"
            ax.axvline(bif.parameter, color="0.8", lw=0.5, zorder=0)
            ax.annotate(value, (bif.parameter, 1.0), xycoords=("data", "axes fraction"), xytext=(0, 2),
                        textcoords="offset points", ha="center", va="bottom", fontsize=6, rotation=90)  # fmt: skip
    ax.set_xlabel(parameter_label(result.parameter))
    ax.set_ylabel(ylabel if ylabel is not None else default_label)
    ax.set_xlim(*result.span)
    present = {  # the styles drawn: runs with a visible segment
        stab for b in result.branches for i, j, stab in _runs(b.stability) if b.inside[i : j + 1].sum() >= 2
    }
    shown = [s for s in ("stable", "unstable", "neutral") if s in present or s != "neutral"]
    handles = [Line2D([], [], color="black", ls=STYLES[s], lw=1.2, label=s) for s in shown]
    kinds = sorted({b.kind for b in result.bifurcations}, key=list(MARKERS).index)
    handles += [
        Line2D(
            [], [], ls="", marker=MARKERS[kd][0], mfc="white", mec="black", label=f"{MARKERS[kd][1]}: {kd}"
        )
        for kd in kinds
    ]
    ax.legend(handles=handles, fontsize=6, loc="best")
    return ax
