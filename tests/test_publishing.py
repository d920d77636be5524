"""Ready to publish and cite: licence, citation file, changelog, and a wheel that works on its own.

The packaging check builds the sdist and the wheel from the checkout (``python -m build
--no-isolation``: no network), installs the wheel into a fresh virtual environment outside
the checkout and runs the README's quick start there.  The fresh environment borrows the
already installed *dependencies* through a ``.pth`` line (a plain path: the editable
install's finder in that folder is not activated), so the package itself can only come
from the wheel -- a module or data file missing from the wheel fails the quick start.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest
import yaml

import gametheory as gt

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _quick_start() -> str:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.+?)```", section, flags=re.S)[0]


def test_licence_file_matches_pyproject():
    assert PYPROJECT["project"]["license"] == "MIT"
    assert PYPROJECT["project"]["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License")
    assert "WITHOUT WARRANTY OF ANY KIND" in text


def test_citation_file_describes_this_release():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0"
    assert cff["type"] == "software"
    assert cff["version"] == gt.__version__ == PYPROJECT["project"]["version"]
    assert cff["license"] == PYPROJECT["project"]["license"]
    assert cff["title"].startswith("gametheory")
    assert cff["authors"] and all("name" in a or "family-names" in a for a in cff["authors"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(cff["date-released"]))


def test_changelog_has_this_release():
    text = (ROOT / "CHANGELOG.md").read_text()
    assert f"## [{gt.__version__}]" in text
    assert "## [Unreleased]" in text


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return out


def _package_files() -> set[str]:
    """Every file of the import package in the checkout (sources and data), as wheel paths."""
    files = set()
    for path in (ROOT / "gametheory").rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            files.add(path.relative_to(ROOT).as_posix())
    return files


def test_wheel_holds_every_package_file_and_the_licence(dist):
    (wheel,) = dist.glob("gametheory_egt-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = _package_files() - names
    assert not missing, f"files missing from the wheel: {sorted(missing)}"
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    metadata = zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith(".dist-info/METADATA"))
    ).decode()  # fmt: skip
    assert f"Version: {gt.__version__}" in metadata
    for requirement in PYPROJECT["project"]["dependencies"]:
        name = re.split(r"[<>=;\s]", requirement, maxsplit=1)[0]
        assert re.search(rf"^Requires-Dist: {re.escape(name)}\b", metadata, flags=re.M), name


def test_sdist_holds_the_files_to_cite_and_build(dist):
    (sdist,) = dist.glob("gametheory_egt-*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    for name in ("LICENSE", "README.md", "CITATION.cff", "CHANGELOG.md", "pyproject.toml"):
        assert name in names, name
    assert {f for f in _package_files() if f.endswith(".py")} <= names


def test_wheel_installed_outside_the_checkout_runs_the_quick_start(dist, tmp_path):
    (wheel,) = dist.glob("gametheory_egt-*.whl")
    env_dir = tmp_path / "fresh-venv"
    venv.create(env_dir, with_pip=False, symlinks=True)
    python = env_dir / "bin" / "python"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index", str(wheel)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr[-3000:]
    fresh_site = Path(
        subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                       capture_output=True, text=True, check=True).stdout.strip()
    )  # fmt: skip
    # the dependencies come from this environment; the package itself only from the wheel
    (fresh_site / "_borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["MPLBACKEND"] = "Agg"
    script = (
        "import gametheory, pathlib\n"
        f"assert pathlib.Path(gametheory.__file__).is_relative_to({str(fresh_site)!r}), gametheory.__file__\n"
        + _quick_start()
        + "\nprint('QUICK START OK', gametheory.__version__)\n"
    )
    run = subprocess.run(
        [str(python), "-c", script], cwd=work, env=env, capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert f"QUICK START OK {gt.__version__}" in run.stdout
    cli = subprocess.run([str(env_dir / "bin" / "gametheory"), "--help"], cwd=work, env=env,
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert cli.returncode == 0 and "python -m gametheory" in cli.stdout, cli.stderr
