"""House style of every figure: palette, sizes, matplotlib settings, labels and legends.

Colours come from the Okabe-Ito palette (safe for the common forms of colour
blindness); sequential colour scales use ``viridis``/``cividis``.  Sizes fit a
journal column (:data:`COLUMN_WIDTH` = 3.5 in) or a full page width
(:data:`PAGE_WIDTH` = 7.2 in), at 8 pt type.  Labels use the LaTeX symbols of
the parameters (``lam`` -> :math:`\\lambda`, ``F_g`` -> :math:`F_g`).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import sympy
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .._checks import as_dynamics
from ..dynamics.base import Dynamics
from ..errors import ParameterError, keywords_checked
from ..game import Game
from ..latex import latex_name

__all__ = [
    "OKABE_ITO",
    "COLUMN_WIDTH",
    "PAGE_WIDTH",
    "RC_PARAMS",
    "style",
    "shared_legend",
    "legend_entries",
    "parameter_label",
    "state_label",
]

#: The Okabe-Ito colour-blind-safe palette: orange, sky blue, bluish green,
#: yellow, blue, vermillion, reddish purple, black.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
#: Palette order used for coordinates and categories (yellow last: weak on white).
CYCLE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
#: Width of one journal column, inches (89 mm).
COLUMN_WIDTH = 3.5
#: Width of a full journal page, inches (183 mm).
PAGE_WIDTH = 7.2
#: Matplotlib settings of every figure of :mod:`gametheory.plot`.
RC_PARAMS: dict[str, Any] = {
    "font.size": 8,
    "axes.titlesize": 8,
    "figure.titlesize": 9,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "legend.frameon": False,
    "lines.linewidth": 1.1,
    "axes.linewidth": 0.6,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=list(CYCLE)),
    "mathtext.fontset": "dejavusans",
    "savefig.dpi": 300,
    "savefig.bbox": "tight",
    "pdf.fonttype": 42,
    "figure.dpi": 100,
}


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Context manager applying :data:`RC_PARAMS` (every plot function uses it).

    Only the keys of :data:`RC_PARAMS` are restored on exit (unlike
    :func:`matplotlib.rc_context`, which would also undo settings a backend
    makes when it is first activated inside the context, such as the
    interactive mode of Jupyter's inline backend).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from gametheory import plot
    >>> with plot.style():
    ...     print(matplotlib.rcParams["font.size"])
    8.0
    """
    saved = {key: mpl.rcParams[key] for key in RC_PARAMS}
    mpl.rcParams.update(RC_PARAMS)
    try:
        yield
    finally:
        mpl.rcParams.update(saved)


def styled(func: Callable[..., Any]) -> Callable[..., Any]:
    """Run a plot function under :func:`style`, and fix the tick-label size on the axes it returns.

    Tick labels are created when the figure is drawn, which may happen after the
    style context has closed (Jupyter's inline backend draws at the end of the
    cell), so their size is stored on the axes themselves.  A call the function cannot
    take is a :class:`~gametheory.errors.SpecificationError` (:func:`~gametheory.errors.keywords_checked`).
    """

    checked = keywords_checked(func)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with style():
            result = checked(*args, **kwargs)
        axes = result.axes if isinstance(result, Figure) else [result]
        for a in axes:
            a.tick_params(axis="both", labelsize=RC_PARAMS["xtick.labelsize"])
            if getattr(a, "name", "") == "3d":
                a.tick_params(axis="z", labelsize=RC_PARAMS["xtick.labelsize"])
        return result

    return wrapper


def legend_entries(pairs: Iterable[tuple[Any, str]]) -> tuple[list[Any], list[str]]:
    """Handles and labels for a legend: one entry per label (the first handle wins), in order.

    Labels starting with ``_`` (matplotlib's "no legend") are left out.  Every legend of
    :mod:`gametheory.plot` is built from this, so none shows a label twice.

    Examples
    --------
    >>> legend_entries([("h1", "sink"), ("h2", "saddle"), ("h3", "sink"), ("h4", "_hidden")])
    (['h1', 'h2'], ['sink', 'saddle'])
    """
    chosen: dict[str, Any] = {}
    for handle, label in pairs:
        if not str(label).startswith("_"):
            chosen.setdefault(str(label), handle)
    return list(chosen.values()), list(chosen)


def shared_legend(fig: Figure, axes: Sequence[Axes] | None = None, **kwargs: Any) -> Any:
    """One legend for a multi-panel figure: every distinct label of ``axes`` (default: all), in order.

    Regime maps of several panels have different categories; this gathers
    them all and removes the panels' own legends.  Keyword arguments go to
    :meth:`Figure.legend` (default ``loc="outside right upper"``, which needs a
    constrained layout).

    Returns
    -------
    matplotlib.legend.Legend

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from gametheory import plot
    >>> fig, axes = plt.subplots(1, 2, layout="constrained")
    >>> _ = axes[0].plot([0, 1], label="a"); _ = axes[1].plot([1, 0], label="b")
    >>> [t.get_text() for t in plot.shared_legend(fig).get_texts()]
    ['a', 'b']
    >>> plt.close(fig)
    """
    handles, labels = legend_entries(
        pair for a in (fig.axes if axes is None else axes) for pair in zip(*a.get_legend_handles_labels())
    )
    for a in fig.axes if axes is None else axes:
        if a.get_legend() is not None:
            a.get_legend().remove()
    with style():
        return fig.legend(handles, labels, **({"loc": "outside right upper"} | kwargs))


