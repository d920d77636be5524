"""The on-disk store of a study: a Zarr group that a killed run resumes from.

``store="path/to/dir"`` keeps one Zarr (v3) group per study.  Its attributes
hold the study's full specification (model fingerprint, parameters, grids,
starts, seeds, tolerances, backend, chunking), its SHA-256 and the package
versions.  Each result array is chunked exactly as the study is (one Zarr chunk
per unit of work, with a CRC-32C checksum), and a boolean array ``done`` marks
the rows (trajectories, cells, replicates or grid points) whose chunk is
recorded.

Durability:

* a chunk's data is written before its ``done`` flag, and Zarr replaces every
  chunk file atomically, so a run killed at any moment (even by SIGKILL) leaves
  a consistent store; running the same study again loads the recorded chunks
  and computes only the missing ones (bit-identical to an uninterrupted run);
* a chunk marked done whose file is missing or fails its checksum is recomputed
  (:attr:`~gametheory.studies.execution.ChunkLog.repaired`);
* a store made for a different study is refused with a
  :class:`~gametheory.errors.StoreError` naming the keys that differ;
* while a study runs (or after it was interrupted), ``xarray.open_zarr(path)``
  shows it: ``done`` per row, results NaN (or the fill value) where not done.

Examples
--------
>>> import tempfile, xarray
>>> import gametheory as gt
>>> from gametheory.models import classic
>>> path = tempfile.mkdtemp() + "/basins"
>>> res = gt.basins(classic.matching_pennies_3(), n=64, replicate_size=32, chunk_size=32,
...                 t_span=(0, 5), backend="numpy", store=path)
>>> bool(xarray.open_zarr(path)["done"].all())
True
>>> gt.basins(classic.matching_pennies_3(), n=64, replicate_size=32, chunk_size=32,
...           t_span=(0, 5), backend="numpy", store=path).chunks.loaded
(0, 1)
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import StoreError

__all__: list[str] = []

logger = logging.getLogger(__name__)

STORE_FORMAT = "gametheory-store/2"


@dataclass(frozen=True)
class ArrayLayout:
    """One result array of a study: ``dims[0]`` is the row dimension, cut into chunks of ``rows`` rows."""

    dims: tuple[str, ...]
    shape: tuple[int, ...]
    dtype: str
    rows: int

    @property
    def fill(self) -> Any:
        kind = np.dtype(self.dtype).kind
        return float("nan") if kind == "f" else (False if kind == "b" else -1)


def versions(backend: str) -> dict[str, str]:
    """Versions of the packages a result depends on (numba only with the numba backend)."""
    import scipy
    import sympy

    from .._version import __version__

    out = {
        "gametheory": __version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "sympy": sympy.__version__,
        "python": platform.python_version(),
    }
    if backend == "numba":
        import numba

        out["numba"] = numba.__version__
    return out


def digest(arr: Any) -> dict[str, Any]:
    """A JSON-able identity of an array: shape, dtype and SHA-256 of its bytes (values too, when small)."""
    a = np.ascontiguousarray(arr)
    out: dict[str, Any] = {
        "shape": list(a.shape),
        "dtype": str(a.dtype),
        "sha256": hashlib.sha256(a.tobytes()).hexdigest(),
    }
    if a.size <= 256 and a.dtype.kind in "fiub":
        out["values"] = a.tolist()
    return out


def spec_hash(spec: Mapping[str, Any]) -> str:
    """SHA-256 of a study's specification (canonical JSON)."""
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()


def _open_zarr() -> Any:
    try:
        import zarr
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise ImportError('stores need zarr: pip install "zarr>=3"') from exc
    return zarr


