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
  chunk file atomically (it writes a uniquely named temporary file and renames
  it), so a run killed at any moment (even by SIGKILL) leaves a consistent
  store; running the same study again loads the recorded chunks and computes
  only the missing ones (bit-identical to an uninterrupted run);
* several processes may run the same study into one store at the same time:
  creating, checking and consolidating the store happens under an exclusive
  lock (``flock`` on the store directory; where the file system refuses that,
  or on Windows, a lock file ``<store>.lock`` beside it), and the chunks they
  both compute are identical, so whichever rename comes last changes nothing;
* a chunk marked done whose file is missing, fails its checksum, decodes to the
  wrong size, or is (or lies under) a symbolic link is recomputed
  (:attr:`~gametheory.studies.execution.ChunkLog.repaired`); the link is
  replaced by a real file, and nothing outside the store is read or written;
* a store made for a different study is refused with a
  :class:`~gametheory.errors.StoreError` naming the keys that differ, and so
  is metadata edited by hand: a group or array ``zarr.json`` that is not valid
  JSON, lacks its attributes, or describes arrays of another shape, chunking,
  data type or dimension names than the study's, a missing array, an array
  directory that is a symbolic link.  Consolidated metadata (read by
  ``xarray.open_zarr``) is only a copy: when it disagrees with the arrays it is
  rewritten;
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

import contextlib
import hashlib
import json
import logging
import os
import platform
import shutil
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import StoreError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

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


