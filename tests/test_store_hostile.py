"""The store as an attack surface: concurrent writers, hand-edited metadata, damaged chunks, symbolic links."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import zarr
from studies_support import _basins, _same, coordination_game

import gametheory as gt
from gametheory import StoreError
from gametheory.studies import store as store_module

SMALL = {"n": 512, "replicate_size": 32, "chunk_size": 32, "t_span": (0, 20)}  # 16 chunks of one replicate


@pytest.fixture(scope="module")
def coordination():
    return coordination_game().replicator()


@pytest.fixture(scope="module")
def plain(coordination):
    return _basins(coordination, **SMALL)


@pytest.fixture(scope="module")
def clean(coordination, tmp_path_factory):
    """A complete store of the small study, copied by each test that damages it."""
    path = tmp_path_factory.mktemp("clean") / "basins"
    _basins(coordination, path, **SMALL)
    return path


@pytest.fixture
def copy(clean, tmp_path):
    path = tmp_path / "basins"
    shutil.copytree(clean, path, symlinks=True)
    return path


def _edit_json(file: Path, change) -> None:
    meta = json.loads(file.read_text())
    file.write_text(json.dumps(change(meta)))


def _other_chunk(tmp_path: Path, coordination, chunk: str) -> Path:
    """A valid chunk file (right size and checksum) of another study's store, outside ours."""
    other = tmp_path / "other"
    _basins(coordination, other, **(SMALL | {"seed": 7}))
    outside = tmp_path / "outside" / chunk.replace("/", "-")
    outside.parent.mkdir()
    shutil.copyfile(other / chunk, outside)
    return outside


# ------------------------------------------------------------------ concurrent writers
_CHILD = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from studies_support import _basins, coordination_game

dyn = coordination_game().replicator()
barrier, me, n_procs, stores = Path(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5:]
for round_, store in enumerate(stores):
    (barrier / f"{round_}-{me}").touch()  # start each round together, to provoke the races
    deadline = time.monotonic() + 60
    while len(list(barrier.glob(f"{round_}-*"))) < n_procs and time.monotonic() < deadline:
        time.sleep(0.002)
    res = _basins(dyn, store, **json.loads(__import__("os").environ["SMALL"]))
    print(json.dumps({"store": store, "counts": res.counts.values.tolist(), "near": res.near.values.tolist(),
                      "loaded": res.chunks.loaded, "computed": res.chunks.computed}), flush=True)
