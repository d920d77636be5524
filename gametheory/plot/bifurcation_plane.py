"""Two-parameter bifurcation curves: :func:`bifurcation_curves` draws a :func:`gametheory.bifurcation_curves` result.

Each curve in the plane ``(p1, p2)``, styled by kind (fold solid, Hopf dashed,
transcritical/pitchfork dotted-dashed), exact curves drawn thicker, the start
line (``p2`` at its value in ``params``) not drawn.
"""

from __future__ import annotations

from typing import Any

from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from .theme import COLUMN_WIDTH, CYCLE, new_axes, parameter_label, styled

__all__ = ["bifurcation_curves"]

STYLES = {"fold": "-", "hopf": "--", "transcritical": "-.", "pitchfork": ":"}


@styled
def bifurcation_curves(result: Any, ax: Axes | None = None, *, legend: bool = True) -> Axes:
    """Draw the curves of a :class:`~gametheory.analysis.continuation2.BifurcationCurves` result.

    Parameters
    ----------
    result
        The result of :func:`gametheory.bifurcation_curves`.
    ax
        Axes to draw into (a new figure otherwise).
    legend
        Add a legend of the kinds drawn.

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> res = gt.bifurcation_curves(classic.hawk_dove(), ("V", "C"), {"C": 3.0}, span1=(1, 5), span2=(1, 5))
    >>> ax = bifurcation_curves(res)
    >>> ax.get_xlabel(), ax.get_ylabel(), len(ax.lines)
    ('$V$', '$C$', 1)
    """
    ax = new_axes(ax, (COLUMN_WIDTH, 0.8 * COLUMN_WIDTH))
    kinds = []
    for k, c in enumerate(result.curves):
        lw = 1.6 if c.exact is not None else 1.1
        ax.plot(c.p1, c.p2, STYLES.get(c.kind, "-"), color=CYCLE[k % len(CYCLE)], lw=lw)
        if c.kind not in kinds:
            kinds.append(c.kind)
    n1, n2 = result.parameters
    ax.set_xlabel(parameter_label(n1))
    ax.set_ylabel(parameter_label(n2))
    ax.set_xlim(*result.spans[0])
    ax.set_ylim(*result.spans[1])
    if legend and kinds:
        handles = [Line2D([], [], color="black", ls=STYLES.get(kd, "-"), label=kd) for kd in kinds]
        ax.legend(handles=handles, fontsize=6, loc="best")
    return ax
