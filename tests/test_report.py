"""gt.report: one self-contained HTML file per model; the CLI command ``report``; bad inputs; escaping."""

from __future__ import annotations

import base64
import itertools
import os
import re
import stat
from html.parser import HTMLParser
from pathlib import Path

import pytest

import gametheory as gt
from gametheory.cli import main
from gametheory.models import classic
from gametheory.models import crisis_governance as cg

DATA = Path(__file__).parent / "data"
PNG = b"\x89PNG\r\n\x1a\n"
#: Small sizes: each report is built once per module.
SMALL = {"starts": 2, "attractor_starts": 12, "grid": 5, "regime_starts": 3, "sensitivity": 1, "t_end": 30.0}


class _Page(HTMLParser):
    """Every src/href, every <img> data URI, the visible text and the <math> count of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.images: list[str] = []
        self.maths = 0
        self.scripts = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if key in ("src", "href"):
                self.links.append(value or "")
        if tag == "img":
            self.images.append(dict(attrs)["src"] or "")
        self.maths += tag == "math"
        self.scripts += tag == "script"

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _four_populations() -> gt.Game:
    pops = {f"p{k}": ["a", "b"] for k in range(4)}
    payoffs = {}
    for prof in itertools.product("ab", repeat=4):
        n_a = prof.count("a")
        payoffs[prof] = tuple(("c*" if s == "a" else "d*") + str(n_a) for s in prof)
    params = [
        gt.Parameter("c", 1.0, (0.0, 2.0), "reward of a"),
        gt.Parameter("d", 0.5, (0.0, 2.0), "reward of b"),
    ]
    return gt.Game.from_table(pops, payoffs, params, name="Four populations")


CASES = {
    "flagship": lambda: (cg.game(), dict(cg.STATUS_QUO)),
    "jordan": lambda: (gt.load_game(DATA / "jordan1993_matching_pennies.json"), None),
    "wang": lambda: (gt.load_game(DATA / "wang2023_s1_to_000.json"), None),
    "four": lambda: (_four_populations(), None),
    "rps": lambda: (classic.rock_paper_scissors(), None),
}


@pytest.fixture(scope="module", params=sorted(CASES))
def built(request, tmp_path_factory):
    game, params = CASES[request.param]()
    rep = gt.report(game, params, progress=False, **SMALL)
    path = rep.save(tmp_path_factory.mktemp("report") / "report.html")
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return game, params, rep, path, page


def test_one_offline_file(built):
    _, _, rep, path, page = built
    assert path.is_file() and path.stat().st_size < 5_000_000
    assert list(path.parent.iterdir()) == [path]
    assert path.read_text(encoding="utf-8") == rep.html
    bad = [link for link in page.links if not (link.startswith("data:") or link.startswith("#"))]
    assert bad == []
    assert "http://" not in rep.html and "https://" not in rep.html
    assert page.scripts == 0


def test_every_section_is_there_with_its_number(built):
    game, _, rep, _, page = built
    text = " ".join(page.text)
    assert [s.title for s in rep.sections][:4] == [
        "Model",
        "Parameters",
        "Replicator equations",
        "Rest points and stability",
    ]
    for k, s in enumerate(rep.sections, 1):
        assert f"{k}. {s.title}" in text
        assert f'href="#{s.anchor}"' in rep.html and f'id="{s.anchor}"' in rep.html
    for p in game.populations:
        assert p.name in text and all(s in text for s in p.strategies)


def test_stability_table_matches_analyze(built):
    game, params, rep, _, page = built
    text = " ".join(page.text)
    frame = gt.analyze(game, params).to_frame()
    names = list(game.replicator().state_names)
    rows = re.findall(r"<tr><td>(\([^<]*\))</td><td>(\w+)</td><td>[^<]*</td><td>[^<]*</td><td>[^<]*</td><td>([\w -]+)</td>",
                      rep.html)  # fmt: skip
    assert len(rows) == len(frame)
    for (point, location, kind), (_, r) in zip(rows, frame.iterrows()):
        assert point == "(" + ", ".join(f"{float(r[n]):.4g}" for n in names) + ")"
        assert (location, kind) == (r["location"], r["kind"])
    ess = [eq for eq in gt.analyze(game, params).equilibria if eq.is_ess]
    if ess:
        assert "ESS at the parameters used: (" in text
        for eq in ess:
            assert ", ".join(f"{float(v):.4g}" for v in eq.point) in text
    else:
        assert "ESS at the parameters used: none" in text


def test_equations_are_mathml_with_latex(built):
    game, _, rep, _, page = built
    assert page.maths >= game.replicator().dimension
    assert '<math display="block">' in rep.html and "<details><summary>LaTeX</summary>" in rep.html


def test_images_are_png(built):
    _, _, _, _, page = built
    assert page.images, "a report has at least the time series"
    for src in page.images:
        assert src.startswith("data:image/png;base64,")
        data = base64.b64decode(src.split(",", 1)[1], validate=True)
        assert data[:8] == PNG
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert 100 < width < 3000 and 100 < height < 3000


def test_sections_that_do_not_apply_say_why(built):
    game, _, rep, _, page = built
    text = " ".join(page.text)
    bounded = [p for p in game.parameters if p.bounds is not None]
    if not bounded:
        assert "No regime map: it needs two parameters with bounds." in text
        assert "No sensitivity panels" in text
    if game.replicator().dimension > 3 and 3 not in game.strategy_counts:
        assert "No phase portrait: 4 state dimensions" in text
    assert len(rep.summary().splitlines()) == len(rep.sections) + 1


def test_flagship_has_every_figure():
    rep = gt.report(
        cg.game(), cg.STATUS_QUO, sections=("phase_portrait", "sensitivity", "regime_map"), **SMALL
    )
    page = _Page()
    page.feed(rep.html)
    assert len(page.images) == 3
    assert "No " not in " ".join(page.text)


def test_escaping(tmp_path):
    evil = "<script>alert(1)</script>"
    game = gt.Game.from_table(
        {evil: [evil + "A", "B"], "col": ["C", "D"]},
        {(evil + "A", "C"): (1, 0), (evil + "A", "D"): (0, 1), ("B", "C"): (0, 1), ("B", "D"): (1, 0)},
        name=evil,
    )
    rep = gt.report(game, sections=("model", "equations", "stability", "ess"), progress=False)
    assert "<script" not in rep.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rep.html


def test_unknown_parameter():
    with pytest.raises(gt.ParameterError, match="'F_x'"):
        gt.report(cg.game(), {"F_x": 1.0})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"grid": 0}, "grid must be a positive integer"),
        ({"starts": 2.5}, "starts must be a positive integer"),
        ({"t_end": -1.0}, "t_end must be a positive number"),
        ({"progress": "yes"}, "progress must be True or False"),
        ({"sections": ("model", "stabilty")}, "unknown report section 'stabilty'"),
    ],
)
def test_bad_options(kwargs, message):
    with pytest.raises(gt.SpecificationError, match=message):
        gt.report(classic.hawk_dove(), **kwargs)
    with pytest.raises(gt.SpecificationError, match="needs a Game"):
        gt.report(classic.hawk_dove().replicator())


def test_save_checks_the_path(tmp_path):
    rep = gt.report(classic.hawk_dove(), sections=("model",))
    with pytest.raises(gt.StoreError, match="is a folder"):
        rep.save(tmp_path)
    with pytest.raises(gt.StoreError, match="does not exist"):
        rep.save(tmp_path / "missing" / "r.html")


# ------------------------------------------------------------------ command line
def test_cli_writes_the_report(tmp_path, capsys):
    out = tmp_path / "r.html"
    args = ["report", str(DATA / "wang2023_s1_to_000.json"), "--out", str(out), "--no-progress"]
    assert main(args) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert f"Wrote {out}" in capsys.readouterr().out


def test_cli_preset_and_params(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GAMETHEORY_SMALL", "1")
    out = tmp_path / "r.html"
    argv = [
        "report",
        "crisis_governance",
        "--preset",
        "OPTIMIZED",
        "--params",
        "F_g=5",
        "--out",
        str(out),
        "--progress",
    ]
    assert main(argv) == 0
    html = out.read_text(encoding="utf-8")
    assert "F_g = 5," in html and f"theta = {cg.OPTIMIZED['theta']:g}" in html
    assert "report: Regime map:" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["report", "crisis_governance", "--params", "F_x=1"], "unknown parameter 'F_x'"),
        (["report", "crisis_governance", "--preset", "NOPE"], "no preset 'NOPE'"),
        (["report", "no_such_model"], "'no_such_model' is neither"),
        (["report", "BROKEN"], "error: "),
        (["report", "crisis_governance", "--out", "MISSING/r.html"], "does not exist"),
        (["report", "crisis_governance", "--out", "."], "is a folder"),
    ],
)
def test_cli_bad_inputs(argv, message, tmp_path, capsys):
    broken = tmp_path / "broken.toml"
    broken.write_text("name = [unclosed\n", encoding="utf-8")
    argv = [str(broken) if a == "BROKEN" else a for a in argv]
    argv = [str(tmp_path / a) if a.startswith("MISSING") else a for a in argv]
    if "--out" not in argv:
        argv += ["--out", str(tmp_path / "r.html")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
    assert "Traceback" not in err and not (tmp_path / "r.html").exists()


def test_cli_read_only_folder(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    if os.geteuid() == 0:  # root may write anywhere: let the access check see what a user would see
        monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != folder)
    try:
        assert main(["report", "crisis_governance", "--out", str(folder / "r.html")]) == 2
    finally:
        folder.chmod(stat.S_IRWXU)
    assert "permission denied" in capsys.readouterr().err
    assert list(folder.iterdir()) == []