# ----------------------------------------------------------------- labels
def parameter_label(name: str, value: float | None = None) -> str:
    """Mathtext label of a parameter: ``"F_g"`` -> ``"$F_{g}$"``; with a value ``"$F_{g} = 3$"``.

    Examples
    --------
    >>> from gametheory import plot
    >>> plot.parameter_label("lam"), plot.parameter_label("F_g", 3.0)
    ('$\\\\lambda$', '$F_{g} = 3$')
    """
    tex = latex_name(name)
    return f"${tex}$" if value is None else f"${tex} = {value:.3g}$"


def state_label(dynamics: Game | Dynamics, r: int, *, long: bool = True) -> str:
    """Label of state coordinate ``r``: ``"$x$"`` or, with ``long``, ``"$x$: government C"``.

    Examples
    --------
    >>> from gametheory import plot
    >>> from gametheory.models import crisis_governance as cg
    >>> plot.state_label(cg.game(), 0), plot.state_label(cg.game(), 2, long=False)
    ('$x$: government C', '$z$')
    """
    dyn = as_dynamics(dynamics, name="dynamics")
    sym = f"${sympy.latex(dyn.states[r])}$"
    if not long:
        return sym
    i, j = dyn.coordinates[r]
    pop = dyn.game.populations[i]
    return f"{sym}: {pop.name} {pop.strategies[j]}"


def symbol_label(name: str) -> str:
    """Mathtext of a state name: ``"x"`` -> ``"$x$"``."""
    return f"${sympy.latex(sympy.Symbol(name))}$"


def new_axes(ax: Axes | None, size: tuple[float, float], projection: str | None = None) -> Axes:
    """``ax``, or the axes of a new figure of ``size`` inches."""
    if ax is not None:
        return ax
    fig = plt.figure(figsize=size, layout="constrained" if projection is None else None)
    return fig.add_subplot(projection=projection)


def check_parameter(game: Game, name: str) -> None:
    """Refuse a parameter name the game does not have, suggesting a close one."""
    unknown = game.unknown_parameters([name])
    if unknown:
        raise ParameterError(unknown)


# --------------------------------------------------------------- colours
def vertex_colour(k: int, n: int) -> str:
    """Fixed colour per vertex index: first profile blue, last vermillion, others in palette order; -1 grey."""
    if k < 0:
        return "#999999"
    if k == 0:
        return CYCLE[0]
    if k == n - 1:
        return CYCLE[1]
    return CYCLE[2 + (k - 1) % (len(CYCLE) - 2)]


#: Outcome labels that contain this text are not certified (``gametheory.regime_map``, ``gametheory.basins``).
NOT_CERTIFIED = "not certified"
#: Fill, hatch pattern and hatch colour of uncertified outcomes (grey, cross-hatched).
UNCERTIFIED_FILL = "#D4D4D4"
UNCERTIFIED_HATCH = "xxxx"
UNCERTIFIED_HATCH_COLOUR = "#7A7A7A"


def is_uncertified(label: Any) -> bool:
    """Whether an outcome label says it is not certified (``"near C,E,A at t = 200, not certified"``).

    Examples
    --------
    >>> is_uncertified("not certified at t = 200"), is_uncertified("C,E,A")
    (True, False)
    """
    return NOT_CERTIFIED in str(label)


def light(colour: Any, amount: float = 0.6) -> tuple[float, ...]:
    """``colour`` mixed with white (``amount`` of white)."""
    rgb = np.array(mpl.colors.to_rgb(colour))
    return tuple(rgb + (1.0 - rgb) * amount)


def vertex_label(dyn: Dynamics, k: int) -> str:
    """``(0, 1, 1)`` for games of 2-strategy populations, else the profile's strategy names."""
    profile, v = dyn.vertices()[k]
    if all(s == 2 for s in dyn.game.strategy_counts):
        return "(" + ", ".join(f"{c:g}" for c in v) + ")"
    return "(" + ", ".join(profile) + ")"


def value_colours(n: int) -> list[Any]:
    """``n`` colours from the colour-blind-safe sequential map viridis (its pale-yellow end left out)."""
    cmap = mpl.colormaps["viridis"]
    return [cmap(v) for v in (np.linspace(0.0, 0.88, n) if n > 1 else [0.0])]


def panel_letter(k: int) -> str:
    """``(a)``, ``(b)``, ... for panel ``k``."""
    return f"({chr(ord('a') + k)})"
