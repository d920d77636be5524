"""The result protocol of the studies: an immutable wrapper around an :class:`xarray.Dataset`.

Every study returns a frozen object whose ``data`` is an :class:`xarray.Dataset`
(parameter values as coordinates, provenance in ``data.attrs``) with
``summary()``, ``_repr_markdown_``/``_repr_html_``, ``to_frame()`` and
``plot(ax=None)``.  The Dataset's arrays are read-only.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import calls_checked
from .execution import ChunkLog

__all__ = ["Provenance"]


@calls_checked
@dataclass(frozen=True)
class Provenance:
    """Where a result comes from (read from its Dataset's ``attrs``).

    Attributes
    ----------
    fingerprint : str
        SHA-256 of the model (:attr:`gametheory.game.Game.fingerprint`).
    spec_sha256 : str
        SHA-256 of the full specification of the study (model, parameters,
        grids, starts, seeds, time span, tolerances, backend, chunking): two
        results with the same value were computed from the same inputs.
    versions : dict
        Versions of gametheory, numpy, scipy, sympy (and numba) and Python.
    backend : str
        Ensemble backend used (``"numba"`` or ``"numpy"``).

    Examples
    --------
    >>> Provenance.from_attrs({"fingerprint": "ab", "spec_sha256": "cd", "versions": '{"numpy": "2"}',
    ...                        "backend": "numpy"}).versions
    {'numpy': '2'}
    """

    fingerprint: str
    spec_sha256: str
    versions: Mapping[str, str]
    backend: str

    @classmethod
    def from_attrs(cls, attrs: Mapping[str, Any]) -> Provenance:
        """From the ``attrs`` of a study's Dataset (``versions`` is a JSON text there)."""
        return cls(
            attrs["fingerprint"], attrs["spec_sha256"], json.loads(attrs["versions"]), attrs["backend"]
        )


def provenance_attrs(
    fingerprint: str, spec_sha256: str, versions: Mapping[str, str], backend: str, **more: Any
) -> dict[str, Any]:
    """The ``attrs`` of a study's Dataset: plain strings and numbers (so it writes to NetCDF and Zarr)."""
    out = {"fingerprint": fingerprint, "spec_sha256": spec_sha256, "versions": json.dumps(dict(versions)),
           "backend": backend}  # fmt: skip
    for key, value in more.items():
        out[key] = json.dumps(value) if isinstance(value, (Mapping, list, tuple)) else value
    return out


def freeze(data: Any) -> Any:
    """``data`` (a Dataset) with every array read-only."""
    for variable in data.variables.values():
        values = variable.values
        if isinstance(values, np.ndarray):
            values.setflags(write=False)
    return data


@calls_checked
@dataclass(frozen=True)
class StudyResult:
    """Common part of :class:`SweepResult`, :class:`RegimeMap` and :class:`Basins`."""

    data: Any
    chunks: ChunkLog

    _plot_function = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        calls_checked(cls)  # every study result: a call it cannot take is a SpecificationError

    @property
    def provenance(self) -> Provenance:
        return Provenance.from_attrs(self.data.attrs)

    @property
    def fingerprint(self) -> str:
        return str(self.data.attrs["fingerprint"])

    @property
    def params(self) -> dict[str, float]:
        """Every parameter's value outside the sweep (NaN for a swept one without a default)."""
        return json.loads(self.data.attrs["params"])

    def _variable(self, name: str) -> Any:
        return self.data[name] if name in self.data else None

    def summary(self) -> str:  # pragma: no cover - each result defines it
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.summary()

    def _repr_markdown_(self) -> str:
        return "```\n" + self.summary() + "\n```"

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(self.summary()) + "</pre>"

    def plot(self, ax: Any = None, **options: Any) -> Any:
        """Draw this result with the :mod:`gametheory.plot` function of the same name."""
        from .. import plot

        return getattr(plot, self._plot_function)(self, ax=ax, **options)
