"""Sphinx configuration of the gametheory documentation site.

Build from the repository root (after ``pip install -e ".[all]"``)::

    python -m sphinx -W -b html docs docs/_build/html

At import this file copies ``notebooks/*.ipynb`` into ``tutorials/generated/`` (git-ignored)
and writes one reference page per documented module into ``reference/api/`` (git-ignored),
listing that module's ``__all__``; myst-nb executes the notebooks and the how-to/explanation
pages on every build. Everything is offline: no intersphinx, no external resources on the
front page.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))

import gametheory  # noqa: E402

# -- project -------------------------------------------------------------------------------
project = "gametheory"
author = "gametheory developers"
copyright = "2026, gametheory developers"
release = gametheory.__version__
version = release

# -- extensions ----------------------------------------------------------------------------
extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
]
exclude_patterns = ["_build", "jupyter_execute", "**.ipynb_checkpoints", ".gitignore"]
templates_path = ["_templates"]

# autodoc / autosummary / numpydoc
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"  # numpydoc prints the types from the docstrings
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_validation_checks: set[str] = set()

# myst / myst-nb: every notebook and text notebook runs on every build
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
nb_execution_mode = "force"
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
nb_output_stderr = "warn"  # anything a page writes to stderr (a Python warning, a log line) fails -W
nb_kernel_rgx_aliases = {".*": "gametheory-docs"}  # see _docs_kernel below

# -- HTML ----------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"gametheory {release}"
html_static_path: list[str] = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 5,
    "icon_links": [],
}
html_context = {"default_mode": "auto"}  # an explicit mode: the theme logs an error without one
html_show_sourcelink = False
html_copy_source = False

# -- sources written at build time ---------------------------------------------------------
TUTORIALS = DOCS / "tutorials" / "generated"
API = DOCS / "reference" / "api"

# The documented modules: (module, one-line description). Every name in each module's
# ``__all__`` gets its own page (autosummary); tests/test_docs_site.py checks the inventory.
MODULES = [
    ("gametheory", "the top-level API: games, dynamics, simulation, analysis, studies"),
    ("gametheory.models.crisis_governance", "the flagship government / NGO / citizen model"),
    ("gametheory.models.classic", "classic and published games"),
    ("gametheory.dynamics", "the revision protocols by name"),
    ("gametheory.dynamics.base", "what every dynamics shares"),
    ("gametheory.dynamics.replicator", "the replicator dynamics"),
    ("gametheory.dynamics.adjusted_replicator", "the adjusted (Maynard Smith) replicator"),
    ("gametheory.dynamics.replicator_mutator", "the replicator-mutator dynamics"),
    ("gametheory.dynamics.imitation", "pairwise (Fermi) imitation"),
    ("gametheory.dynamics.logit", "logit and smoothed best-response dynamics"),
    ("gametheory.dynamics.bnn", "the Brown-von Neumann-Nash dynamics"),
    ("gametheory.dynamics.smith", "the Smith dynamics"),
    ("gametheory.dynamics.given", "dynamics typed as equations"),
    ("gametheory.analysis.interior", "exact interior rest points"),
    ("gametheory.plot", "figures drawn from results"),
    ("gametheory.io", "model files: TOML and JSON"),
    ("gametheory.testing", "hypothesis strategies for your own tests"),
    ("gametheory.errors", "the errors and what they name"),
    ("gametheory.limits", "resource limits checked before work starts"),
]


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _copy_notebooks() -> None:
    TUTORIALS.mkdir(parents=True, exist_ok=True)
    sources = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    names = {p.name for p in sources}
    for stale in TUTORIALS.glob("*.ipynb"):
        if stale.name not in names:
            stale.unlink()
    for src in sources:
        dst = TUTORIALS / src.name
        if not dst.exists() or dst.read_bytes() != src.read_bytes():
            shutil.copyfile(src, dst)


def _module_page(module_name: str, description: str) -> str:
    import importlib

    module = importlib.import_module(module_name)
    names = list(getattr(module, "__all__", ()))
    title = f"``{module_name}``"
    lines = [
        title,
        "=" * len(title),
        "",
        f".. automodule:: {module_name}",
        "   :no-members:",
        "",
        f"{description[0].upper()}{description[1:]}.",
        "",
    ]
    if names:
        lines += [
            f".. currentmodule:: {module_name}",
            "",
            ".. autosummary::",
            "   :toctree: ../generated",
            "   :nosignatures:",
            "",
        ]
        lines += [f"   {name}" for name in names]
        lines.append("")
    return "\n".join(lines)


def _write_reference() -> None:
    API.mkdir(parents=True, exist_ok=True)
    for module_name, description in MODULES:
        _write_if_changed(API / f"{module_name}.rst", _module_page(module_name, description))
    toc = ["Modules", "=======", "", ".. toctree::", "   :maxdepth: 1", ""]
    toc += [f"   {module_name}" for module_name, _ in MODULES]
    _write_if_changed(API / "index.rst", "\n".join(toc) + "\n")


def _docs_kernel() -> str:
    """A Jupyter kernel spec that runs this interpreter, for myst-nb to execute the pages with.

    Written to a temporary ``JUPYTER_PATH`` directory (removed at exit), so the pages run in the
    environment that builds the docs, whatever kernels are installed. ipykernel's own startup
    log is limited to errors: it warns on every start that a kernel on a local TCP socket is
    unencrypted, and the build log must hold no warning. Warnings raised by the code in a page
    still show in its output. Figures are drawn by the inline backend, whatever ``MPLBACKEND``
    the build itself runs with.
    """
    import atexit
    import json
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="gametheory-docs-kernel-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    spec = root / "kernels" / "gametheory-docs"
    spec.mkdir(parents=True)
    argv = [
        sys.executable,
        "-m",
        "ipykernel_launcher",
        "-f",
        "{connection_file}",
        "--IPKernelApp.log_level=ERROR",
    ]
    # figures inline whatever MPLBACKEND the build runs with (a headless Agg would show none)
    # and hypothesis (property-testing pages) keeps its cache here, not in the source tree
    env = {
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "HYPOTHESIS_STORAGE_DIRECTORY": str(root / "hypothesis"),
    }
    kernel = {"argv": argv, "display_name": "Python 3 (gametheory docs)", "language": "python", "env": env}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(root), os.environ.get("JUPYTER_PATH")]))
    return "gametheory-docs"


os.environ.setdefault("GAMETHEORY_SMALL", "1")
_docs_kernel()
_copy_notebooks()
_write_reference()
