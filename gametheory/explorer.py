"""Interactive exploration in a notebook: :func:`explore` builds an :class:`Explorer`.

A slider for every parameter of a game (and one per state coordinate for the
highlighted start), a live phase portrait, the stability table of
:func:`gametheory.analyze` and the ESS verdict, all recomputed when a slider
moves.  The widgets come from :mod:`ipywidgets` (the ``explore`` extra),
imported only when an explorer is built; the figure is drawn with matplotlib's
Agg canvas into a PNG shown by an :class:`ipywidgets.Image`.

Slider ranges are documented in :mod:`gametheory.explorer_setup`
(:func:`~gametheory.explorer_setup.slider_range`).
"""

from __future__ import annotations

import html
import io
import math
import textwrap
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ._checks import as_dynamics
from .analysis.stability import analyze
from .dynamics.base import Dynamics
from .errors import GameError, ParameterError, SpecificationError, calls_checked, keywords_checked, suggest
from .explorer_setup import (
    check_bounds,
    check_params,
    clip_state,
    default_start,
    default_starts,
    explorer_geometry,
    simplex_population,
    slider_range,
)
from .game import Game

__all__ = ["Explorer", "MissingDependencyError", "explore"]

#: Integration window, tolerances and output points of the portrait's trajectories.
T_SPAN: tuple[float, float] = (0.0, 40.0)
N_EVAL = 150
RTOL, ATOL = 1e-6, 1e-8
#: Analyses kept for parameter sets already visited (a slider moved back is not analysed again).
ANALYSES_KEPT = 64
#: Resolution of the PNG shown in the widget.
DPI = 110
#: Figure sizes (inches) and axes margins by geometry (``None``: a time series); the legend
#: below the axes must lie inside the figure, which is drawn once and cropped to its content.
FIGURE_SIZES: dict[str | None, tuple[float, float]] = {
    "cube": (4.2, 5.0),
    "square": (4.2, 5.2),
    "simplex": (4.2, 4.8),
    None: (5.0, 3.2),
}
AXES_MARGINS: dict[str, dict[str, float]] = {
    "cube": {"left": 0.0, "right": 1.0, "bottom": 0.2, "top": 1.0},
    "square": {"left": 0.14, "right": 0.96, "bottom": 0.3, "top": 0.97},
    "simplex": {"left": 0.02, "right": 0.98, "bottom": 0.18, "top": 0.93},
}


class MissingDependencyError(GameError, ImportError):
    """An optional dependency needed by the call is not installed (the message names the extra).

    Examples
    --------
    >>> from gametheory.explorer import MissingDependencyError
    >>> from gametheory.errors import GameError
    >>> issubclass(MissingDependencyError, GameError), issubclass(MissingDependencyError, ImportError)
    (True, True)
    """


def _ipywidgets() -> Any:
    """ipywidgets (and a check that pandas, for the table, is there), or :class:`MissingDependencyError`."""
    try:
        import ipywidgets
        import pandas  # noqa: F401
    except ImportError as exc:
        raise MissingDependencyError(
            f'gt.explore needs ipywidgets and pandas ({exc.name} is missing): pip install "gametheory-egt[explore]"'
        ) from None
    return ipywidgets


def _fmt_eigenvalues(values: Sequence[complex]) -> str:
    parts = []
    for v in values:
        parts.append(f"{v.real:.3g}" if abs(v.imag) < 1e-12 else f"{v.real:.3g}{v.imag:+.3g}i")
    return ", ".join(parts)


def _table_html(frame: Any) -> str:
    """The stability table as escaped HTML: columns that are empty everywhere left out, eigenvalues short."""
    shown = frame.drop(columns=[c for c in frame.columns if frame[c].isna().all()])
    shown = shown.drop(columns=[c for c in ("support", "sign") if c in shown.columns])
    if "eigenvalues" in shown.columns:
        shown = shown.assign(eigenvalues=[_fmt_eigenvalues(v) for v in shown["eigenvalues"]])
    return shown.to_html(index=False, escape=True, border=0, float_format=lambda v: f"{v:.4g}")


