"""gametheory: multi-population evolutionary games with symbolic payoffs.

Build a :class:`Game` from a payoff table, derive its exact
:class:`ReplicatorDynamics`, integrate trajectories, analyse stability.
"""

from ._version import __version__  # noqa: E402

# The analysis, ensemble and sweep layers are imported eagerly: their optional heavy
# dependencies (numba, dask, tqdm, pandas) are imported lazily inside them.  (Lazy
# re-exports would break: importing the submodule ``gametheory.sweep`` binds the module
# to the name ``sweep`` on the package, hiding the function of that name.)
from .analysis.attractors import AttractorReport, attractors  # noqa: E402
from .analysis.audit import AuditReport, audit  # noqa: E402
from .analysis.continuation import ContinuationResult, continuation  # noqa: E402
from .analysis.continuation2 import BifurcationCurves, bifurcation_curves  # noqa: E402
from .analysis.corners import corner_conditions  # noqa: E402
from .analysis.equilibria import rest_points  # noqa: E402
from .analysis.ess import strict_equilibria  # noqa: E402
from .analysis.stability import analyze  # noqa: E402
from .analysis.stability_report import Equilibrium, StabilityKind, StabilityReport  # noqa: E402
from .analysis.thresholds import critical_values, threshold_curves  # noqa: E402
from .dynamics.replicator import ReplicatorDynamics
from .equations import from_equations
from .errors import (
    AnalysisError,
    GameError,
    IntegrationError,
    NumericalError,
    ParameterError,
    ParseError,
    SpecificationError,
    StateError,
    StoreError,
)
from .explorer import Explorer, explore  # noqa: E402
from .expressions import parse_expression
from .finite.curves import fixation_curve, stationary_curve  # noqa: E402
from .finite.process import FiniteProcess, moran, pairwise_comparison  # noqa: E402
from .finite.results import FixationMatrix, StationaryDistribution, StochasticStability  # noqa: E402
from .finite.sim_results import FiniteSimulation  # noqa: E402
from .game import Game, Population
from .io import load_game, loads_game
from .numerics.ensemble import Ensemble, simulate_many  # noqa: E402
from .numerics.integrate import Trajectory, simulate  # noqa: E402
from .numerics.sde import SDEEnsemble, StochasticReplicator, stochastic_replicator  # noqa: E402
from .parameters import Parameter
from .reporting import HTMLReport, report  # noqa: E402
from .studies.basins import basins  # noqa: E402
from .studies.regimes import regime_map  # noqa: E402
from .studies.sensitivity import SensitivityIndices, sensitivity_indices  # noqa: E402
from .studies.sweeps import sweep  # noqa: E402

__all__ = [
    "HTMLReport",
    "report",
    "AttractorReport",
    "AuditReport",
    "audit",
    "continuation",
    "bifurcation_curves",
    "BifurcationCurves",
    "ContinuationResult",
    "from_equations",
    "Ensemble",
    "Explorer",
    "explore",
    "FiniteProcess",
    "FixationMatrix",
    "FiniteSimulation",
    "StationaryDistribution",
    "StochasticStability",
    "moran",
    "fixation_curve",
    "stationary_curve",
    "pairwise_comparison",
    "Equilibrium",
    "StabilityKind",
    "StabilityReport",
    "analyze",
    "attractors",
    "basins",
    "sensitivity_indices",
    "SensitivityIndices",
    "corner_conditions",
    "critical_values",
    "threshold_curves",
    "regime_map",
    "rest_points",
    "simulate_many",
    "SDEEnsemble",
    "StochasticReplicator",
    "stochastic_replicator",
    "strict_equilibria",
    "sweep",
    "AnalysisError",
    "Game",
    "GameError",
    "IntegrationError",
    "NumericalError",
    "Parameter",
    "ParameterError",
    "ParseError",
    "Population",
    "ReplicatorDynamics",
    "SpecificationError",
    "StateError",
    "StoreError",
    "Trajectory",
    "__version__",
    "load_game",
    "loads_game",
    "parse_expression",
    "simulate",
]
