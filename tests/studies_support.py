"""Helpers shared by the tests of gametheory.studies: a coordination game with an exact basin share."""

from __future__ import annotations

import numpy as np
from scipy.integrate import quad
from scipy.optimize import brentq

import gametheory as gt


# ------------------------------------------------------------------ helpers
def coordination_game() -> gt.Game:
    """Two populations coordinating: both get ``a`` at (s0, s0), ``b`` at (s1, s1), 0 otherwise."""
    return gt.Game.from_table(
        {"row": ["s0", "s1"], "col": ["s0", "s1"]},
        {
            ("s0", "s0"): ("a", "a"),
            ("s0", "s1"): ("0", "0"),
            ("s1", "s0"): ("0", "0"),
            ("s1", "s1"): ("b", "b"),
        },
        {"a": 1.0, "b": 1.0},
    )


def exact_basin_share(a: float, b: float) -> float:
    """Area of the basin of (s0, s0) = (1, 1) in the unit square, for a, b > 0.

    In logit coordinates u' = g(v), v' = g(u) with g = H', H(w) = (a+b) ln(1+e^w) - b w,
    so H(u) - H(v) is conserved; in shares, -a ln(1-x) - b ln x = -a ln(1-y) - b ln y.
    The saddle's stable manifold is the branch y = phi(x) != x of that level set;
    (1, 1) attracts the points above it.
    """
    star = b / (a + b)

    def h(z: float) -> float:
        return a * np.log1p(-z) + b * np.log(z)

    def phi(x: float) -> float:
        if x == star:
            return star
        lo, hi = (star, 1 - 1e-15) if x < star else (1e-300, star)
        target = h(x)
        if (h(lo) - target) * (h(hi) - target) > 0:  # h(x) below h's range on the other side: edge
            return 1.0 if x < star else 0.0
        return brentq(lambda y: h(y) - target, lo, hi, xtol=1e-15)

    area, _ = quad(lambda x: 1.0 - phi(x), 0.0, 1.0, points=[star], limit=200, epsabs=1e-10)
    return area


def _basins(dyn, store=None, executor=None, **kwargs):
    """Basins of the coordination game with a = 2, b = 1: about 0.74 / 0.26, varying per replicate."""
    options = {"n": 1024, "replicate_size": 128, "chunk_size": 128, "backend": "numpy", "progress": False,
               "t_span": (0, 60)}  # fmt: skip
    return gt.basins(dyn, {"a": 2.0, "b": 1.0}, store=store, executor=executor, **(options | kwargs))


def _same(a, b) -> None:
    for name in ("share", "standard_error", "counts"):
        np.testing.assert_array_equal(getattr(a, name).values, getattr(b, name).values)
    assert a.provenance.spec_sha256 == b.provenance.spec_sha256
