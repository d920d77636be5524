"""The flagship model's paper figures and tables, rebuilt by one command.

``python -m gametheory figures --out DIR`` calls :func:`build_flagship`, which
writes every artifact of :func:`manifest` into ``DIR``: figures as PNG (300
dpi) and PDF, tables as Markdown and LaTeX.  The build is deterministic: all
starting states come from fixed grids or from Sobol samples with fixed seeds,
and PDF files carry no creation date.

``paper_figures/README.md`` shows every artifact with what it says about the
seed paper's argument (Zeng, *Research on the Mode and Optimization Path of
Local Government Cooperative Governance in Sudden Public Crisis*), section by
section; a test checks that its file list equals :func:`manifest`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .errors import SpecificationError, calls_checked, suggest
from .figures_continuation import build_continuation, continuation_manifest
from .figures_finite import build_finite, finite_manifest
from .figures_report import build_report, report_manifest
from .figures_sensitivity import build_sensitivity, sensitivity_manifest
from .figures_variants import build_variant, variant_manifest
from .limits import small_mode
from .models import crisis_governance as cg

#: The builds that extend the flagship set: (manifest function, builder), in build order.
_EXTENSIONS: tuple[tuple[Callable[[], Any], Callable[..., Any]], ...] = (
    (variant_manifest, build_variant),
    (finite_manifest, build_finite),
    (continuation_manifest, build_continuation),
    (sensitivity_manifest, build_sensitivity),
    (report_manifest, build_report),
)

__all__ = [
    "Artifact",
    "BuildResult",
    "FLAGSHIP_RELATIONS",
    "FLAGSHIP_TITLES",
    "FLAGSHIP_DESCRIPTIONS",
    "REGIME_PAIRS",
    "PATH_STARTS",
    "PENALTY_ONLY",
    "manifest",
    "build_flagship",
    "save_figure",
    "small_mode",
]

#: Who acts on whom in the paper's Figure 1 (section 3), and through which parameters:
#: ``(from population, to population, verb, parameters)``.  Each parameter is checked
#: against the payoff table (:func:`gametheory.plot.coupling_parameters`).
FLAGSHIP_RELATIONS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("government", "ngo", "supports", ("S", "tau")),
    ("government", "ngo", "supervises", ("F_n",)),
    ("government", "citizen", "incentivises, guides", ("W", "b_g")),
    ("citizen", "government", "supervise", ("F_g", "theta")),
    ("citizen", "government", "cooperate", ("V_c", "lam")),
    ("ngo", "government", "cooperates", ("V_n", "lam")),
    ("ngo", "government", "escalation if absent", ("L_g",)),
    ("citizen", "ngo", "supervise, expose", ("K_n",)),
    ("citizen", "ngo", "trust, donate", ("R_n", "mu")),
    ("ngo", "citizen", "informs", ("b_n", "D_c")),
)
#: Box titles and strategy descriptions of the model diagram.
FLAGSHIP_TITLES = {"government": "Government", "ngo": "NGOs", "citizen": "Citizens"}
FLAGSHIP_DESCRIPTIONS = {
    "government": "C: collaborative\nB: bureaucratic",
    "ngo": "E: engaged, transparent\nP: passive, opaque",
    "citizen": "A: active, supervising\nI: inactive",
}
#: Lever pairs of the regime maps (horizontal, vertical).
REGIME_PAIRS: tuple[tuple[str, str], ...] = (
    ("theta", "F_g"),
    ("lam", "F_g"),
    ("F_g", "S"),
    ("F_g", "W"),
    ("S", "W"),
    ("F_n", "F_g"),
)
#: Starting states of the evolution-path figures.
PATH_STARTS = ((0.2, 0.2, 0.2), (0.5, 0.5, 0.5), (0.8, 0.8, 0.8), (0.8, 0.3, 0.5), (0.3, 0.8, 0.2))

_SCENARIOS = (("status_quo", "STATUS_QUO", cg.STATUS_QUO), ("optimized", "OPTIMIZED", cg.OPTIMIZED))
#: The accountability lever alone: STATUS_QUO with F_g at its OPTIMIZED value (bistable: (0,0,0) and (1,1,1)).
PENALTY_ONLY = {**cg.STATUS_QUO, "F_g": cg.OPTIMIZED["F_g"]}


@calls_checked
@dataclass(frozen=True)
class Artifact:
    """One output of the flagship build.

    Attributes
    ----------
    name : str
        File stem (``"phase_optimized"``).
    kind : str
        ``"figure"`` (written as ``.png`` and ``.pdf``) or ``"table"``
        (``.md`` and ``.tex``, or only ``.tex`` for the equations).
    section : str
        Section of the seed paper it speaks to.
    caption : str
        One line on what it shows.
    suffixes : tuple of str
        File suffixes written.

    Examples
    --------
    >>> art = next(a for a in manifest() if a.name == "equations")
    >>> art.kind, art.files
    ('table', ('equations.tex',))
    """

    name: str
    kind: str
    section: str
    caption: str
    suffixes: tuple[str, ...]

    @property
    def files(self) -> tuple[str, ...]:
        """File names written for this artifact."""
        return tuple(self.name + s for s in self.suffixes)


@calls_checked
@dataclass(frozen=True)
class BuildResult:
    """What :func:`build_flagship` wrote.

    Attributes
    ----------
    out_dir : Path
    files : tuple of Path
        Every file written, in build order.
    seconds : dict
        Wall time per artifact name.

    Examples
    --------
    >>> import tempfile
    >>> result = build_flagship(tempfile.mkdtemp(), small=True, only=["equations"])
    >>> [p.name for p in result.files]
    ['equations.tex']
    """

    out_dir: Path
    files: tuple[Path, ...]
    seconds: Mapping[str, float]


def _regime_axis(name: str) -> tuple[float, float]:
    """Plot range of a lever: its bounds when they are [0, 1], else 0 to twice its larger calibrated value."""
    bounds = next(p.bounds for p in cg.PARAMETERS if p.name == name)
    if bounds is not None and bounds[1] <= 1.0:
        return (bounds[0], bounds[1])
    return (0.0, 2.0 * max(cg.STATUS_QUO[name], cg.OPTIMIZED[name]))


def manifest() -> tuple[Artifact, ...]:
    """Every artifact of the flagship build, in build order.

    Examples
    --------
    >>> [a.name for a in manifest()][:3]
    ['model_diagram', 'equations', 'parameters']
    """
    fig, tab = (".png", ".pdf"), (".md", ".tex")
    out = [
        Artifact(
            "model_diagram",
            "figure",
            "3",
            "who supervises, supports and cooperates with whom (Figure 1)",
            fig,
        ),
        Artifact("equations", "table", "3", "the replicator equations of the model (LaTeX)", (".tex",)),
        Artifact("parameters", "table", "2-4", "every parameter, its section, STATUS_QUO and OPTIMIZED", tab),
        Artifact(
            "corner_conditions", "table", "3-4", "symbolic eigenvalues and ESS conditions at the corners", tab
        ),
    ]
    for key, label, _ in _SCENARIOS:
        section = "2" if key == "status_quo" else "4"
        out.append(Artifact(f"paths_{key}", "figure", section, f"evolution paths under {label}", fig))
        out.append(Artifact(f"phase_{key}", "figure", section, f"3-D phase portrait under {label}", fig))
        out.append(
            Artifact(f"stability_{key}", "table", section, f"all rest points and their kinds, {label}", tab)
        )
    for lever in cg.LEVERS:
        section = next(p.source for p in cg.PARAMETERS if p.name == lever).replace("Zeng, section ", "")
        out.append(
            Artifact(
                f"sensitivity_{lever}", "figure", section, f"evolution paths as the lever {lever} moves", fig
            )
        )
    for a, b in REGIME_PAIRS:
        out.append(Artifact(f"regime_{a}_{b}", "figure", "4", f"ESS regimes in the ({a}, {b}) plane", fig))
    out.append(Artifact("basins", "figure", "2, 4", "share of starts approaching each attractor", fig))
    for key, section in (("status_quo", "2"), ("penalty_only", "4.1.1"), ("optimized", "4")):
        out.append(
            Artifact(
                f"attractors_{key}", "table", section, "what each start approaches, with evidence", (".md",)
            )
        )
    out.append(
        Artifact(
            "basin_slices_penalty_only", "figure", "4.1.1", "basins when only F_g is raised (bistable)", fig
        )
    )
    # the variants' figures and tables (F_g (1 - x), logit noise, the dynamics family)
    # then the flagship in finite populations (issue 12)
    return tuple(out) + tuple(Artifact(*row) for manifest_, _ in _EXTENSIONS for row in manifest_())


def save_figure(
    fig: Any,
    out_dir: str | os.PathLike[str],
    stem: str,
    formats: Sequence[str] = ("png", "pdf"),
    dpi: int = 300,
) -> list[Path]:
    """Save ``fig`` as ``out_dir/stem.<format>`` for each format (``dpi``, tight box, no PDF date); close it.

    Examples
    --------
    >>> import tempfile
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> [p.name for p in save_figure(fig, tempfile.mkdtemp(), "empty", formats=("png",), dpi=50)]
    ['empty.png']
    """
    import matplotlib.pyplot as plt

    from .plot import style

    out_dir = Path(out_dir)
    paths = []
    with style():
        for fmt in formats:
            path = out_dir / f"{stem}.{fmt}"
            metadata = {"CreationDate": None} if fmt == "pdf" else None
            fig.savefig(path, format=fmt, metadata=metadata, dpi=dpi)
            paths.append(path)
    plt.close(fig)
    return paths


def _write(out_dir: Path, name: str, text: str) -> Path:
    path = out_dir / name
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    return path


def _parameters_tables() -> tuple[str, str]:
    md = [
        "| parameter | meaning | paper section | STATUS_QUO | OPTIMIZED | lever |",
        "|---|---|---|---:|---:|:---:|",
    ]
    tex = [
        "\\begin{tabular}{llp{6.5cm}rrc}",
        "\\hline",
        "symbol & name & meaning & STATUS\\_QUO & OPTIMIZED & lever \\\\",
        "\\hline",
    ]
    from .latex import escape_latex as _escape_latex
    from .latex import escape_markdown_cell as _escape_markdown_cell
    from .latex import latex_name as _latex_name

    for p in cg.PARAMETERS:
        lever = "yes" if p.name in cg.LEVERS else ""
        sq, op = cg.STATUS_QUO[p.name], cg.OPTIMIZED[p.name]
        desc, source = _escape_markdown_cell(p.description or ""), _escape_markdown_cell(p.source or "")
        md.append(f"| `{_escape_markdown_cell(p.name)}` | {desc} | {source} | {sq:g} | {op:g} | {lever} |")
        tex.append(
            f"${_latex_name(p.name)}$ & \\texttt{{{_escape_latex(p.name)}}} & {_escape_latex(p.description or '')} "
            f"({_escape_latex(p.source or '')}) & {sq:g} & {op:g} & {lever} \\\\"
        )
    tex += ["\\hline", "\\end{tabular}"]
    return "\n".join(md), "\n".join(tex)


def build_flagship(
    out_dir: str | os.PathLike[str] = "paper_figures/output",
    *,
    small: bool | None = None,
    only: Iterable[str] | None = None,
    formats: Sequence[str] = ("png", "pdf"),
    log: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build the flagship figures and tables into ``out_dir`` (created if missing).

    Parameters
    ----------
    out_dir
        Output folder.
    small
        Smaller samples and grids and 100 dpi PNGs (for tests); default from :func:`small_mode`.
    only
        Build only these artifact names (see :func:`manifest`).
    formats
        Figure formats.
    log
        Called with one line per artifact written (e.g. ``print``).

    Returns
    -------
    BuildResult

    Examples
    --------
    >>> import tempfile
    >>> result = build_flagship(tempfile.mkdtemp(), small=True, only=["parameters"])
    >>> sorted(p.name for p in result.files)
    ['parameters.md', 'parameters.tex']
    """
    import matplotlib.pyplot as plt

    from . import plot

    small = small_mode() if small is None else bool(small)
    names = [a.name for a in manifest()]
    wanted = set(names) if only is None else set(only)
    unknown = sorted(wanted - set(names))
    if unknown:
        raise SpecificationError(
            f"unknown figure or table {unknown[0]!r}{suggest(unknown[0], names)}; the flagship set is {names}"
        )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    game = cg.game()
    dyn = game.replicator()
    files: list[Path] = []
    seconds: dict[str, float] = {}
    n_basin = 256 if small else 4096
    grid_side = 6 if small else 24
    resolution = 61 if small else 241
    dpi = 100 if small else 300
    n_attractors = 32 if small else 256
    n_sens = 3 if small else 5
    say = log or (lambda _line: None)
    cache: dict[str, Any] = {}
    builders = {row[0]: build for manifest_, build in _EXTENSIONS for row in manifest_()}

    def report(key: str, params: Mapping[str, float]) -> Any:
        if key not in cache:
            from .analysis.stability import analyze

            cache[key] = analyze(game, params)
        return cache[key]

    def done(name: str, paths: Sequence[Path], t0: float) -> None:
        files.extend(paths)
        seconds[name] = time.perf_counter() - t0
        say(f"{name}: {', '.join(p.name for p in paths)} ({seconds[name]:.1f} s)")

    with plot.style():
        for art in manifest():
            if art.name not in wanted:
                continue
            t0 = time.perf_counter()
            name = art.name
            if name == "model_diagram":
                ax = plot.model_diagram(
                    game,
                    relations=FLAGSHIP_RELATIONS,
                    titles=FLAGSHIP_TITLES,
                    descriptions=FLAGSHIP_DESCRIPTIONS,
                    centre=("synergy of full cooperation", ("s_g", "s_n", "s_c")),
                )
                done(name, save_figure(ax.figure, out, name, formats, dpi), t0)
            elif name == "equations":
                done(name, [_write(out, "equations.tex", dyn.to_latex())], t0)
            elif name == "parameters":
                md, tex = _parameters_tables()
                done(name, [_write(out, "parameters.md", md), _write(out, "parameters.tex", tex)], t0)
            elif name == "corner_conditions":
                from .analysis.corners import corner_conditions

                table = corner_conditions(game)
                paths = [
                    _write(out, "corner_conditions.md", table.to_markdown()),
                    _write(out, "corner_conditions.tex", table.to_latex()),
                ]
                done(name, paths, t0)
            elif name.startswith(("paths_", "phase_", "stability_")):
                kind, key = name.split("_", 1)
                label, params = next((lab, p) for k, lab, p in _SCENARIOS if k == key)
                params = dict(params)
                if kind == "paths":
                    t_eval = np.linspace(0.0, 30.0, 301)
                    runs = [dyn.simulate(x0, (0.0, 30.0), params, t_eval=t_eval) for x0 in PATH_STARTS]
                    ax = plot.time_series(runs, dynamics=dyn, title=f"{label}: paths from {len(runs)} starts")
                    done(name, save_figure(ax.figure, out, name, formats, dpi), t0)
                elif kind == "phase":
                    ax = plot.phase_portrait(
                        dyn,
                        params,
                        n=2 if small else 3,
                        t_span=(0.0, 60.0),
                        report=report(key, params),
                        title=label,
                    )
                    done(name, save_figure(ax.figure, out, name, formats, dpi), t0)
                else:  # stability tables
                    rep = report(key, params)
                    paths = [
                        _write(out, f"{name}.md", rep.to_markdown()),
                        _write(out, f"{name}.tex", rep.to_latex()),
                    ]
                    done(name, paths, t0)
            elif name.startswith("sensitivity_"):
                lever = name[len("sensitivity_") :]
                lo, hi = _regime_axis(lever)
                grid = np.linspace(lo, hi, n_sens)
                values = np.unique(np.concatenate([grid, [cg.STATUS_QUO[lever], cg.OPTIMIZED[lever]]]))
                fig, axes = plt.subplots(
                    2, dyn.dimension, figsize=(plot.PAGE_WIDTH, 4.0), sharey=True, layout="constrained"
                )
                for r, (row, (_key, label, params)) in enumerate(zip(axes, _SCENARIOS[::-1])):
                    plot.sensitivity(
                        dyn, lever, values, dict(params), ax=row, baseline=params[lever], t_span=(0.0, 40.0),
                        first_panel=r * dyn.dimension,
                    )  # fmt: skip
                    row[0].set_ylabel(f"others at {label}\nshare")
                fig.suptitle(
                    f"Lever {plot.parameter_label(lever)} over [{lo:g}, {hi:g}] (STATUS_QUO {cg.STATUS_QUO[lever]:g}, "
                    f"OPTIMIZED {cg.OPTIMIZED[lever]:g}); start (0.5, 0.5, 0.5)"
                )
                done(name, save_figure(fig, out, name, formats, dpi), t0)
            elif name.startswith("regime_"):
                a, b = next(pair for pair in REGIME_PAIRS if f"regime_{pair[0]}_{pair[1]}" == name)
                fig, axes = plt.subplots(1, 2, figsize=(plot.PAGE_WIDTH, 2.7), layout="constrained")
                points = {"STATUS_QUO": dict(cg.STATUS_QUO), "OPTIMIZED": dict(cg.OPTIMIZED)}
                for ax, (_key, label, params) in zip(axes, _SCENARIOS):
                    plot.regime_map(
                        dyn,
                        {a: _regime_axis(a), b: _regime_axis(b)},
                        dict(params),
                        ax=ax,
                        resolution=resolution,
                        points=points,
                        legend=False,
                        title=f"other parameters at {label}",
                    )
                plot.shared_legend(fig)
                done(name, save_figure(fig, out, name, formats, dpi), t0)
            elif name == "basins":
                from .studies.basins import basins

                scenarios = {
                    "STATUS_QUO": dict(cg.STATUS_QUO),
                    f"penalty only\n({plot.parameter_label('F_g', cg.OPTIMIZED['F_g'])})": PENALTY_ONLY,
                    "OPTIMIZED": dict(cg.OPTIMIZED),
                }
                results = {
                    label: basins(dyn, params, n=n_basin, seed=0) for label, params in scenarios.items()
                }
                ax = plot.basins(
                    results,
                    dynamics=dyn,
                    title=f"{n_basin} starts per scenario (scrambled Sobol, seed 0), t = 200",
                )
                done(name, save_figure(ax.figure, out, name, formats, dpi), t0)
            elif name.startswith("attractors_"):
                from .analysis.attractors import attractors

                params = {
                    "attractors_status_quo": dict(cg.STATUS_QUO),
                    "attractors_penalty_only": PENALTY_ONLY,
                    "attractors_optimized": dict(cg.OPTIMIZED),
                }[name]
                rep = attractors(game, params, n=n_attractors, seed=0)
                done(name, [_write(out, f"{name}.md", rep.to_markdown())], t0)
            elif name == "basin_slices_penalty_only":
                from .studies.basins import basins

                grid = basins(dyn, PENALTY_ONLY, resolution=grid_side)
                fig = plot.basins(
                    grid,
                    dynamics=dyn,
                    kind="slices",
                    title=f"STATUS_QUO with F_g = {cg.OPTIMIZED['F_g']:g}: where each start ends (t = 200, "
                    f"{grid_side}x{grid_side}x{grid_side} grid)",
                )
                done(name, save_figure(fig, out, name, formats, dpi), t0)
            elif name in builders:  # the variants, finite populations, bifurcations, sensitivity, reports
                built = builders[name](name, small=small)
                if isinstance(built, dict):  # a table or a report: {suffix: text}
                    done(name, [_write(out, name + suffix, text) for suffix, text in built.items()], t0)
                else:
                    done(name, save_figure(built, out, name, formats, dpi), t0)
            else:  # pragma: no cover - manifest and builders are kept in step by the tests
                raise SpecificationError(f"no builder for {name!r}")
    return BuildResult(out, tuple(files), seconds)
