r"""Certify integrated end states: which of them provably converge to a strict equilibrium.

Studies (regime maps, basins) integrate thousands of starts up to ``t_span[1]`` and must say
what each start approaches.  "The end state is close to the vertex :math:`v`" is no evidence:
a trajectory on a heteroclinic cycle is arbitrarily close to one saddle corner after another,
and leaves each of them again.  :func:`certify_final_states` labels an end state with a vertex
only when convergence to that vertex is *proved*, with the trapping-box certificate that
:func:`gametheory.analysis.attractors.attractors` uses; every other end state gets an explicit
"not certified" label.

Criterion
---------
Let :math:`v = (v_1, \dots, v_N)` be a pure profile and

.. math::  a_{ij}(x) = f_{ij}(x) - f_{i v_i}(x), \qquad j \ne v_i,

its payoff advantages (for the replicator dynamics, the eigenvalues of the Jacobian at
:math:`v` are :math:`a_{ij}(v)`).  For :math:`\delta > 0` let

.. math::  B_\delta = \{x : x_{i v_i} \ge 1 - \delta \ \ \forall i\}.

Each :math:`a_{ij}` is affine in every other population's shares and does not depend on
population :math:`i`'s own, so its maximum over :math:`B_\delta` (a product of simplices) is
attained at a product of the box's corners: the bound
:math:`\max_{B_\delta} a_{ij} \le -m < 0` for all :math:`i, j` is an exact finite check.  Where it
holds, :math:`\frac{d}{dt}\ln(x_{ij}/x_{i v_i}) = a_{ij}(x) \le -m` inside the box, so every
ratio :math:`x_{ij}/x_{iv_i}` decreases, :math:`B_\delta` is forward invariant and the
trajectory converges to :math:`v` exponentially.  Hence an end state inside :math:`B_\delta`
(with margin: :math:`x_{iv_i} \ge 1 - \delta/2`, against integration error) certifies that its
trajectory converges to the strict equilibrium :math:`v`.  Vertices with a positive or zero
advantage (saddles, such as the corners of a heteroclinic cycle) have no such box and are
never certified.  The largest :math:`\delta = 2^{-k}` (:math:`k \le 40`) that passes is used.

State-dependent payoffs (the replicator dynamics of ``Game(..., state_dependent=True)``):
:math:`a_{ij}` is then a polynomial that may depend on every share, population
:math:`i`'s own included, so its maximum over :math:`B_\delta` need not sit at a corner.
The ratio identity above still holds, and the maximum is bounded by the largest Bernstein
coefficient of :math:`a_{ij}` on the coordinate box containing :math:`B_\delta`
(:mod:`gametheory.dynamics._bernstein`): a rigorous, possibly conservative bound, so the
certificate stays a proof.  Attractors that are not vertices (a stable focus in a face, a
limit cycle) are never certified: their starts are "not certified".

With ``starts`` given (and invariant faces), the certificate is taken on each start's face
(the strategies with positive share at the start): a vertex that is a strict equilibrium of
that face only is certified for the starts on it.  Without ``starts``, only strict Nash
equilibria of the whole game certify (always valid, possibly conservative for face starts).

Cost: the boxes are computed once per call (a few payoff evaluations per vertex); the test of
the end states is one vectorised comparison per sink, so thousands of end states cost
milliseconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._checks import as_dynamics
from ..dynamics.base import Dynamics
from ..errors import AnalysisError, ParameterError, StateError, calls_checked
from ..game import Game
from .faces import Support, _System, state_dependent_replicator

__all__ = ["EndStateCertificate", "certify_final_states"]

#: Label of an end state whose integration failed (NaN entries).
_FAILED = "failed"


@calls_checked
@dataclass(frozen=True)
class EndStateCertificate:
    """Certified outcome labels of integrated end states (immutable).

    Attributes
    ----------
    labels : tuple of str
        One per end state: ``"C,E,A"`` (the strategy profile, joined by commas, as the outcome
        labels of :mod:`gametheory.studies`) when convergence to that vertex is certified;
        ``"near C,E,A at t = 200, not certified"`` when the end state is within ``near`` of a
        vertex without a certificate; ``"not certified at t = 200"`` otherwise; ``"failed"``
        for end states with NaN entries.
    certified : ndarray of bool, shape (n,)
    vertex : ndarray of int, shape (n,)
        Index into ``dyn.vertices()`` of the certified vertex, ``-1`` where none.
    nearest : ndarray of int, shape (n,)
        Index into ``dyn.vertices()`` of the nearest vertex (each population's largest share);
        ``-1`` for failed end states.
    distance : ndarray of float, shape (n,)
        :math:`\\max_i (1 - x_{i v_i})` for that nearest vertex :math:`v`.
    profiles : tuple of tuple of str
        The profiles of ``dyn.vertices()``, in order.
    t : float or None
        Time of the end states (used in the labels).

    Examples
    --------
    >>> from gametheory.models import classic
    >>> cert = certify_final_states(classic.matching_pennies_3(), [[1e-9, 1e-9, 1e-9]], t=200)
    >>> cert.labels
    ('near T,T,T at t = 200, not certified',)
    >>> cert.summary().splitlines()[0]
    '1 end state(s) at t = 200: 0 certified'
    """

    labels: tuple[str, ...]
    certified: np.ndarray
    vertex: np.ndarray
    nearest: np.ndarray
    distance: np.ndarray
    profiles: tuple[tuple[str, ...], ...]
    t: float | None

    def __post_init__(self) -> None:
        for name, dtype in (("certified", bool), ("vertex", int), ("nearest", int), ("distance", float)):
            arr = np.array(getattr(self, name), dtype=dtype)
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    def counts(self) -> dict[str, int]:
        """Number of end states per label, most frequent first."""
        values, counts = np.unique(np.array(self.labels, dtype=object), return_counts=True)
        order = np.argsort(-counts, kind="stable")
        return {str(values[k]): int(counts[k]) for k in order}

    def summary(self) -> str:
        """A few lines of plain text: how many end states are certified, and the labels' counts."""
        when = f" at t = {self.t:g}" if self.t is not None else ""
        lines = [f"{len(self.labels)} end state(s){when}: {int(self.certified.sum())} certified"]
        lines += [f"  {count:>6}  {label}" for label, count in self.counts().items()]
        return "\n".join(lines)

    def to_frame(self) -> Any:
        """One row per end state: label, certified, vertex, nearest, distance (a pandas DataFrame)."""
        import pandas as pd

        return pd.DataFrame(
            {
                "label": list(self.labels),
                "certified": self.certified,
                "vertex": self.vertex,
                "nearest": self.nearest,
                "distance": self.distance,
            }
        )

    def _repr_markdown_(self) -> str:
        rows = ["| outcome | end states |", "|---|---:|"]
        rows += [f"| {label} | {count} |" for label, count in self.counts().items()]
        return "\n".join(rows)

    def _repr_html_(self) -> str:
        import html

        rows = "".join(
            f"<tr><td>{html.escape(label)}</td><td>{count}</td></tr>"
            for label, count in self.counts().items()
        )
        return f"<table><tr><th>outcome</th><th>end states</th></tr>{rows}</table>"

    def __repr__(self) -> str:
        return f"EndStateCertificate({len(self.labels)} end states, {int(self.certified.sum())} certified)"


def certify_final_states(
    model: Game | Dynamics,
    finals: Any,
    params: Mapping[str, Any] | None = None,
    *,
    starts: Any = None,
    t: float | None = None,
    near: float = 1e-3,
) -> EndStateCertificate:
    """Label integrated end states, certifying convergence to strict equilibria by trapping boxes.

    See the module docstring for the criterion: an end state certifies the vertex :math:`v`
    when it lies in a box :math:`x_{iv_i} \\ge 1 - \\delta/2` on whose corners every payoff
    advantage :math:`f_{ij} - f_{iv_i}` is negative.

    Parameters
    ----------
    model
        A :class:`~gametheory.game.Game` or a :class:`~gametheory.dynamics.base.Dynamics` whose
        per-capita growth differences are payoff differences (``dyn.facts``).
    finals
        End states, shape ``(n, d)`` (reduced states, e.g. ``Ensemble.final``); rows with NaN
        (failed integrations) are labelled ``"failed"``.
    params
        Scalar parameter values of the integration; the game's defaults fill the rest.
    starts
        The starts of the trajectories, shape ``(n, d)``, optional: with invariant faces the
        certificate is taken on each start's face.
    t
        Time of the end states, for the labels (``"... at t = 200, not certified"``).
    near
        An uncertified end state within this distance (:math:`\\max_i (1 - x_{iv_i})`) of a
        vertex is labelled ``"near <vertex>"``.

    Returns
    -------
    EndStateCertificate

    Raises
    ------
    SpecificationError
        If ``model`` is neither a Game nor a Dynamics.
    AnalysisError
        If the dynamics lacks the theorem the certificate relies on.
    ParameterError
        For missing, unknown or array-valued parameters.
    StateError
        For ``finals`` or ``starts`` of the wrong shape.
    AnalysisError
        For ``near`` outside ``[0, 1)``.

    Examples
    --------
    >>> from gametheory.models import crisis_governance as cg
    >>> cert = certify_final_states(cg.game(), [[1 - 1e-9] * 3, [0.5, 0.5, 0.5]], cg.OPTIMIZED, t=50)
    >>> cert.labels
    ('C,E,A', 'not certified at t = 50')
    >>> cert.certified.tolist()
    [True, False]
    """
    dyn = as_dynamics(model)
    if not state_dependent_replicator(dyn):  # there the box is bounded by Bernstein coefficients
        dyn.facts.require("vertex_eigenvalues_are_payoff_differences", dyn, "certify_final_states")
    p = dyn.parameter_vector(params)
    if p.ndim != 1:
        raise ParameterError(
            "certify_final_states takes scalar parameter values; call it once per parameter set"
        )
    if isinstance(near, bool) or not isinstance(near, (int, float)) or not (0 <= near < 1):
        raise AnalysisError(f"near must be a number in [0, 1), got {near!r}")
    X = _as_states(finals, dyn.dimension, "finals")
    n = X.shape[0]
    system = _System(dyn, p)
    profiles = tuple(profile for profile, _ in dyn.vertices())
    position = {dyn.game.profile_indices(profile): k for k, profile in enumerate(profiles)}
    failed = ~np.isfinite(X).all(axis=1)
    Xc = np.where(failed[:, None], 0.5, X)
    # full shares per population, (n, k_i)
    full = []
    for sl in dyn.population_slices():
        block = np.clip(Xc[:, sl], 0.0, 1.0)
        full.append(np.hstack([block, np.clip(1.0 - block.sum(axis=1, keepdims=True), 0.0, 1.0)]))
    top = np.stack([np.argmax(f, axis=1) for f in full], axis=1)  # (n, N)
    distance = np.max(np.stack([1.0 - f.max(axis=1) for f in full], axis=1), axis=1)
    sizes = tuple(pop.size for pop in dyn.game.populations)
    lookup = np.empty(int(np.prod(sizes)), dtype=int)  # mixed-radix index of a profile -> its vertex
    for key, k in position.items():
        lookup[np.ravel_multi_index(key, sizes)] = k
    nearest = lookup[np.ravel_multi_index(tuple(top.T), sizes)] if n else np.zeros(0, dtype=int)
    # supports: the whole game, or each start's face when faces are invariant (as attractors takes them)
    face_of = np.zeros(n, dtype=int)
    faces: list[Support] = [system.all_strategies]
    if starts is not None:
        S = np.clip(_as_states(starts, dyn.dimension, "starts"), 0.0, 1.0)
        if S.shape[0] != n:
            raise StateError(f"starts has {S.shape[0]} rows but finals has {n}: give one start per end state")
        if dyn.facts.faces_invariant:
            mask = np.hstack(
                [
                    np.hstack([S[:, sl], 1.0 - S[:, sl].sum(axis=1, keepdims=True)]) > 0
                    for sl in dyn.population_slices()
                ]
            )
            patterns, face_of = np.unique(mask, axis=0, return_inverse=True)
            face_of = face_of.reshape(-1)
            bounds = np.cumsum((0,) + system.sizes)
            faces = [
                tuple(
                    tuple(int(j) for j in np.flatnonzero(row[a:b])) for a, b in zip(bounds[:-1], bounds[1:])
                )
                for row in patterns
            ]
    vertex = np.full(n, -1, dtype=int)
    for f, support in enumerate(faces):
        rows = np.flatnonzero((face_of == f) & ~failed)
        if rows.size == 0 or any(not S_i for S_i in support):
            continue
        for sink in system.sinks(support):
            played = np.min(np.stack([full[i][rows, s] for i, s in enumerate(sink.profile)], axis=1), axis=1)
            inside = rows[(played >= 1.0 - 0.5 * sink.delta) & (vertex[rows] < 0)]
            vertex[inside] = position[tuple(sink.profile)]
    when = f" at t = {t:g}" if t is not None else ""
    labels = []
    for q in range(n):
        if failed[q]:
            labels.append(_FAILED)
        elif vertex[q] >= 0:
            labels.append(",".join(profiles[vertex[q]]))
        elif distance[q] <= near:
            labels.append(f"near {','.join(profiles[nearest[q]])}{when}, not certified")
        else:
            labels.append(f"not certified{when}")
    nearest[failed] = -1
    distance = np.where(failed, np.nan, distance)
    return EndStateCertificate(
        labels=tuple(labels),
        certified=vertex >= 0,
        vertex=vertex,
        nearest=nearest,
        distance=distance,
        profiles=profiles,
        t=None if t is None else float(t),
    )


def _as_states(values: Any, d: int, name: str) -> np.ndarray:
    """``values`` as a float array of shape ``(n, d)`` (a single state ``(d,)`` becomes one row)."""
    try:
        X = np.array(values, dtype=float)
    except (TypeError, ValueError):
        raise StateError(f"{name} must be an array of states of shape (n, {d})") from None
    if X.ndim == 1 and X.size == d:
        X = X[None, :]
    if X.ndim != 2 or X.shape[1] != d:
        raise StateError(f"{name} must have shape (n, {d}), got {X.shape}")
    return X
