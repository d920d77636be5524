"""Transitional: the ensemble kernels now live in tableaus, system, charts, kernel_numpy and kernel_numba.

Kept so that callers outside :mod:`gametheory.numerics` (``studies/sweeps.py``)
keep working until they import from the new modules; remove afterwards.
"""

from __future__ import annotations

from .charts import face_charts
from .kernel_numba import integrate_numba, kernel_cache_dir, kernel_is_compiled, numba_available
from .kernel_numpy import integrate_numpy
from .system import STATUS_MESSAGES, EnsembleSystem, KernelResult
from .tableaus import METHODS, TABLEAUS, Tableau

__all__ = [
    "EnsembleSystem",
    "KernelResult",
    "STATUS_MESSAGES",
    "Tableau",
    "TABLEAUS",
    "METHODS",
    "face_charts",
    "integrate_numpy",
    "integrate_numba",
    "numba_available",
    "kernel_cache_dir",
    "kernel_is_compiled",
]