def _verdict(report: Any) -> str:
    """The ESS line of the report's summary (which ESS, none, or not decided for this dynamics)."""
    return next(line for line in report.summary().splitlines() if line.startswith("ESS"))


@calls_checked
class Explorer:
    """Sliders, phase portrait, stability table and ESS verdict of one game, recomputed live.

    Build one with :func:`explore`.  Moving a slider (in the notebook, by
    assigning ``slider.value``, or with :meth:`set`) runs :meth:`update`:
    :func:`gametheory.analyze` at the new parameters, an ensemble of
    trajectories (:meth:`~gametheory.dynamics.base.Dynamics.simulate_many`,
    the compiled numba backend when installed, warmed up at construction), and
    the figure redrawn into the same matplotlib Figure and shown as a PNG.

    Attributes
    ----------
    dynamics : Dynamics
        The dynamics explored.
    sliders : dict
        ``{parameter name: ipywidgets.FloatSlider}``.
    start_sliders : dict
        ``{state name: ipywidgets.FloatSlider}``: the highlighted trajectory's start.
    notes : tuple of str
        What the explorer decided for the user (default slider ranges).
    widget : ipywidgets.VBox
        The whole interface (a notebook cell ``gt.explore(game)`` shows it).
    image : ipywidgets.Image
        The figure as PNG bytes (``image.value``).
    table : pandas.DataFrame or None
        ``gt.analyze(dynamics, params).to_frame()`` at the current parameters
        (``None`` when analyze refused; :attr:`table_html` then holds its message).
    verdict : str
        Which ESS, none, or why there is no verdict.
    figure : matplotlib.figure.Figure
        The figure shown (one per explorer, redrawn in place; never registered with pyplot).
    last_update_seconds : float
        Wall time of the last :meth:`update`; :attr:`timings` splits it into
        ``analysis``, ``integration`` and ``drawing``.

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> ex = gt.explore(classic.rock_paper_scissors())
    >>> ex.verdict
    'ESS (Maynard Smith; asymptotically stable): (1/3, 1/3) = interior'
    >>> ex.set(w=0.5)
    >>> ex.verdict
    'ESS: none'
    """

    def __init__(
        self,
        dynamics: Dynamics,
        params: Mapping[str, Any] | None = None,
        *,
        bounds: Mapping[str, Any] | None = None,
        starts: Any = None,
        start: Any = None,
        t_span: tuple[float, float] = T_SPAN,
        backend: str | None = None,
    ) -> None:
        widgets = _ipywidgets()
        import matplotlib.figure
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.dynamics = dynamics
        game = dynamics.game
        values = check_params(game, params)
        explicit = check_bounds(game, bounds)
        try:
            t0, t1 = (float(t) for t in t_span)
        except (TypeError, ValueError):
            raise SpecificationError(f"t_span {t_span!r} must be two numbers (t0, t1)") from None
        if not (math.isfinite(t0) and math.isfinite(t1) and t1 > t0):
            raise SpecificationError(f"t_span {t_span!r} must be finite with t1 > t0")
        self.t_span = (t0, t1)
        self.geometry = explorer_geometry(dynamics)
        self.starts = (
            default_starts(self.geometry, dynamics)
            if starts is None
            else dynamics.check_states(starts, name="starts").reshape(-1, dynamics.dimension)
        )
        if backend is None:
            try:
                import numba  # noqa: F401

                backend = "numba"
            except ImportError:
                backend = "numpy"
        if backend not in ("numba", "numpy", "auto"):
            raise SpecificationError(f"backend {backend!r} must be 'numba', 'numpy' or 'auto'")
        self.backend = backend
        notes = []
        self.sliders: dict[str, Any] = {}
        for p in game.parameters:
            value = values[p.name]
            if p.name in explicit:
                lo, hi = explicit[p.name]
            else:
                lo, hi, defaulted = slider_range(p, value)
                if defaulted:
                    notes.append(f"{p.name}: no finite bounds, slider range [{lo:g}, {hi:g}] (default range)")
            if value is not None and not lo <= value <= hi:
                raise ParameterError(
                    f"{p.name} = {value:g} is outside its slider range [{lo:g}, {hi:g}]"
                    + (" (from bounds=)" if p.name in explicit else " (its bounds)")
                )
            start_value = (lo + hi) / 2 if value is None else value
            self.sliders[p.name] = self._slider(widgets, p.name, lo, hi, start_value)
        self.notes = tuple(notes)
        x0 = default_start(dynamics) if start is None else clip_state(dynamics, start)
        self.start_sliders = {
            name: self._slider(widgets, name, 0.0, 1.0, float(v)) for name, v in zip(dynamics.state_names, x0)
        }
        self.figure = matplotlib.figure.Figure(figsize=FIGURE_SIZES[self.geometry], dpi=DPI)
        FigureCanvasAgg(self.figure)
        self.image = widgets.Image(format="png")
        self.verdict_widget = widgets.HTML()
        self.table_widget = widgets.HTML()
        self.status_widget = widgets.HTML()
        note_html = "".join(f"<div>note: {html.escape(n)}</div>" for n in self.notes)
        self.notes_widget = widgets.HTML(f"<small>{note_html}</small>")
        box = widgets.Layout(max_height="460px", overflow="auto")
        controls = widgets.VBox([widgets.HTML("<b>parameters</b>"), *self.sliders.values()], layout=box)
        start_box = widgets.VBox([widgets.HTML("<b>highlighted start</b>"), *self.start_sliders.values()])
        title = html.escape(game.name or "game")
        self.widget = widgets.VBox(
            [
                widgets.HTML(f"<h4>{title} ({html.escape(type(dynamics).__name__)})</h4>"),
                self.notes_widget,
                widgets.HBox([controls, widgets.VBox([start_box, self.image])]),
                self.verdict_widget,
                self.table_widget,
                self.status_widget,
            ]
        )
        self.table: Any = None
        self.integration_message = ""
        self._analyses: dict[tuple[float, ...], tuple[Any, Any, str, str]] = {}
        self.table_html = ""
        self.verdict = ""
        self.report: Any = None
        self.timings: dict[str, float] = {}
        self.last_update_seconds = math.nan
        self._holding = False
        for slider in (*self.sliders.values(), *self.start_sliders.values()):
            slider.observe(self._on_change, names="value")
        self.update()  # also compiles the numba kernel once

    @staticmethod
    def _slider(widgets: Any, name: str, lo: float, hi: float, value: float) -> Any:
        slider = widgets.FloatSlider(
            description=name, step=(hi - lo) / 200, continuous_update=False, readout_format=".4g"
        )
        with slider.hold_trait_notifications():
            slider.max, slider.min = hi, lo
            slider.value = value
        return slider

    # ------------------------------------------------------------- state
    @property
    def params(self) -> dict[str, float]:
        """The current parameter values, ``{name: value}``."""
        return {name: float(s.value) for name, s in self.sliders.items()}

    @property
    def start(self) -> np.ndarray:
        """The highlighted start, clipped into the state space, shape ``(d,)``."""
        return clip_state(self.dynamics, [s.value for s in self.start_sliders.values()])

    def set(self, **values: float) -> None:
        """Move sliders (parameters or state coordinates) by name, then update once.

        A value outside a slider's range raises :class:`~gametheory.errors.ParameterError`
        (give ``bounds=`` to :func:`explore` for a wider range).
        """
        known = {**self.sliders, **self.start_sliders}
        for name, value in values.items():
            if name not in known:
                raise ParameterError(f"set(): {name!r} is not a slider{suggest(name, known)}")
            slider = known[name]
            if not (isinstance(value, (int, float, np.number)) and slider.min <= float(value) <= slider.max):
                raise ParameterError(
                    f"set(): {name} = {value!r} is outside the slider range [{slider.min:g}, {slider.max:g}]"
                )
        self._holding = True
        try:
            for name, value in values.items():
                known[name].value = float(value)
        finally:
            self._holding = False
        self.update()

    def _on_change(self, change: Any) -> None:
        if not self._holding:
            self.update()

    # ------------------------------------------------------------ update
    def update(self) -> None:
        """Recompute the analysis, the trajectories and the figure at the sliders' values."""
        begin = time.perf_counter()
        params = self.params
        key = tuple(params.values())
        if key not in self._analyses:
            try:
                report = analyze(self.dynamics, params)
                table = report.to_frame()
                self._analyses[key] = (report, table, _table_html(table), _verdict(report))
            except GameError as exc:
                message = f"analysis not available: {type(exc).__name__}: {exc}"
                self._analyses[key] = (None, None, f"<pre>{html.escape(message)}</pre>", message)
            while len(self._analyses) > ANALYSES_KEPT:
                self._analyses.pop(next(iter(self._analyses)))
        self.report, self.table, self.table_html, self.verdict = self._analyses[key]
        analysed = time.perf_counter()
        starts = np.vstack([self.starts, self.start[None, :]])
        try:
            ensemble = self.dynamics.simulate_many(
                starts,
                self.t_span,
                params,
                t_eval=np.linspace(*self.t_span, N_EVAL),
                rtol=RTOL,
                atol=ATOL,
                backend=self.backend,
            )
            self.integration_message = ""
        except GameError as exc:  # e.g. a dynamics that needs positive payoffs at these parameters
            ensemble = None
            self.integration_message = f"no trajectories: {type(exc).__name__}: {exc}"
        integrated = time.perf_counter()
        self._draw(ensemble, params)
        self.image.value = _png(self.figure)
        self.verdict_widget.value = f"<b>{html.escape(self.verdict)}</b>"
        self.table_widget.value = self.table_html
        end = time.perf_counter()
        self.timings = {
            "analysis": analysed - begin,
            "integration": integrated - analysed,
            "drawing": end - integrated,
        }
        self.last_update_seconds = end - begin
        self.status_widget.value = f"<small>updated in {self.last_update_seconds:.2f} s</small>"

    def _draw(self, ensemble: Any, params: Mapping[str, float]) -> None:
        from . import plot
        from .plot._results import Run
        from .plot.phase import _project

        fig = self.figure
        fig.clf()
        if ensemble is None:
            text = textwrap.fill(self.integration_message, 60)
            fig.text(0.02, 0.98, text, va="top", ha="left", fontsize=7, wrap=True)
            return
        if self.geometry is None:
            ax = fig.add_subplot()
            fig.subplots_adjust(left=0.12, right=0.97, bottom=0.15, top=0.9)
            highlighted = Run(ensemble.t, ensemble.y[-1], tuple(ensemble.state_names))
            plot.time_series(highlighted, ax=ax, dynamics=self.dynamics, title="highlighted start")
            return
        ax = fig.add_subplot(projection="3d" if self.geometry == "cube" else None)
        fig.subplots_adjust(**AXES_MARGINS[self.geometry])  # room for the legend below, inside the figure
        plot.phase_portrait(
            self.dynamics,
            params,
            ax=ax,
            trajectories=ensemble,
            report=self.report,
            analysis=False,
        )
        path = _project(self.dynamics, self.geometry, _population_or_none(self), ensemble.y[-1])
        ax.plot(*path, color="black", lw=2.0, zorder=7)
        ax.plot(*[[c] for c in path[:, 0]], marker="*", ms=7, color="black", ls="")

    # ----------------------------------------------------------- display
    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        values = ", ".join(f"{k}={v:g}" for k, v in self.params.items())
        return f"Explorer({self.dynamics.game.name or 'game'}; {values})"


