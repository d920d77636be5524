"""The model library: canned games.

- :mod:`gametheory.models.crisis_governance`: the flagship tripartite
  government / NGO / citizen crisis-governance game (Zeng, seed paper).
- :mod:`gametheory.models.classic`: classic reference games from the literature.
"""

from . import classic, crisis_governance

__all__ = ["classic", "crisis_governance"]
