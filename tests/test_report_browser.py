"""The HTML report in a real browser: headless Chromium with the network off (tests/browser.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import open_offline

import gametheory as gt
from gametheory.models import classic
from gametheory.models import crisis_governance as cg

DATA = Path(__file__).parent / "data"
SMALL = {"starts": 2, "attractor_starts": 12, "grid": 5, "regime_starts": 3, "sensitivity": 1, "t_end": 30.0}
CASES = {
    "flagship": lambda: (cg.game(), dict(cg.STATUS_QUO)),
    "wang": lambda: (gt.load_game(DATA / "wang2023_s1_to_000.json"), None),
    "rps": lambda: (classic.rock_paper_scissors(), None),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_report_renders_offline_in_chromium(case, tmp_path):
    game, params = CASES[case]()
    path = gt.report(game, params, progress=False, **SMALL).save(tmp_path / "report.html")
    check = open_offline(path)
    assert check.console_errors == ()
    assert check.external_requests == () and check.failed_requests == ()
    assert len(check.images) >= 2  # time series and phase portrait at least
    for src, width, height in check.images:
        assert width > 50 and height > 50, src  # decoded and laid out, not a broken-image icon
    assert not check.blank()
    # the stability table, as an independent analysis gives it, is on the page
    frame = gt.analyze(game, params).to_frame()
    for kind in frame["kind"].astype(str):
        assert kind in check.text
    assert "Rest points" in check.text or "rest points" in check.text
