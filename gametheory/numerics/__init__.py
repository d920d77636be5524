"""Numerical integration: single trajectories, ensembles, the log-ratio chart and compiled kernels."""