class Store:
    """A study's Zarr group (see the module docstring): ``load(i)`` and ``save(i, arrays)`` per chunk."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        spec: dict[str, Any],
        versions: dict[str, str],
        layout: Mapping[str, ArrayLayout],
        n_chunks: int,
    ) -> None:
        zarr = _open_zarr()
        if isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)):
            raise StoreError(
                f"store must be a directory path (str or os.PathLike), got {type(path).__name__} {path!r:.60}"
            )
        if "\0" in str(path):
            raise StoreError(f"store path {str(path)!r} contains a NUL byte")
        self.path = Path(path)
        self.layout = dict(layout)
        self.n_chunks = n_chunks
        self.spec_sha256 = spec_hash(spec)
        self.repaired: set[int] = set()
        where = repr(str(self.path))
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(f"store {where} exists and is not a directory")
        for parent in self.path.parents:
            if parent.exists() and not parent.is_dir():
                raise StoreError(
                    f"store {where} lies under {str(parent)!r}, which is a file, not a directory"
                )
        if (self.path / "zarr.json").exists():
            try:
                self.group = zarr.open_group(self.path, mode="r+")
                attrs = dict(self.group.attrs)
            except Exception as exc:  # noqa: BLE001 - any failure to read means an unreadable store
                raise StoreError(f"store {where}: unreadable Zarr group ({exc})") from None
            if attrs.get("format") != STORE_FORMAT:
                raise StoreError(
                    f"store {where} has format {attrs.get('format')!r}, expected {STORE_FORMAT!r}"
                )
            stored = attrs.get("spec", {})
            if attrs.get("spec_sha256") != self.spec_sha256:
                differ = sorted(k for k in set(spec) | set(stored) if spec.get(k) != stored.get(k))
                raise StoreError(
                    f"store {where} holds a different study ({stored.get('kind')!r} of model "
                    f"{str(stored.get('fingerprint'))[:12]}...); it differs in {differ}. "
                    "Use another directory, or delete this one to start afresh"
                )
            if attrs.get("versions") != versions:
                logger.warning(
                    "store %s was started with %s; resuming with %s", self.path, attrs["versions"], versions
                )
                history = list(attrs.get("resumed_with", []))
                if versions not in history:
                    self.group.attrs["resumed_with"] = [*history, versions]
        else:
            if self.path.exists() and any(self.path.iterdir()):
                raise StoreError(
                    f"store {where} is a non-empty directory without zarr.json; give an empty or new directory"
                )
            try:
                self.group = zarr.open_group(self.path, mode="w")
            except OSError as exc:
                raise StoreError(f"store {where} cannot be created: {exc.strerror or exc}") from None
            self.group.attrs.update(
                {"format": STORE_FORMAT, "kind": spec["kind"], "spec_sha256": self.spec_sha256, "spec": spec,
                 "versions": versions}
            )  # fmt: skip
        rows = next(iter(self.layout.values()))
        self.layout["done"] = ArrayLayout(rows.dims[:1], rows.shape[:1], "bool", rows.rows)
        created = [name for name in self.layout if name not in self.group]
        self.arrays = {name: self._array(name, spec) for name, spec in self.layout.items()}
        if created or "resumed_with" in self.group.attrs:
            # xarray.open_zarr(path) reads consolidated metadata without a warning; zarr warns that
            # consolidation is not (yet) in the v3 specification, which is ours to accept
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "Consolidated metadata", UserWarning)
                zarr.consolidate_metadata(self.path)
            self.group = zarr.open_group(self.path, mode="r+")
            self.arrays = {name: self.group[name] for name in self.layout}

    def _array(self, name: str, layout: ArrayLayout) -> Any:
        """The Zarr array ``name`` (created when missing: a run killed while creating the store)."""
        from zarr.codecs import Crc32cCodec

        if name in self.group:
            return self.group[name]
        return self.group.create_array(
            name,
            shape=layout.shape,
            chunks=(layout.rows, *layout.shape[1:]),
            dtype=layout.dtype,
            fill_value=layout.fill,
            compressors=[Crc32cCodec()],
            dimension_names=layout.dims,
            attributes={"_FillValue": layout.fill} if layout.dtype != "bool" else {},
            config={"write_empty_chunks": True},
        )

    def _rows(self, index: int, name: str) -> slice:
        layout = self.layout[name]
        return slice(index * layout.rows, min(layout.shape[0], (index + 1) * layout.rows))

    def _chunk_file(self, index: int, name: str) -> Path:
        return self.path.joinpath(name, "c", str(index), *(["0"] * (len(self.layout[name].shape) - 1)))

    def load(self, index: int) -> dict[str, np.ndarray] | None:
        """The arrays of chunk ``index``, or ``None`` if it is not done or its data is damaged."""
        try:
            done = bool(np.all(self.arrays["done"][self._rows(index, "done")]))
        except Exception:  # noqa: BLE001 - a damaged flag: not done
            done = False
        if not done:
            return None
        out = {}
        for name in self.layout:
            if name == "done":
                continue
            try:
                if not self._chunk_file(index, name).is_file():
                    raise FileNotFoundError(name)
                out[name] = np.asarray(self.arrays[name][self._rows(index, name)])
            except Exception:  # noqa: BLE001 - missing file or checksum failure: recompute
                logger.warning(
                    "store %s: chunk %d of %r is missing or damaged; recomputing it", self.path, index, name
                )
                self.repaired.add(index)
                return None
        return out

    def save(self, index: int, arrays: Mapping[str, np.ndarray]) -> None:
        """Record chunk ``index``: its data first, then its ``done`` flags (each file replaced atomically)."""
        for name, values in arrays.items():
            self.arrays[name][self._rows(index, name)] = np.asarray(values, dtype=self.layout[name].dtype)
        rows = self._rows(index, "done")
        self.arrays["done"][rows] = np.ones(rows.stop - rows.start, dtype=bool)
