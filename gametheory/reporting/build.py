"""Collect a model's report: each section calls the package's public computing functions.

:func:`report` returns an :class:`HTMLReport`; the sections are lists of blocks
(:mod:`gametheory.reporting.html`), rendered only when the page is asked for.
"""

from __future__ import annotations

import io
import math
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .._checks import check_flag
from ..errors import AnalysisError, GameError, ParameterError, SpecificationError, suggest
from ..limits import small_mode
from .document import HTMLReport
from .html import Figure, Math, Note, Section, Table, Text

__all__ = ["SECTIONS", "report"]

#: Resolution of the embedded PNG figures.
DPI = 110


SECTIONS = (
    "model",
    "parameters",
    "equations",
    "stability",
    "ess",
    "attractors",
    "time_series",
    "phase_portrait",
    "sensitivity",
    "regime_map",
)


def _png(fig: Any) -> Figure:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    data = buf.getvalue()
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return Figure(data, "", width, height)


def _figure(fig: Any, caption: str) -> Figure:
    f = _png(fig)
    return Figure(f.png, caption, f.width, f.height)


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def _range(p: Any, value: float) -> tuple[float, float] | None:
    """A finite range for parameter ``p`` around ``value``: its bounds, else +-50 % clipped to them."""
    if p.bounds is None:
        return None
    lo, hi = p.bounds
    if math.isfinite(lo) and math.isfinite(hi):
        return (lo, hi)
    if value == 0:
        return None
    a, b = sorted((0.5 * value, 1.5 * value))
    a, b = max(a, lo), min(b, hi)
    return (a, b) if b > a else None


