"""Studies over many parameter values and starts: sweeps, regime maps, basins and their on-disk store.

Modules: ``sweeps`` (:func:`~gametheory.studies.sweeps.sweep`), ``regimes``
(:func:`~gametheory.studies.regimes.regime_map`), ``basins``
(:func:`~gametheory.studies.basins.basins`), ``grids`` (parameter grids, sampled
starts, the vertex an end state lies at), ``execution`` (chunks, executors,
progress), ``store`` (the Zarr store a killed study resumes from) and
``results`` (the immutable result wrapper around an :class:`xarray.Dataset`).
"""
