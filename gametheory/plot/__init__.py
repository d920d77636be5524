"""Publication figures (matplotlib): drawing the package's results.

Plotting draws results; it never classifies, solves or integrates on its own.
A computing function and a drawing function that share a name share a
meaning: :func:`gametheory.regime_map` computes a regime map and
:func:`regime_map` draws it; likewise :func:`gametheory.basins` /
:func:`basins` and :func:`gametheory.analyze` / :func:`rest_points`.  Functions
that also accept a game compute what they draw by calling the public computing
function once (:func:`gametheory.regime_map`, :func:`gametheory.analyze`,
:meth:`~gametheory.dynamics.base.Dynamics.simulate_many`).

Every function takes an optional ``ax`` (or a sequence of axes for multi-panel
figures), draws into it, and returns the :class:`~matplotlib.axes.Axes` (or the
:class:`~matplotlib.figure.Figure` of a multi-panel plot).  Nothing here calls
``plt.show()``; save with ``fig.savefig(...)``.

Functions
---------
:func:`time_series` (:mod:`.timeseries`)
    Shares :math:`x_r(t)` against time for one or many runs.
:func:`dynamics_panel` (:mod:`.compare`)
    One game under several dynamics, a phase portrait each.
:func:`phase_portrait`, :func:`rest_points` (:mod:`.phase`)
    Trajectories in the state space (unit cube, unit square or the simplex of
    one 3-strategy population) with rest points marked by kind.
:func:`sensitivity` (:mod:`.sensitivity_panels`)
    One panel per coordinate; evolution curves for several values of one parameter.
:func:`sensitivity_indices` (:mod:`.sensitivity_bars`)
    A :class:`gametheory.SensitivityIndices`: ranked bars of Sobol' total and first-order indices
    (or Morris :math:`\\mu^*`) with confidence intervals: which lever matters most.
:func:`regime_map` (:mod:`.regimes`)
    A two-parameter plane coloured by the set of ESS, with the exact threshold lines.
:func:`basins` (:mod:`.outcomes`)
    Shares of starting states that end at each attractor (bars, or slices of the cube).
:func:`attractors` (:mod:`.outcomes`)
    An :class:`gametheory.AttractorReport`: one bar per attractor, its share of the starts, coloured by kind.
:func:`stochastic_paths` (:mod:`.stochastic`)
    An :class:`gametheory.numerics.sde.SDEEnsemble`: sample paths, quantile bands, the deterministic trajectory.
:func:`model_diagram`, :func:`coupling_parameters` (:mod:`.diagram`)
    The populations as boxes and who influences whose payoff through which parameter.
:func:`stationary_distribution`, :func:`stationary_cube`, :func:`fixation_matrix`, :func:`fixation_curve`, :func:`stochastic_stability` (:mod:`.finite`)
    Finite-population results: a stationary distribution (bars, or at the corners of the cube),
    fixation probabilities (a matrix, or against Z or the intensity), stochastic stability.
:func:`simulation_paths`, :func:`absorption_times`, :func:`absorbing_states` (:mod:`.finite_sim`)
    Simulated finite populations: paths with quantile bands and the mean field, absorption times and states.
:func:`bifurcation_diagram` (:mod:`.bifurcation`)
    A :func:`gametheory.continuation` result: branches of rest points against the parameter
    (stable solid, unstable dashed), bifurcations marked with their exact values.
:func:`bifurcation_curves` (:mod:`.bifurcation_plane`)
    A :func:`gametheory.bifurcation_curves` result: fold, Hopf and transcritical curves in a parameter plane.
:func:`style`, :func:`shared_legend`, :func:`parameter_label`, :func:`state_label` (:mod:`.theme`)
    The house style (Okabe-Ito colours, journal sizes, 8 pt type) and labels.

The result objects are read in one place, :mod:`gametheory.plot._results`.
"""

from __future__ import annotations

from .bifurcation import bifurcation_diagram
from .bifurcation_plane import bifurcation_curves
from .compare import dynamics_panel
from .diagram import coupling_parameters, model_diagram
from .finite import (
    fixation_curve,
    fixation_matrix,
    stationary_cube,
    stationary_distribution,
    stochastic_stability,
)
from .finite_sim import absorbing_states, absorption_times, simulation_paths
from .outcomes import attractors, basins
from .phase import phase_portrait, rest_points
from .regimes import regime_map
from .sensitivity_bars import sensitivity_indices
from .sensitivity_panels import sensitivity
from .stochastic import stochastic_paths
from .theme import (
    COLUMN_WIDTH,
    OKABE_ITO,
    PAGE_WIDTH,
    RC_PARAMS,
    parameter_label,
    shared_legend,
    state_label,
    style,
)
from .timeseries import time_series

__all__ = [
    "OKABE_ITO",
    "COLUMN_WIDTH",
    "PAGE_WIDTH",
    "RC_PARAMS",
    "style",
    "shared_legend",
    "parameter_label",
    "state_label",
    "rest_points",
    "time_series",
    "stochastic_paths",
    "phase_portrait",
    "dynamics_panel",
    "sensitivity",
    "sensitivity_indices",
    "regime_map",
    "basins",
    "attractors",
    "model_diagram",
    "coupling_parameters",
    "stationary_distribution",
    "fixation_matrix",
    "fixation_curve",
    "stationary_cube",
    "stochastic_stability",
    "simulation_paths",
    "absorption_times",
    "absorbing_states",
    "bifurcation_diagram",
    "bifurcation_curves",
]