class _Builder:
    def __init__(self, game: Any, params: dict[str, float], opts: dict[str, Any]) -> None:
        self.game, self.params, self.opts = game, params, opts
        self.dyn = game.replicator()
        self._analysis: Any = None

    @property
    def analysis(self) -> Any:
        if self._analysis is None:
            from ..analysis.stability import analyze

            self._analysis = analyze(self.game, self.params)
        return self._analysis

    def ranged(self) -> list[tuple[str, tuple[float, float]]]:
        """Parameters with a usable range, those in the vertices' ESS conditions first."""
        out = []
        for p in self.game.parameters:
            r = _range(p, self.params[p.name])
            if r is not None:
                out.append((p.name, r))
        try:
            from ..analysis.corners import corner_conditions

            used = set()
            for e in corner_conditions(self.game).values():
                if not e.never_ess:
                    for ev in e.eigenvalues:
                        used |= {str(s) for s in getattr(ev, "free_symbols", ())}
        except GameError:
            used = set()
        return sorted(out, key=lambda item: item[0] not in used)

    # ------------------------------------------------------------------ sections
    def model(self) -> list[Any]:
        g = self.game
        blocks: list[Any] = [Text(f"{g.name}: {g.n_populations} population(s).")]
        blocks.append(
            Table(
                ("population", "strategies"),
                tuple((p.name, ", ".join(p.strategies)) for p in g.populations),
                "Populations and their strategies",
            )
        )
        sym = g.symmetric_payoffs
        if sym is not None and getattr(sym, "form", "") == "matrix":
            rows = tuple((s, *(Math(v, False) for v in row)) for s, row in zip(sym.strategies, sym.table))
            blocks.append(
                Table(
                    ("row \\ column", *sym.strategies),
                    rows,
                    "Payoff matrix of the symmetric game (row player)",
                )
            )
        else:
            rows = tuple(
                (", ".join(profile), *(Math(v, False) for v in pay)) for profile, pay in g.payoffs.items()
            )
            headers = ("profile", *(f"payoff to {p.name}" for p in g.populations))
            if g.n_populations == 1:
                headers = ("strategy", "payoff (expected, at the state)")
            blocks.append(Table(headers, rows, "Payoff table"))
        return blocks

    def parameters(self) -> list[Any]:
        if not self.game.parameters:
            return [Note("The model has no parameters.")]
        rows = []
        for p in self.game.parameters:
            bounds = "-" if p.bounds is None else f"[{_fmt(p.bounds[0])}, {_fmt(p.bounds[1])}]"
            rows.append(
                (
                    p.name,
                    _fmt(self.params[p.name]),
                    _fmt(p.default),
                    bounds,
                    p.description or "-",
                    p.source or "-",
                )
            )
        return [Table(("name", "value used", "default", "bounds", "description", "source"), tuple(rows))]

    def equations(self) -> list[Any]:
        import sympy

        dyn = self.dyn
        t = sympy.Symbol("t")
        coords = "; ".join(
            f"{s} = share of {self.game.populations[i].name} playing {self.game.populations[i].strategies[j]}"
            for s, (i, j) in zip(dyn.state_names, dyn.coordinates)
        )
        blocks: list[Any] = [Text(f"Replicator dynamics in the coordinates {coords}.")]
        for s, rhs in zip(dyn.states, dyn.equations):
            blocks.append(Math(sympy.Eq(sympy.Derivative(s, t), rhs)))
        if dyn.dimension <= self.opts["jacobian_max"]:
            jac = sympy.Matrix(dyn.jacobian())
            if len(str(jac)) <= 300:
                blocks.append(Text("Jacobian matrix J = (dF_r / dx_c):"))
                blocks.append(Math(jac))
            else:
                blocks.append(Text("Jacobian matrix J = (dF_r / dx_c), entry by entry:"))
                for r in range(jac.rows):
                    for c in range(jac.cols):
                        name = sympy.Symbol(f"J_{r + 1}{c + 1}")
                        blocks.append(Math(sympy.Eq(name, jac[r, c], evaluate=False)))
        else:
            blocks.append(Note(f"Jacobian not shown: {dyn.dimension} state dimensions (shown up to "
                               f"{self.opts['jacobian_max']})."))  # fmt: skip
        return blocks

    def stability(self) -> list[Any]:
        rep = self.analysis
        frame = rep.to_frame()
        names = list(self.dyn.state_names)
        cols = ("point", "location", "profile", "eigenvalues", "sign", "kind", "ESS", "Nash")
        rows = []
        for _, r in frame.iterrows():
            point = "(" + ", ".join(f"{float(r[n]):.4g}" for n in names) + ")"
            eig = ", ".join(_complex(v) for v in r["eigenvalues"])
            profile = "-" if r["profile"] is None else ", ".join(r["profile"])
            sign = ", ".join(r["sign"]) if isinstance(r["sign"], tuple) else str(r["sign"])
            rows.append(
                (point, r["location"], profile, eig, sign, r["kind"], _yes(r["is_ess"]), _yes(r["is_nash"]))
            )
        blocks: list[Any] = [Table(cols, tuple(rows), f"{len(rows)} rest point(s) at the parameters used")]
        for note in getattr(rep, "notes", ()) or ():
            blocks.append(Note(str(note)))
        return blocks

    def ess(self) -> list[Any]:
        from ..analysis.corners import corner_conditions

        ess = [eq for eq in self.analysis.equilibria if eq.is_ess]
        blocks: list[Any] = []
        if ess:
            listed = "; ".join(
                "(" + ", ".join(f"{float(v):.4g}" for v in eq.point) + ")"
                + ("" if eq.profile is None else " = (" + ", ".join(eq.profile) + ")")
                for eq in ess
            )  # fmt: skip
            blocks.append(Text(f"ESS at the parameters used: {listed}."))
        else:
            blocks.append(Text("ESS at the parameters used: none (no rest point is asymptotically stable)."))
        try:
            table = corner_conditions(self.game)
        except GameError as exc:
            blocks.append(Note(f"Symbolic vertex conditions not available: {exc}"))
            return blocks
        blocks.append(
            Text(
                "A vertex is a strict Nash equilibrium iff all its conditions hold: the exact eigenvalues of "
                "the Jacobian there (payoff differences), required negative. A strict Nash equilibrium is an "
                "ESS and asymptotically stable."
            )
        )
        ess_states = {eq.state for eq in ess}
        rows = []
        for e in table.values():
            conds = tuple(e.conditions)
            holds = "yes" if e.state in ess_states else "no"
            if e.never_ess:
                holds = "never"
            for k, (dev, c) in enumerate(zip(e.deviations, conds)):
                rows.append(
                    (
                        ", ".join(e.profile) if k == 0 else "",
                        f"{dev[0]} to {dev[1]}",
                        Math(c, False),
                        holds if k == 0 else "",
                    )  # fmt: skip
                )
        blocks.append(Table(("vertex", "deviation", "condition", "ESS here"), tuple(rows)))
        return blocks

    def attractors(self) -> list[Any]:
        from ..analysis.attractors import attractors

        rep = attractors(self.game, self.params, n=self.opts["attractor_starts"], seed=0)
        rows = tuple(
            (a.label, str(getattr(a.kind, "value", a.kind)), f"{a.share:.1%}", a.count, a.detail)
            for a in rep.attractors
        )
        return [
            Text(
                f"Where {len(rep.starts)} random starts end (gametheory.attractors, seed 0, "
                f"t_span = ({rep.t_span[0]:g}, {rep.t_span[1]:g})); each outcome is certified where the "
                "detail says so."
            ),  # fmt: skip
            Table(("attractor", "kind", "share", "starts", "detail"), rows),
        ]

    def time_series(self) -> list[Any]:
        import numpy as np

        from .. import plot
        from ..numerics.integrate import simulate

        t_end = self.opts["t_end"]
        t_eval = np.linspace(0.0, t_end, 301)
        runs = [simulate(self.game, x0, (0.0, t_end), self.params, t_eval=t_eval) for x0 in self._starts()]
        import matplotlib.pyplot as plt

        with plot.style():
            ax = plt.subplots(figsize=(8.0, 4.2))[1]
            ax = plot.time_series(runs, ax=ax, dynamics=self.dyn, title=f"{len(runs)} starts")
            return [
                _figure(
                    ax.figure,
                    "Shares against time from the centre of the state space and a few other starts.",
                )
            ]

    def _starts(self) -> list[Any]:
        import numpy as np

        k = self.opts["starts"]
        centre = np.concatenate(
            [
                np.full(sl.stop - sl.start, 1.0 / (sl.stop - sl.start + 1))
                for sl in self.dyn.population_slices()
            ]
        )
        rng = np.random.default_rng(0)
        out = [centre]
        for _ in range(k - 1):
            parts = [
                rng.dirichlet(np.ones(sl.stop - sl.start + 1))[:-1] for sl in self.dyn.population_slices()
            ]
            out.append(np.concatenate(parts))
        return out

    def phase_portrait(self) -> list[Any]:
        import matplotlib.pyplot as plt

        from .. import plot

        dim = self.dyn.dimension
        counts = self.game.strategy_counts
        if dim > 3 and not any(c == 3 for c in counts):
            return [Note(f"No phase portrait: {dim} state dimensions (the portrait draws the cube, the square or "
                         "a simplex of three strategies); see the time series.")]  # fmt: skip
        with plot.style():
            ax = None
            if dim == 3 and all(c == 2 for c in counts):
                ax = plt.figure(figsize=(6.4, 5.6)).add_subplot(projection="3d")
            try:
                ax = plot.phase_portrait(self.dyn, self.params, ax=ax, report=self.analysis)
            except SpecificationError as exc:
                plt.close("all")
                return [Note(f"No phase portrait: {exc}")]
            return [_figure(ax.figure, "Phase portrait: trajectories coloured by the vertex they end near; "
                                       "rest points marked by kind.")]  # fmt: skip

    def sensitivity(self) -> list[Any]:
        import numpy as np

        from .. import plot

        chosen = self.ranged()[: self.opts["sensitivity"]]
        if not chosen:
            return [Note("No sensitivity panels: no parameter has bounds (or a nonzero value to vary).")]
        blocks: list[Any] = []
        with plot.style():
            for name, (lo, hi) in chosen:
                values = np.linspace(lo, hi, 5)
                fig = plot.sensitivity(self.dyn, name, values, self.params, t_span=(0.0, self.opts["t_end"]))
                blocks.append(_figure(fig, f"Trajectories from the centre for {name} from {lo:g} to {hi:g} "
                                           f"(value used {self.params[name]:g})."))  # fmt: skip
        return blocks

    def regime_map(self) -> list[Any]:
        import numpy as np

        from .. import plot
        from ..studies.regimes import regime_map

        chosen = self.ranged()[:2]
        if len(chosen) < 2:
            return [Note("No regime map: it needs two parameters with bounds.")]
        n = self.opts["grid"]
        values = {name: np.linspace(lo, hi, n) for name, (lo, hi) in chosen}
        rm = regime_map(self.game, values, self.params, n=self.opts["regime_starts"])
        import matplotlib.pyplot as plt

        with plot.style():
            try:
                ax = plt.subplots(figsize=(7.5, 5.0))[1]
                ax = plot.regime_map(rm, ax=ax, params=self.params, dynamics=self.game)
            except GameError as exc:
                return [Note(f"No regime map figure: {exc}")]
            (a, _), (b, _) = chosen
            return [_figure(ax.figure, f"Regime map over {a} and {b} ({n} x {n} grid): cells coloured by the "
                                       "set of ESS, exact threshold lines on top.")]  # fmt: skip


