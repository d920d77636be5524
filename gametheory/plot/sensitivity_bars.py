"""Which lever matters most: :func:`sensitivity_indices` draws ranked sensitivity indices as bars."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from . import _results
from .theme import COLUMN_WIDTH, new_axes, parameter_label, styled

__all__ = ["sensitivity_indices"]


@styled
def sensitivity_indices(
    result: Any,
    *,
    ax: Axes | None = None,
    outcome: str | None = None,
    top: int | None = None,
    title: str | None = None,
) -> Axes:
    """Ranked horizontal bars of the sensitivity indices of one outcome, most influential on top.

    Sobol' (:func:`gametheory.sensitivity_indices`, ``method="sobol"``): a wide pale bar is the
    total index :math:`S_{Ti}` (the share of :math:`\\operatorname{Var} Y` that goes with
    :math:`p_i`, interactions included), a narrow dark bar inside it the first-order index
    :math:`S_i` (:math:`p_i` alone; drawn from 0 when the estimate is negative); whiskers are the
    bootstrap confidence half-widths (the total's above, the first order's below).  The gap
    between the two is what :math:`p_i` does through interactions.  Morris: the bar is
    :math:`\\mu^*` (mean absolute elementary effect) with its confidence half-width, the dot
    :math:`\\sigma` (spread of the effects: interactions, non-linearity).  Nothing is computed here.

    Parameters
    ----------
    result
        A :class:`gametheory.SensitivityIndices`.
    ax
        Axes to draw into (default: a new one-column figure, its height growing with the parameters).
    outcome
        Which outcome (default: the first).
    top
        Draw only the ``top`` most influential parameters.
    title
        Axes title (default: the outcome's name).

    Returns
    -------
    Axes
        The y tick labels are the parameters, ranked.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import math
    >>> import gametheory as gt
    >>> from gametheory import plot
    >>> from gametheory.models import crisis_governance as cg
    >>> res = gt.sensitivity_indices(cg.game(), "ess:C,E,A", dict(cg.OPTIMIZED), n=8)
    >>> ax = plot.sensitivity_indices(res)
    >>> [t.get_text() for t in ax.get_yticklabels()][0]
    '$\\\\lambda$'
    """
    ind = _results.sensitivity_indices(result, outcome)
    order = np.argsort(-np.nan_to_num(ind.main, nan=-np.inf), kind="stable")
    if top is not None:
        order = order[: max(1, int(top))]
    ax = new_axes(ax, (COLUMN_WIDTH, 1.0 + 0.28 * len(order)))
    rows = np.arange(len(order))
    sobol = ind.method == "sobol"
    main, conf = ind.main[order], ind.main_conf[order]
    ax.barh(rows, main, height=0.76, color="#9DC3E6" if sobol else "#0072B2", edgecolor="white", lw=0.5)
    # the total index's whisker in the upper half of its row, the first-order bar and whisker in the lower
    ax.errorbar(main, rows - (0.18 if sobol else 0), xerr=conf, fmt="none", ecolor="#333333", elinewidth=0.7,
                capsize=2)  # fmt: skip
    handles = [
        Patch(facecolor="#9DC3E6" if sobol else "#0072B2", label="total $S_T$" if sobol else r"$\mu^*$")
    ]
    if sobol and ind.first is not None:
        first = np.clip(ind.first[order], 0, None)  # an estimate below 0 is noise around 0
        ax.barh(rows + 0.18, first, height=0.3, color="#0072B2", edgecolor="none")
        ax.errorbar(first, rows + 0.18, xerr=ind.first_conf[order], fmt="none", ecolor="#0072B2",
                    elinewidth=0.6, capsize=1.5)  # fmt: skip
        handles.append(Patch(facecolor="#0072B2", label="first order $S_1$"))
        ax.set_xlim(0, max(1.0, float(np.nanmax(main + conf)) * 1.05) if np.isfinite(main).any() else 1)
        ax.set_xlabel(f"Sobol' index (share of variance; n = {ind.n}, {ind.n_evaluations} runs)")
    elif ind.first is not None:
        ax.plot(ind.first[order], rows, "o", color="#D55E00", ms=3.5, label=r"$\sigma$")
        handles.append(ax.lines[-1])
        ax.set_xlim(left=0)
        ax.set_xlabel(f"elementary effect (Morris; {ind.n} trajectories, {ind.n_evaluations} runs)")
    ax.set_yticks(rows)
    ax.set_yticklabels([parameter_label(ind.parameters[i]) for i in order])
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.legend(handles=handles, loc="lower right", frameon=False, handlelength=1.2)
    ax.set_title(title if title is not None else ind.outcome)
    return ax
