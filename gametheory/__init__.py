"""gametheory: multi-population evolutionary games with symbolic payoffs.

Build a :class:`Game` from a payoff table, derive its exact
:class:`ReplicatorDynamics`, integrate trajectories, analyse stability.
"""

from .dynamics.replicator import ReplicatorDynamics
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
from .expressions import parse_expression
from .game import Game, Parameter, Population
from .io import load_game, loads_game
from .numerics.integrate import Trajectory, simulate

__version__ = "0.1.0"

# The analysis, ensemble and sweep layers are imported eagerly: their optional heavy
# dependencies (numba, dask, tqdm, pandas) are imported lazily inside them.  (Lazy
# re-exports would break: importing the submodule ``gametheory.sweep`` binds the module
# to the name ``sweep`` on the package, hiding the function of that name.)
from .analysis.attractors import AttractorReport, attractors  # noqa: E402
from .analysis.equilibria import rest_points  # noqa: E402
from .analysis.stability import (  # noqa: E402
    Equilibrium,
    StabilityKind,
    StabilityReport,
    analyze,
    corner_conditions,
    critical_values,
    strict_equilibria,
)
from .numerics.integrate import Ensemble, simulate_many  # noqa: E402
from .studies.sweeps import basins, regime_map, sweep  # noqa: E402

__all__ = [
    "AttractorReport",
    "Ensemble",
    "Equilibrium",
    "StabilityKind",
    "StabilityReport",
    "analyze",
    "attractors",
    "basins",
    "corner_conditions",
    "critical_values",
    "regime_map",
    "rest_points",
    "simulate_many",
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
