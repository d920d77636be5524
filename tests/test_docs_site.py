"""The documentation site (docs/) builds with zero warnings and documents every public name.

One build per test session (module-scoped fixture): ``python -m sphinx -W --keep-going -b html docs
<tmp>`` with ``GAMETHEORY_SMALL=1``, which executes the eight tutorial notebooks and every how-to and
explanation page. The tests then read the built site: the object inventory (``objects.inv``), the
executed pages and the front page.
"""

from __future__ import annotations

import ast
import importlib
import os
import re
import subprocess
import sys
import zlib
from html import unescape
from pathlib import Path

import pytest
from browser import open_offline

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
HOW_TO = [
    "payoff-table",
    "equations-audit",
    "reproduce-published-model",
    "check-ess-claims",
    "dask-sweep",
    "finite-populations",
    "property-testing",
]
EXPLANATION = ["dynamics", "stability-theory", "pitfalls"]

# Lines of the build log that report a problem: Sphinx's own ("path:line: WARNING: ..."), Python's
# logging ("... WARNING | ..."), Python warnings ("...: UserWarning: ..."), and the build's summary.
PROBLEM = re.compile(
    r"WARNING|ERROR|CRITICAL|\w*Warning: |\bwarnings?\b.*treated as errors|build finished with problems"
)


def _documented_modules() -> list[str]:
    """The modules of docs/conf.py's MODULES list, read without running conf.py."""
    tree = ast.parse((DOCS / "conf.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "MODULES" for t in node.targets):
            return [name for name, _ in ast.literal_eval(node.value)]
    raise AssertionError("docs/conf.py has no MODULES list")


def _inventory(path: Path) -> dict[str, str]:
    """``{name: domain:role}`` of a Sphinx v2 inventory (four header lines, then zlib-compressed)."""
    data = path.read_bytes()
    lines = data.split(b"\n", 4)
    assert lines[0].startswith(b"# Sphinx inventory version 2"), lines[0]
    entries = {}
    for line in zlib.decompress(lines[4]).decode("utf-8").splitlines():
        match = re.match(r"(.+?)\s+(\S+:\S+)\s+(-?\d+)\s+(\S+)\s+(.*)", line)
        if match:
            entries[match.group(1)] = match.group(2)
    return entries


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("docs_html")
    env = dict(os.environ, GAMETHEORY_SMALL="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", "docs", str(out)]
    proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    log = proc.stdout + proc.stderr
    if proc.returncode != 0:
        pytest.fail(f"the docs build failed (exit {proc.returncode}):\n{log[-20000:]}")
    return out, log


def test_the_build_log_holds_no_warning(site):
    _, log = site
    problems = [line for line in log.splitlines() if PROBLEM.search(line)]
    assert not problems, "\n".join(problems)
    assert "build succeeded." in log


def test_the_documented_modules_include_the_public_ones():
    modules = set(_documented_modules())
    required = {
        "gametheory",
        "gametheory.plot",
        "gametheory.models.crisis_governance",
        "gametheory.models.classic",
        "gametheory.testing",
        "gametheory.io",
        "gametheory.dynamics",
        "gametheory.errors",
        "gametheory.limits",
    }
    assert required <= modules, required - modules


def test_every_public_name_is_in_the_inventory(site):
    out, _ = site
    inventory = _inventory(out / "objects.inv")
    documented = {"py:function", "py:class", "py:exception", "py:data", "py:attribute", "py:method"}
    missing = []
    for module_name in _documented_modules():
        assert inventory.get(module_name) == "py:module", f"{module_name} has no reference page"
        module = importlib.import_module(module_name)
        names = getattr(module, "__all__", ())
        missing += [
            f"{module_name}.{n}" for n in names if inventory.get(f"{module_name}.{n}") not in documented
        ]
    assert not missing, f"public names without a reference entry: {missing}"
    # the page of a documented name exists and shows its docstring's Examples
    page = out / "reference" / "generated" / "gametheory.analyze.html"
    assert "Examples" in page.read_text(encoding="utf-8")
    assert len(importlib.import_module("gametheory").__all__) > 50


def _output_cells(html: str) -> int:
    return html.count('class="cell_output')


def test_every_tutorial_is_executed(site):
    out, _ = site
    assert len(NOTEBOOKS) == 8
    for notebook in NOTEBOOKS:
        page = out / "tutorials" / "generated" / f"{notebook.stem}.html"
        assert page.is_file(), f"no page for {notebook.name}"
        html = page.read_text(encoding="utf-8")
        # the notebooks are stored without outputs (tests/test_notebooks.py): any output was made by the build
        assert _output_cells(html) >= 1, f"{notebook.name}: no executed output on its page"
        assert "ipythontb" not in html and "Traceback" not in html, f"{notebook.name}: an error is shown"
    # figures come out as images (inline backend), e.g. the quick start's time series and phase portrait
    quickstart = (out / "tutorials" / "generated" / "01_quickstart.html").read_text(encoding="utf-8")
    assert quickstart.count("<img") >= 2


@pytest.mark.parametrize("section, pages", [("how-to", HOW_TO), ("explanation", EXPLANATION)])
def test_how_to_and_explanation_pages_show_code_output(site, section, pages):
    out, _ = site
    for name in pages:
        page = out / section / f"{name}.html"
        assert page.is_file(), f"{section}/{name} is missing"
        html = page.read_text(encoding="utf-8")
        assert _output_cells(html) >= 3, f"{section}/{name}: too little executed output"
        assert "Traceback" not in html, f"{section}/{name}: an error is shown"


def test_pages_show_what_the_package_computes(site):
    """Spot checks that the executed output is the package's real answer."""
    out, _ = site
    wang = (out / "how-to" / "reproduce-published-model.html").read_text(encoding="utf-8")
    assert "[True, True, True]" in wang  # derived payoff differences equal the published ones
    assert "-63/20, -13/2, -10" in wang  # the ESS's exact eigenvalues
    pitfalls = (out / "explanation" / "pitfalls.html").read_text(encoding="utf-8")
    assert "heteroclinic cycle" in pitfalls and "sign flipped" in pitfalls


def test_the_front_page_cites_and_loads_nothing_external(site):
    out, _ = site
    html = (out / "index.html").read_text(encoding="utf-8")
    text = unescape(re.sub(r"<[^>]+>", "", html))  # code blocks are split into highlighted spans
    assert "@software{gametheory," in text
    assert "CITATION.cff" in text and "Zenodo" in text
    assert 'pip install "gametheory-egt[all]"' in text
    external = re.findall(r"<(?:script|link|img)\b[^>]*\b(?:src|href)=\"(?:https?:)?//[^\"]*\"", html)
    assert not external, external
    assert not re.search(r"<script[^>]*mathjax", html, re.IGNORECASE), "the front page loads MathJax"


def test_the_front_page_renders_offline_in_chromium(site):
    """The built front page in headless Chromium with the network off (tests/browser.py)."""
    out, _ = site
    check = open_offline(out / "index.html")
    assert check.console_errors == ()
    assert check.external_requests == ()
    assert check.failed_requests == ()
    for src, width, height in check.images:
        assert width > 0 and height > 0, src
    assert not check.blank()
    assert "How to cite" in check.text or "how to cite" in check.text.lower()
    assert "gt.analyze" in check.text  # the quick start is on the page
