"""The model as a picture: :func:`model_diagram` (populations and their couplings) and :func:`coupling_parameters`."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
import sympy
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from ..errors import SpecificationError
from ..game import Game
from .theme import check_parameter, new_axes, parameter_label, styled

__all__ = ["model_diagram", "coupling_parameters"]


def _incentive_coefficients(game: Game, i: int, p: sympy.Symbol) -> dict[tuple[int, ...], sympy.Expr]:
    """:math:`\\partial(\\pi_i(a, s_{-i}) - \\pi_i(k_i, s_{-i}))/\\partial p` for every own strategy a and s_{-i}."""
    arr = game.payoff_array(i)
    out = {}
    for idx in itertools.product(*(range(k) for k in game.strategy_counts)):
        last = list(idx)
        last[i] = game.strategy_counts[i] - 1
        out[idx] = sympy.expand(sympy.diff(arr[idx] - arr[tuple(last)], p))
    return out


def coupling_parameters(game: Game) -> dict[tuple[str, str], tuple[str, ...]]:
    """Which parameters carry the influence of one population on another's incentives.

    Parameter :math:`p` couples population ``j`` to population ``i`` when the
    sensitivity of ``i``'s payoff advantages to :math:`p`,

    .. math::  \\frac{\\partial}{\\partial p}\\bigl(\\pi_i(a, s_{-i}) - \\pi_i(k_i, s_{-i})\\bigr),

    changes with the strategy of ``j`` (for some own strategy ``a`` and some
    profile ``s_{-i}`` of the others): then how strongly :math:`p` pushes
    ``i`` depends on what ``j`` does.  Derived symbolically from the payoff
    table.

    Returns
    -------
    dict
        ``{(j_name, i_name): (parameter names in game order)}`` for every
        ordered pair with at least one coupling parameter.

    Examples
    --------
    >>> from gametheory import plot
    >>> from gametheory.models import crisis_governance as cg
    >>> plot.coupling_parameters(cg.game())[("citizen", "ngo")]
    ('R_n', 'mu', 's_n', 'K_n')
    """
    out: dict[tuple[str, str], list[str]] = {}
    names = game.population_names
    for i in range(game.n_populations):
        for p in game.parameters:
            coef = _incentive_coefficients(game, i, p.symbol)
            for j in range(game.n_populations):
                if j == i:
                    continue
                varies = False
                for idx, c in coef.items():
                    for t in range(game.strategy_counts[j]):
                        alt = list(idx)
                        alt[j] = t
                        if sympy.expand(c - coef[tuple(alt)]) != 0:
                            varies = True
                            break
                    if varies:
                        break
                if varies:
                    out.setdefault((names[j], names[i]), []).append(p.name)
    return {k: tuple(v) for k, v in out.items()}


def _own_parameters(game: Game, couplings: Mapping[tuple[str, str], Sequence[str]]) -> dict[str, list[str]]:
    """Parameters in a population's payoff advantages that couple to nobody (own costs, gains)."""
    out = {}
    for i, pop in enumerate(game.populations):
        coupled = {p for (_, target), ps in couplings.items() if target == pop.name for p in ps}
        own = []
        for p in game.parameters:
            if p.name in coupled:
                continue
            coef = _incentive_coefficients(game, i, p.symbol)
            if any(c != 0 for c in coef.values()):
                own.append(p.name)
        out[pop.name] = own
    return out


def _param_list(names: Sequence[str]) -> str:
    return ", ".join(parameter_label(n) for n in names)


