r"""Studies of dynamics without the replicator's vertex theory: outcomes are certified sinks.

Basins and regime maps certify an end state with a vertex trapping box when the dynamics has
the replicator facts (``facts.vertex_eigenvalues_are_payoff_differences``, or the replicator
of a multi-population game with state-dependent payoffs).  Every other dynamics (logit, BNN,
Smith, replicator-mutator, the replicator dynamics of a one-population game, a system typed
in from its equations) is studied here: the rest points of each parameter cell come from
:func:`gametheory.analyze`, each sink gets the trapping ellipsoid of
:func:`gametheory.analysis.lyapunov.certify_sink` (a proof, or none: kinks of BNN and Smith), and
an end state's outcome is the sink whose certified ellipsoid holds it (``V <= c/4``), else
``"not certified"``; ``near`` then records the sink it is within ``tol`` of (max-norm).
Non-hyperbolic rest points (BNN at a strict equilibrium sits on a kink) are outcomes that are
never certified, so that ``near`` shows the end states approaching them.
Attractors that are not rest points (limit cycles) count as ``"not certified"``.  The outcome
labels are the sinks' labels, ``"rest point (x, y) = (0.3333, 0.3333)"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..analysis.attractors_general import GeneralSystem

if TYPE_CHECKING:
    from ..dynamics.base import Dynamics

__all__ = ["GENERAL_NOTE", "cell_sinks", "classify_general", "uses_general_certificate"]

#: The ``vertex_theory`` attribute of a study on the general path.
GENERAL_NOTE = (
    "general dynamics (no replicator vertex theory): outcomes are the sinks found by analyze, certified "
    "by trapping ellipsoids (quadratic Lyapunov function, interval bound of the second derivative); "
    "'ess' marks the hyperbolic sinks (not an ESS test); non-hyperbolic rest points are listed but never "
    "certified; sinks at kinks and limit cycles count as not certified"
)


def uses_general_certificate(dyn: Dynamics) -> bool:
    """Whether basins and regime maps take the general path (decided by ``dyn.facts``).

    Examples
    --------
    >>> from gametheory.models import classic
    >>> uses_general_certificate(classic.matching_pennies_3().replicator())
    False
    >>> uses_general_certificate(classic.hawk_dove().replicator())
    True
    """
    from ..analysis.faces import state_dependent_replicator

    if dyn.facts.vertex_eigenvalues_are_payoff_differences:
        return False
    # the Bernstein boxes of a state-dependent multi-population replicator need no new theory
    return not (state_dependent_replicator(dyn) and dyn.game.symmetric_payoffs is None)


def cell_sinks(dyn: Dynamics, p: np.ndarray) -> list[dict[str, Any]]:
    """The sinks and non-hyperbolic rest points at ``p`` as plain arrays (they pickle).

    Keys: label, point, P, level, certified (a trapping ellipsoid exists), sink (hyperbolic).  A
    non-hyperbolic point (BNN at a strict equilibrium: a kink, zero eigenvalues) is never certified;
    it is listed so that ``near`` can record the end states approaching it.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> dyn = classic.hawk_dove().replicator()
    >>> [(s["label"], s["certified"]) for s in cell_sinks(dyn, dyn.parameter_vector())]
    [('rest point (x) = (0.6667)', True)]
    """
    system = GeneralSystem(dyn, p)
    out = []
    for s in system.rest_points:
        if s.kind not in ("sink", "non-hyperbolic"):
            continue
        c = s.certificate
        ok = c is not None and c.certified
        out.append({"label": s.label, "point": s.point, "P": c.P if ok else None,
                    "level": c.level if ok else 0.0, "certified": ok, "sink": s.kind == "sink"})  # fmt: skip
    return out


def classify_general(
    final: Any, status: Any, sinks: Sequence[dict[str, Any]], index: Sequence[int], n_labels: int, tol: float
) -> tuple[np.ndarray, np.ndarray]:
    """Outcome index (``index[k]`` for sink ``k``; ``n_labels - 2`` not certified; ``n_labels - 1`` failed) and near.

    Examples
    --------
    >>> import numpy as np
    >>> sinks = [{"label": "s", "point": np.array([0.5]), "P": np.eye(1), "level": 0.04, "certified": True,
    ...           "sink": True}]
    >>> classify_general([[0.55], [0.9], [np.nan]], [0, 0, 0], sinks, [0], 3, 1e-3)[0].tolist()
    [0, 1, 2]
    """
    X = np.atleast_2d(np.array(final, dtype=float))
    failed = (np.asarray(status).reshape(-1) != 0) | ~np.isfinite(X).all(axis=1)
    outcome = np.full(X.shape[0], n_labels - 2, dtype=np.int64)
    near = np.full(X.shape[0], -1, dtype=np.int64)
    for k, s in enumerate(sinks):
        E = X - s["point"]
        if s["certified"]:
            with np.errstate(invalid="ignore"):
                inside = np.einsum("ni,ij,nj->n", E, s["P"], E) <= 0.25 * s["level"]
            outcome[inside & ~failed & (outcome == n_labels - 2)] = index[k]
        with np.errstate(invalid="ignore"):
            close = np.max(np.abs(E), axis=1) <= tol
        near[close & (outcome == n_labels - 2) & (near < 0) & ~failed] = index[k]
    outcome[failed] = n_labels - 1
    return outcome, near
