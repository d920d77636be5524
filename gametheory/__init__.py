"""gametheory: multi-population evolutionary games with symbolic payoffs.

Build a :class:`Game` from a payoff table, derive its exact
:class:`ReplicatorDynamics`, integrate trajectories, analyse stability.
"""

from .dynamics import ReplicatorDynamics
from .errors import (
    AnalysisError,
    GameError,
    IntegrationError,
    ParameterError,
    ParseError,
    SpecificationError,
    StateError,
    StoreError,
)
from .expressions import parse_expression
from .game import Game, Parameter, Population, load_game, loads_game
from .integrate import Trajectory, simulate

__version__ = "0.1.0"

__all__ = [
    "AnalysisError",
    "Game",
    "GameError",
    "IntegrationError",
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
