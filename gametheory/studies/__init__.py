"""Studies over many parameter values: sweeps, regime maps, basins and their on-disk store."""
