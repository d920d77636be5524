r"""Finite populations: the Moran and pairwise comparison (Fermi) processes and their exact results.

:func:`gametheory.moran` and :func:`gametheory.pairwise_comparison` build a
:class:`~gametheory.finite.process.FiniteProcess`: a Markov chain on the
strategy counts of populations of finite sizes ``Z_i``.  Its exact results
(no simulation) are fixation probabilities and times of one mutant
(:mod:`.exact`), the stationary distribution in the limit of small mutation
(Fudenberg and Imhof 2006) and of the full chain with mutation (:mod:`.chain`),
and absorption probabilities from any composition; :meth:`FiniteProcess.simulate`
samples runs of the chain itself (:mod:`.simulate`).

Modules
-------
:mod:`.payoffs`
    Payoffs at a composition (self-interaction excluded; hypergeometric groups).
:mod:`.process`
    The process object, its per-event transition probabilities (:meth:`rates`).
:mod:`.exact`
    The one-mutant birth-death chain: fixation probabilities in log space, times.
:mod:`.chain`
    Enumerated compositions, the sparse full chain, embedded chains, absorption.
:mod:`.results`
    :class:`StationaryDistribution`, :class:`FixationMatrix`, :class:`StochasticStability`,
    :class:`FixationCurve`.
:mod:`.curves`
    :func:`fixation_curve`, :func:`stationary_curve`: the same results along a grid of
    population sizes or selection intensities.
:mod:`.simulate`, :mod:`.sim_results`, :mod:`._sim_kernels`
    Exact event-driven simulation (numba or numpy, seeded chunks, executors), the
    mean-field limit, :class:`FiniteSimulation`.
"""
