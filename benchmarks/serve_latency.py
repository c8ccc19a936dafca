"""Save-to-visible latency of `python -m builder serve`, measured in headless Chromium.

Usage::

    python benchmarks/serve_latency.py                   # the sample archive and 1,000 articles
    python benchmarks/serve_latency.py --articles 0      # the sample archive only
    python benchmarks/serve_latency.py --runs 9 --articles 5000

For each site: start `serve` (a subprocess, as a user would), open an
article in Chromium, then repeatedly append a paragraph with a fresh token to
that article's file and time from just before the write to the moment the
reloaded tab's document holds the token (its DOMContentLoaded, stamped by
the page itself with the same wall clock). The sample archive is the
repository's own site.yaml and content/, copied so the repository is never
edited; the large archive comes from benchmarks/generate.py. Prints the
median and range per site, and the server's own rebuild times.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from builder.urls import slug_from_filename  # noqa: E402
from tests.browserutil import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402
from tests.serveutil import ServeProcess  # noqa: E402

# Every new document stamps when its DOM (and so the new text) is ready.
STAMP_SCRIPT = "document.addEventListener('DOMContentLoaded', () => { window.__readyAt = Date.now(); });"


def sample_site(into: Path) -> Path:
    site = into / "sample"
    site.mkdir()
    shutil.copy(REPO_ROOT / "site.yaml", site / "site.yaml")
    shutil.copytree(REPO_ROOT / "content", site / "content")
    return site


def generated_site(into: Path, articles: int) -> Path:
    site = into / f"generated-{articles}"
    subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks" / "generate.py"), str(site),
                    "--articles", str(articles)], check=True, stdout=subprocess.DEVNULL)
    return site


def measure(site: Path, runs: int, context) -> tuple[list[float], list[float]]:  # type: ignore[no-untyped-def]
    """Save-to-visible seconds for each run, and the rebuild seconds the server reported."""
    article = sorted((site / "content" / "articles").glob("*.md"))[0]
    original = article.read_text(encoding="utf-8")
    latencies: list[float] = []
    with ServeProcess(site, "--port", "0", tmpdir=site.parent / "tmp") as server:
        base = server.wait_for_url(timeout=300)
        page = context.new_page()
        page.add_init_script(STAMP_SCRIPT)
        page.goto(base + f"articles/{slug_from_filename(article.stem, True)}/")
        time.sleep(1.0)  # the first build's reload has come and gone
        for run in range(runs):
            token = f"check-{run}-{uuid.uuid4().hex[:8]}"
            started = time.time()
            article.write_text(original + f"\n\nLatency {token}.\n", encoding="utf-8")
            latencies.append(_wait_for(page, token, timeout=60) - started)
            time.sleep(0.5)
        page.close()
        server.stop(timeout=300)  # removing a 20,000-file temporary build can take 10-30 s here
    article.write_text(original, encoding="utf-8")
    rebuilds = [float(m.group(1)) for line in server.stdout
                if line.startswith("Rebuilt") and (m := re.search(r"([\d.]+) s$", line.strip()))]
    return latencies, rebuilds


def _wait_for(page, token: str, timeout: float) -> float:  # type: ignore[no-untyped-def]
    """Wall-clock time at which the tab's document first held `token`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            ready = page.evaluate("t => document.body.innerText.includes(t) ? window.__readyAt : null", token)
        except Exception:  # between two documents
            ready = None
        if ready:
            return float(ready) / 1000
        time.sleep(0.02)
    raise TimeoutError(f"{token} never showed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="saves per site (default 7)")
    parser.add_argument("--articles", type=int, default=1000,
                        help="also measure a generated archive of this many articles (0: skip)")
    args = parser.parse_args()
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="serve-latency-") as temporary, sync_playwright() as playwright:
        root = Path(temporary)
        sites = [("sample archive", sample_site(root))]
        if args.articles:
            sites.append((f"generated, {args.articles:,} articles", generated_site(root, args.articles)))
        context = playwright.chromium.launch_persistent_context(
            str(root / "profile"), executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        for name, site in sites:
            latencies, rebuilds = measure(site, args.runs, context)
            rebuild = f"{statistics.median(rebuilds):.2f} s" if rebuilds else "-"
            print(f"{name}: save-to-visible median {statistics.median(latencies):.2f} s "
                  f"(min {min(latencies):.2f}, max {max(latencies):.2f}, {len(latencies)} saves); "
                  f"rebuild median {rebuild}; load average {os.getloadavg()[0]:.1f} "
                  f"on {os.cpu_count()} cores", flush=True)
        context.close()


if __name__ == "__main__":
    main()