"""


def test_concurrent_processes_share_one_store(coordination, plain, clean, tmp_path):
    """Four processes run the same study into one store at once: none fails, all agree.

    Three rounds start from nothing; a fourth from a complete store with a
    corrupted chunk, a chunk linked to a file outside and a lost chunk, which
    the four processes repair at once (never touching the file outside).

    Before the lock, 10 of 24 such runs failed: ``mode="w"`` deleting another
    process's group ("Directory not empty", "No group found"), a group read
    before its attributes were written (KeyError 'versions', "different
    study"), ``ContainsArrayError`` from two creations of one array, and
    KeyError 'counts' from metadata consolidated while another process was
    still creating arrays.
    """
    n_procs, stores = 4, [str(tmp_path / f"store{r}") for r in range(4)]
    damaged = Path(stores[-1])
    shutil.copytree(clean, damaged)
    (damaged / "counts" / "c" / "3" / "0").write_bytes(b"garbage")
    outside = _other_chunk(tmp_path, coordination, "counts/c/5/0")
    (damaged / "counts" / "c" / "5" / "0").unlink()
    (damaged / "counts" / "c" / "5" / "0").symlink_to(outside)
    (damaged / "near" / "c" / "9" / "0").unlink()
    before = outside.read_bytes()
    script, barrier = tmp_path / "child.py", tmp_path / "barrier"
    script.write_text(_CHILD)
    barrier.mkdir()
    env = os.environ | {
        "PYTHONPATH": str(Path(gt.__file__).parents[1]),
        "SMALL": json.dumps(SMALL | {"t_span": list(SMALL["t_span"])}),
    }
    tests = str(Path(__file__).parent)
    children = [
        subprocess.Popen(
            [sys.executable, str(script), tests, str(barrier), str(k), str(n_procs), *stores],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(n_procs)
    ]
    outputs = [child.communicate(timeout=300) for child in children]
    for child, (_, err) in zip(children, outputs):
        assert child.returncode == 0, err[-3000:]
    runs = [json.loads(line) for out, _ in outputs for line in out.splitlines()]
    assert len(runs) == n_procs * len(stores)
    for run in runs:
        np.testing.assert_array_equal(run["counts"], plain.counts.values)
        np.testing.assert_array_equal(run["near"], plain.near.values)
        assert sorted(run["loaded"] + run["computed"]) == list(range(16))
    for store in map(Path, stores):
        assert xr.open_zarr(store)["done"].values.all()
        again = _basins(coordination, store, **SMALL)
        assert again.chunks.computed == () and again.chunks.loaded == tuple(range(16))
        _same(again, plain)
        assert not list(store.rglob("*.partial"))  # no temporary file left behind
    assert outside.read_bytes() == before and not (damaged / "counts" / "c" / "5" / "0").is_symlink()


@pytest.mark.parametrize("beside", [False, True], ids=["flock on the directory", "lock file beside"])
def test_exclusive_lock_excludes(tmp_path, monkeypatch, beside):
    if beside:  # as where the file system refuses flock on a directory
        monkeypatch.setattr(store_module, "_lock_directory", lambda directory: None)
    events: list[str] = []
    inside = threading.Event()

    def second() -> None:
        inside.wait()
        with store_module.exclusive(tmp_path):
            events.append("second")

    thread = threading.Thread(target=second)
    thread.start()
    with store_module.exclusive(tmp_path):
        inside.set()
        time.sleep(0.2)
        events.append("first")
    thread.join(timeout=10)
    assert events == ["first", "second"]
    assert (tmp_path.parent / (tmp_path.name + ".lock")).exists() == beside
    assert not list(tmp_path.iterdir())  # nothing written inside the store


# ------------------------------------------------------------------ hand-edited metadata
def _set(key, value):
    return lambda meta: meta | {key: value}


def _set_attribute(key, value):
    return lambda meta: meta | {"attributes": meta["attributes"] | {key: value}}


def _set_chunks(shape):
    return lambda meta: meta | {"chunk_grid": {"name": "regular", "configuration": {"chunk_shape": shape}}}


_GROUP = "zarr.json"
_COUNTS = "counts/zarr.json"
TAMPERED = [
    # (what, file, edit of its JSON or its raw text, culprit named in the message)
    ("group: invalid JSON", _GROUP, "{not json", r"basins/zarr.json' is not valid JSON"),
    ("group: a JSON array", _GROUP, "[1, 2]", r"basins/zarr.json' holds an array, not a JSON object"),
    ("group: a JSON string", _GROUP, '"text"', r"zarr.json' holds a string"),
    (
        "group: no attributes",
        _GROUP,
        lambda m: {k: v for k, v in m.items() if k != "attributes"},
        r"zarr.json' has no 'attributes' object",
    ),
    (
        "group: attributes a list",
        _GROUP,
        _set("attributes", []),
        r"no 'attributes' object \(found an array\)",
    ),
    ("group: node_type array", _GROUP, _set("node_type", "array"), r"not the metadata of a Zarr v3 group"),
    ("group: other format", _GROUP, _set_attribute("format", "x/1"), r"format 'x/1'"),
    (
        "group: spec a list",
        _GROUP,
        _set_attribute("spec", [1]),
        r"attribute 'spec' in .*zarr.json' is an array",
    ),
    ("group: spec a string", _GROUP, _set_attribute("spec", "s"), r"attribute 'spec' .* is a string"),
    (
        "group: spec edited",
        _GROUP,
        lambda m: _set_attribute("spec", m["attributes"]["spec"] | {"n": 4})(m),
        r"different study.*differs in \['n'\]",
    ),
    ("group: spec_sha256 edited", _GROUP, _set_attribute("spec_sha256", "0" * 64), r"'spec_sha256'"),
    ("group: versions a string", _GROUP, _set_attribute("versions", "1.0"), r"attribute 'versions'"),
    (
        "group: resumed_with a string",
        _GROUP,
        _set_attribute("resumed_with", "x"),
        r"attribute 'resumed_with'",
    ),
    ("array: invalid JSON", _COUNTS, "{", r"array 'counts' is unreadable: '.*counts/zarr.json'"),
    ("array: not an object", _COUNTS, "[]", r"array 'counts' is unreadable"),
    (
        "array: a group",
        "near/zarr.json",
        '{"zarr_format": 3, "node_type": "group"}',
        r"array 'near' is unreadable",
    ),
    ("array: unknown data_type", _COUNTS, _set("data_type", "int77"), r"array 'counts' is unreadable"),
    (
        "array: shape",
        _COUNTS,
        _set("shape", [8, 6]),
        r"array 'counts' .*counts/zarr.json' has shape \(8, 6\)",
    ),
    ("array: chunk_shape", _COUNTS, _set_chunks([2, 6]), r"array 'counts' .* chunk_shape \(2, 6\)"),
    ("array: data_type", _COUNTS, _set("data_type", "int32"), r"array 'counts' .* data_type 'int32'"),
    ("array: dimension_names", _COUNTS, _set("dimension_names", ["a", "b"]), r"'counts' .* dimension_names"),
    ("array: no checksum", _COUNTS, lambda m: m | {"codecs": m["codecs"][:1]}, r"'counts' .* crc32c False"),
    (
        "array: chunk key '.'",
        _COUNTS,
        _set("chunk_key_encoding", {"name": "default", "configuration": {"separator": "."}}),
        r"'counts' .* chunk_key_encoding",
    ),  # fmt: skip
    ("done: dtype int8", "done/zarr.json", _set("data_type", "int8"), r"array 'done' .* data_type 'int8'"),
    ("done: shape", "done/zarr.json", _set("shape", [15]), r"array 'done' .* shape \(15,\)"),
]


@pytest.mark.parametrize(
    ("file", "edit", "culprit"), [case[1:] for case in TAMPERED], ids=[c[0] for c in TAMPERED]
)
def test_hand_edited_metadata_is_refused_naming_the_culprit(coordination, copy, file, edit, culprit):
    if isinstance(edit, str):
        (copy / file).write_text(edit)
    else:
        _edit_json(copy / file, edit)
    with pytest.raises(StoreError, match=culprit):
        _basins(coordination, copy, **SMALL)


@pytest.mark.parametrize("name", ["counts", "near", "done"])
def test_missing_array_is_refused(coordination, copy, name):
    shutil.rmtree(copy / name)
    with pytest.raises(StoreError, match=rf"lacks the array\(s\) \['{name}'\]"):
        _basins(coordination, copy, **SMALL)


def test_interrupted_creation_is_completed(coordination, plain, copy):
    """A run killed while creating the arrays (no chunk written yet) leaves arrays to create, not an error."""
    for name in ("near", "done"):
        shutil.rmtree(copy / name)
    shutil.rmtree(copy / "counts" / "c")
    res = _basins(coordination, copy, **SMALL)
    _same(res, plain)
    assert res.chunks.computed == tuple(range(16))


@pytest.mark.parametrize(
    "edit",
    [
        lambda m: m | {"consolidated_metadata": "junk"},
        lambda m: {k: v for k, v in m.items() if k != "consolidated_metadata"},
        lambda m: m | {"consolidated_metadata": m["consolidated_metadata"] | {"metadata": {"counts": 1}}},
    ],
    ids=["junk", "missing", "an entry replaced"],
)
def test_inconsistent_consolidated_metadata_is_rewritten(coordination, plain, copy, edit):
    """Consolidated metadata is only a copy of the arrays' own (which are checked): it is rewritten."""
    _edit_json(copy / "zarr.json", edit)
    res = _basins(coordination, copy, **SMALL)
    _same(res, plain)
    assert res.chunks.loaded == tuple(range(16))
    view = xr.open_zarr(copy)  # reads the consolidated metadata
    assert view["counts"].shape == (16, 6) and view["done"].values.all()
    meta = json.loads((copy / "zarr.json").read_text())["consolidated_metadata"]["metadata"]
    assert meta["counts"]["shape"] == [16, 6]


def test_consistent_store_is_opened_without_writing(coordination, copy):
    before = {p: p.stat().st_mtime_ns for p in copy.rglob("zarr.json")}
    time.sleep(0.01)
    assert _basins(coordination, copy, **SMALL).chunks.loaded == tuple(range(16))
    assert {p: p.stat().st_mtime_ns for p in copy.rglob("zarr.json")} == before


# ------------------------------------------------------------------ damaged chunks and links
def _garbage(copy, tmp_path, coordination):
    (copy / "counts" / "c" / "3" / "0").write_bytes(b"\x00garbage" * 7)


def _wrong_size(copy, tmp_path, coordination):
    """A chunk of two rows (with its valid CRC-32C) where a chunk of one row belongs."""
    from zarr.codecs import Crc32cCodec

    other = zarr.create_array(tmp_path / "wide", shape=(2, 6), chunks=(2, 6), dtype="int64",
                              compressors=[Crc32cCodec()], fill_value=-1)  # fmt: skip
    other[:] = 16
    shutil.copyfile(tmp_path / "wide" / "c" / "0" / "0", copy / "counts" / "c" / "3" / "0")


def _folder_in_place(copy, tmp_path, coordination):
    (copy / "counts" / "c" / "3" / "0").unlink()
    (copy / "counts" / "c" / "3" / "0").mkdir()


def _file_in_place_of_folder(copy, tmp_path, coordination):
    shutil.rmtree(copy / "counts" / "c" / "3")
    (copy / "counts" / "c" / "3").write_bytes(b"x")


def _linked_chunk(copy, tmp_path, coordination):
    outside = _other_chunk(tmp_path, coordination, "counts/c/3/0")
    (copy / "counts" / "c" / "3" / "0").unlink()
    (copy / "counts" / "c" / "3" / "0").symlink_to(outside)


def _linked_folder(copy, tmp_path, coordination):
    outside = _other_chunk(tmp_path, coordination, "counts/c/3/0")
    shutil.rmtree(copy / "counts" / "c" / "3")
    folder = outside.parent / "folder"
    folder.mkdir()
    outside.rename(folder / "0")
    (copy / "counts" / "c" / "3").symlink_to(folder, target_is_directory=True)


def _linked_done_flags(copy, tmp_path, coordination):
    """The data of chunk 3 gone and its done flag a link to a (valid) flag outside: not done, recomputed."""
    outside = _other_chunk(tmp_path, coordination, "done/c/3")
    (copy / "counts" / "c" / "3" / "0").unlink()
    (copy / "done" / "c" / "3").unlink()
    (copy / "done" / "c" / "3").symlink_to(outside)


DAMAGE = [_garbage, _wrong_size, _folder_in_place, _file_in_place_of_folder, _linked_chunk, _linked_folder,
          _linked_done_flags]  # fmt: skip


@pytest.mark.parametrize("damage", DAMAGE, ids=[f.__name__.strip("_") for f in DAMAGE])
def test_damaged_or_linked_chunk_is_recomputed_and_nothing_outside_is_touched(
    coordination, plain, copy, tmp_path, damage
):
    damage(copy, tmp_path, coordination)
    outside = tmp_path / "outside"
    before = {p: p.read_bytes() for p in outside.rglob("*") if p.is_file()} if outside.exists() else {}
    res = _basins(coordination, copy, **SMALL)
    _same(res, plain)
    assert res.chunks.computed == (3,)
    assert res.chunks.repaired == (() if damage is _linked_done_flags else (3,))
    after = {p: p.read_bytes() for p in outside.rglob("*") if p.is_file()} if outside.exists() else {}
    assert after == before  # neither written through the link nor a new file beside its target
    for name in ("counts", "done"):
        assert store_module._first_link(copy / name, copy / name / "c" / "3" / "0") is None
    again = _basins(coordination, copy, **SMALL)
    assert again.chunks.loaded == tuple(range(16)) and again.chunks.repaired == ()


def test_linked_array_folder_is_refused(coordination, copy, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    shutil.move(copy / "counts", elsewhere)
    (copy / "counts").symlink_to(elsewhere, target_is_directory=True)
    before = {p: p.read_bytes() for p in elsewhere.rglob("*") if p.is_file()}
    with pytest.raises(StoreError, match=r"basins/counts' is a symbolic link"):
        _basins(coordination, copy, **SMALL)
    assert {p: p.read_bytes() for p in elsewhere.rglob("*") if p.is_file()} == before


def test_linked_metadata_file_is_refused(coordination, copy, tmp_path):
    for file in ("zarr.json", "near/zarr.json"):
        shutil.copyfile(copy / file, tmp_path / "meta.json")
        (copy / file).unlink()
        (copy / file).symlink_to(tmp_path / "meta.json")
        with pytest.raises(StoreError, match=rf"{file}' is a symbolic link"):
            _basins(coordination, copy, **SMALL)
        (copy / file).unlink()
        shutil.copyfile(tmp_path / "meta.json", copy / file)


def test_store_path_may_be_a_link_to_a_directory(coordination, plain, tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    first = _basins(coordination, tmp_path / "link", **SMALL)
    _same(first, plain)
    assert (real / "zarr.json").is_file()
    again = _basins(coordination, tmp_path / "link", **SMALL)
    assert again.chunks.loaded == tuple(range(16))


def test_leftover_temporary_file_does_not_block_a_new_store(coordination, plain, tmp_path):
    """A run killed while writing the group's zarr.json leaves only Zarr's temporary file."""
    store = tmp_path / "basins"
    store.mkdir()
    (store / "zarr.0123abcd.partial").write_bytes(b"{")
    _same(_basins(coordination, store, **SMALL), plain)


def test_resuming_with_other_versions_is_recorded_once(coordination, plain, copy):
    _edit_json(copy / "zarr.json", lambda m: _set_attribute("versions", {"numpy": "0.1"})(m))
    res = _basins(coordination, copy, **SMALL)
    _same(res, plain)
    assert res.chunks.loaded == tuple(range(16))
    history = xr.open_zarr(copy).attrs["resumed_with"]  # through the consolidated metadata
    assert (
        history == [zarr.open_group(copy, mode="r").attrs["resumed_with"][0]] and "gametheory" in history[0]
    )
    before = (copy / "zarr.json").stat().st_mtime_ns
    time.sleep(0.01)
    assert _basins(coordination, copy, **SMALL).chunks.loaded == tuple(range(16))
    assert (copy / "zarr.json").stat().st_mtime_ns == before
