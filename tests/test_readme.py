"""Every code block of README.md runs as written.

Python blocks run in order in one namespace (as a reader pastes them into one
session), in a temporary working directory; TOML blocks must load as model
files; the two shell commands are checked by tests/test_packaging.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import pytest

import gametheory as gt

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", flags=re.S | re.M)


def _blocks(language: str) -> list[str]:
    return [code for lang, code in BLOCK.findall((ROOT / "README.md").read_text()) if lang == language]


def test_readme_has_code_to_run():
    assert len(_blocks("python")) >= 4
    assert _blocks("toml")


def test_no_placeholders_in_python_blocks():
    for code in _blocks("python"):
        assert "..." not in code, f"a README block holds a placeholder:\n{code}"


def test_python_blocks_run_in_order(tmp_path, monkeypatch):
    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    for code in _blocks("toml"):  # a block may load the README's model file
        (tmp_path / "my_model.toml").write_text(code)
    namespace: dict = {"__name__": "readme"}
    for k, code in enumerate(_blocks("python")):
        try:
            exec(compile(code, f"README.md python block {k + 1}", "exec"), namespace)
        except Exception as exc:  # pragma: no cover - the message names the block
            pytest.fail(f"README python block {k + 1} failed: {type(exc).__name__}: {exc}\n{code}")


@pytest.mark.parametrize("k", range(len(_blocks("toml"))))
def test_toml_blocks_load(k):
    game = gt.loads_game(_blocks("toml")[k])
    assert game.populations