def _yes(v: Any) -> str:
    return "yes" if bool(v) else "no"


def _complex(v: Any) -> str:
    v = complex(v)
    if abs(v.imag) < 1e-12:
        return f"{v.real:.4g}"
    return f"{v.real:.4g}{v.imag:+.4g}i"


_TITLES = {
    "model": "Model",
    "parameters": "Parameters",
    "equations": "Replicator equations",
    "stability": "Rest points and stability",
    "ess": "ESS and their conditions",
    "attractors": "Attractors",
    "time_series": "Time series",
    "phase_portrait": "Phase portrait",
    "sensitivity": "Sensitivity",
    "regime_map": "Regime map",
}


def report(
    game: Any,
    params: Mapping[str, float] | None = None,
    *,
    sections: Sequence[str] = SECTIONS,
    starts: int | None = None,
    attractor_starts: int | None = None,
    sensitivity: int | None = None,
    grid: int | None = None,
    regime_starts: int | None = None,
    t_end: float = 60.0,
    jacobian_max: int = 3,
    progress: bool | None = None,
) -> HTMLReport:
    """Collect a one-file HTML report of a game under its replicator dynamics.

    Sections (``sections`` picks and orders them): the model and payoff table,
    its parameters, the replicator equations :math:`\\dot x_r = F_r(x; p)` (and
    the Jacobian :math:`J = \\partial F / \\partial x` up to ``jacobian_max``
    dimensions), every rest point with its stability
    (:func:`gametheory.analyze`), the ESS with the exact vertex conditions
    :math:`\\pi_i(j, s_{-i}) - \\pi_i(s) < 0`
    (:func:`gametheory.corner_conditions`), the attractors
    (:func:`gametheory.attractors`), time series, the phase portrait,
    sensitivity panels and a regime map.  A section that does not apply says
    why in one line.

    Parameters
    ----------
    game
        A :class:`~gametheory.game.Game`.
    params
        Parameter values; the game's defaults fill the rest.
    sections
        Which sections, in order (names in :data:`SECTIONS`).
    starts, attractor_starts
        Starts of the time series (default 4) and of the attractor census (default 64).
    sensitivity
        How many parameters get a sensitivity panel (default 2).
    grid, regime_starts
        Regime-map grid per axis (default 15) and starts per cell (default 8).
    t_end
        Integration time of the time series and sensitivity panels.
    jacobian_max
        Show the symbolic Jacobian up to this many state dimensions.
    progress
        One line per section on stderr with its time; ``None``: when stderr is a terminal.

    ``GAMETHEORY_SMALL=1`` halves the default sizes.

    Returns
    -------
    HTMLReport

    Raises
    ------
    ParameterError
        An unknown parameter name or a value outside its bounds.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> rep = report(classic.rock_paper_scissors(), sections=("equations",))
    >>> "<math" in rep.html
    True
    """
    from ..game import Game

    if not isinstance(game, Game):
        raise SpecificationError(f"report needs a Game, got {type(game).__name__}")
    for key, size in (("starts", starts), ("attractor_starts", attractor_starts), ("sensitivity", sensitivity),
                      ("grid", grid), ("regime_starts", regime_starts)):  # fmt: skip
        if size is not None and (
            isinstance(size, bool) or not isinstance(size, int) or size < (key != "sensitivity")
        ):
            raise SpecificationError(f"report option {key} must be a positive integer, got {size!r}")
    if not (isinstance(t_end, int | float) and math.isfinite(t_end) and t_end > 0):
        raise SpecificationError(f"report option t_end must be a positive number, got {t_end!r}")

    unknown = [k for k in (params or {}) if k not in game.parameter_names]
    if unknown:
        raise ParameterError(
            f"unknown parameter {unknown[0]!r}{suggest(unknown[0], game.parameter_names)}; "
            f"parameters of {game.name!r}: {list(game.parameter_names)}"
        )
    bad = [s for s in sections if s not in _TITLES]
    if bad:
        raise SpecificationError(
            f"unknown report section {bad[0]!r}{suggest(bad[0], _TITLES)}; sections: {list(SECTIONS)}"
        )
    dyn = game.replicator()
    values = dict(zip(game.parameter_names, map(float, dyn.parameter_vector(dict(params or {})))))
    small = small_mode()
    opts = {
        "starts": starts or (3 if small else 4),
        "attractor_starts": attractor_starts or (16 if small else 64),
        "sensitivity": 2 if sensitivity is None else sensitivity,
        "grid": grid or (7 if small else 15),
        "regime_starts": regime_starts or (4 if small else 8),
        "t_end": float(t_end),
        "jacobian_max": jacobian_max,
    }
    if progress is None:
        progress = sys.stderr.isatty()
    progress = check_flag(progress, name="progress", error=SpecificationError)
    b = _Builder(game, values, opts)
    out = []
    for name in sections:
        begin = time.perf_counter()
        blocks = _run(getattr(b, name), name)
        sec = Section(_TITLES[name], blocks, time.perf_counter() - begin)
        out.append(sec)
        if progress:
            print(f"report: {sec.title}: {sec.seconds:.1f} s", file=sys.stderr, flush=True)
    stamp = "parameters: " + (", ".join(f"{k} = {v:g}" for k, v in values.items()) or "none")
    return HTMLReport(game.name, f"Evolutionary game report (gametheory); {stamp}", out, values)


def _run(section: Callable[[], list[Any]], name: str) -> list[Any]:
    """A section's blocks; a model the section cannot handle gives a one-line note instead."""
    try:
        return section()
    except (AnalysisError, SpecificationError) as exc:
        return [Note(f"Section {name!r} not available for this model: {exc}")]
