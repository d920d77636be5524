"""Documentation that runs: every public function and class has an Examples section.

The examples themselves run as doctests (``--doctest-modules`` in pyproject.toml);
README.md's code blocks run in tests/test_readme.py.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import gametheory


def _public_objects():
    for info in pkgutil.walk_packages(gametheory.__path__, "gametheory."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module.__name__:
                yield f"{module.__name__}.{name}", obj


def test_public_objects_are_found():
    names = dict(_public_objects())
    assert "gametheory.numerics.integrate.simulate" in names
    assert "gametheory.analysis.stability.analyze" in names
    assert len(names) > 60


def test_every_public_function_and_class_has_examples():
    missing = [name for name, obj in _public_objects() if "Examples\n" not in (inspect.getdoc(obj) or "")]
    assert not missing, f"public objects without an Examples section: {missing}"
