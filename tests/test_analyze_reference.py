"""``gt.analyze`` on seeded random games gives the results recorded before its speed-up (issue 15).

The reference (tests/data/analyze_reference.json) was written by tests/data/make_analyze_reference.py
with the code before the speed-up (its commit is in the file): 2x2x2, 3x3, 2x3x2, 3x3x3, 2x2x2x2 and
2x2x2x2x2 games with integer payoffs, some with parameters at non-integer values.  Exact rest points
must have the same exact expressions (equal as algebraic numbers) and 50-digit values; every point the
same kind, ESS and Nash verdicts and eigenvalues.
"""

from __future__ import annotations

import json
import pathlib

import mpmath
import numpy as np
import pytest
import sympy
from analysis_games import REFERENCE_GAMES, reference_game

import gametheory as gt

REFERENCE = json.loads((pathlib.Path(__file__).parent / "data" / "analyze_reference.json").read_text())


def _same_number(a: str, b: str) -> bool:
    """Two exact expressions (sympy text) equal as numbers to 45 significant digits."""
    if a == b:
        return True
    va, vb = sympy.N(sympy.sympify(a), 60), sympy.N(sympy.sympify(b), 60)
    return bool(abs(va - vb) <= sympy.Float("1e-45", 60) * max(1, abs(vb)))


@pytest.mark.parametrize("name", list(REFERENCE_GAMES))
def test_analyze_matches_reference(name: str) -> None:
    ref = REFERENCE["games"][name]
    game, params = reference_game(name)
    report = gt.analyze(game, params)
    rest = gt.rest_points(game, params)
    digits = {(tuple(p.support), tuple(p.point)): p.digits for p in rest}
    assert report.complete == ref["complete"]
    assert report.consistent == ref["consistent"]
    assert len(report.continua) == ref["n_continua"]
    assert len(report.equilibria) == len(ref["equilibria"])
    for e, r in zip(report.equilibria, ref["equilibria"]):
        where = f"{name}: {r['support']}"
        assert [list(s) for s in e.support] == r["support"], where
        assert (list(e.profile) if e.profile is not None else None) == r["profile"], where
        assert (e.exact is None) == (r["exact"] is None), where
        if e.exact is not None:
            assert all(_same_number(str(v), w) for v, w in zip(e.exact, r["exact"])), where
        # numeric points come from the same seeded Newton starts: equal up to round-off (1e-9)
        np.testing.assert_allclose(e.point, r["point"], rtol=0, atol=1e-12 if r["exact"] else 1e-9)
        d = digits[(tuple(e.support), tuple(e.point))]
        assert (d is None) == (r["digits"] is None), where
        if d is not None:  # 50-digit values: equal to 45 digits (the last places may round differently)
            for v, w in zip(d, r["digits"]):
                assert abs(mpmath.mpf(v) - mpmath.mpf(w)) <= mpmath.mpf("1e-45"), where
        assert e.kind.value == r["kind"], where
        assert (e.is_ess, e.is_nash, e.precision) == (r["is_ess"], r["is_nash"], r["precision"]), where
        dims = (e.stable_dimension, e.unstable_dimension, e.center_dimension)
        assert dims == (r["stable_dimension"], r["unstable_dimension"], r["center_dimension"]), where
        expected = np.array([complex(a, b) for a, b in r["eigenvalues"]])
        # 60-digit eigenvalues rounded to doubles: equal to round-off; double eigenvalues to 1e-9
        tol = 1e-12 if r["precision"] != "double" else 1e-8
        np.testing.assert_allclose(e.eigenvalues, expected, rtol=tol, atol=tol)
