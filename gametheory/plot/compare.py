"""One game under several dynamics, side by side: :func:`dynamics_panel`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple

from ..errors import SpecificationError
from ..game import Game
from .phase import phase_portrait
from .theme import PAGE_WIDTH, legend_entries, panel_letter, styled

__all__ = ["dynamics_panel"]

#: Options used for the dynamics that need them when ``options`` does not say.
DEFAULT_OPTIONS: dict[str, dict[str, Any]] = {
    "replicator_mutator": {"mutation": 0.05},
    "logit": {"eta": 0.5},
}


@styled
def dynamics_panel(
    game: Game,
    kinds: Sequence[str] | None = None,
    params: Mapping[str, Any] | None = None,
    *,
    options: Mapping[str, Mapping[str, Any]] | None = None,
    ax: Sequence[Axes] | None = None,
    columns: int = 4,
    legend: bool = False,
    **portrait: Any,
) -> Figure:
    """Phase portraits of one game under several dynamics, one panel each (:func:`phase_portrait`).

    Parameters
    ----------
    game
        The game (two 2-strategy populations draw in the unit square, three in the cube,
        a 3-strategy population in its simplex; see :func:`phase_portrait`).
    kinds
        The dynamics, names of :data:`gametheory.dynamics.KINDS` (default: all of them).
    params
        Parameter values (the game's defaults fill the rest).
    options
        ``{kind: {option: value}}`` for the dynamics that take options; by default a
        mutation rate of 0.05 and logit noise of 0.5 (:data:`DEFAULT_OPTIONS`).
    ax
        One axes per kind (default: a new page-width figure, ``columns`` per row).
    columns
        Panels per row of a new figure.
    legend
        One legend for all panels (rest-point kinds and where trajectories end, each label
        once), in the first free slot of the grid or below the panels.
    **portrait
        Passed to :func:`phase_portrait` for every panel (``n``, ``t_span``, ``starts``...).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> pennies = gt.Game.from_table({"r": ["H", "T"], "c": ["H", "T"]},
    ...     {("H", "H"): (2, 0), ("H", "T"): (0, 2), ("T", "H"): (0, 2), ("T", "T"): (2, 0)})
    >>> fig = dynamics_panel(pennies, ["replicator", "logit", "smith"], n=2, t_span=(0, 10))
    >>> [a.get_title() for a in fig.axes]
    ['(a) replicator', '(b) logit', '(c) smith']
    >>> fig = dynamics_panel(pennies, ["replicator", "logit"], n=2, t_span=(0, 10), columns=3, legend=True)
    >>> [t.get_text() for t in fig.legends[0].get_texts()]
    ['saddle', 'non-hyperbolic', 'ends near no vertex', 'stable (sink)']
    """
    from ..dynamics import KINDS

    if not isinstance(game, Game):
        raise SpecificationError(f"dynamics_panel needs a Game, got {type(game).__name__}")
    kinds = list(sorted(KINDS) if kinds is None else kinds)
    if not kinds:
        raise SpecificationError("dynamics_panel needs at least one kind of dynamics")
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise SpecificationError(f"unknown dynamics {unknown}; available: {sorted(KINDS)}")
    chosen = {**DEFAULT_OPTIONS, **{k: dict(v) for k, v in (options or {}).items()}}
    three_d = sum(pop.size == 2 for pop in game.populations) == 3 and len(game.populations) == 3
    if ax is None:
        rows = int(np.ceil(len(kinds) / columns))
        width = min(columns, len(kinds))
        fig = plt.figure(figsize=(PAGE_WIDTH, PAGE_WIDTH / width * rows * 1.05))
        axes = [
            fig.add_subplot(rows, width, k + 1, projection="3d" if three_d else None)
            for k in range(len(kinds))
        ]
    else:
        axes = list(ax)
        if len(axes) != len(kinds):
            raise SpecificationError(f"give one axes per kind: {len(kinds)} kinds, {len(axes)} axes")
        fig = axes[0].figure
    for k, (kind, a) in enumerate(zip(kinds, axes)):
        dyn = game.dynamics(kind, **chosen.get(kind, {}))
        phase_portrait(dyn, params, ax=a, legend=legend, title=f"{panel_letter(k)} {kind}", **portrait)
    if legend:
        _shared_panel_legend(
            fig, axes, spare=ax is None and len(kinds) % columns != 0 and len(kinds) > columns
        )
    return fig


def _shared_panel_legend(fig: Figure, axes: Sequence[Axes], spare: bool) -> None:
    """Gather the panels' legends into one (each label once), in the grid's free slot when ``spare``."""
    pairs: list[Any] = []
    for a in axes:
        own = a.get_legend()
        if own is not None:
            pairs += getattr(own, "_gametheory_entries", [])
            own.remove()
    handles, labels = legend_entries(pairs)
    if not handles:
        return
    options = {"handler_map": {tuple: HandlerTuple(ndivide=1, pad=0)}, "handlelength": 1.5}
    if spare:  # the cell right of the last panel: centred in the free part of the last row
        last = axes[-1].get_position()
        x0 = (last.x1 + 1.0) / 2
        fig.legend(handles, labels, loc="center", bbox_to_anchor=(x0, (last.y0 + last.y1) / 2), **options)
    else:
        fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.02), ncol=3, **options)
