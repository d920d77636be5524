"""Write tests/data/analyze_reference.json: what ``gt.analyze`` returns on seeded random games.

Made with the code BEFORE the issue-15 speed-up of ``analyze`` (commit recorded in the file), so that
tests/test_analyze_reference.py checks that the faster code gives the same results: rest points
(support, profile, exact expression, 50-digit values), kinds, ESS, Nash, eigenvalues.

Run from the repository root::

    PYTHONPATH=. python tests/data/make_analyze_reference.py
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from analysis_games import REFERENCE_GAMES, reference_game  # noqa: E402

import gametheory as gt  # noqa: E402


def summary(report, rest_points) -> dict:
    """The JSON-able content of a StabilityReport (and its rest points' digits) that must not change."""
    rows = []
    digits = {(tuple(p.support), tuple(p.point)): p.digits for p in rest_points}
    for e in report.equilibria:
        d = digits[(tuple(e.support), tuple(e.point))]
        rows.append(
            {
                "support": [list(s) for s in e.support],
                "profile": list(e.profile) if e.profile is not None else None,
                "exact": [str(v) for v in e.exact] if e.exact is not None else None,
                "point": [float(v) for v in e.point],
                "digits": list(d) if d is not None else None,
                "kind": e.kind.value,
                "is_ess": bool(e.is_ess),
                "is_nash": bool(e.is_nash),
                "precision": e.precision,
                "eigenvalues": [[float(v.real), float(v.imag)] for v in e.eigenvalues],
                "stable_dimension": e.stable_dimension,
                "unstable_dimension": e.unstable_dimension,
                "center_dimension": e.center_dimension,
            }
        )
    return {
        "complete": bool(report.complete),
        "consistent": bool(report.consistent),
        "n_continua": len(report.continua),
        "equilibria": rows,
    }


def main() -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=HERE
    ).stdout.strip()
    out = {"made_with_commit": commit, "how": __doc__.strip().splitlines()[0], "games": {}}
    for name in REFERENCE_GAMES:
        game, params = reference_game(name)
        report = gt.analyze(game, params)
        out["games"][name] = {"params": params, **summary(report, gt.rest_points(game, params))}
        print(name, len(out["games"][name]["equilibria"]), flush=True)
    (HERE / "analyze_reference.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
