"""Open a local HTML file in headless Chromium with the network off, and report what a reader sees.

Used by the tests of the HTML report and of the documentation site.  Chromium is Debian's
``chromium`` package (``.ci/run`` installs it when absent), driven by Playwright with
``executable_path``; no browser is downloaded.  The page gets no network: every request that
is not ``file:`` or ``data:`` is aborted and recorded in :attr:`PageCheck.external_requests`.
"""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: Chromium flags for a closed machine (no sandbox as root, no GPU, no background traffic).
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


def chromium_path() -> str:
    """The Chromium executable, or an AssertionError saying how to get it (tests never skip)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise AssertionError("headless Chromium is needed: apt-get install -y chromium (.ci/run does this)")


@dataclass(frozen=True)
class PageCheck:
    """What headless Chromium saw on one page.

    Attributes
    ----------
    console_errors
        Console messages of type ``error`` and uncaught page errors.
    external_requests
        Requests the page tried to make that were neither ``file:`` nor ``data:`` (all aborted).
    failed_requests
        Requests that failed (a missing local file, or an aborted external one).
    images
        ``(src prefix, naturalWidth, naturalHeight)`` of every ``<img>`` after load.
    text
        The page's visible text (``document.body.innerText``).
    screenshot_png
        A full-page screenshot.
    """

    console_errors: tuple[str, ...]
    external_requests: tuple[str, ...]
    failed_requests: tuple[str, ...]
    images: tuple[tuple[str, int, int], ...]
    text: str
    screenshot_png: bytes

    def screenshot_array(self) -> np.ndarray:
        """The screenshot as an (h, w, channels) float array in [0, 1]."""
        import matplotlib.image

        return matplotlib.image.imread(io.BytesIO(self.screenshot_png), format="png")

    def blank(self) -> bool:
        """Whether the screenshot is (nearly) one colour: under 0.1 % of its pixels differ from the commonest.

        (A heading and one small figure on a 1280 x 1600 page change several thousand pixels;
        a broken-image icon on an empty page changes a few hundred.)
        """
        rgb = np.round(self.screenshot_array()[..., :3] * 255).astype(np.int32)
        flat = rgb.reshape(-1, 3) @ np.array([65536, 256, 1])
        _, counts = np.unique(flat, return_counts=True)
        return bool(flat.size - counts.max() < 0.001 * flat.size)


def open_offline(path: str | Path, *, width: int = 1280, height: int = 1600, wait_ms: int = 300) -> PageCheck:
    """Load ``path`` in headless Chromium with the network off and collect a :class:`PageCheck`."""
    from playwright.sync_api import sync_playwright

    url = Path(path).resolve().as_uri()
    errors: list[str] = []
    external: list[str] = []
    failed: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=list(CHROMIUM_ARGS), headless=True)
        try:
            context = browser.new_context(viewport={"width": width, "height": height}, offline=True)
            page = context.new_page()

            def route(r):
                scheme = r.request.url.split(":", 1)[0]
                if scheme in ("file", "data", "blob", "about"):
                    r.continue_()
                else:
                    external.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.goto(url, wait_until="load")
            page.wait_for_timeout(wait_ms)
            images = page.evaluate(
                "() => Array.from(document.images).map(i => [i.src.slice(0, 60), i.naturalWidth, i.naturalHeight])"
            )
            text = page.evaluate("() => document.body.innerText")
            shot = page.screenshot(full_page=True)
        finally:
            browser.close()
    return PageCheck(
        console_errors=tuple(errors),
        external_requests=tuple(external),
        failed_requests=tuple(failed),
        images=tuple((str(s), int(w), int(h)) for s, w, h in images),
        text=str(text),
        screenshot_png=shot,
    )