@styled
def model_diagram(
    game: Game,
    *,
    ax: Axes | None = None,
    relations: Sequence[tuple[str, str, str, Sequence[str]]] | None = None,
    titles: Mapping[str, str] | None = None,
    descriptions: Mapping[str, str] | None = None,
    centre: tuple[str, Sequence[str]] | None = None,
    show_own: bool = True,
) -> Axes:
    """The populations as boxes, with arrows labelled by the parameters that carry their interactions.

    Parameters
    ----------
    game
        A game with 2 or 3 populations (boxes on a line or a triangle).
    ax
        Axes to draw into (default: a new figure 7 x 4.2 in).
    relations
        ``(from_population, to_population, verb, parameter names)`` for each
        arrow, e.g. ``("government", "ngo", "supports", ["S", "tau"])``;
        several entries for one pair are stacked on one arrow.  Every
        parameter must couple the two populations in that direction
        (:func:`coupling_parameters`), else :class:`SpecificationError`.
        Default: one arrow per coupled pair, labelled with all its coupling
        parameters.
    titles
        Box title of each population (default: its name).
    descriptions
        Text under each population's title (default: its strategies).
    centre
        ``(caption, parameter names)`` written in the middle (e.g. the synergy
        of full cooperation).
    show_own
        List under each box the parameters that act on that population alone.

    Returns
    -------
    Axes
        Axis off, aspect equal; one :class:`~matplotlib.patches.FancyArrowPatch`
        per arrow, one :class:`~matplotlib.patches.FancyBboxPatch` per population.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from gametheory import plot
    >>> from gametheory.models import crisis_governance as cg
    >>> ax = plot.model_diagram(cg.game(), relations=[("government", "ngo", "supports", ["S"])])
    >>> len(ax.patches)
    4
    """
    n = game.n_populations
    if n not in (2, 3):
        raise SpecificationError(f"model_diagram draws games of 2 or 3 populations, this one has {n}")
    names = game.population_names
    couplings = coupling_parameters(game)
    if relations is None:
        rel = [(a, b, "", list(ps)) for (a, b), ps in couplings.items()]
    else:
        rel = []
        for entry in relations:
            try:
                a, b, verb, ps = entry
            except (TypeError, ValueError):
                raise SpecificationError(
                    f"relation {entry!r} must be (from_population, to_population, verb, [parameters])"
                ) from None
            for pop in (a, b):
                game.population(pop)
            for p in ps:
                check_parameter(game, p)
                if p not in couplings.get((a, b), ()):
                    raise SpecificationError(
                        f"parameter {p!r} does not carry an influence of {a!r} on {b!r} in the payoffs; "
                        f"the parameters that do are {list(couplings.get((a, b), ()))}"
                    )
            rel.append((a, b, verb, list(ps)))
    ax = new_axes(ax, (7.0, 4.2))
    fig = ax.figure
    width = 1.7  # data units across; the figure is 7 x 4.2 in, so the aspect is about equal
    if n == 3:
        centres = {names[0]: (width / 2, 0.88), names[1]: (0.2, 0.12), names[2]: (width - 0.2, 0.12)}
    else:
        centres = {names[0]: (0.2, 0.5), names[1]: (width - 0.2, 0.5)}
    box_w, box_h = 0.40, 0.17
    for pop in game.populations:
        cx, cy = centres[pop.name]
        ax.add_patch(
            FancyBboxPatch(
                (cx - box_w / 2, cy - box_h / 2), box_w, box_h,
                boxstyle="round,pad=0.012,rounding_size=0.02", fc="#F2F2F2", ec="black", lw=0.9, zorder=3,
            )
        )  # fmt: skip
        sub = (descriptions or {}).get(pop.name, " / ".join(pop.strategies))
        title = (titles or {}).get(pop.name, pop.name)
        ax.text(cx, cy + 0.045, title, ha="center", va="center", weight="bold", zorder=4)
        ax.text(cx, cy - 0.025, sub, ha="center", va="center", fontsize=6.5, zorder=4, linespacing=1.3)
    if show_own:
        own = _own_parameters(game, couplings)
        for pop in names:
            if own[pop]:
                cx, cy = centres[pop]
                up = n == 3 and cy > 0.5
                ax.text(
                    cx, cy + (box_h / 2 + 0.05 if up else -box_h / 2 - 0.05),
                    "own: " + _param_list(own[pop]), ha="center", va="center", fontsize=6.5, color="#444444",
                )  # fmt: skip
    grouped: dict[tuple[str, str], list[tuple[str, list[str]]]] = {}
    for a, b, verb, ps in rel:
        grouped.setdefault((a, b), []).append((verb, ps))
    mid = np.mean(np.array(list(centres.values())), axis=0)
    rad = 0.16
    for (a, b), items in grouped.items():
        pa, pb = np.array(centres[a]), np.array(centres[b])
        direction = (pb - pa) / np.linalg.norm(pb - pa)
        normal = np.array([-direction[1], direction[0]])  # left of the direction of travel
        # the two directions of a pair bulge to opposite sides, so their arrows and labels never overlap
        # leave each box where the line between the centres crosses its border, plus a margin
        reach = min(
            (box_w / 2 + 0.012) / max(abs(direction[0]), 1e-9),
            (box_h / 2 + 0.012) / max(abs(direction[1]), 1e-9),
        )
        start = pa + direction * (reach + 0.04) + normal * 0.035
        end = pb - direction * (reach + 0.04) + normal * 0.035
        ax.add_patch(
            FancyArrowPatch(
                tuple(start), tuple(end), arrowstyle="-|>", mutation_scale=11, lw=1.0, color="#0072B2",
                connectionstyle=f"arc3,rad={-rad}", zorder=2,
            )
        )  # fmt: skip
        # midpoint of the quadratic Bezier curve of arc3: chord midpoint + rad/2 * |chord| * normal
        apex = (start + end) / 2 + normal * (rad / 2) * np.linalg.norm(end - start)
        lines = [(f"{verb}: " if verb else "") + _param_list(ps) for verb, ps in items]
        ha = "left" if normal[0] > 0.35 else "right" if normal[0] < -0.35 else "center"
        va = "bottom" if normal[1] > 0.7 else "top" if normal[1] < -0.7 else "center"
        ax.text(
            *(apex + normal * 0.022), "\n".join(lines), ha=ha, va=va, fontsize=6.5, zorder=4,
            linespacing=1.25, bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
        )  # fmt: skip
    if centre is not None:
        caption, ps = centre
        for p in ps:
            check_parameter(game, p)
        ax.text(
            mid[0], mid[1] - 0.04, f"{caption}\n{_param_list(ps)}", ha="center", va="center", fontsize=6.5,
            style="italic", color="#444444",
        )  # fmt: skip
    ax.set_xlim(-0.02, width + 0.02)
    ax.set_ylim(-0.07, 1.03)
    ax.set_aspect("equal")
    ax.set_axis_off()
    del fig
    return ax
