r"""The flagship in finite populations: figures and a table of the one-command build (:mod:`gametheory.figures`).

Each of the three populations (governments, NGOs, citizens) has ``Z`` individuals
who revise by the pairwise comparison (Fermi) rule with intensity :math:`\beta`
(:func:`gametheory.pairwise_comparison`; self-interaction does not arise: the
populations only meet each other).  In the small-mutation limit the process
lives on the eight corners of the cube; the figures show

- ``finite_stationary``: the stationary distribution over the corners at
  :data:`FINITE_Z` and :data:`FINITE_BETA`, in the cube and as bars (log scale);
- ``finite_stability``: how it moves with :math:`\beta` (at ``Z = 100``) and with
  ``Z`` (at :data:`Z_PANEL_BETA`);
- ``finite_fixation``: the fixation probabilities of the :data:`KEY_TRANSITIONS`
  against ``Z`` and :math:`\beta`, with the neutral :math:`1/Z`;
- ``finite_table``: the distribution at three intensities and the key fixation
  probabilities (Markdown and LaTeX).

With monomorphic partner populations a mutant's payoff advantage :math:`\Delta` is
constant, so :math:`\rho = (1 - e^{-\beta\Delta}) / (1 - e^{-\beta\Delta Z})`
(the tests check the package against this closed form).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .models import crisis_governance as cg

__all__ = [
    "FINITE_Z",
    "FINITE_BETA",
    "TABLE_BETAS",
    "Z_PANEL_BETA",
    "KEY_TRANSITIONS",
    "finite_manifest",
    "finite_process",
    "build_finite",
]

#: Population size of each population, and the intensity of selection, of the headline numbers.
FINITE_Z = 100
FINITE_BETA = 1.0
#: Intensities of the table's columns (at ``FINITE_Z``).
TABLE_BETAS = (0.01, 0.1, 1.0)
#: Intensity at which the stationary distribution is drawn against Z.
Z_PANEL_BETA = 0.1
#: ``(resident, mutant, description)``: the transitions the paper's story turns on.
KEY_TRANSITIONS: tuple[tuple[tuple[str, ...], tuple[str, ...], str], ...] = (
    (("B", "P", "I"), ("C", "P", "I"), "a collaborating government invades (B, P, I)"),
    (("B", "P", "I"), ("B", "P", "A"), "active citizens invade (B, P, I)"),
    (("C", "P", "A"), ("C", "E", "A"), "engaged NGOs invade (C, P, A)"),
    (("C", "E", "A"), ("B", "E", "A"), "a bureaucratic government invades (C, E, A)"),
)
_SCENARIOS: tuple[tuple[str, Mapping[str, float]], ...] = (
    ("STATUS_QUO", cg.STATUS_QUO),
    ("OPTIMIZED", cg.OPTIMIZED),
)


def finite_manifest() -> tuple[tuple[str, str, str, str, tuple[str, ...]], ...]:
    """The finite-population artifacts, ``(name, kind, section, caption, suffixes)`` in build order.

    Examples
    --------
    >>> [row[0] for row in finite_manifest()]
    ['finite_stationary', 'finite_stability', 'finite_fixation', 'finite_table']
    """
    fig = (".png", ".pdf")
    return (
        (
            "finite_stationary",
            "figure",
            "2, 4",
            "small-mutation stationary distribution, Z = 100, beta = 1",
            fig,
        ),
        ("finite_stability", "figure", "2, 4", "the stationary distribution against beta and Z", fig),
        ("finite_fixation", "figure", "2, 4", "fixation probabilities of the key transitions", fig),
        (
            "finite_table",
            "table",
            "2, 4",
            "stationary distribution and key fixation probabilities",
            (".md", ".tex"),
        ),
    )


def finite_process(params: Mapping[str, float], z: int = FINITE_Z, beta: float = FINITE_BETA) -> Any:
    """The flagship's pairwise comparison process, ``z`` individuals per population.

    Examples
    --------
    >>> finite_process(cg.OPTIMIZED).stationary_distribution().top(1)
    [('(C, E, A)', 1.0)]
    """
    from .finite.process import pairwise_comparison

    return pairwise_comparison(cg.game(), [z] * 3, beta=beta, params=dict(params))


def _pair(t: tuple[Any, ...]) -> tuple[Any, Any]:
    return t[0], t[1]


def _sci(p: float, rest: float) -> str:
    """``p`` in a table cell; ``rest`` = 1 - p computed without cancellation (the other states' sum)."""
    if rest < 5e-4:
        return f"1 − {rest:.1e}"
    if p >= 0.001:
        return f"{p:.3f}"
    return f"{p:.1e}" if p > 0 else "0"


def _log_sci(log_rho: float) -> str:
    from .finite.results import _sci as sci

    if log_rho > np.log(1e-3):
        return f"{np.exp(log_rho):.6f}" if log_rho > np.log(0.9995) else f"{np.exp(log_rho):.4f}"
    return sci(log_rho / np.log(10))


def _table() -> tuple[str, str]:
    cols = [(label, params, beta) for label, params in _SCENARIOS for beta in TABLE_BETAS]
    dists = [finite_process(params, beta=beta).stationary_distribution() for _, params, beta in cols]
    states = dists[0].labels
    head = " | ".join(f"{label} β = {beta:g}" for label, _, beta in cols)
    md = [
        f"Small-mutation stationary distribution, Z = {FINITE_Z} per population (pairwise comparison):",
        "",
        f"| corner | {head} |",
        "|---|" + "---:|" * len(cols),
    ]
    tex = [
        "\\begin{tabular}{l" + "r" * len(cols) + "}",
        "\\hline",
        " & " + " & ".join(f"{label.replace('_', chr(92) + '_')} $\\beta={beta:g}$" for label, _, beta in cols)
        + " \\\\",
        "\\hline",
    ]  # fmt: skip
    for k, state in enumerate(states):
        cells = [_sci(float(d.probabilities[k]), float(np.delete(d.probabilities, k).sum())) for d in dists]
        md.append(f"| {state} | " + " | ".join(cells) + " |")
        tex.append(f"{state} & " + " & ".join(c.replace("−", "-") for c in cells) + " \\\\")
    md += [
        "",
        f"Fixation probability of one mutant, Z = {FINITE_Z}, β = {FINITE_BETA:g} (neutral: 1/Z = {1 / FINITE_Z:g}):",
        "",
        "| resident → mutant | what it means | STATUS_QUO | OPTIMIZED |",
        "|---|---|---:|---:|",
    ]
    tex += [
        "\\hline",
        "resident $\\to$ mutant & \\multicolumn{4}{l}{} & STATUS\\_QUO & OPTIMIZED \\\\",
        "\\hline",
    ]
    for res, mut, what in KEY_TRANSITIONS:
        logs = [finite_process(p).fixation_probability(res, mut, log=True) for _, p in _SCENARIOS]
        name = f"({', '.join(res)}) → ({', '.join(mut)})"
        md.append(f"| {name} | {what} | {_log_sci(logs[0])} | {_log_sci(logs[1])} |")
        arrow = name.replace("→", "$\\to$")
        tex.append(
            f"{arrow} & \\multicolumn{{4}}{{l}}{{{what}}} & {_log_sci(logs[0])} & {_log_sci(logs[1])} \\\\"
        )
    tex += ["\\hline", "\\end{tabular}"]
    return "\n".join(md), "\n".join(tex)


def build_finite(name: str, *, small: bool) -> Any:
    """One artifact of :func:`finite_manifest`: a matplotlib Figure, or ``{suffix: text}`` for the table.

    Examples
    --------
    >>> sorted(build_finite("finite_table", small=True))
    ['.md', '.tex']
    """
    import matplotlib.pyplot as plt

    from . import plot
    from .finite.curves import fixation_curve, stationary_curve

    if name == "finite_table":
        md, tex = _table()
        return {".md": md, ".tex": tex}
    n_beta = 25 if small else 61
    betas = np.geomspace(1e-3, 10.0, n_beta)
    if name == "finite_stationary":
        fig = plt.figure(figsize=(plot.PAGE_WIDTH, 6.0), layout="constrained")
        for row, (label, params) in enumerate(_SCENARIOS):
            sd = finite_process(params).stationary_distribution()
            a = fig.add_subplot(2, 2, 2 * row + 1, projection="3d")
            plot.stationary_cube(sd, ax=a, floor=1e-150)
            a.set_title(f"{label}, Z = {FINITE_Z}, β = {FINITE_BETA:g}", fontsize=8)
            b = fig.add_subplot(2, 2, 2 * row + 2)
            plot.stationary_distribution(sd, ax=b, log=True)
            b.set_title(f"{label}: probability of each corner (log scale)", fontsize=8)
        return fig
    if name == "finite_stability":
        sizes = [2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150, 200] if not small else [2, 5, 10, 30, 100, 200]
        fig, axes = plt.subplots(2, 2, figsize=(plot.PAGE_WIDTH, 5.2), layout="constrained", sharey=True)
        for row, (label, params) in enumerate(_SCENARIOS):
            base = finite_process(params)
            plot.stochastic_stability(stationary_curve(base, intensities=betas), ax=axes[row, 0])
            axes[row, 0].set_title(f"{label}, Z = {FINITE_Z}", fontsize=8)
            plot.stochastic_stability(
                stationary_curve(base.with_intensity(Z_PANEL_BETA), sizes=sizes), ax=axes[row, 1]
            )
            axes[row, 1].set_xscale("log")
            axes[row, 1].set_title(f"{label}, β = {Z_PANEL_BETA:g}", fontsize=8)
            axes[row, 1].get_legend().remove()
            if row == 0:
                axes[row, 0].get_legend().remove()
        return fig
    if name == "finite_fixation":
        sizes = [2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100] if not small else [2, 5, 10, 30, 100]
        pairs = [_pair(t) for t in KEY_TRANSITIONS]
        fig, axes = plt.subplots(2, 2, figsize=(plot.PAGE_WIDTH, 5.2), layout="constrained")
        for row, (label, params) in enumerate(_SCENARIOS):
            base = finite_process(params)
            plot.fixation_curve(fixation_curve(base, pairs, sizes=sizes), ax=axes[row, 0])
            axes[row, 0].set_title(f"{label}, β = {FINITE_BETA:g}", fontsize=8)
            plot.fixation_curve(fixation_curve(base, pairs, intensities=betas), ax=axes[row, 1])
            axes[row, 1].set_title(f"{label}, Z = {FINITE_Z}", fontsize=8)
            for a in axes[row]:
                a.set_ylim(1e-45, 3)
                if a is not axes[0, 0]:
                    a.get_legend().remove()
        return fig
    raise KeyError(name)  # pragma: no cover - the manifest and the builders are kept in step by the tests
