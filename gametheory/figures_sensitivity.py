"""The flagship's global sensitivity analysis: which policy lever decides collaborative governance.

The nine levers of :data:`gametheory.models.crisis_governance.LEVERS` (the parameters section 4
of Zeng moves) vary together, each uniform between its STATUS_QUO and OPTIMIZED value; the
other parameters keep their (common) values.  Two outcomes: whether the all-collaborative
profile (C, E, A) is an ESS, and the basin share of (C, E, A) (:func:`gametheory.basins`,
``basin_n`` Sobol' starts, certified convergence by ``t_end``).  Sobol' indices
(:func:`gametheory.sensitivity_indices`) rank the levers; :func:`figure` draws both outcomes.
"""

from __future__ import annotations

import functools
import os
from typing import Any

from .models import crisis_governance as cg
from .studies.sensitivity import SensitivityIndices, sensitivity_indices

__all__ = [
    "LEVER_BOUNDS",
    "OTHER_BOUNDS",
    "build_sensitivity",
    "figure",
    "flagship_sensitivity",
    "sensitivity_manifest",
]

#: Each lever's range: between its STATUS_QUO and its OPTIMIZED value.
LEVER_BOUNDS = {name: (min(cg.STATUS_QUO[name], cg.OPTIMIZED[name]), max(cg.STATUS_QUO[name], cg.OPTIMIZED[name]))
                for name in cg.LEVERS}  # fmt: skip

#: The other fifteen parameters (equal under STATUS_QUO and OPTIMIZED): 50 % below to 50 % above that value.
OTHER_BOUNDS = {name: (0.5 * cg.STATUS_QUO[name], 1.5 * cg.STATUS_QUO[name])
                for name in cg.STATUS_QUO if name not in LEVER_BOUNDS}  # fmt: skip

#: The outcomes ranked: (C, E, A) an ESS (0/1), and its basin share.
OUTCOMES = {"ESS (C,E,A)": "ess:C,E,A", "basin share of (C,E,A)": "basin_share:C,E,A"}


def flagship_sensitivity(
    n: int = 128,
    *,
    seed: int = 0,
    basin_n: int = 64,
    t_end: float = 100.0,
    executor: Any = None,
    store: str | os.PathLike[str] | None = None,
    progress: bool = False,
    parameters: str = "levers",
) -> SensitivityIndices:
    """Sobol' indices of the flagship's two outcomes with respect to the levers or to all 24 parameters.

    ``parameters="levers"``: the nine levers (:data:`LEVER_BOUNDS`), ``n (D + 2) = 11 n``
    evaluations; ``"all"``: the 24 parameters (the levers, and :data:`OTHER_BOUNDS` for the
    rest), ``26 n`` evaluations.  Each basin share integrates ``basin_n`` starts.

    Examples
    --------
    >>> res = flagship_sensitivity(n=2, basin_n=32, t_end=20.0)
    >>> res.parameters == tuple(LEVER_BOUNDS), res.data["Y"].shape
    (True, (22, 2))
    """
    if parameters not in ("levers", "all"):
        from .errors import SpecificationError

        raise SpecificationError(f"parameters must be 'levers' or 'all', got {parameters!r}")
    bounds = LEVER_BOUNDS if parameters == "levers" else {**LEVER_BOUNDS, **OTHER_BOUNDS}
    return sensitivity_indices(
        cg.game(), OUTCOMES, dict(cg.STATUS_QUO), bounds=bounds, vary=list(bounds), n=n, seed=seed,
        options={"basin_n": basin_n, "t_end": t_end, "seed": seed, "backend": "auto"}, executor=executor,
        store=store, progress=progress,
    )  # fmt: skip


def figure(result: SensitivityIndices) -> Any:
    """Two panels, one per outcome: the parameters ranked by total Sobol' index, first-order inside.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = figure(flagship_sensitivity(n=2, basin_n=32, t_end=20.0))
    >>> len(fig.axes)
    2
    """
    import matplotlib.pyplot as plt

    from . import plot
    from .plot.theme import PAGE_WIDTH

    with plot.style():
        height = max(3.4, 0.8 + 0.17 * len(result.parameters))  # one bar pair per parameter
        fig, axes = plt.subplots(1, 2, figsize=(PAGE_WIDTH, height), layout="constrained")
    for ax, name in zip(axes, result.outcomes):
        plot.sensitivity_indices(result, ax=ax, outcome=name)
    return fig


def sensitivity_manifest() -> tuple[tuple[str, str, str, str, tuple[str, ...]], ...]:
    """The sensitivity artifacts of the flagship build, ``(name, kind, section, caption, suffixes)``.

    Examples
    --------
    >>> [row[0] for row in sensitivity_manifest()]
    ['lever_sensitivity', 'lever_sensitivity_table']
    """
    return (
        ("lever_sensitivity", "figure", "4", "which parameter matters most: Sobol indices of the 24 parameters",
         (".png", ".pdf")),
        ("lever_sensitivity_table", "table", "4", "Sobol indices of the 24 parameters, with confidence",
         (".md", ".tex")),
    )  # fmt: skip


#: Sample sizes of the build: Sobol' base sample n (11 n evaluations) and basin starts per evaluation.
BUILD_N, BUILD_BASIN_N = 64, 32
SMALL_N, SMALL_BASIN_N = 4, 16


@functools.lru_cache(maxsize=2)
def _indices(small: bool) -> SensitivityIndices:
    """The build's indices, computed once per size (the figure and the table share them)."""
    n, basin_n = (SMALL_N, SMALL_BASIN_N) if small else (BUILD_N, BUILD_BASIN_N)
    return flagship_sensitivity(n=n, basin_n=basin_n, parameters="all")


def build_sensitivity(name: str, *, small: bool) -> Any:
    """One artifact of :func:`sensitivity_manifest` (the indices are computed once per build size).

    Examples
    --------
    >>> sorted(build_sensitivity("lever_sensitivity_table", small=True))
    ['.md', '.tex']
    """
    result = _indices(small)
    if name == "lever_sensitivity":
        return figure(result)
    return {".md": _table(result, "md"), ".tex": _table(result, "tex")}


def _table(result: SensitivityIndices, fmt: str) -> str:
    """Total and first-order Sobol' indices (with confidence half-widths) per lever and outcome."""
    data = result.data
    outcomes = list(result.outcomes)
    rows = []
    for p in result.ranking(outcomes[-1]):
        cells = [p]
        for name in outcomes:
            sel = {"outcome": name, "parameter": p} if "outcome" in data.dims else {"parameter": p}
            st, conf, s1 = (float(data[v].sel(sel)) for v in ("ST", "ST_conf", "S1"))
            cells.append(f"{st:.2f} ± {conf:.2f} ({s1:.2f})")
        rows.append(cells)
    head = ["parameter", *(f"{o}: ST ± conf (S1)" for o in outcomes)]
    if fmt == "md":
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines) + "\n"
    body = [" & ".join(c.replace("±", "$\\pm$").replace("_", "\\_") for c in r) + " \\\\" for r in rows]
    return "\n".join(["\\begin{tabular}{l" + "r" * len(outcomes) + "}", "\\toprule",
                      " & ".join(h.replace("±", "$\\pm$") for h in head) + " \\\\", "\\midrule", *body,
                      "\\bottomrule", "\\end{tabular}"]) + "\n"  # fmt: skip
