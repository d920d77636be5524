"""Bifurcation diagrams of the flagship model: one per section-4 lever of the crisis-governance game.

Each lever of :data:`gametheory.models.crisis_governance.LEVERS` is moved over a
span with every other parameter at a calibration (default ``OPTIMIZED``), the rest
points are continued (:func:`gametheory.continuation`) and drawn share by share
(government ``x``, NGOs ``y``, citizens ``z``: three panels), stable stretches
solid, unstable dashed, each bifurcation marked with its exact value.  In the
replicator dynamics of this game the vertices stay rest points, so a lever changes
the picture where a vertex eigenvalue (a payoff difference) changes sign: there a
face or interior branch meets the vertex (a transcritical point, or a line of rest
points at that value when the payoff difference vanishes on a whole edge).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt

from .analysis.branches import ContinuationResult
from .analysis.continuation import continuation
from .errors import SpecificationError
from .models import crisis_governance as cg
from .plot import bifurcation_diagram, parameter_label, state_label, style
from .plot.theme import PAGE_WIDTH

__all__ = [
    "FLAGSHIP_DIAGRAM_LEVERS",
    "build_continuation",
    "continuation_manifest",
    "lever_continuation",
    "lever_diagram",
]

#: The levers drawn by default (penalties and resources of section 4).
FLAGSHIP_DIAGRAM_LEVERS = ("F_g", "F_n", "S", "W")


def _span(lever: str) -> tuple[float, float]:
    bounds = cg.game().parameter(lever).bounds
    if bounds is not None and bounds[1] <= 1:
        return (float(bounds[0]), float(bounds[1]))
    return (0.0, 2.0 * max(cg.STATUS_QUO[lever], cg.OPTIMIZED[lever]))


def lever_continuation(
    lever: str, base: Mapping[str, float] | None = None, span: tuple[float, float] | None = None
) -> ContinuationResult:
    """Continue the rest points of the crisis-governance game in one lever.

    Parameters
    ----------
    lever
        One of :data:`~gametheory.models.crisis_governance.LEVERS`.
    base
        Values of the other parameters (default ``OPTIMIZED``).
    span
        The lever's range (default ``[0, 1]`` for a share, else ``[0, 2 max(STATUS_QUO, OPTIMIZED)]``).

    Examples
    --------
    >>> res = lever_continuation("F_n")
    >>> [(b.kind, b.exact) for b in res.bifurcations if b.parameter > 0]
    [('transcritical', 1/61), ('transcritical', 258/49)]
    """
    if lever not in cg.LEVERS:
        raise SpecificationError(f"unknown lever {lever!r}; the section-4 levers are {list(cg.LEVERS)}")
    values = dict(cg.OPTIMIZED if base is None else base)
    return continuation(cg.game(), lever, values, span=_span(lever) if span is None else span)


def lever_diagram(
    lever: str,
    base: Mapping[str, float] | None = None,
    span: tuple[float, float] | None = None,
    **kwargs: Any,
) -> Any:
    """Three-panel bifurcation diagram (shares x, y, z against ``lever``); returns the Figure.

    ``kwargs`` go to :func:`gametheory.plot.bifurcation_diagram`.

    Examples
    --------
    >>> fig = lever_diagram("W")
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['$x$: government C', '$y$: ngo E', '$z$: citizen A']
    """
    res = lever_continuation(lever, base, span)
    with style():
        fig, axes = plt.subplots(1, 3, figsize=(PAGE_WIDTH, 0.36 * PAGE_WIDTH), layout="constrained")
    dyn = cg.game().replicator()
    for r, ax in enumerate(axes):
        bifurcation_diagram(res, ax=ax, coordinate=r, ylabel=state_label(dyn, r), **kwargs)
    handles = axes[0].get_legend().legend_handles
    for ax in axes:
        ax.get_legend().remove()
    with style():
        fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=7)
    calibration = "OPTIMIZED" if base is None else "given values"
    fig.suptitle(
        f"Rest points against {parameter_label(lever)} (other parameters: {calibration})", fontsize=8
    )
    return fig


def continuation_manifest() -> tuple[tuple[str, str, str, str, tuple[str, ...]], ...]:
    """One bifurcation diagram per section-4 lever, ``(name, kind, section, caption, suffixes)``.

    Examples
    --------
    >>> [row[0] for row in continuation_manifest()][:2]
    ['bifurcation_lam', 'bifurcation_S']
    """
    return tuple(
        (f"bifurcation_{lever}", "figure", "4", f"rest points against {lever} (OPTIMIZED otherwise): stability, "
         "bifurcations", (".png", ".pdf"))
        for lever in cg.LEVERS
    )  # fmt: skip


def build_continuation(name: str, *, small: bool) -> Any:
    """The figure of one artifact of :func:`continuation_manifest` (the same in small mode: it is quick).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> len(build_continuation("bifurcation_W", small=True).axes)
    3
    """
    return lever_diagram(name.removeprefix("bifurcation_"))
