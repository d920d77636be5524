r"""Figures and tables of the flagship's variants, part of the one-command build (:mod:`gametheory.figures`).

Three families (issue 11):

- **dynamic accountability** (:func:`gametheory.models.crisis_governance.dynamic_accountability_game`,
  penalty :math:`F_g (1 - x)`): phase portraits and paths under STATUS_QUO and OPTIMIZED, and
  the stability tables of :func:`gametheory.analyze` (numerical: state-dependent payoffs);
- **bounded rationality**: the logit dynamics :math:`\dot x = \sigma(\Delta(x)/\eta) - x` of the
  static model, :math:`\sigma` the logistic function and :math:`\Delta_i` population ``i``'s
  payoff advantage of its first strategy; the rest point that continues the replicator's sink
  as the noise :math:`\eta` grows (:func:`logit_branch`), and a table of every rest point at four
  noise levels (:func:`gametheory.analyze` of the logit dynamics);
- **the dynamics family**: the flagship under OPTIMIZED with the replicator, logit, BNN, Smith and
  imitation dynamics (:func:`gametheory.plot.dynamics_panel`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .game import Game
from .models import crisis_governance as cg

__all__ = [
    "VARIANT_SCENARIOS",
    "LOGIT_TABLE_ETAS",
    "PANEL_KINDS",
    "variant_manifest",
    "logit_branch",
    "build_variant",
]

#: The two calibrations every variant figure shows.
VARIANT_SCENARIOS: tuple[tuple[str, str, Mapping[str, float]], ...] = (
    ("status_quo", "STATUS_QUO", cg.STATUS_QUO),
    ("optimized", "OPTIMIZED", cg.OPTIMIZED),
)
#: Noise levels of the logit table (and the dots of the logit figure).
LOGIT_TABLE_ETAS = (0.1, 0.5, 1.0, 2.0)
#: The dynamics of the panel, in order.
PANEL_KINDS = ("replicator", "logit", "bnn", "smith", "imitation")
#: Starts of the rest-point search of the dynamic-accountability tables: 64 miss the sink
#: (0.4, 1, 1) under OPTIMIZED (a third of the state space drains to it), 256 find it.
_ACCOUNTABILITY_STARTS = 256
_PATH_STARTS = ((0.2, 0.2, 0.2), (0.5, 0.5, 0.5), (0.8, 0.8, 0.8), (0.8, 0.3, 0.5), (0.3, 0.8, 0.2))


def variant_manifest() -> tuple[tuple[str, str, str, str, tuple[str, ...]], ...]:
    """The variants' artifacts, ``(name, kind, section, caption, suffixes)`` in build order.

    :func:`gametheory.figures.manifest` appends them to the flagship's as
    :class:`~gametheory.figures.Artifact`.

    Examples
    --------
    >>> [row[0] for row in variant_manifest()][:2]
    ['accountability_paths', 'accountability_phase']
    """
    fig, tab = (".png", ".pdf"), (".md", ".tex")
    out = [
        ("accountability_paths", "figure", "4.1.1", "paths with the penalty F_g (1 - x)", fig),
        ("accountability_phase", "figure", "4.1.1", "phase portraits with the penalty F_g (1 - x)", fig),
    ]
    for key, label, _ in VARIANT_SCENARIOS:
        out.append(
            (
                f"accountability_stability_{key}",
                "table",
                "4.1.1",
                f"rest points with F_g (1 - x), {label}",
                tab,
            )
        )
    out += [
        ("logit_noise", "figure", "4", "the logit rest point continuing each sink as the noise grows", fig),
        ("logit_noise_table", "table", "4", "every logit rest point at four noise levels", tab),
        ("dynamics_panel", "figure", "4", "OPTIMIZED under five dynamics", fig),
    ]
    return tuple(out)


def logit_branch(
    game: Game, params: Mapping[str, float], start: Sequence[float], etas: Sequence[float]
) -> tuple[np.ndarray, np.ndarray]:
    r"""Continue a rest point of the logit dynamics in the noise :math:`\eta` (2-strategy populations).

    The rest points solve :math:`x_i = \sigma(\Delta_i(x)/\eta)`, :math:`\sigma(u) = 1/(1 + e^{-u})`,
    :math:`\Delta_i = f_{i1} - f_{i2}` (the replicator's expected payoffs).  Starting from
    ``start`` at the first (smallest) :math:`\eta`, each solution is the starting guess of the
    next (``scipy.optimize.root``, residual below 1e-12).  The Jacobian of the field is
    :math:`\mathrm{diag}(\sigma'/\eta)\,D\Delta - I`; :math:`D\Delta` by central differences,
    which are exact here up to rounding (:math:`\Delta_i` is affine in every share).

    Returns
    -------
    points : ndarray, shape (len(etas), d)
    growth : ndarray, shape (len(etas),)
        The largest real part of the Jacobian's eigenvalues (< 0: a sink).

    Examples
    --------
    >>> points, growth = logit_branch(cg.game(), cg.OPTIMIZED, (1, 1, 1), [0.5, 1.0])
    >>> points.round(3).tolist(), bool((growth < 0).all())
    ([[0.998, 1.0, 0.997], [0.945, 1.0, 0.942]], True)
    """
    from scipy.optimize import root
    from scipy.special import expit

    dyn = game.replicator()
    payoffs = dyn.compiled("payoffs")
    p = dyn.parameter_vector(dict(params))[:, None]
    rows = np.cumsum((0,) + game.strategy_counts[:-1])

    def delta(x: np.ndarray) -> np.ndarray:
        F = np.asarray(payoffs(np.asarray(x, float).reshape(-1, 1), p), dtype=float)[:, 0]
        return F[rows] - F[rows + 1]

    x = np.asarray(start, dtype=float)
    points, growth = [], []
    h, d = 1e-6, len(x)
    for eta in etas:
        sol = root(lambda s, eta=eta: s - expit(delta(s) / eta), x, method="hybr", tol=1e-14)
        x = sol.x
        if np.abs(x - expit(delta(x) / eta)).max() > 1e-12:  # pragma: no cover - a fold of the branch
            raise RuntimeError(f"the logit branch is lost at eta = {eta:g}")
        D = np.column_stack([(delta(x + h * e) - delta(x - h * e)) / (2 * h) for e in np.eye(d)])
        s = expit(delta(x) / eta)
        J = np.diag(s * (1 - s) / eta) @ D - np.eye(d)
        points.append(x.copy())
        growth.append(float(np.linalg.eigvals(J).real.max()))
    return np.array(points), np.array(growth)


def _fmt(point: Sequence[float]) -> str:
    return "(" + ", ".join(f"{v:.3f}" for v in point) + ")"


def _logit_tables(small: bool) -> tuple[str, str]:
    from .analysis.stability import analyze

    game = cg.game()
    md = ["| η | STATUS_QUO: rest points (kind) | OPTIMIZED: rest points (kind) |", "|---|---|---|"]
    tex = ["\\begin{tabular}{lp{6cm}p{6cm}}", "\\hline", "$\\eta$ & STATUS\\_QUO & OPTIMIZED \\\\", "\\hline"]
    for eta in LOGIT_TABLE_ETAS:
        dyn = game.dynamics("logit", eta=eta)
        cells = []
        for _key, _label, params in VARIANT_SCENARIOS:
            report = analyze(dyn, dict(params), n_starts=32 if small else 64)
            order = sorted(report.equilibria, key=lambda e: (e.kind.value != "sink", tuple(e.point)))
            cells.append("; ".join(f"{_fmt(e.point)} {e.kind.value}" for e in order))
        md.append(f"| {eta:g} | {cells[0]} | {cells[1]} |")
        tex.append(f"{eta:g} & {cells[0]} & {cells[1]} \\\\")
    md.append("")
    md.append("Rest points of `crisis_governance.game().dynamics('logit', eta=η)`, found numerically by")
    md.append("`gt.analyze` (the enumeration is not certified complete).")
    tex += ["\\hline", "\\end{tabular}"]
    return "\n".join(md), "\n".join(tex)


def build_variant(name: str, *, small: bool) -> Any:
    """One artifact of :func:`variant_manifest`: a matplotlib Figure, or ``{suffix: text}`` for a table.

    :func:`gametheory.figures.build_flagship` saves it.

    Examples
    --------
    >>> sorted(build_variant("accountability_stability_optimized", small=True))
    ['.md', '.tex']
    """
    import matplotlib.pyplot as plt

    from . import plot
    from .analysis.stability import analyze

    sd = cg.dynamic_accountability_game()
    dyn = sd.replicator()
    if name.startswith("accountability_stability_"):
        key = name[len("accountability_stability_") :]
        params = dict(next(p for k, _, p in VARIANT_SCENARIOS if k == key))
        report = analyze(sd, params, n_starts=_ACCOUNTABILITY_STARTS)
        return {".md": report.to_markdown(), ".tex": report.to_latex()}
    if name == "accountability_paths":
        fig, axes = plt.subplots(1, 2, figsize=(plot.PAGE_WIDTH, 2.8), sharey=True, layout="constrained")
        t_eval = np.linspace(0.0, 60.0, 601)
        for a, (_key, label, params) in zip(axes, VARIANT_SCENARIOS):
            runs = [dyn.simulate(x0, (0.0, 60.0), dict(params), t_eval=t_eval) for x0 in _PATH_STARTS]
            plot.time_series(
                runs, dynamics=dyn, ax=a, legend=a is axes[1], title=f"{label}, penalty $F_g(1 - x)$"
            )
        return fig
    if name == "accountability_phase":
        fig = plt.figure(figsize=(plot.PAGE_WIDTH, 3.9))
        for k, (_key, label, params) in enumerate(VARIANT_SCENARIOS):
            a = fig.add_subplot(1, 2, k + 1, projection="3d")
            report = analyze(sd, dict(params), n_starts=_ACCOUNTABILITY_STARTS)
            sinks = [e.point for e in report.equilibria if e.kind.value == "sink"]
            listed = ", ".join("(" + ", ".join(f"{v:.2g}" for v in p) + ")" for p in sinks)
            plot.phase_portrait(
                dyn, dict(params), ax=a, n=2 if small else 3, t_span=(0.0, 120.0), report=report,
                title=f"{label}, penalty $F_g(1 - x)$\nsink{'s' * (len(sinks) > 1)}: {listed}",
            )  # fmt: skip
        return fig
    if name == "logit_noise":
        return _logit_figure(small)
    if name == "logit_noise_table":
        md, tex = _logit_tables(small)
        return {".md": md, ".tex": tex}
    if name == "dynamics_panel":
        fig = plot.dynamics_panel(
            cg.game(), list(PANEL_KINDS), dict(cg.OPTIMIZED), columns=3, n=2 if small else 3,
            t_span=(0.0, 60.0), legend=True,
        )  # fmt: skip
        fig.axes[PANEL_KINDS.index("logit")].set_title("(b) logit, η = 0.5")
        fig.suptitle(
            "OPTIMIZED under five dynamics (27 starts each)" if not small else "OPTIMIZED, five dynamics"
        )
        return fig
    raise KeyError(name)  # pragma: no cover - the manifest and the builders are kept in step by the tests


def _logit_figure(small: bool) -> Any:
    import matplotlib.pyplot as plt

    from . import plot
    from .plot.theme import CYCLE

    game = cg.game()
    dyn = game.replicator()
    etas = np.geomspace(0.02, 3.0, 40 if small else 160)
    fig, axes = plt.subplots(1, 3, figsize=(plot.PAGE_WIDTH, 2.6), layout="constrained")
    colours = CYCLE
    names = [plot.state_label(dyn, r) for r in range(dyn.dimension)]
    for a, (_key, label, params), start in zip(axes, VARIANT_SCENARIOS, ((0, 0, 0), (1, 1, 1))):
        points, growth = logit_branch(game, params, start, etas)
        dots, _ = logit_branch(game, params, start, np.concatenate([etas[etas < 0.1], LOGIT_TABLE_ETAS]))
        dots = dots[-len(LOGIT_TABLE_ETAS) :]
        for r in range(dyn.dimension):
            a.plot(etas, points[:, r], color=colours[r], lw=1.2, label=names[r])
            a.plot(LOGIT_TABLE_ETAS, dots[:, r], "o", ms=3, color=colours[r])
        a.set_xscale("log")
        a.set_ylim(-0.03, 1.03)
        a.set_xlabel("logit noise η")
        a.set_title(f"{label}: the sink near {start}")
        assert (growth < 0).all()  # the branch is a sink throughout (checked again by the tests)
    axes[0].set_ylabel("share at the rest point")
    axes[1].legend(loc="lower left")
    # the distance from the corner: 1 - x_i = 1 / (1 + exp(Delta_i / eta)) ~ exp(-Delta_i(1, 1, 1) / eta)
    points, _ = logit_branch(game, cg.OPTIMIZED, (1, 1, 1), etas)
    F = np.asarray(
        dyn.compiled("payoffs")(np.ones((3, 1)), dyn.parameter_vector(dict(cg.OPTIMIZED))[:, None])
    )[:, 0]
    advantage = F[[0, 2, 4]] - F[[1, 3, 5]]
    a = axes[2]
    keep = etas >= 1 / 3.5
    for r in range(dyn.dimension):
        a.semilogy(1 / etas[keep], 1 - points[keep, r], color=colours[r], lw=2.4, alpha=0.45)
        a.semilogy(1 / etas[keep], np.exp(-advantage[r] / etas[keep]), color=colours[r], lw=0.9, ls="--")
    a.set_xlim(0, 3.5)
    a.set_ylim(1e-8, 1)
    a.set_xlabel("1 / η")
    a.set_ylabel("1 − share (OPTIMIZED)")
    a.set_title("distance from (1, 1, 1)\nwide: logit rest point; dashed: exp(−Δ/η)")
    a.text(
        0.97, 0.95, "Δ at (1, 1, 1) = " + ", ".join(f"{v:g}" for v in advantage), transform=a.transAxes, ha="right", va="top",
        fontsize=6.5,
    )  # fmt: skip
    return fig
