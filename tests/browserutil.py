"""Debian's headless Chromium driven by Playwright: one launch recipe for every browser test.

No browser is ever downloaded: Playwright drives /usr/bin/chromium (apt-get
install chromium). A missing browser or package skips locally and fails in CI.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying hosts it cannot reach.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def require(available: bool, what: str) -> None:
    """Skip without `what` locally; fail in CI, where .ci/run installs it."""
    if not available:
        message = f"{what} is missing (bash .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def require_browser() -> None:
    require(importlib.util.find_spec("playwright") is not None, "the playwright package")
    require(Path(CHROMIUM).exists(), CHROMIUM)


@contextlib.contextmanager
def chromium(profile: Path, **options: Any) -> Iterator[Any]:
    """A Playwright browser context on a fresh profile folder; closed on exit."""
    require_browser()
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True, **options)
        try:
            yield context
        finally:
            context.close()
