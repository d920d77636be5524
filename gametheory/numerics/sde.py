r"""Stochastic replicator dynamics: ensembles of SDE paths (payoff, additive and demographic noise).

:func:`stochastic_replicator` wraps a game's :class:`~gametheory.ReplicatorDynamics`
(its expected payoffs :math:`f_{ij}(x)`, compiled functions and parameter
handling) with one of three noises; :meth:`StochasticReplicator.simulate_many`
integrates an ensemble of Itô paths on a fixed grid and returns an immutable
:class:`SDEEnsemble`.  Time is the replicator's: with ``sigma = 0`` every
noise gives back :math:`\dot x_{ij} = x_{ij}(f_{ij} - \bar f_i)`.

Payoff noise (``noise="payoff"``; Fudenberg and Harris 1992, Imhof 2005)
-------------------------------------------------------------------------
The abundance :math:`z_{ij}` of strategy ``j`` of population ``i`` grows at its
payoff perturbed by white noise, :math:`dz_{ij} = z_{ij}(f_{ij}\,dt + \sigma_i\,dW_{ij})`,
with independent Wiener processes :math:`W_{ij}` (Itô).  With
:math:`Z_i = \sum_l z_{il}`, :math:`dZ_i = Z_i(\bar f_i\,dt + \sigma_i\sum_l x_{il}dW_{il})`,
:math:`dz_{ij}\,dZ_i = \sigma_i^2 z_{ij}^2\,dt` and :math:`(dZ_i)^2 = \sigma_i^2\sum_l z_{il}^2\,dt`,
Itô's rule for :math:`x_{ij} = z_{ij}/Z_i` gives the shares

.. math::  dx_{ij} = x_{ij}\Big[f_{ij} - \bar f_i + \sigma_i^2\Big(\sum_l x_{il}^2 - x_{ij}\Big)\Big]dt
           + \sigma_i\,x_{ij}\Big(dW_{ij} - \sum_l x_{il}\,dW_{il}\Big).

In the log-ratio chart :math:`u_{ij} = \ln(x_{ij}/x_{ik}) = \ln z_{ij} - \ln z_{ik}`,
Itô's rule gives :math:`d\ln z_{ij} = (f_{ij} - \sigma_i^2/2)\,dt + \sigma_i\,dW_{ij}`:
the Itô corrections :math:`-\sigma_i^2/2` are common to the population and cancel,

.. math::  du_{ij} = (f_{ij} - f_{ik})\,dt + \sigma_i\,(dW_{ij} - dW_{ik}).

(With a different :math:`\sigma_{ij}` per strategy the drift would gain
:math:`-(\sigma_{ij}^2 - \sigma_{ik}^2)/2`; here :math:`\sigma` is one number per
population.)  The default chart ``"log-ratio"`` integrates the log-abundances
:math:`\ell_{ij} = \ln z_{ij}` up to a constant per population (shares are
their softmax), so paths stay in the simplex by construction, with no clipping;
strategies absent at the start stay absent.  The noise is additive there:
Euler-Maruyama is already strong order 1 and ``"milstein"`` is the same scheme;
for constant payoffs it is exact.  For two strategies the share equation reads
:math:`dx = x(1-x)[\Delta + \sigma^2(1-2x)]\,dt + \sqrt2\,\sigma\,x(1-x)\,dB`:
the Stratonovich reading of the additive form below with :math:`\sqrt2\sigma`.

Additive form (``noise="additive"``, two-strategy populations)
-------------------------------------------------------------
Many applied "stochastic evolutionary game" papers (tripartite models with
Gaussian white noise) add noise to each two-strategy population's replicator
equation in Itô form, :math:`dx = x(1-x)\Delta(x)\,dt + \sigma\,x(1-x)\,dW`
(one Wiener process per population), and integrate it by Euler-Maruyama or a
stochastic Taylor (Milstein) expansion; we implement this form (noise vanishing
at both ends).  Some papers use :math:`\sigma x\,dW` instead, which does not
vanish at :math:`x = 1` and lets paths leave :math:`[0, 1]`; it is not offered.
In the logit chart :math:`y = \ln(x/(1-x))`, Itô's rule
(:math:`y' = 1/(x(1-x))`, :math:`y'' = (2x-1)/(x(1-x))^2`) gives
:math:`dy = [\Delta - \sigma^2(1-2x)/2]\,dt + \sigma\,dW`: additive noise again.

Demographic noise (``noise="demographic"``; Traulsen, Claussen and Hauert 2012)
-------------------------------------------------------------------------------
The diffusion approximation of a finite population of ``N_i`` individuals
updating by the pairwise comparison process with linear imitation ("local
update", Traulsen, Claussen and Hauert 2005): a random focal individual (type
``l``) compares itself with a random model (type ``j``) and switches with
probability :math:`\tfrac12 + \tfrac w2 (f_j - f_l)`, ``N_i`` such updates per
generation.  For two types :math:`T^\pm = x(1-x)(1 \pm w\Delta)/2`, so the
Fokker-Planck drift is :math:`T^+ - T^- = w\,x(1-x)\Delta` and the diffusion
:math:`(T^+ + T^-)/N = x(1-x)/N`.  On the replicator's time :math:`\tau = wt`
(``t`` in generations) and with :math:`\sigma^2 = 1/w`,

.. math::  dx = x(1-x)\Delta\,d\tau + \sigma\sqrt{x(1-x)/N}\,dW,

and for ``k`` types, with one Wiener process per pair of strategies
(:math:`W_{jl} = -W_{lj}`), :math:`dx_j = x_j(f_j - \bar f)\,d\tau + \sigma\sum_{l\ne j}
\sqrt{x_j x_l/N}\,dW_{jl}` (covariance :math:`\sigma^2(x_j\delta_{jl} - x_jx_l)/N`).
The noise vanishes on the boundary, which the diffusion reaches in finite time
(extinction, as in the finite process).  A step that takes a share below zero
is absorption: that share is set to 0 and the population's others rescaled to
sum to one; a population at a vertex stays there.  :attr:`SDEEnsemble.absorption_time`
reports when each population of each path reached a vertex.

Schemes
-------
``"euler-maruyama"`` (strong order 1/2, weak order 1 for multiplicative noise)
and ``"milstein"`` (strong order 1): in the shares chart, for two-strategy
populations, where each population's noise is one scalar Wiener process whose
amplitude :math:`b_i(x_i)` depends on its own share only (diagonal, hence
commutative, noise), :math:`x \mathrel{+}= a h + b\,\Delta W + \tfrac12 b b'(\Delta W^2 - h)`.
For more strategies the noise is not commutative and Milstein needs Lévy areas:
refused.  Paths are vectorised over the ensemble in numpy (a numba kernel does
not pay: one compiled payoff evaluation on the whole ensemble per step dominates).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .._checks import check_choice, check_count, check_flag, check_positive, check_t_span
from ..dynamics.replicator import ReplicatorDynamics
from ..errors import IntegrationError, ParameterError, SpecificationError, calls_checked, keywords_checked
from ..game import Game
from ..progress import progress_reporter
from .sde_results import SDEEnsemble

__all__ = ["NOISES", "SCHEMES", "SDEEnsemble", "StochasticReplicator", "stochastic_replicator"]

#: Noises of :func:`stochastic_replicator`.
NOISES = ("payoff", "additive", "demographic")
#: Schemes of :meth:`StochasticReplicator.simulate_many`.
SCHEMES = ("euler-maruyama", "milstein")
#: Charts of :meth:`StochasticReplicator.simulate_many`.
SDE_CHARTS = ("log-ratio", "shares")
#: Backends of :meth:`StochasticReplicator.simulate_many` (vectorised numpy only).
SDE_BACKENDS = ("auto", "numpy")
#: Output times kept by default (every ``n_steps // DEFAULT_OUTPUTS``-th step).
DEFAULT_OUTPUTS = 500


@calls_checked
class StochasticReplicator:
    r"""The replicator dynamics of a game with payoff, additive or demographic noise.

    Build with :func:`stochastic_replicator`; see the module docstring for the
    equations.

    Attributes
    ----------
    dynamics : ReplicatorDynamics
        The deterministic replicator dynamics (payoffs, compiled functions, parameters).
    sigma : tuple of float
        Noise amplitude of each population.
    noise : str
        ``"payoff"``, ``"additive"`` or ``"demographic"``.
    sizes : tuple of int or None
        Population sizes ``N_i`` (demographic noise only).

    Examples
    --------
    >>> from gametheory.models import classic
    >>> sde = stochastic_replicator(classic.matching_pennies_3(), 0.3)
    >>> sde.noise, sde.sigma, sde.noise_dimension
    ('payoff', (0.3, 0.3, 0.3), 6)
    """

    def __init__(self, dynamics: ReplicatorDynamics, sigma: Any, noise: str, sizes: Any) -> None:
        self.dynamics = dynamics
        game = dynamics.game
        try:
            self.noise = check_choice(noise, NOISES, name="noise")
        except IntegrationError as exc:  # a property of the model, not of an integration
            raise SpecificationError(str(exc)) from None
        counts = tuple(game.strategy_counts)
        n_pop = len(counts)
        values = np.atleast_1d(np.asarray(sigma, dtype=object))
        if values.ndim != 1 or len(values) not in (1, n_pop):
            raise SpecificationError(
                f"sigma must be one number or one per population ({n_pop}), got {sigma!r}"
            )
        checked = []
        for v in values:
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
                raise SpecificationError(f"sigma must be a number >= 0, got {v!r}")
            if not (math.isfinite(float(v)) and float(v) >= 0):
                raise SpecificationError(f"sigma must be a finite number >= 0, got {v!r}")
            checked.append(float(v))
        self.sigma = tuple(checked * n_pop if len(checked) == 1 else checked)
        if self.noise == "additive" and any(k != 2 for k in counts):
            raise SpecificationError(
                f"noise='additive' is defined for two-strategy populations; strategy counts are {list(counts)} "
                "(use noise='payoff')"
            )
        if self.noise == "demographic":
            if sizes is None:
                raise SpecificationError(
                    f"noise='demographic' needs sizes, one population size per population ({n_pop})"
                )
            sizes = tuple(np.atleast_1d(np.asarray(sizes, dtype=object)).tolist())
            if len(sizes) != n_pop:
                raise SpecificationError(
                    f"sizes must have one entry per population ({n_pop}), got {len(sizes)}"
                )
            self.sizes: tuple[int, ...] | None = tuple(
                check_count(s, name="sizes entry", minimum=2, error=SpecificationError) for s in sizes
            )
        elif sizes is not None:
            raise SpecificationError(
                f"sizes are used by noise='demographic' only, not by noise={self.noise!r}"
            )
        else:
            self.sizes = None
        self.strategy_counts = counts
        self.starts = tuple(int(s) for s in np.cumsum((0, *counts[:-1])))

    @property
    def noise_dimension(self) -> int:
        """Number ``m`` of independent Wiener processes: ``K`` (payoff), one per population
        (additive), one per pair of strategies of a population (demographic)."""
        if self.noise == "payoff":
            return sum(self.strategy_counts)
        if self.noise == "additive":
            return len(self.strategy_counts)
        return sum(k * (k - 1) // 2 for k in self.strategy_counts)

    def __repr__(self) -> str:
        extra = f", sizes={list(self.sizes)}" if self.sizes else ""
        return f"StochasticReplicator({self.dynamics.game!r}; noise={self.noise!r}, sigma={list(self.sigma)}{extra})"

    @keywords_checked
    def simulate_many(
        self,
        starts: Any,
        t_span: tuple[float, float],
        params: Mapping[str, Any] | None = None,
        *,
        dt: float = 0.01,
        scheme: str = "euler-maruyama",
        seed: int | None = None,
        chart: str | None = None,
        backend: str = "auto",
        save_every: int | None = None,
        increments: Any = None,
        progress: bool = False,
    ) -> SDEEnsemble:
        r"""Integrate an ensemble of Itô paths on the grid :math:`t_n = t_0 + nh`.

        Parameters
        ----------
        starts
            Initial reduced states, shape ``(N, d)``.
        t_span
            ``(t0, t1)``; cut into ``n = ceil((t1 - t0)/dt)`` equal steps ``h <= dt``.
        params
            One parameter set (names to scalars; the game's defaults fill the rest).
        dt
            Largest step (> 0).
        scheme
            ``"euler-maruyama"`` or ``"milstein"`` (see the module docstring).
        seed
            Seed of :func:`numpy.random.default_rng`; ``None`` draws one, stored in the result.
        chart
            ``"log-ratio"`` (default for payoff and additive noise: paths stay inside by
            construction) or ``"shares"`` (the only chart of demographic noise; for payoff
            and additive noise two-strategy populations only, where a step leaving
            ``[0, 1]`` is a discretisation artefact reported as absorption).
        backend
            ``"auto"`` or ``"numpy"`` (paths vectorised in numpy).
        save_every
            Keep every ``save_every``-th step (default: about 500 output times).
        increments
            Wiener increments to use instead of drawing them, shape ``(n, N, m)`` with
            ``m = noise_dimension`` (for convergence studies and common random numbers).
        progress
            Report progress on stderr (:mod:`gametheory.progress`).

        Returns
        -------
        SDEEnsemble

        Examples
        --------
        >>> from gametheory.models import classic
        >>> sde = stochastic_replicator(classic.hawk_dove(), 0.2)
        >>> ens = sde.simulate_many([[0.2]] * 50, (0, 5), dt=0.05, seed=1)
        >>> ens.paths.shape, ens.seed, bool(((ens.paths > 0) & (ens.paths < 1)).all())
        ((50, 1, 101), 1, True)
        """
        dyn = self.dynamics
        h_max = _check_dt(dt)
        scheme = check_choice(scheme, SCHEMES, name="scheme")
        check_choice(backend, SDE_BACKENDS, name="backend")
        progress = check_flag(progress, name="progress")
        default = "shares" if self.noise == "demographic" else "log-ratio"
        chart = check_choice(default if chart is None else chart, SDE_CHARTS, name="chart")
        two = all(k == 2 for k in self.strategy_counts)
        if chart == "log-ratio" and self.noise == "demographic":
            raise IntegrationError(
                "chart='log-ratio' is not defined for demographic noise (it reaches the boundary)"
            )
        if chart == "shares" and not two and self.noise != "demographic":
            raise IntegrationError(f"chart='shares' with noise={self.noise!r} needs two-strategy populations")
        if scheme == "milstein" and chart == "shares" and not two:
            raise IntegrationError(
                "scheme='milstein' needs commutative noise: two-strategy populations (for more strategies the "
                "demographic noise is not commutative; use 'euler-maruyama')"
            )
        (t0, t1), _ = check_t_span(t_span)
        X0 = dyn.check_states(starts, name="initial states (starts)")
        P = dyn.parameter_vector(params)
        if P.ndim != 1:
            raise ParameterError("simulate_many of an SDE takes one parameter set (scalars), not arrays")
        n_steps = max(1, math.ceil((t1 - t0) / h_max - 1e-9))
        h = (t1 - t0) / n_steps
        stride = (
            check_count(save_every, name="save_every")
            if save_every is not None
            else max(1, n_steps // DEFAULT_OUTPUTS)
        )
        N, m = X0.shape[0], self.noise_dimension
        if increments is not None:
            increments = np.asarray(increments, dtype=float)
            if increments.shape != (n_steps, N, m):
                raise IntegrationError(
                    f"increments must have shape {(n_steps, N, m)} (steps, paths, m), got {increments.shape}"
                )
        if seed is None:
            seed = int(np.random.SeedSequence().entropy % (2**63))
        else:
            seed = check_count(seed, name="seed", minimum=0)
        rng = np.random.default_rng(seed)
        stepper = _Stepper(self, P, chart, scheme, h)
        state = stepper.initial(X0)
        keep = [0]
        out = [X0.copy()]
        absorbed = np.full((N, len(self.strategy_counts)), np.nan)
        absorbed[self._at_vertex(stepper.shares(state))] = t0
        with progress_reporter(n_steps, "stochastic simulate_many", progress, unit="steps") as bar:
            for n in range(n_steps):
                dW = increments[n] if increments is not None else rng.standard_normal((N, m)) * math.sqrt(h)
                state = stepper.step(state, dW)
                if chart == "shares":
                    hit = self._at_vertex(stepper.shares(state)) & np.isnan(absorbed)
                    absorbed[hit] = t0 + (n + 1) * h
                if (n + 1) % stride == 0 or n + 1 == n_steps:
                    keep.append(n + 1)
                    out.append(stepper.reduced(state))
                bar.update(1)
        times = t0 + np.array(keep) * h
        times[-1] = t1
        paths = np.stack(out, axis=-1)
        try:
            ref = dyn.simulate(
                X0[0], (t0, t1), params, t_eval=times, method="DOP853", rtol=1e-10, atol=1e-12
            ).y
        except Exception:  # noqa: BLE001 - the reference is for drawing only; a failure leaves NaN
            ref = np.full((dyn.dimension, len(times)), np.nan)
        values = {name: float(v) for name, v in zip(dyn.game.parameter_names, P)}
        return SDEEnsemble(
            t=times,
            paths=paths,
            x0=X0.copy(),
            deterministic=np.asarray(ref, dtype=float),
            absorption_time=absorbed,
            params=values,
            state_names=dyn.state_names,
            population_names=tuple(p.name for p in dyn.game.populations),
            noise=self.noise,
            sigma=self.sigma,
            sizes=self.sizes,
            scheme=scheme,
            chart=chart,
            dt=h,
            seed=seed,
            t_span=(t0, t1),
            fingerprint=dyn.game.fingerprint,
        )

    def _at_vertex(self, full: np.ndarray) -> np.ndarray:
        """``(N, n_pop)``: whether each population is at a vertex (one share equal to 1)."""
        return np.stack(
            [(full[:, s : s + k] == 1.0).any(axis=1) for s, k in zip(self.starts, self.strategy_counts)],
            axis=1,
        )


class _Stepper:
    """One step of a scheme in a chart; the state is ``(N, K)`` log-abundances or full shares."""

    def __init__(self, model: StochasticReplicator, P: np.ndarray, chart: str, scheme: str, h: float) -> None:
        self.model, self.chart, self.scheme, self.h = model, chart, scheme, h
        self.P = P[:, None]
        self.growth = model.dynamics.compiled("growth")
        counts = model.strategy_counts
        self.blocks = list(zip(model.starts, counts))
        self.sig = np.repeat(np.array(model.sigma), counts)  # (K,)
        self.reduced_index = np.array([s + j for s, k in self.blocks for j in range(k - 1)], dtype=np.int64)

    # ---------------------------------------------------------------- charts
    def initial(self, X0: np.ndarray) -> np.ndarray:
        full = self._full(X0)
        if self.chart == "shares":
            return full
        with np.errstate(divide="ignore"):
            return np.log(full)

    def _full(self, X: np.ndarray) -> np.ndarray:
        cols, c = [], 0
        for _s, k in self.blocks:
            own = X[:, c : c + k - 1]
            cols += [own, np.clip(1.0 - own.sum(axis=1, keepdims=True), 0.0, 1.0)]
            c += k - 1
        return np.concatenate(cols, axis=1)

    def shares(self, state: np.ndarray) -> np.ndarray:
        if self.chart == "shares":
            return state
        out = np.empty_like(state)
        for s, k in self.blocks:
            block = state[:, s : s + k]
            e = np.exp(block - block.max(axis=1, keepdims=True))
            out[:, s : s + k] = e / e.sum(axis=1, keepdims=True)
        return out

    def reduced(self, state: np.ndarray) -> np.ndarray:
        return self.shares(state)[:, self.reduced_index]

    # ----------------------------------------------------------------- steps
    def step(self, state: np.ndarray, dW: np.ndarray) -> np.ndarray:
        x = self.shares(state)
        f = self.growth(x[:, self.reduced_index].T, self.P).T  # (N, K) expected payoffs
        if self.chart == "log-ratio":
            return self._step_log(state, x, f, dW)
        return self._step_shares(x, f, dW)

    def _step_log(self, L: np.ndarray, x: np.ndarray, f: np.ndarray, dW: np.ndarray) -> np.ndarray:
        h, model = self.h, self.model
        if model.noise == "payoff":
            new = L + f * h + self.sig * dW
        else:  # additive, two strategies: d logit = [Delta - sigma^2 (1 - 2x)/2] dt + sigma dW
            new = L + f * h
            for i, (s, _k) in enumerate(self.blocks):
                sg, xi = model.sigma[i], x[:, s]
                new[:, s] += -0.5 * sg**2 * (1.0 - 2.0 * xi) * h + sg * dW[:, i]
        for s, k in self.blocks:  # a constant per population: keep the largest at 0 (no overflow)
            block = new[:, s : s + k]
            block -= block.max(axis=1, keepdims=True)
        return new

    def _step_shares(self, x: np.ndarray, f: np.ndarray, dW: np.ndarray) -> np.ndarray:
        h, model = self.h, self.model
        new = x.copy()
        w = 0  # column of dW
        for i, (s, k) in enumerate(self.blocks):
            xs, fs, sg = x[:, s : s + k], f[:, s : s + k], model.sigma[i]
            mean = (xs * fs).sum(axis=1, keepdims=True)
            drift = xs * (fs - mean)
            if model.noise == "payoff":
                drift = drift + sg**2 * xs * ((xs**2).sum(axis=1, keepdims=True) - xs)
                dB = (dW[:, s] - dW[:, s + 1]) / math.sqrt(2.0)  # two strategies (checked)
                b = math.sqrt(2.0) * sg * xs[:, 0] * xs[:, 1]
                half_bb = sg**2 * xs[:, 0] * xs[:, 1] * (1.0 - 2.0 * xs[:, 0])
                new[:, s : s + k] += drift * h + np.stack([b * dB, -b * dB], axis=1)
            elif model.noise == "additive":
                dB = dW[:, i]
                b = sg * xs[:, 0] * xs[:, 1]
                half_bb = 0.5 * sg**2 * xs[:, 0] * xs[:, 1] * (1.0 - 2.0 * xs[:, 0])
                new[:, s : s + k] += drift * h + np.stack([b * dB, -b * dB], axis=1)
            else:  # demographic: one Wiener process per pair of strategies
                size = model.sizes[i]
                new[:, s : s + k] += drift * h
                for j in range(k):
                    for l in range(j + 1, k):
                        amp = sg * np.sqrt(np.maximum(xs[:, j] * xs[:, l], 0.0) / size)
                        new[:, s + j] += amp * dW[:, w]
                        new[:, s + l] -= amp * dW[:, w]
                        w += 1
                if k == 2:
                    dB = dW[:, w - 1]
                    half_bb = 0.25 * sg**2 * (1.0 - 2.0 * xs[:, 0]) / size
            if self.scheme == "milstein":  # two strategies: 1/2 b b' (dB^2 - h) on the first share
                corr = half_bb * (dB**2 - h)
                new[:, s] += corr
                new[:, s + 1] -= corr
            _absorb(new[:, s : s + k], xs)
        return new


def _absorb(block: np.ndarray, before: np.ndarray) -> None:
    """A share stepped below 0 goes extinct (set to 0, the others rescaled); extinct ones stay at 0.

    With one share left, ``x / x`` is exactly 1: the path sits on the vertex.
    """
    block[before == 0.0] = 0.0
    np.maximum(block, 0.0, out=block)
    block /= block.sum(axis=1, keepdims=True)


def _check_dt(dt: Any) -> float:
    try:
        return check_positive(dt, name="dt")
    except IntegrationError:
        raise IntegrationError(f"dt must be a positive finite step, got {dt!r}") from None


def stochastic_replicator(
    game: Game | ReplicatorDynamics, sigma: Any, *, noise: str = "payoff", sizes: Sequence[int] | None = None
) -> StochasticReplicator:
    """The replicator dynamics of ``game`` with noise (see :mod:`gametheory.numerics.sde`).

    Parameters
    ----------
    game
        A :class:`~gametheory.Game` or its :class:`~gametheory.ReplicatorDynamics`.
    sigma
        Noise amplitude (>= 0): one number, or one per population.
    noise
        ``"payoff"`` (white noise on payoffs, Fudenberg-Harris), ``"additive"``
        (:math:`\\sigma x(1-x)\\,dW` per two-strategy population, as in applied papers) or
        ``"demographic"`` (diffusion approximation of a finite population; needs ``sizes``).
    sizes
        Population sizes ``N_i`` (integers >= 2), one per population; demographic noise only.

    Raises
    ------
    SpecificationError
        Naming the culprit: sigma < 0, unknown noise, sizes missing or of the wrong length.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> stochastic_replicator(classic.hawk_dove(), 0.5, noise="demographic", sizes=[100]).sizes
    (100,)
    >>> stochastic_replicator(classic.hawk_dove(), -1)
    Traceback (most recent call last):
    ...
    gametheory.errors.SpecificationError: sigma must be a finite number >= 0, got -1
    """
    if isinstance(game, Game):
        dyn = game.replicator()
    elif isinstance(game, ReplicatorDynamics):
        dyn = game
    else:
        raise SpecificationError(f"game must be a Game or its ReplicatorDynamics, got {type(game).__name__}")
    return StochasticReplicator(dyn, sigma, noise, sizes)