# ====================================================================== locking
@contextlib.contextmanager
def exclusive(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on the store ``directory`` (it must exist) for the duration of the block.

    ``flock`` on the directory itself (POSIX; nothing is written).  Where the
    file system refuses that (some NFS mounts), or without ``fcntl`` (Windows),
    a lock file ``<directory>.lock`` beside it is locked instead.  Where neither
    is possible (a read-only place) the block runs unlocked, with a warning in
    the log: nothing can be created there anyway.  The lock is released when
    the process exits, however it exits.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with exclusive(Path(tempfile.mkdtemp())):
    ...     pass
    """
    release = _lock_directory(directory) or _lock_beside(directory)
    try:
        yield
    finally:
        if release is not None:
            release()


def _lock_directory(directory: Path) -> Callable[[], None] | None:
    if fcntl is None:  # pragma: no cover - Windows
        return None
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError:
        os.close(fd)
        return None
    return lambda: os.close(fd)  # closing the descriptor releases the lock


def _lock_beside(directory: Path) -> Callable[[], None] | None:
    lock = directory.with_name(directory.name + ".lock")
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        logger.warning("store %s: cannot lock %s (%s); going on without a lock", directory, lock, exc)
        return None
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError as exc:
            os.close(fd)
            logger.warning("store %s: cannot lock %s (%s); going on without a lock", directory, lock, exc)
            return None
        return lambda: os.close(fd)
    import msvcrt  # pragma: no cover - Windows

    while True:  # pragma: no cover - LK_LOCK tries for 10 seconds, then raises
        try:
            msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
            break
        except OSError:
            continue

    def release() -> None:  # pragma: no cover
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        os.close(fd)

    return release  # pragma: no cover


# ====================================================================== metadata
def _json_kind(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def _read_json(file: Path, where: str) -> Any:
    """The parsed JSON of a metadata file of the store (NaN kept as the string ``"NaN"``)."""
    if file.is_symlink():
        raise StoreError(f"store {where}: {file.name} at {str(file)!r} is a symbolic link; refused")
    try:
        return json.loads(file.read_bytes(), parse_constant=str)
    except OSError as exc:
        raise StoreError(f"store {where}: cannot read {str(file)!r}: {exc.strerror or exc}") from None
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise StoreError(f"store {where}: {str(file)!r} is not valid JSON ({exc})") from None


def _group_attributes(file: Path, where: str) -> dict[str, Any]:
    """The attributes in a group's ``zarr.json``, after checking that it is one."""
    meta = _read_json(file, where)
    if not isinstance(meta, dict):
        raise StoreError(f"store {where}: {str(file)!r} holds {_json_kind(meta)}, not a JSON object")
    if meta.get("node_type") != "group" or meta.get("zarr_format") != 3:
        raise StoreError(
            f"store {where}: {str(file)!r} is not the metadata of a Zarr v3 group "
            f"(node_type {meta.get('node_type')!r}, zarr_format {meta.get('zarr_format')!r})"
        )
    attrs = meta.get("attributes")
    if not isinstance(attrs, dict):
        raise StoreError(
            f"store {where}: {str(file)!r} has no 'attributes' object (found {_json_kind(attrs)})"
        )
    return attrs


def _first_link(root: Path, path: Path) -> Path | None:
    """The first of ``path`` and the folders above it, up to (not including) ``root``, that is a link."""
    current = root
    for part in path.relative_to(root).parts:
        current = current / part
        if current.is_symlink():
            return current
    return None


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
        rows = next(iter(self.layout.values()))
        self.layout["done"] = ArrayLayout(rows.dims[:1], rows.shape[:1], "bool", rows.rows)
        self.n_chunks = n_chunks
        self.spec_sha256 = spec_hash(spec)
        self.repaired: set[int] = set()
        self.where = where = repr(str(self.path))
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(f"store {where} exists and is not a directory")
        for parent in self.path.parents:
            if parent.exists() and not parent.is_dir():
                raise StoreError(
                    f"store {where} lies under {str(parent)!r}, which is a file, not a directory"
                )
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"store {where} cannot be created: {exc.strerror or exc}") from None
        with exclusive(self.path):
            for leftover in self.path.glob("*.partial"):  # Zarr's temporary file of a process killed
                leftover.unlink()  # while writing the group's zarr.json (written only under the lock)
            if (self.path / "zarr.json").exists() or (self.path / "zarr.json").is_symlink():
                group, wrote = self._open_group(zarr, spec, versions)
            else:
                group, wrote = self._create_group(zarr, spec, versions), True
            self.arrays, created = self._open_arrays(group)
            if wrote or created or not self._consolidated():
                # xarray.open_zarr(path) reads consolidated metadata without a warning; zarr warns that
                # consolidation is not (yet) in the v3 specification, which is ours to accept
                with warnings.catch_warnings():
                    warnings.filterwarnings("ignore", "Consolidated metadata", UserWarning)
                    zarr.consolidate_metadata(self.path)

    # ------------------------------------------------------------------ opening
    def _create_group(self, zarr: Any, spec: dict[str, Any], versions: dict[str, str]) -> Any:
        """A new group (the lock is held; never ``mode="w"``, which would delete another run's work)."""
        leftovers = [p.name for p in self.path.iterdir()]
        if leftovers:
            raise StoreError(
                f"store {self.where} is a non-empty directory without zarr.json (it holds "
                f"{sorted(leftovers)[:5]}); give an empty or new directory"
            )
        attrs = {"format": STORE_FORMAT, "kind": spec["kind"], "spec_sha256": self.spec_sha256, "spec": spec,
                 "versions": versions}  # fmt: skip
        try:
            return zarr.create_group(self.path, overwrite=False, attributes=attrs)
        except OSError as exc:
            raise StoreError(f"store {self.where} cannot be created: {exc.strerror or exc}") from None

    def _open_group(self, zarr: Any, spec: dict[str, Any], versions: dict[str, str]) -> tuple[Any, bool]:
        """The existing group, after checking that its attributes describe this very study."""
        where, file = self.where, self.path / "zarr.json"
        attrs = _group_attributes(file, where)
        if attrs.get("format") != STORE_FORMAT:
            raise StoreError(f"store {where} has format {attrs.get('format')!r}, expected {STORE_FORMAT!r}")
        stored = attrs.get("spec")
        if not isinstance(stored, dict):
            raise StoreError(f"store {where}: attribute 'spec' in {str(file)!r} is {_json_kind(stored)}, "
                             "not an object")  # fmt: skip
        if spec_hash(stored) != self.spec_sha256:
            differ = sorted(k for k in set(spec) | set(stored) if spec.get(k) != stored.get(k))
            raise StoreError(
                f"store {where} holds a different study ({stored.get('kind')!r} of model "
                f"{str(stored.get('fingerprint'))[:12]}...); it differs in {differ}. "
                "Use another directory, or delete this one to start afresh"
            )
        if attrs.get("spec_sha256") != self.spec_sha256:
            raise StoreError(
                f"store {where}: attribute 'spec_sha256' in {str(file)!r} does not match its spec"
            )
        found, history = attrs.get("versions"), attrs.get("resumed_with", [])
        if not isinstance(found, dict) or not isinstance(history, list):
            name = "versions" if not isinstance(found, dict) else "resumed_with"
            raise StoreError(f"store {where}: attribute {name!r} in {str(file)!r} is malformed")
        try:
            group = zarr.open_group(self.path, mode="r+", use_consolidated=False)
        except Exception as exc:  # noqa: BLE001 - zarr's own reading of the same file
            raise StoreError(f"store {where}: {str(file)!r} is not a readable Zarr group ({exc})") from None
        if found == versions:
            return group, False
        logger.warning("store %s was started with %s; resuming with %s", self.path, found, versions)
        if versions in history:
            return group, False
        group.attrs["resumed_with"] = [*history, versions]
        return group, True

    def _open_arrays(self, group: Any) -> tuple[dict[str, Any], bool]:
        """Every array of the layout, checked (or created, when a run was killed while creating them)."""
        missing = []
        for name in self.layout:
            folder = self.path / name
            if folder.is_symlink() or (folder / "zarr.json").is_symlink():
                link = folder if folder.is_symlink() else folder / "zarr.json"
                raise StoreError(f"store {self.where}: {str(link)!r} is a symbolic link; refused")
            if not (folder / "zarr.json").exists():
                missing.append(name)
        # arrays are created in layout order, `done` last, before any chunk is written
        interrupted = "done" in missing and not any((self.path / name / "c").exists() for name in self.layout)
        if missing and not interrupted:
            raise StoreError(
                f"store {self.where} lacks the array(s) {missing} (no zarr.json in their folders); "
                "delete the store to start afresh"
            )
        arrays = {name: self._create(group, name) if name in missing else self._checked(group, name)
                  for name in self.layout}  # fmt: skip
        return arrays, bool(missing)

    def _create(self, group: Any, name: str) -> Any:
        from zarr.codecs import Crc32cCodec

        layout = self.layout[name]
        return group.create_array(
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

    def _checked(self, group: Any, name: str) -> Any:
        """The array ``name``, refused unless its metadata matches its layout."""
        import zarr

        layout, file = self.layout[name], str(self.path / name / "zarr.json")
        try:
            array = group[name]
            if not isinstance(array, zarr.Array):
                raise TypeError("a group, not an array")
            encoding = array.metadata.chunk_key_encoding
            found = {
                "shape": tuple(array.shape),
                "chunk_shape": tuple(array.chunks),
                "data_type": str(array.dtype),
                "dimension_names": tuple(array.metadata.dimension_names or ()),
                "chunk_key_encoding": (encoding.name, getattr(encoding, "separator", None)),
                "crc32c": any(type(codec).__name__ == "Crc32cCodec" for codec in array.metadata.codecs),
            }
        except Exception as exc:  # noqa: BLE001 - zarr could not read the file: name it
            raise StoreError(f"store {self.where}: array {name!r} is unreadable: {file!r} ({exc})") from None
        expected = {
            "shape": layout.shape,
            "chunk_shape": (layout.rows, *layout.shape[1:]),
            "data_type": str(np.dtype(layout.dtype)),
            "dimension_names": layout.dims,
            "chunk_key_encoding": ("default", "/"),
            "crc32c": True,
        }
        differ = [f"{key} {found[key]!r} (expected {expected[key]!r})" for key in expected
                  if found[key] != expected[key]]  # fmt: skip
        if differ:
            raise StoreError(
                f"store {self.where}: array {name!r} does not match this study: {file!r} has "
                + ", ".join(differ)
            )
        return array

    def _consolidated(self) -> bool:
        """Whether the group's consolidated metadata repeats every array's own metadata."""
        copy = _read_json(self.path / "zarr.json", self.where).get("consolidated_metadata")
        entries = copy.get("metadata") if isinstance(copy, dict) else None
        return isinstance(entries, dict) and all(
            entries.get(name) == _read_json(self.path / name / "zarr.json", self.where)
            for name in self.layout
        )

    # ------------------------------------------------------------------ chunks
    def _rows(self, index: int, name: str) -> slice:
        layout = self.layout[name]
        return slice(index * layout.rows, min(layout.shape[0], (index + 1) * layout.rows))

    def _chunk_file(self, index: int, name: str) -> Path:
        return self.path.joinpath(name, "c", str(index), *(["0"] * (len(self.layout[name].shape) - 1)))

    def _inside(self, index: int, name: str) -> bool:
        """Whether chunk ``index`` of ``name`` is a real file of the store (no link on its way)."""
        file = self._chunk_file(index, name)
        return _first_link(self.path / name, file) is None and file.is_file()

    def load(self, index: int) -> dict[str, np.ndarray] | None:
        """The arrays of chunk ``index``, or ``None`` if it is not done or its data is damaged."""
        try:
            linked = _first_link(self.path / "done", self._chunk_file(index, "done")) is not None
            done = not linked and bool(np.all(self.arrays["done"][self._rows(index, "done")]))
        except Exception:  # noqa: BLE001 - a damaged flag: not done
            done = False
        if not done:
            return None
        out = {}
        for name in self.layout:
            if name == "done":
                continue
            try:
                if not self._inside(index, name):
                    raise FileNotFoundError(name)
                out[name] = np.asarray(self.arrays[name][self._rows(index, name)])
            except Exception:  # noqa: BLE001 - missing, linked, wrong size or failed checksum: recompute
                logger.warning(
                    "store %s: chunk %d of %r is missing or damaged; recomputing it", self.path, index, name
                )
                self.repaired.add(index)
                return None
        return out

    def _clear_way(self, index: int, name: str) -> None:
        """Remove a link (or a folder) where chunk ``index`` of ``name`` goes: never write through it."""
        file = self._chunk_file(index, name)
        link = _first_link(self.path / name, file)
        # another run may be repairing the same chunk: what is gone already is fine
        if link is not None:
            logger.warning("store %s: replacing the symbolic link %s by a real file", self.path, link)
            if link.is_symlink():
                link.unlink(missing_ok=True)
        elif file.is_dir():
            shutil.rmtree(file, ignore_errors=True)
        for folder in file.relative_to(self.path / name).parents:
            if (self.path / name / folder).is_file():  # a file where a folder of chunks belongs
                (self.path / name / folder).unlink(missing_ok=True)

    def save(self, index: int, arrays: Mapping[str, np.ndarray]) -> None:
        """Record chunk ``index``: its data first, then its ``done`` flags (each file replaced atomically)."""
        rows = self._rows(index, "done")
        flags = {"done": np.ones(rows.stop - rows.start, dtype=bool)}
        for name, values in [*arrays.items(), *flags.items()]:
            try:
                self._clear_way(index, name)
                self.arrays[name][self._rows(index, name)] = np.asarray(values, dtype=self.layout[name].dtype)
            except OSError as exc:
                raise StoreError(
                    f"store {self.where}: cannot write chunk {index} of {name!r}: {exc.strerror or exc}"
                ) from None
