"""Chromium for the browser tests: Debian's own binary, no network beyond the test server, screenshots kept.

The `browser` and `page` fixtures live in conftest.py; screenshots of the main pages go to
test-artifacts/screenshots/ (not committed) for a reviewer to look at.
"""

from pathlib import Path

SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
# Without these, Chromium tries to reach Google's services and this machine's closed network refuses.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