def _png(figure: Any, pad: int = 6) -> bytes:
    """The figure drawn once by Agg, cropped to the bounding box of its content (plus ``pad`` pixels), as PNG.

    One draw instead of the two of ``savefig(bbox_inches="tight")``; content
    outside the figure is cut, so the layout keeps the legend inside.
    """
    from PIL import Image

    canvas = figure.canvas
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    height, width = rgba.shape[:2]
    box = figure.get_tightbbox(canvas.get_renderer()).transformed(figure.dpi_scale_trans)
    x0, x1 = max(int(box.x0) - pad, 0), min(int(math.ceil(box.x1)) + pad, width)
    y0, y1 = max(height - int(math.ceil(box.y1)) - pad, 0), min(height - int(box.y0) + pad, height)
    buffer = io.BytesIO()
    Image.fromarray(rgba[y0:y1, x0:x1]).save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def _population_or_none(explorer: Explorer) -> int | None:
    return simplex_population(explorer.dynamics) if explorer.geometry == "simplex" else None


@keywords_checked
def explore(
    game: Game | Dynamics,
    params: Mapping[str, Any] | None = None,
    *,
    dynamics: str = "replicator",
    dynamics_options: Mapping[str, Any] | None = None,
    bounds: Mapping[str, Any] | None = None,
    starts: Any = None,
    start: Any = None,
    t_span: tuple[float, float] = T_SPAN,
    backend: str | None = None,
) -> Explorer:
    """An interactive explorer of a game for notebooks: sliders, phase portrait, stability table, ESS.

    Parameters
    ----------
    game
        A :class:`~gametheory.Game`, or any dynamics (then ``dynamics`` must
        be left at its default).
    params
        Starting parameter values (the game's defaults fill the rest).
    dynamics, dynamics_options
        The kind of dynamics, ``game.dynamics(dynamics, **dynamics_options)``.
    bounds
        ``{name: (lo, hi)}``: slider ranges (finite, ``lo < hi``) replacing
        those from the parameters' bounds (see the module docstring for the
        default ranges of unbounded parameters).
    starts
        The portrait's starting states, shape ``(m, d)``; default a few fixed
        interior states (cube: the corners of :math:`[0.2, 0.8]^3`).
    start
        The highlighted trajectory's start (drawn thick, with a star), clipped
        into the state space; default the centre.
    t_span
        Integration window of the trajectories.
    backend
        ``simulate_many`` backend; default numba when installed, else numpy.

    Returns
    -------
    Explorer
        Display it in a notebook cell; its attributes give the current
        parameters, table, verdict and figure.

    Raises
    ------
    MissingDependencyError
        Without ipywidgets (``pip install "gametheory-egt[explore]"``).
    ParameterError
        For unknown parameter names or bad values or bounds.

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import crisis_governance as cg
    >>> ex = gt.explore(cg.game(), cg.STATUS_QUO)
    >>> ex.verdict
    "ESS (strict Nash equilibria, asymptotically stable): (0, 0, 0) = ('B', 'P', 'I')"
    >>> ex.sliders["lam"].min, ex.sliders["lam"].max, ex.sliders["F_g"].max
    (0.0, 1.0, 6.0)
    >>> ex.set(F_g=5.0)  # above the threshold 4.3: (1, 1, 1) becomes an ESS too
    >>> [e.state for e in ex.report.ess]
    [(1, 1, 1), (0, 0, 0)]
    """
    if isinstance(game, Game):
        model = game.dynamics(dynamics, **dict(dynamics_options or {}))
    else:
        if dynamics != "replicator" or dynamics_options:
            raise SpecificationError(
                "explore(): give either a dynamics object or dynamics=/dynamics_options= with a Game, not both"
            )
        model = as_dynamics(game, name="game")
    return Explorer(model, params, bounds=bounds, starts=starts, start=start, t_span=t_span, backend=backend)
