"""Results of :func:`~gametheory.analysis.continuation.continuation`: branches and bifurcations (immutable)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ._text import _pandas

__all__ = ["Branch", "Bifurcation", "ContinuationResult", "KINDS"]

KINDS = ("fold", "transcritical", "pitchfork", "hopf")


@dataclasses.dataclass(frozen=True)
class Branch:
    """One continued curve of rest points (immutable).

    Attributes
    ----------
    parameter : ndarray, shape (n,)
        Values of the continuation parameter along the branch, in arclength order.
    states : ndarray, shape (n, d)
        The rest points (reduced coordinates).
    eigenvalues : ndarray of complex, shape (n, d)
        Eigenvalues of the state Jacobian, by decreasing real part.
    stability : tuple of str
        Per point: ``"stable"`` (every real part negative), ``"unstable"`` or ``"neutral"``.
    inside : ndarray of bool, shape (n,)
        Whether the point lies in the state space (shares in [0, 1]).
    origin : str
        How the branch was found (``"rest point at p = ..."`` or ``"branch switch at ..."``).

    Examples
    --------
    >>> from gametheory.models import classic
    >>> from gametheory import continuation
    >>> res = continuation(classic.hawk_dove(), "V", {"C": 3.0}, span=(1.0, 2.0))
    >>> b = res.branches[0]
    >>> b.states.shape[1], b.stability[0]
    (1, 'unstable')
    """

    parameter: np.ndarray
    states: np.ndarray
    eigenvalues: np.ndarray
    stability: tuple[str, ...]
    inside: np.ndarray
    origin: str

    def __post_init__(self) -> None:
        for name in ("parameter", "states", "eigenvalues", "inside"):
            arr = np.array(getattr(self, name))
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    @property
    def stable(self) -> np.ndarray:
        """Boolean mask of the stable points."""
        return np.array([s == "stable" for s in self.stability])

    def __len__(self) -> int:
        return len(self.parameter)


@dataclasses.dataclass(frozen=True)
class Bifurcation:
    """A located bifurcation of rest points (immutable).

    Attributes
    ----------
    kind : str
        ``"fold"``, ``"transcritical"``, ``"pitchfork"`` or ``"hopf"``.
    parameter : float
        The located parameter value (to about 1e-12).
    state : ndarray
        The rest point there.
    exact : sympy.Expr or None
        The parameter value as an exact algebraic number, where the algebra allows.
    eigenvalues : ndarray of complex
        Eigenvalues of the state Jacobian there.
    branch : int
        Index of the branch it was found on.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> from gametheory import continuation
    >>> res = continuation(classic.hawk_dove(), "V", {"C": 3.0}, span=(1.0, 5.0))
    >>> [(b.kind, b.exact) for b in res.bifurcations]
    [('transcritical', 3)]
    """

    kind: str
    parameter: float
    state: np.ndarray
    exact: Any
    eigenvalues: np.ndarray
    branch: int

    def __post_init__(self) -> None:
        for name in ("state", "eigenvalues"):
            arr = np.array(getattr(self, name))
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    @property
    def error(self) -> float | None:
        """``|parameter - exact|`` when the exact value is known."""
        return None if self.exact is None else abs(self.parameter - float(self.exact))


@dataclasses.dataclass(frozen=True)
class ContinuationResult:
    """Rest-point branches of a dynamics over a parameter span, with their bifurcations.

    Attributes
    ----------
    parameter : str
        The continuation parameter.
    span : (float, float)
        Its range.
    branches : tuple of Branch
    bifurcations : tuple of Bifurcation
        Sorted by parameter value; one per distinct (parameter, state).
    state_names : tuple of str
    notes : tuple of str
        Branches that stopped before the span's end or the state space's edge, and why.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> from gametheory import continuation
    >>> res = continuation(classic.hawk_dove(), "V", {"C": 3.0}, span=(1.0, 5.0))
    >>> len(res.branches) >= 3, res.parameter
    (True, 'V')
    >>> print(res.summary().splitlines()[0])
    Continuation in V over [1, 5]: 3 branches, 1 bifurcation
    """

    parameter: str
    span: tuple[float, float]
    branches: tuple[Branch, ...]
    bifurcations: tuple[Bifurcation, ...]
    state_names: tuple[str, ...]
    notes: tuple[str, ...] = ()
    dynamics: Any = dataclasses.field(repr=False, compare=False, default=None)

    def summary(self) -> str:
        """Plain-text account: the branches and each bifurcation with its exact value."""
        lo, hi = self.span
        nb, nf = len(self.branches), len(self.bifurcations)
        lines = [
            f"Continuation in {self.parameter} over [{lo:g}, {hi:g}]: {nb} branch{'es' * (nb != 1)}, "
            f"{nf} bifurcation{'s' * (nf != 1)}"
        ]
        for k, b in enumerate(self.branches):
            lines.append(
                f"  branch {k}: {len(b)} points, {self.parameter} in [{b.parameter.min():.6g}, "
                f"{b.parameter.max():.6g}] ({b.origin})"
            )
        for f in self.bifurcations:
            state = ", ".join(f"{v:.6g}" for v in f.state)
            exact = "" if f.exact is None else f" = {f.exact} (|error| {f.error:.1e})"
            lines.append(f"  {f.kind} at {self.parameter} = {f.parameter:.12g}{exact}, state ({state})")
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<ContinuationResult in {self.parameter}: {len(self.branches)} branches, {len(self.bifurcations)} bifurcations>"

    def to_frame(self) -> Any:
        """One row per branch point: branch, parameter, states, stability, inside (pandas)."""
        rows = []
        for k, b in enumerate(self.branches):
            for i in range(len(b)):
                row = {"branch": k, self.parameter: float(b.parameter[i])}
                row.update({n: float(v) for n, v in zip(self.state_names, b.states[i])})
                row.update({"stability": b.stability[i], "inside": bool(b.inside[i])})
                rows.append(row)
        return _pandas().DataFrame(rows)

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Bifurcation diagram (see :func:`gametheory.plot.bifurcation_diagram`)."""
        from ..plot import bifurcation_diagram

        return bifurcation_diagram(self, ax=ax, **kwargs)
