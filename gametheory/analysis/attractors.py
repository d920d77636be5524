"""What trajectories really do: rest points, continua, neutral cycles, heteroclinic cycles.

Linearisation at rest points (:mod:`gametheory.analysis.stability`) says what happens
*near* a hyperbolic rest point.  It does not say where a trajectory from a
given start ends up, and it is silent exactly where multi-population games are
interesting: non-hyperbolic rest points, continua of rest points, closed
orbits, and heteroclinic cycles between corners.  :func:`attractors`
integrates from a sample of starts and decides, for each start, what the
trajectory approaches, with evidence that does not depend on "the final state
looks close to something".

Two paths
---------
The *replicator path* below needs two theorems, read from ``dyn.facts``: invariant faces and
per-capita growth differences equal to payoff differences
(``vertex_eigenvalues_are_payoff_differences``).  Every other dynamics (logit, BNN, Smith,
replicator-mutator, adjusted replicator, the replicator dynamics of one-population or
state-dependent games, systems typed in from their equations) takes the *general path* of
:mod:`~gametheory.analysis.attractors_general`: rest points from :func:`gametheory.analyze`,
sinks certified by trapping ellipsoids (a quadratic Lyapunov function with an interval bound of the
exact second derivative, :mod:`~gametheory.analysis.lyapunov`; no certificate at the kinks of BNN and
Smith), integration in shares with DOP853, limit cycles from a Poincare return map.  Both paths
return the same :class:`AttractorReport`.  The rest of this docstring describes the replicator path.

Coordinates
-----------
Every trajectory is integrated in log-ratio coordinates on the face of its
start (the strategies with positive share at the start).  For population
:math:`i` with support :math:`S_i` and reference strategy :math:`r_i` (the last
strategy of :math:`S_i`)

.. math::  u_{ij} = \\ln(x_{ij}/x_{i r_i}), \\qquad \\dot u_{ij} = f_{ij}(x) - f_{i r_i}(x),

where :math:`f_{ij}` is the expected payoff of strategy :math:`j` of population
:math:`i` (the chart is :class:`gametheory.numerics.charts.LogRatioChart`, the one
used by :func:`~gametheory.numerics.integrate.simulate` and the ensembles; its
field comes from the dynamics' growth rates, which for the replicator are the
expected payoffs).  Log-shares :math:`L_{ij} = \\ln x_{ij}` (a log-softmax of
:math:`u`) keep full relative precision for shares far below the smallest
double (a trajectory at :math:`x = e^{-5000}` from a corner is still resolved),
and a trajectory that merely passes a corner is never captured by rounding.
Because :math:`f_{ij}` does not depend on population :math:`i`'s own state,
:math:`\\partial \\dot u_{ij} / \\partial u_{il} = 0`: the flow is
volume-preserving in these coordinates (Liouville), so no interior rest point
and no interior periodic orbit attracts an open set.  Attractors of these
games are vertices (strict Nash equilibria; Ritzberger and Weibull 1995) or
sets reaching the boundary, such as heteroclinic cycles (Jordan 1993).

Decisions
---------
Each start is followed in chunks of doubling length up to ``t_span[1]``; after
each chunk the tests below run in this order, and the first that succeeds
decides.

*Rest point, certified* (vertices).  For a vertex :math:`v` with all payoff
advantages :math:`\\lambda_{ij} = f_{ij}(v) - f_{i v_i}(v) < 0` (a strict
Nash equilibrium of the start's face; these advantages are the eigenvalues of
the Jacobian at :math:`v`) we compute a *trapping box*
:math:`B_\\delta = \\{x : x_{i v_i} \\ge 1 - \\delta \\ \\forall i\\}` on which
every advantage is at most :math:`-m < 0`.  Each advantage is affine in every
other population's shares, so its maximum over the box (a product of
simplices) is attained at a product of the box's vertices: the certificate is
an exact finite check.  Inside the box every log-ratio
:math:`\\ln(x_{ij}/x_{i v_i})` decreases at rate at least :math:`m`, hence the
box is forward invariant and the trajectory converges to :math:`v`.  A corner
with a positive eigenvalue has no such box, so a corner a trajectory only
visits (a saddle on a heteroclinic cycle) is never reported as a limit.  After
entering the box the trajectory is followed until every non-played share is
below ``1e-12``; the reported ``rates`` (the final slopes
:math:`\\dot u`) then equal the eigenvalues.

*Heteroclinic cycle*.  The dominant profile (each population's largest share)
changes at switching times, found to solver accuracy on the dense output.
Between switches the trajectory *visits* a corner; the *dwell time* of a visit
is the time between its two switches.  A heteroclinic cycle is recognised when
the last two rounds of visits repeat the same corner sequence of period
:math:`m \\ge 2`, every corner's dwell time grew from one round to the next,
every corner was approached more closely than one round before, and every
step of the sequence leaves a corner along a direction with positive payoff
advantage (an unstable direction of that saddle).  It is then confirmed by
following the trajectory for two more rounds, beyond ``t_span[1]`` if need be:
cheap in log-ratio coordinates, where a visit costs a fixed number of steps
however long it lasts.  All four rounds must pass the tests, and in the last
one the trajectory must come within ``1e-4`` of every corner (a growing spiral
that merely passes through the quadrants of a face is not a heteroclinic
cycle); a trajectory that enters a trapping box instead is reported as
converging.  A trajectory still unresolved at ``t_span[1]`` whose corner sequence
repeats with growing dwell times is followed further, by doublings of the time
and within a budget of solver steps.  The dwell ratio is
the per-visit geometric mean :math:`(T_k / T_{k-m})^{1/m}` over the last round
(the golden ratio 1.618... for Jordan's three-player matching pennies).

*Cycles*.  A Poincare section is placed in the bounded log-ratio coordinates
(strategies going extinct are left out); the section points of successive
returns are compared.  When the last returns close up to ``cycle_tol`` (relative
to the orbit's size) the trajectory lies on, or has converged onto, a closed
orbit of its limit face.  A second orbit, started from the section point moved
by 1 % of the orbit's size towards its centre in the limit face, decides the
kind: if it closes too, the orbit belongs to a family of closed orbits (a
*neutral cycle*, e.g. around the centre of an inspection game); if its returns
contract towards the first orbit, it is an attracting *limit cycle* (the
contraction per period is reported as ``multiplier``).  The period, the
amplitude (half the peak-to-peak range of each coordinate) and the centre (the
time average over one period) are reported.  When at most two populations
oscillate, the centre is a rest point of the face: integrating
:math:`\\dot u_{ij} = f_{ij} - f_{ir_i}`, linear in the other oscillating
population's shares, over one period gives equal payoffs at the average state.
Because the flow preserves volume in log-ratio coordinates, the replicator
dynamics of these games has no attracting limit cycle (inside a face, neither);
the limit-cycle branch exists for completeness and is tested on a field that
is not a game's.

*Rest point, by the trajectory* (non-vertex and non-strict limits).  The final
state with the extinct strategies removed is polished by Gauss-Newton to a rest
point :math:`x^*` of the limit face.  Convergence is reported when the
trajectory stays within ``1e-6`` of :math:`x^*` with non-increasing distance,
no extinct strategy has a positive payoff advantage at :math:`x^*` (it would be
re-invaded: a visit, not a limit), and no eigenvalue of the Jacobian on the
start's face has positive real part beyond ``1e-6`` of the game's rate scale.
The limit belongs to a *set of rest points* (a continuum on an edge or face of
a degenerate game) when :func:`gametheory.equilibria.rest_points`, which
enumerates all rest points and continua, has a continuum through :math:`x^*`,
or when the Jacobian is singular and a rest point distinct from :math:`x^*` is
found next to it along a null direction.  Isolated limits are matched against
that enumeration too (the evidence says so).

Everything else is *unresolved* at ``t_span[1]``, with the reason.

A start whose analysis fails (a solver failure, a numerical accident) is reported as
:attr:`AttractorKind.FAILED` for that start, with the error message as evidence; the
other starts are analysed as usual.

Modules
-------
This module is the public entry point; the work is done in :mod:`~gametheory.analysis.outcomes`
(result types), :mod:`~gametheory.analysis.faces` (payoffs, trapping boxes, paths in the log-ratio
charts of :mod:`gametheory.numerics.charts`),
:mod:`~gametheory.analysis.limit_sets` (following one start; rest points),
:mod:`~gametheory.analysis.cycles` (heteroclinic cycles, closed orbits) and
:mod:`~gametheory.analysis.certify` (certifying many end states at once).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .._checks import (
    as_dynamics,
    check_count,
    check_flag,
    check_positive,
    check_t_span,
    check_tolerances,
    keywords_checked,
)
from ..dynamics.base import Dynamics
from ..errors import AnalysisError, IntegrationError, ParameterError, StateError
from ..game import Game
from ..progress import progress_reporter
from .attractors_general import GeneralSystem, uses_general_path
from .equilibria import _exact_payoffs
from .faces import _System
from .limit_sets import _Follow, _Options
from .outcomes import Attractor, AttractorKind, AttractorReport, Outcome, _group

__all__ = ["AttractorKind", "Outcome", "Attractor", "AttractorReport", "attractors"]


def _sobol_starts(dyn: Dynamics, n: int, seed: int | None) -> np.ndarray:
    """``n`` scrambled-Sobol points mapped to the product of simplices (uniform spacings per population)."""
    from scipy.stats import qmc  # scipy.stats is slow to import: only when sampling

    d = dyn.dimension
    m = max(0, math.ceil(math.log2(max(n, 1))))
    raw = qmc.Sobol(d, scramble=True, seed=seed).random_base2(m)[:n]
    out = np.empty((n, d))
    for sl in dyn.population_slices():
        block = np.sort(raw[:, sl], axis=1)
        edges = np.hstack([np.zeros((n, 1)), block])
        out[:, sl] = np.diff(np.hstack([edges, np.ones((n, 1))]), axis=1)[:, : sl.stop - sl.start]
    return out


from ..limits import MIN_HORIZON_RATE_UNITS  # noqa: E402  (resource limits live in one place)


@keywords_checked
def attractors(
    model: Game | Dynamics,
    params: Mapping[str, Any] | None = None,
    n: int = 200,
    *,
    seed: int | None = 0,
    starts: Any = None,
    t_span: tuple[float, float] | None = None,
    rtol: float = 1e-10,
    atol: float = 1e-12,
    cycle_tol: float = 1e-6,
    raise_on_failure: bool = False,
    progress: bool = False,
) -> AttractorReport:
    """Decide what the trajectory from each of a sample of starts approaches.

    Each start is integrated in log-ratio coordinates :math:`u_{ij} = \\ln(x_{ij}/x_{ir_i})`,
    :math:`\\dot u_{ij} = f_{ij}(x) - f_{ir_i}(x)` (DOP853 with dense output), in chunks of
    doubling length, and classified as a rest point (certified by a trapping box for strict
    equilibria), a set of rest points, a neutral cycle, a limit cycle, a heteroclinic cycle,
    or unresolved; see the module docstring for the tests and their evidence.  A start whose
    analysis fails is reported as :attr:`AttractorKind.FAILED` with the error message; the
    other starts are not affected.

    Parameters
    ----------
    model
        A :class:`~gametheory.game.Game` (its replicator dynamics is used) or any
        :class:`~gametheory.dynamics.base.Dynamics`.  Without invariant faces and payoff
        differences as growth differences (``dyn.facts``) the general path is taken (module
        docstring): sinks certified by trapping ellipsoids, limit cycles from a return map.
    params
        Parameter values (scalars); the game's defaults fill the rest.
    n
        Number of starts drawn from a scrambled Sobol sequence, mapped to the product of
        simplices (uniformly spaced shares per population).  Ignored when ``starts`` is given.
    seed
        Seed of the Sobol scrambling.
    starts
        Explicit starts, shape ``(n, d)`` (reduced states; starts on faces stay on their face).
    t_span
        ``(0, t1)``: integration horizon; default ``(0, 2000 / r)`` with ``r`` the largest payoff
        advantage at any vertex (the game's rate scale; on the general path the largest
        :math:`|\\lambda|` of the Jacobian at the rest points).  Heteroclinic cycles need long
        horizons: the number of corner visits grows only logarithmically with time.
    rtol, atol
        Tolerances of the integrator on the log-ratio coordinates (general path: on the shares).
    cycle_tol
        Largest gap between returns to a Poincare section, relative to the orbit's size, for a
        closed orbit.  Drift slower than this per period (a very weakly attracting or repelling
        focus) is not distinguished from a neutral cycle.
    raise_on_failure
        If True, a start whose analysis fails raises :class:`~gametheory.errors.AnalysisError`
        naming the start; by default it is reported as a ``FAILED`` outcome (evidence: the
        error) and the other starts are analysed as usual.
    progress
        Report on stderr how many starts are done (a tqdm bar when tqdm is installed, else a
        plain line; :mod:`gametheory.progress`).

    Returns
    -------
    AttractorReport
        One :class:`Outcome` per start (in the order of ``starts``), grouped into
        :class:`Attractor` s, most frequent first.

    Raises
    ------
    SpecificationError
        If ``model`` is neither a Game nor a Dynamics.
    ParameterError
        For missing, unknown or array-valued parameters.
    StateError
        For starts outside the state space, or ``n`` not a positive integer.
    IntegrationError
        For a ``t_span`` that is not ``(0, t1)`` with finite ``t1 > 0`` at least
        :data:`MIN_HORIZON_RATE_UNITS` ``/ r`` (too short to decide anything), a non-positive or
        non-finite ``rtol``, ``atol`` or ``cycle_tol``, or a ``raise_on_failure`` or
        ``progress`` that is not a boolean.

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import crisis_governance as cg
    >>> rep = gt.attractors(cg.game(), cg.STATUS_QUO, n=4, seed=1)
    >>> rep.labels[0]
    'rest point (B, P, I) = (0, 0, 0)'
    >>> all(o.certified for o in rep.outcomes)
    True
    >>> rep.share("rest point")
    1.0

    The general path: the mixed ESS of hawk-dove (one population), certified by an ellipsoid.

    >>> from gametheory.models import classic
    >>> o = gt.attractors(classic.hawk_dove(), starts=[[0.1]]).outcomes[0]
    >>> o.label, o.certified
    ('rest point (x) = (0.6667)', True)
    """
    dyn = as_dynamics(model)
    general = uses_general_path(dyn)
    p = dyn.parameter_vector(params)
    if p.ndim != 1:
        raise ParameterError("attractors takes scalar parameter values; run it once per parameter set")
    if not general and dyn.expected_payoffs is not None:
        # a complex or infinite payoff (sqrt(-1)*a, log(0)) at these values: ParameterError naming it
        _exact_payoffs(dyn.game, dyn.exact_parameter_values(params))
    rtol, atol = check_tolerances(rtol, atol)
    cycle_tol = check_positive(cycle_tol, name="cycle_tol")
    raise_on_failure = check_flag(raise_on_failure, name="raise_on_failure")
    progress = check_flag(progress, name="progress")
    if starts is None:
        xs = _sobol_starts(dyn, check_count(n, name="n (the number of starts)", error=StateError), seed)
    else:
        xs = dyn.check_states(starts, name="starts")
        if xs.shape[0] == 0:
            raise StateError("starts is empty: give at least one start of shape (d,)")
        seed = None
    system: Any = GeneralSystem(dyn, p) if general else _System(dyn, p)
    rate = system.rate if system.rate > 0 else 1.0
    if t_span is None:
        t_end = 2000.0 / rate
    else:
        (t0, t_end), _ = check_t_span(t_span)
        if t0 != 0.0:
            raise IntegrationError(
                f"t_span must start at 0 (every start is followed from t = 0), got {t_span!r}"
            )
        shortest = MIN_HORIZON_RATE_UNITS / rate
        if not t_end >= shortest:
            raise IntegrationError(
                f"t_span {t_span!r} is too short to decide where any start goes: the horizon must be at "
                f"least {shortest:.3g} ({MIN_HORIZON_RATE_UNITS:g} / r, r = {rate:.3g} the game's rate "
                "scale, its largest payoff advantage at a vertex); the default is 2000 / r"
            )
    opts = _Options(float(t_end), min(float(t_end), 20.0 / rate), rtol, atol, cycle_tol)
    outcomes = []
    with progress_reporter(len(xs), "attractors", progress, unit="starts") as bar:
        for index, x0 in enumerate(xs):
            outcomes.append(
                _follow_one(system, index, np.clip(x0, 0.0, 1.0), opts, raise_on_failure, general)
            )
            bar.update(1)
    return AttractorReport(
        game_name=dyn.game.name,
        state_names=dyn.state_names,
        params=dict(zip(dyn.game.parameter_names, map(float, p))),
        starts=xs,
        outcomes=tuple(outcomes),
        attractors=_group(outcomes, len(xs)),
        t_span=(0.0, float(t_end)),
        rtol=rtol,
        atol=atol,
        seed=seed,
        coordinates="shares" if general else "log-ratio",
    )


def _follow_one(
    system: Any, index: int, x0: np.ndarray, opts: _Options, raise_on_failure: bool, general: bool = False
) -> Outcome:
    """The outcome of one start; any failure of its analysis becomes a ``FAILED`` outcome for it alone."""
    try:
        if general:
            return system.follow(
                index, x0, opts.t_end, opts.first_chunk, opts.rtol, opts.atol, opts.cycle_tol
            )
        return _Follow(system, index, x0, opts).run()
    except Exception as exc:  # any failure of one start is that start's outcome, never the whole call's
        message = f"the analysis of this start failed: {type(exc).__name__}: {exc}"
        if raise_on_failure:
            raise AnalysisError(f"start {index} {tuple(float(v) for v in x0)}: {message}") from exc
        return Outcome(index, x0, AttractorKind.FAILED, "failed", x0, 0.0, message)
