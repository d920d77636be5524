"""gametheory: multi-population evolutionary games with symbolic payoffs.

Build a :class:`Game` from a payoff table, derive its exact
:class:`ReplicatorDynamics`, integrate trajectories, analyse stability.
"""

from .dynamics import ReplicatorDynamics
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
from .game import Game, Parameter, Population, load_game, loads_game
from .integrate import Trajectory, simulate

__version__ = "0.1.0"

# Names defined in modules that import heavier machinery; loaded on first use.
_LAZY = {
    "analyze": "stability",
    "StabilityReport": "stability",
    "Equilibrium": "stability",
    "StabilityKind": "stability",
    "corner_conditions": "stability",
    "critical_values": "stability",
    "strict_equilibria": "stability",
    "rest_points": "equilibria",
    "attractors": "attractors",
    "AttractorReport": "attractors",
    "Ensemble": "integrate",
    "simulate_many": "integrate",
    "sweep": "sweep",
    "regime_map": "sweep",
    "basins": "sweep",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'gametheory' has no attribute {name!r}")


__all__ = [
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
