"""Screenshots of the built sample at desktop and phone widths, for looking at.

    PYTHONPATH=. python scripts/screenshots.py [--site .] [--out docs/screenshots] [--full-page]

Builds the site into a temporary folder, serves it on 127.0.0.1 and drives
Debian's headless Chromium with Playwright (no browser download). Also prints
any page that scrolls sideways at phone width.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

from builder.build import BuildOptions, build
from tests.browserutil import CHROMIUM, CHROMIUM_FLAGS

PAGES = {
    "home": "",
    "article": "articles/seoul-tokyo-bolster-cooperation/",
    "entity": "actors/kim-sung-hwan/",
    "country": "countries/south-korea/",
    "kind": "events/",
}
WIDTHS = {"desktop": 1280, "phone": 390}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=Path("."))
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--full-page", action="store_true", help="whole pages, not the first screen")
    args = parser.parse_args()
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temporary:
        output = Path(temporary) / "site"
        build(args.site, BuildOptions(output_dir=output, base_url="http://127.0.0.1/"))
        handler = functools.partial(_QuietHandler, directory=str(output))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}/"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            for width_name, width in WIDTHS.items():
                page = browser.new_page(viewport={"width": width, "height": 900})
                for name, path in PAGES.items():
                    page.goto(base + path)
                    overflow = page.evaluate(
                        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
                    if overflow > 0:
                        print(f"{path or '/'} at {width}px scrolls sideways by {overflow}px")
                    target = args.out / f"{name}-{width_name}.png"
                    page.screenshot(path=str(target), full_page=args.full_page)
                    print(target)
                page.close()
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
