"""The result of :meth:`gametheory.numerics.sde.StochasticReplicator.simulate_many`: :class:`SDEEnsemble`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import calls_checked
from .results import FrozenParams, html_block, import_pandas, markdown

__all__ = ["SDEEnsemble"]


@calls_checked
@dataclass(frozen=True)
class SDEEnsemble:
    """An ensemble of stochastic replicator paths (immutable).

    Attributes
    ----------
    t : ndarray, shape (n_t,)
        Output times (grid times ``t0 + n h`` kept every ``save_every`` steps, and ``t1``).
    paths : ndarray, shape (N, d, n_t)
        Reduced states of every path at ``t``.
    x0 : ndarray, shape (N, d)
    deterministic : ndarray, shape (d, n_t)
        The replicator trajectory (``sigma = 0``) from ``x0[0]`` at ``t`` (DOP853, rtol 1e-10).
    absorption_time : ndarray, shape (N, n_populations)
        When each population of each path reached a vertex (``t0`` for a start on a
        vertex; NaN: never).  In the log-ratio chart no path reaches the boundary (a
        share that rounds to 0 or 1 still has a finite log-ratio): only starts count.
    params : Mapping
    state_names, population_names : tuple of str
    noise, scheme, chart : str
    sigma : tuple of float
    sizes : tuple of int or None
    dt : float
        The step ``h`` used.
    seed : int
        Seed of the random numbers (the same seed gives the same paths).
    t_span : tuple of float
    fingerprint : str

    Examples
    --------
    >>> from gametheory import stochastic_replicator
    >>> from gametheory.models import classic
    >>> sde = stochastic_replicator(classic.hawk_dove(), 1.0, noise="demographic", sizes=[20])
    >>> ens = sde.simulate_many([[0.5]] * 200, (0, 20), dt=0.05, seed=3)
    >>> ens.quantiles([0.1, 0.9]).shape, bool(0 <= ens.absorbed_fraction[0] <= 1)
    ((2, 1, 401), True)
    >>> print(ens.summary().splitlines()[0])
    200 stochastic replicator paths of x over t in [0, 20]: demographic noise, euler-maruyama, h = 0.05
    """

    t: np.ndarray
    paths: np.ndarray
    x0: np.ndarray
    deterministic: np.ndarray
    absorption_time: np.ndarray
    params: Mapping[str, Any]
    state_names: tuple[str, ...]
    population_names: tuple[str, ...]
    noise: str
    sigma: tuple[float, ...]
    sizes: tuple[int, ...] | None
    scheme: str
    chart: str
    dt: float
    seed: int
    t_span: tuple[float, float]
    fingerprint: str

    def __post_init__(self) -> None:
        for name in ("t", "paths", "x0", "deterministic", "absorption_time"):
            getattr(self, name).setflags(write=False)
        if not isinstance(self.params, FrozenParams):
            object.__setattr__(self, "params", FrozenParams(self.params))

    def __len__(self) -> int:
        return int(self.paths.shape[0])

    @property
    def final(self) -> np.ndarray:
        """States at ``t1``, shape ``(N, d)``."""
        return self.paths[:, :, -1]

    @property
    def absorbed_fraction(self) -> np.ndarray:
        """Share of paths whose population reached a vertex by ``t1``, shape ``(n_populations,)``."""
        return np.mean(~np.isnan(self.absorption_time), axis=0)

    def mean(self) -> np.ndarray:
        """Mean over paths, shape ``(d, n_t)``."""
        return self.paths.mean(axis=0)

    def quantiles(self, q: Sequence[float]) -> np.ndarray:
        """Quantiles over paths at every time, shape ``(len(q), d, n_t)``."""
        return np.quantile(self.paths, np.asarray(q, dtype=float), axis=0)

    def summary(self) -> str:
        """A few lines of text: size, noise, scheme, spread and absorption at ``t1``."""
        lines = [
            f"{len(self)} stochastic replicator paths of {', '.join(self.state_names)} over t in "
            f"[{self.t_span[0]:g}, {self.t_span[1]:g}]: {self.noise} noise, {self.scheme}, h = {self.dt:g}",
            f"sigma {list(self.sigma)}"
            + (f", sizes {list(self.sizes)}" if self.sizes else "")
            + f"; {self.chart} chart; seed {self.seed}",
        ]
        lo, mid, hi = self.quantiles([0.05, 0.5, 0.95])[:, :, -1]
        lines.append(
            "at t1 (5%, median, 95%): "
            + ", ".join(
                f"{n} ({a:.3g}, {b:.3g}, {c:.3g})" for n, a, b, c in zip(self.state_names, lo, mid, hi)
            )
        )
        if not np.isnan(self.absorption_time).all():
            lines.append(
                "absorbed at a vertex by t1: "
                + ", ".join(f"{p} {f:.1%}" for p, f in zip(self.population_names, self.absorbed_fraction))
            )
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        return markdown(self.summary())

    def _repr_html_(self) -> str:
        return html_block(self.summary())

    def to_frame(self) -> Any:
        """A :class:`pandas.DataFrame` in long format: ``path``, ``t`` and the state coordinates.

        Examples
        --------
        >>> from gametheory import stochastic_replicator
        >>> from gametheory.models import classic
        >>> ens = stochastic_replicator(classic.hawk_dove(), 0.1).simulate_many([[0.3]], (0, 1), dt=0.5, seed=0)
        >>> ens.to_frame().shape
        (3, 3)
        """
        pd = import_pandas()
        n, _d, n_t = self.paths.shape
        data: dict[str, Any] = {"path": np.repeat(np.arange(n), n_t), "t": np.tile(self.t, n)}
        for c, name in enumerate(self.state_names):
            data[name] = self.paths[:, c, :].reshape(-1)
        return pd.DataFrame(data)

    def plot(self, ax: Any = None) -> Any:
        """Sample paths, quantile bands and the deterministic trajectory (:func:`gametheory.plot.stochastic_paths`)."""
        from ..plot import stochastic_paths

        return stochastic_paths(self, ax=ax)

    def __repr__(self) -> str:
        return f"SDEEnsemble({len(self)} paths, noise={self.noise!r}, scheme={self.scheme!r}, h={self.dt:g}, seed={self.seed})"
