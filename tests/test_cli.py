"""Command line (in-process through main([...]), one subprocess run) and the flagship figure build."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest

from gametheory import cli, figures
from gametheory.models import classic
from gametheory.models import crisis_governance as cg

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def strict_nash_corners(game, params) -> list[tuple[float, ...]]:
    """Corners where every unilateral deviation loses, from the payoff table alone (2-strategy games)."""
    subs = {p.symbol: params.get(p.name, p.default) for p in game.parameters}
    out = []
    for profile in game.profiles:
        gains = []
        for i, pop in enumerate(game.populations):
            dev = list(profile)
            dev[i] = pop.strategies[1 - pop.strategies.index(profile[i])]
            gains.append(float((game.payoff(dev, i) - game.payoff(profile, i)).subs(subs)))
        if max(gains) < 0:
            out.append(
                tuple(1.0 if s == pop.strategies[0] else 0.0 for s, pop in zip(profile, game.populations))
            )
    return out


# -------------------------------------------------------------------------------- help
def test_help_lists_every_command_and_option(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for command in ("analyze", "figures", "summary"):
        assert command in out
    with pytest.raises(SystemExit):
        cli.main(["analyze", "--help"])
    out = capsys.readouterr().out
    for option in (
        "MODEL",
        "--params",
        "NAME=VALUE",
        "--preset",
        "--figures",
        "--latex",
        "crisis_governance",
    ):
        assert option in out
    with pytest.raises(SystemExit):
        cli.main(["figures", "--help"])
    out = capsys.readouterr().out
    for option in ("--out", "paper_figures/output", "--small", "--only", "--list"):
        assert option in out


def test_usage_errors_exit_with_status_2(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main([])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        cli.main(["analyse", "x.toml"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


# ----------------------------------------------------------------------------- analyze
@pytest.mark.parametrize("preset", ["STATUS_QUO", "OPTIMIZED"])
def test_analyze_flagship_prints_equations_table_and_verdict(capsys, preset):
    status, out, err = run(capsys, "analyze", "crisis_governance", "--preset", preset)
    assert status == 0 and err == ""
    assert "dx/dt = x*(1 - x)*(" in out and "dz/dt = z*(1 - z)*(" in out
    assert "| Equilibrium | Eigenvalues |" in out
    game = cg.game()
    (ess,) = strict_nash_corners(game, dict(getattr(cg, preset)))  # independent: one strict Nash corner
    expected = "(" + ", ".join(f"{v:g}" for v in ess) + ")"
    assert re.search(rf"Verdict: unique ESS {re.escape(expected)} = \(", out)


def test_analyze_params_override_the_preset(capsys):
    params = {**cg.STATUS_QUO, "F_g": 8.0}
    status, out, _ = run(
        capsys, "analyze", "crisis_governance", "--preset", "STATUS_QUO", "--params", "F_g=8"
    )
    assert status == 0
    assert "F_g = 8" in out
    corners = strict_nash_corners(cg.game(), params)
    assert len(corners) == 2  # (0, 0, 0) and (1, 1, 1): the penalty alone makes the game bistable
    assert "Verdict: 2 ESS (multistable" in out
    for c in corners:
        assert "(" + ", ".join(f"{v:g}" for v in c) + ")" in out.split("Verdict:")[1]


def test_analyze_a_toml_model_file_without_ess(capsys, tmp_path):
    path = tmp_path / "pennies.toml"
    path.write_text(classic.matching_pennies_3().to_toml())
    status, out, _ = run(capsys, "analyze", str(path))
    assert status == 0
    assert strict_nash_corners(classic.matching_pennies_3(), {}) == []
    assert "Verdict: no ESS" in out


def test_analyze_a_reference_case_json_with_latex(capsys, wang):
    game, params, doc = wang
    status, out, _ = run(capsys, "analyze", str(DATA / "wang2023_s1_to_000.json"), "--latex")
    assert status == 0
    assert "\\begin{align}" in out and "\\begin{tabular}" in out
    assert strict_nash_corners(game, params) == [(0.0, 0.0, 0.0)]
    assert "Verdict: unique ESS (0, 0, 0)" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["analyze", "crisis_governence"], "did you mean 'crisis_governance'"),
        (["analyze", "no/such/file.toml"], "cannot read model file"),
        (["analyze", "crisis_governance", "--params", "F_g"], "expects NAME=VALUE"),
        (["analyze", "crisis_governance", "--params", "F_g=abc"], "'abc' is not a number"),
        (["analyze", "crisis_governance", "--params", "F_g=inf"], "not finite"),
        (["analyze", "crisis_governance", "--params", "F_g=1", "F_g=2"], "gives 'F_g' twice"),
        (["analyze", "crisis_governance", "--params", "F_q=1"], "unknown parameter 'F_q'"),
        (["analyze", "crisis_governance", "--params", "theta=2"], "'theta' = 2.0 lies outside its bounds"),
        (["analyze", "crisis_governance", "--preset", "OPTIMISED"], "did you mean 'OPTIMIZED'"),
        (["figures", "--only", "modle_diagram"], "did you mean 'model_diagram'"),
    ],
)
def test_bad_input_prints_one_error_line_and_exits_2(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert err.startswith("error: ") and err.count("\n") == 1
    assert message in err


def test_analyze_rejects_an_invalid_model_file(capsys, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[populations]\nrow = ["H"]\n')
    status, _, err = run(capsys, "analyze", str(path))
    assert status == 2 and err.startswith("error: ")


def test_analyze_writes_the_standard_figures(capsys, tmp_path):
    status, out, _ = run(
        capsys, "analyze", "crisis_governance", "--preset", "OPTIMIZED", "--figures", str(tmp_path)
    )
    assert status == 0
    names = {p.name for p in tmp_path.iterdir()}
    assert names == {
        "equations.tex",
        "stability.md",
        "stability.tex",
        "time_series.png",
        "time_series.pdf",
        "phase_portrait.png",
        "phase_portrait.pdf",
    }
    image = matplotlib.image.imread(tmp_path / "phase_portrait.png")
    assert image.shape[0] > 500 and image.shape[1] > 500  # 300 dpi, one journal column
    assert np.ptp(image[..., :3]) > 0.5  # not a blank canvas
    assert (tmp_path / "phase_portrait.pdf").read_bytes().startswith(b"%PDF")
    assert "ESS (sink)" in (tmp_path / "stability.md").read_text()
    assert "Wrote 7 files" in out


# ----------------------------------------------------------------------------- figures
def test_figures_list_names_every_artifact(capsys):
    status, out, _ = run(capsys, "figures", "--list")
    assert status == 0
    listed = [line.split()[0] for line in out.splitlines()]
    assert listed == [a.name for a in figures.manifest()]


def test_manifest_covers_the_issue(capsys):
    names = {a.name for a in figures.manifest()}
    assert {"model_diagram", "corner_conditions", "basins"} <= names
    for scenario in ("status_quo", "optimized"):
        assert {f"paths_{scenario}", f"phase_{scenario}", f"stability_{scenario}"} <= names
    assert {f"sensitivity_{lever}" for lever in cg.LEVERS} <= names  # one per policy lever
    assert sum(n.startswith("regime_") for n in names) >= 4


def readme_files() -> set[str]:
    text = (ROOT / "paper_figures" / "README.md").read_text()
    return set(re.findall(r"output/([A-Za-z0-9_]+\.(?:png|pdf|md|tex|html))", text))


def test_paper_figures_readme_lists_exactly_the_built_files():
    expected = {f for a in figures.manifest() for f in a.files}
    assert readme_files() == expected
    text = (ROOT / "paper_figures" / "README.md").read_text()
    for a in figures.manifest():
        if a.kind == "figure":  # shown, not only linked
            assert f"](output/{a.name}.png)" in text


def test_figure_build_is_deterministic(tmp_path):
    first = figures.build_flagship(tmp_path / "a", only=["model_diagram", "parameters"], small=True)
    second = figures.build_flagship(tmp_path / "b", only=["model_diagram", "parameters"], small=True)
    assert [p.name for p in first.files] == [
        "model_diagram.png",
        "model_diagram.pdf",
        "parameters.md",
        "parameters.tex",
    ]
    for a, b in zip(first.files, second.files):
        assert a.read_bytes() == b.read_bytes(), a.name


@pytest.mark.slow
def test_small_build_writes_every_file_of_the_manifest(tmp_path):
    """Every artifact builds (PNG only here, to keep CI fast: PDFs take the same code path, see above)."""
    result = figures.build_flagship(tmp_path, small=True, formats=("png",))
    expected = [f for a in figures.manifest() for f in a.files if not f.endswith(".pdf")]
    assert [p.name for p in result.files] == expected
    assert {p.name for p in tmp_path.iterdir()} == set(expected)
    assert set(expected) == {f for f in readme_files() if not f.endswith(".pdf")}
    for path in tmp_path.glob("*.png"):
        image = matplotlib.image.imread(path)
        assert np.ptp(image[..., :3]) > 0.5, path.name  # every figure has content
    assert "ESS (sink)" in (tmp_path / "stability_optimized.md").read_text()
    assert "\\begin{align}" in (tmp_path / "equations.tex").read_text()


def test_main_job_command_runs_as_a_subprocess(tmp_path):
    """`python -m gametheory figures --out DIR` (the README's main job), on two quick artifacts."""
    out = tmp_path / "out"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "gametheory",
            "figures",
            "--out",
            str(out),
            "--only",
            "equations",
            "corner_conditions",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "corner_conditions.md",
        "corner_conditions.tex",
        "equations.tex",
    ]
    assert "3 files in" in proc.stdout
