"""The headless-Chromium harness (tests/browser.py) sees what it should: it can fail."""

from __future__ import annotations

import base64
import io

import matplotlib.pyplot as plt
from browser import open_offline


def _png() -> str:
    fig, ax = plt.subplots(figsize=(4, 3), dpi=50)
    ax.plot([0, 1], [1, 0])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def test_a_good_page_passes(tmp_path):
    page = tmp_path / "good.html"
    page.write_text(
        "<!doctype html><html><body><h1>Stability</h1><table><tr><td>sink</td><td>(0, 0, 0)</td></tr></table>"
        f'<img src="data:image/png;base64,{_png()}"></body></html>'
    )
    check = open_offline(page)
    assert check.console_errors == ()
    assert check.external_requests == ()
    assert len(check.images) == 1 and check.images[0][1:] == (200, 150)
    assert "sink" in check.text and "(0, 0, 0)" in check.text
    assert not check.blank()


def test_a_bad_page_is_caught(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text(
        "<!doctype html><html><head><script src='https://cdn.example.org/x.js'></script></head><body>"
        "<img src='missing.png'><script>undefined_function()</script></body></html>"
    )
    check = open_offline(page)
    assert any("cdn.example.org" in url for url in check.external_requests)
    assert any("undefined_function" in e for e in check.console_errors)
    assert check.images[0][1:] == (0, 0)  # the missing image did not load
    assert any(url.endswith("missing.png") for url in check.failed_requests)
    assert check.blank()
