"""The study commands of the command line: ``sweep``, ``regime``, ``basins`` (tiny grids, 8 starts, t = 20)."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib.image
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from test_cli import run, strict_nash_corners

import gametheory as gt
from gametheory import cli
from gametheory.errors import ParameterError
from gametheory.models import classic
from gametheory.models import crisis_governance as cg
from gametheory.studies.results import Provenance

ROOT = Path(__file__).resolve().parent.parent
FAST = ("--starts", "8", "--t-end", "20", "--backend", "numpy")


def study(capsys, tmp_path, *argv: str) -> tuple[str, str]:
    """Run a study command writing into ``tmp_path``; its stdout and stderr (it must succeed)."""
    status, out, err = run(capsys, *argv, *FAST, "--out", str(tmp_path))
    assert status == 0, err
    return out, err


def interior_starts(n: int, seed: int = 0) -> np.ndarray:
    """The CLI's starts, rebuilt here: the first n points of a scrambled Sobol' sample of the cube."""
    from scipy.stats import qmc

    size = 1 << int(np.ceil(np.log2(n)))
    return qmc.Sobol(3, scramble=True, rng=np.random.default_rng([seed, 0])).random(size)[:n]


# -------------------------------------------------------------------------------- help
def test_help_lists_the_study_commands_and_their_options(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    for command in ("sweep", "regime", "basins"):
        assert command in out
    for command in ("sweep", "regime", "basins"):
        with pytest.raises(SystemExit) as exc:
            cli.main([command, "--help"])
        assert exc.value.code == 0
        out = capsys.readouterr().out
        for option in ("MODEL", "--param", "START:STOP:NUM", "--params", "--preset", "--t-end", "--starts",
                       "--seed", "--out", "--format", "--progress", "--no-progress", "standard error"):  # fmt: skip
            assert option in out, (command, option)
    for doc in ("sweep MODEL", "regime MODEL", "basins MODEL", "--t-end", "--starts", "--out"):
        assert doc in cli.__doc__


# ------------------------------------------------------------------------------- sweep
def test_sweep_writes_netcdf_and_csv_of_the_time_paths(capsys, tmp_path):
    out, err = study(capsys, tmp_path, "sweep", "crisis_governance", "--preset", "OPTIMIZED",
                     "--param", "F_g=1:8:3", "--times", "5", "--no-progress")  # fmt: skip
    assert err == ""
    assert out.splitlines() == [
        "SweepResult(F_g: 3 values; 8 starts; 5 times; success=True)",
        f"wrote {tmp_path / 'sweep.nc'}",
        f"wrote {tmp_path / 'sweep.csv'} (time paths: 120 rows)",
    ]
    with xr.open_dataset(tmp_path / "sweep.nc") as data:
        assert data["F_g"].values.tolist() == [1.0, 4.5, 8.0]
        assert data["t"].values.tolist() == [0.0, 5.0, 10.0, 15.0, 20.0]
        assert data["coordinate"].values.tolist() == ["x", "y", "z"]
        assert data["y"].dims == ("F_g", "start", "coordinate", "t")
        np.testing.assert_allclose(data["x0"].values, interior_starts(8))
        assert (data["status"].values == 0).all()
        # one path, checked against a single integration with the adaptive solver
        x0 = data["x0"].values[3]
        params = {**cg.OPTIMIZED, "F_g": 4.5}
        tr = cg.game().replicator().simulate(x0, (0.0, 20.0), params)
        np.testing.assert_allclose(data["final"].sel(F_g=4.5, start=3).values, tr.final, atol=1e-6)
        np.testing.assert_allclose(data["y"].sel(F_g=4.5, start=3).values[:, -1], tr.final, atol=1e-6)
        y = data["y"].values
    frame = pd.read_csv(tmp_path / "sweep.csv")
    assert list(frame.columns) == ["F_g", "start", "t", "x", "y", "z"]
    assert len(frame) == 3 * 8 * 5
    row = frame[(frame.F_g == 8.0) & (frame.start == 2) & (frame.t == 20.0)]
    np.testing.assert_allclose(row[["x", "y", "z"]].to_numpy()[0], y[2, 2, :, -1], rtol=1e-12)


def test_sweep_over_two_parameters_with_final_states_csv(capsys, tmp_path):
    out, _ = study(capsys, tmp_path, "sweep", "crisis_governance", "--param", "F_g=1,8",
                   "--param", "S=0:2:3", "--csv", "final", "--times", "3")  # fmt: skip
    assert "(final states: 48 rows)" in out
    with xr.open_dataset(tmp_path / "sweep.nc") as data:
        assert data["final"].dims == ("F_g", "S", "start", "coordinate")
        assert data["F_g"].values.tolist() == [1.0, 8.0]
        assert data["S"].values.tolist() == [0.0, 1.0, 2.0]
        final = data["final"].values
    frame = pd.read_csv(tmp_path / "sweep.csv")
    assert list(frame.columns) == ["F_g", "S", "start", "x", "y", "z", "status"]
    assert len(frame) == 2 * 3 * 8 and (frame.status == 0).all()
    row = frame[(frame.F_g == 8.0) & (frame.S == 1.0) & (frame.start == 5)]
    np.testing.assert_allclose(row[["x", "y", "z"]].to_numpy()[0], final[1, 1, 5], rtol=1e-12)


# ------------------------------------------------------------------------------ regime
# gametheory/plot/_results.py labels the vertices with str(DataArray) (their repr): the legend is so wide that
# constrained_layout warns; drop this filter once the plot reads ``coords["vertex"].values``
@pytest.mark.filterwarnings("ignore:constrained_layout not applied:UserWarning")
def test_regime_writes_the_map_table_and_figure(capsys, tmp_path):
    out, _ = study(capsys, tmp_path, "regime", "crisis_governance", "--preset", "STATUS_QUO",
                   "--param", "F_g=0:8:3", "--param", "F_n=1,3", "--figure")  # fmt: skip
    assert out.startswith("RegimeMap(F_g (3) x F_n (2); regimes ")
    for name in ("regime_map.nc", "regime_map.csv", "regime_map.png"):
        assert f"wrote {tmp_path / name}" in out
    with xr.open_dataset(tmp_path / "regime_map.nc") as data:
        assert data["F_g"].values.tolist() == [0.0, 4.0, 8.0]
        assert data["F_n"].values.tolist() == [1.0, 3.0]
        assert data["regime"].dims == ("F_g", "F_n")
        assert data.attrs["n"] == 8
        ess = data["ess"].values
        shares = data["shares"].values
    game = cg.game()
    dyn = game.replicator()
    vertices = [tuple(v) for _, v in dyn.vertices()]
    for i, f_g in enumerate([0.0, 4.0, 8.0]):
        for j, f_n in enumerate([1.0, 3.0]):
            corners = strict_nash_corners(game, {**cg.STATUS_QUO, "F_g": f_g, "F_n": f_n})
            assert sorted(vertices[k] for k in np.flatnonzero(ess[i, j])) == sorted(corners)
    np.testing.assert_allclose(shares.sum(axis=-1), 1.0)
    frame = pd.read_csv(tmp_path / "regime_map.csv")
    assert list(frame.columns[:4]) == ["F_g", "F_n", "regime", "n_ess"]
    assert frame.columns[-1] == "prevailing" and "share not certified" in frame.columns
    assert len(frame) == 6
    assert frame["n_ess"].tolist() == ess.sum(axis=-1).reshape(-1).tolist()
    image = matplotlib.image.imread(tmp_path / "regime_map.png")
    assert np.ptp(image[..., :3]) > 0.5  # not a blank canvas


def test_regime_of_a_toml_model_file_in_zarr(capsys, tmp_path):
    path = tmp_path / "pennies.toml"
    path.write_text(classic.matching_pennies_3().to_toml())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Zarr's format warnings are not shown to the user
        out, err = study(
            capsys, tmp_path / "out", "regime", str(path), "--param", "a=0.5,1", "--format", "zarr"
        )
    assert err == ""
    assert "regimes ['no ESS']" in out and f"wrote {tmp_path / 'out' / 'regime_map.zarr'}" in out
    data = xr.open_zarr(tmp_path / "out" / "regime_map.zarr")
    assert data["a"].values.tolist() == [0.5, 1.0]
    assert data["regime"].values.tolist() == ["no ESS", "no ESS"]
    assert len(pd.read_csv(tmp_path / "out" / "regime_map.csv")) == 2


def test_netcdf_falls_back_to_zarr_and_says_so(capsys, tmp_path, monkeypatch):
    def no_engine(self, *args, **kwargs):
        raise ValueError("cannot find an engine to write NetCDF")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", no_engine)
    out, err = study(capsys, tmp_path, "regime", "matching_pennies_3", "--param", "a=1")
    assert "note: cannot write NetCDF" in err and "writing Zarr instead" in err
    assert (tmp_path / "regime_map.zarr").is_dir() and not (tmp_path / "regime_map.nc").exists()
    assert f"wrote {tmp_path / 'regime_map.zarr'}" in out


# ------------------------------------------------------------------------------ basins
def test_basins_writes_shares_per_outcome(capsys, tmp_path):
    out, _ = study(capsys, tmp_path, "basins", "crisis_governance", "--preset", "OPTIMIZED")
    expected = gt.basins(cg.game(), cg.OPTIMIZED, 8, t_span=(0, 20), backend="numpy")
    assert out.splitlines()[0] == expected.summary()
    with xr.open_dataset(tmp_path / "basins.nc") as data:
        np.testing.assert_array_equal(data["share"].values, expected.share.values)
        assert data["outcome"].values.tolist() == list(expected.outcomes)
    frame = pd.read_csv(tmp_path / "basins.csv", keep_default_na=False)
    assert list(frame.columns) == ["outcome", "share", "standard_error", "count"]
    assert frame["outcome"].tolist() == list(expected.outcomes)  # 8 vertices, other, failed
    assert frame["count"].sum() == 8 and frame["share"].sum() == pytest.approx(1.0)
    (ess,) = strict_nash_corners(cg.game(), dict(cg.OPTIMIZED))
    label = next(",".join(p) for p, v in cg.game().replicator().vertices() if tuple(v) == ess)
    assert frame.set_index("outcome").loc[label, "share"] > 0.5


def test_basins_over_a_parameter(capsys, tmp_path):
    out, _ = study(
        capsys, tmp_path, "basins", "crisis_governance", "--preset", "OPTIMIZED", "--param", "F_g=1,8"
    )
    lines = out.splitlines()
    assert lines[0].startswith("F_g=1: Basins(n=8") and lines[1].startswith("F_g=8: Basins(n=8")
    assert "(one per outcome and cell: 20 rows)" in out
    at_8 = gt.basins(cg.game(), {**cg.OPTIMIZED, "F_g": 8.0}, 8, t_span=(0, 20), backend="numpy")
    with xr.open_dataset(tmp_path / "basins.nc") as data:
        assert data["F_g"].values.tolist() == [1.0, 8.0]
        assert data["share"].dims == ("F_g", "outcome")
        np.testing.assert_array_equal(data["share"].sel(F_g=8.0).values, at_8.share.values)
        assert data.attrs["swept"] == "F_g"
        provenance = Provenance.from_attrs(data.attrs)
        assert provenance.fingerprint == cg.game().fingerprint and len(provenance.spec_sha256) == 64
        params = json.loads(data.attrs["params"])
        assert np.isnan(params["F_g"]) and params["S"] == cg.OPTIMIZED["S"]
    frame = pd.read_csv(tmp_path / "basins.csv")
    assert list(frame.columns) == ["F_g", "outcome", "share", "standard_error", "count"]
    assert frame.groupby("F_g")["share"].sum().tolist() == pytest.approx([1.0, 1.0])


# ---------------------------------------------------------------------- errors, progress
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sweep", "crisis_governance", "--param", "F_g=1:x:3"], "--param 'F_g=1:x:3': 'x' is not a number"),
        (["sweep", "crisis_governance", "--param", "F_g=1:8"], "'F_g=1:8': a range is START:STOP:NUM"),
        (["sweep", "crisis_governance", "--param", "F_g=1:8:0"], "'F_g=1:8:0': NUM"),
        (["sweep", "crisis_governance", "--param", "F_g=1,,2"], "'F_g=1,,2': '' is not a number"),
        (["sweep", "crisis_governance", "--param", "F_g=1,inf"], "'F_g=1,inf': 'inf' is not finite"),
        (["sweep", "crisis_governance", "--param", "F_g"], "got 'F_g'"),
        (["sweep", "crisis_governance", "--param", "F_g=1", "--param", "F_g=2"], "gives 'F_g' twice"),
        (["sweep", "crisis_governance", "--param", "F_q=1,2"], "unknown parameter 'F_q'"),
        (["sweep", "crisis_governance"], "sweep needs at least one --param"),
        (
            ["regime", "crisis_governance", "--param", "F_g=1", "--param", "S=1", "--param", "W=1"],
            "one or two",
        ),
        (["regime", "crisis_governance", "--param", "F_g=1,2", "--figure"], "--figure draws a two-parameter"),
        (["basins", "crisis_governance", "--preset", "OPTIMISED"], "did you mean 'OPTIMIZED'"),
        (["basins", "crisis_governence"], "did you mean 'crisis_governance'"),
        (["basins", "crisis_governance", "--params", "theta=2"], "'theta' = 2.0 lies outside its bounds"),
    ],
)
def test_bad_study_input_prints_one_error_line_and_exits_2(capsys, tmp_path, argv, message):
    status, out, err = run(capsys, *argv, *FAST, "--out", str(tmp_path))
    assert status == 2
    assert err.startswith("error: ") and err.count("\n") == 1
    assert message in err
    assert out == "" and list(tmp_path.iterdir()) == []


def test_unwritable_output_folder_is_an_error(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    status, _, err = run(
        capsys, "regime", "matching_pennies_3", "--param", "a=1", *FAST, "--out", str(blocker)
    )
    assert status == 2 and err.startswith("error: --out ") and err.count("\n") == 1


@pytest.mark.parametrize(
    "option", [("--starts", "0"), ("--t-end", "-1"), ("--t-end", "nan"), ("--starts", "x"), ("--seed", "-1")]
)
def test_bad_counts_are_usage_errors(capsys, option):
    with pytest.raises(SystemExit) as exc:
        cli.main(["basins", "crisis_governance", *option])
    assert exc.value.code == 2
    assert f"argument {option[0]}" in capsys.readouterr().err


def test_parse_grid_refuses_an_empty_value():
    with pytest.raises(ParameterError, match="got 'S='"):
        cli.parse_grid("S=")


def test_progress_goes_to_stderr_only(capsys, tmp_path):
    argv = ("sweep", "matching_pennies_3", "--param", "a=1,2", "--times", "3")
    out_quiet, err_quiet = study(capsys, tmp_path / "a", *argv)  # stderr is not a terminal: no progress
    assert err_quiet == ""
    out, err = study(capsys, tmp_path / "b", *argv, "--progress")
    assert "sweep: 2 parameter cells x 8 starts, t in [0, 20]" in err and "sweep: done in" in err
    assert out.replace(str(tmp_path / "b"), str(tmp_path / "a")) == out_quiet  # stdout unchanged
    assert "done in" not in out and "chunk" not in out


def test_study_command_runs_as_a_subprocess(tmp_path):
    """`python -m gametheory basins ... --progress`: progress on stderr, summary and files on stdout."""
    proc = subprocess.run(
        [sys.executable, "-m", "gametheory", "basins", "matching_pennies_3", *FAST, "--out", str(tmp_path),
         "--progress"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Basins(n=8, sobol; ") and "wrote " in proc.stdout
    assert "basins: done in" in proc.stderr and "done in" not in proc.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["basins.csv", "basins.nc"]
