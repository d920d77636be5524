"""Evolution curves for several values of one parameter: :func:`sensitivity`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .._checks import as_dynamics
from ..dynamics.base import Dynamics
from ..errors import ParameterError, SpecificationError
from ..game import Game
from . import _results
from .theme import (
    PAGE_WIDTH,
    check_parameter,
    panel_letter,
    parameter_label,
    state_label,
    styled,
    value_colours,
)

__all__ = ["sensitivity"]


@styled
def sensitivity(
    dynamics: Game | Dynamics,
    parameter: str,
    values: Sequence[float] | None = None,
    params: Mapping[str, Any] | None = None,
    *,
    x0: Sequence[float] | None = None,
    t_span: tuple[float, float] = (0.0, 50.0),
    ax: Sequence[Axes] | None = None,
    trajectories: Any = None,
    start: int = 0,
    baseline: float | None = None,
    n_eval: int = 300,
    title: str | None = None,
    first_panel: int = 0,
) -> Figure:
    """Evolution curves for several values of one parameter, one panel per coordinate.

    For each value :math:`v` the trajectory of
    :math:`\\dot x = F(x; p[\\mathrm{parameter} = v])` from ``x0`` is drawn;
    panel ``r`` shows :math:`x_r(t)` of every run, coloured from dark to light
    by increasing :math:`v` (viridis).  The runs are a sweep result
    (``trajectories``) or, as a convenience, computed by
    :meth:`~gametheory.dynamics.base.Dynamics.simulate` (one call per value).

    Parameters
    ----------
    dynamics
        The game or its dynamics.
    parameter
        The parameter varied.
    values
        Its values (at least one, finite); with a sweep result, default all
        its values.
    params
        The other parameters (game defaults fill the rest).
    x0
        Start (default: the centre of every simplex, e.g. ``(0.5, 0.5, 0.5)``).
    t_span
        Integration window.
    ax
        ``d`` axes, one per coordinate (default: a new page-width figure).
    trajectories
        Precomputed runs to draw instead of integrating: one trajectory per
        value, or a sweep result of ``parameter`` (its paths from initial
        state number ``start``).
    start
        With a sweep result: which of its initial states to show.
    baseline
        A value to emphasise (drawn thicker, black, dashed), e.g. the
        calibrated value; when integrating it is added to ``values`` if missing.
    n_eval, title
        Time points per trajectory; figure title.
    first_panel
        Letter of the first panel: 0 gives (a), 3 gives (d) (for stacked rows).

    Returns
    -------
    Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from gametheory import plot
    >>> from gametheory.models import crisis_governance as cg
    >>> fig = plot.sensitivity(cg.game(), "F_g", [3.0, 8.0], cg.OPTIMIZED, t_span=(0, 20), baseline=8.0)
    >>> [ax.get_title(loc="left") for ax in fig.axes]
    ['(a) $x$: government C', '(b) $y$: ngo E', '(c) $z$: citizen A']
    """
    dyn = as_dynamics(dynamics, name="dynamics")
    check_parameter(dyn.game, parameter)
    swept = None
    if trajectories is not None and _results.is_sweep(trajectories):
        swept = _results.sweep_runs(trajectories, parameter, start)
        if values is None:
            values = list(swept)
    if values is None:
        raise ParameterError(f"sensitivity of {parameter!r}: give the values (or a sweep result)")
    vals = np.asarray(values, dtype=float).ravel()
    if vals.size == 0 or not np.isfinite(vals).all():
        raise ParameterError(
            f"sensitivity of {parameter!r}: values must be a non-empty list of finite numbers"
        )
    if trajectories is None and baseline is not None and not np.isclose(vals, baseline).any():
        vals = np.sort(np.append(vals, baseline))
    d = dyn.dimension
    if x0 is None:
        x0 = np.concatenate(
            [np.full(sl.stop - sl.start, 1.0 / (sl.stop - sl.start + 1)) for sl in dyn.population_slices()]
        )
    if swept is not None:
        runs = []
        for v in vals:
            match = [k for k in swept if np.isclose(k, v)]
            if not match:
                raise ParameterError(
                    f"the sweep has no run at {parameter} = {v:g}; its values are {sorted(swept)}"
                )
            runs.append(swept[match[0]])
    elif trajectories is None:
        t_eval = np.linspace(t_span[0], t_span[1], n_eval)
        base = dict(params or {})
        runs = [dyn.simulate(x0, t_span, {**base, parameter: float(v)}, t_eval=t_eval) for v in vals]
    else:
        runs = _results.runs(trajectories)
        if len(runs) != vals.size:
            raise SpecificationError(f"got {len(runs)} trajectories for {vals.size} values of {parameter!r}")
    if ax is None:
        fig, axes = plt.subplots(1, d, figsize=(PAGE_WIDTH, 2.1), sharey=True, layout="constrained")
        axes = np.atleast_1d(axes)
    else:
        axes = np.atleast_1d(np.asarray(ax, dtype=object))
        if axes.size != d:
            raise SpecificationError(f"sensitivity needs {d} axes (one per coordinate), got {axes.size}")
        fig = axes[0].figure
    colours = value_colours(vals.size)
    for r, a in enumerate(axes):
        for v, run, c in zip(vals, runs, colours):
            emph = baseline is not None and np.isclose(v, baseline)
            a.plot(
                run.t,
                run.y[r],
                color="black" if emph else c,
                lw=1.6 if emph else 1.1,
                ls="--" if emph else "-",
                label=parameter_label(parameter, float(v)) + (" (baseline)" if emph else ""),
                zorder=3 if emph else 2,
            )
        a.set_title(f"{panel_letter(first_panel + r)} {state_label(dyn, r)}", loc="left")
        a.set_xlabel("time $t$")
        a.set_ylim(-0.02, 1.02)
        a.set_xlim(run.t[0], run.t[-1])
    axes[0].set_ylabel("share")
    axes[-1].legend(loc="center left", bbox_to_anchor=(1.02, 0.5), handlelength=1.8)
    if title:
        fig.suptitle(title)
    return fig
