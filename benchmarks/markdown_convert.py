"""CPU cost of the Markdown -> HTML step alone, over every body in a site.

Usage::

    python benchmarks/markdown_convert.py /tmp/site --runs 3
    python benchmarks/markdown_convert.py /tmp/site --stock      # plain Python-Markdown path
    python benchmarks/markdown_convert.py /tmp/site --digest     # sha256 of all output, to compare

Reads site.yaml and every content file once, then times (process CPU,
user + system) `MarkdownRenderer.convert` over all bodies, as the reader
calls it. `--stock` uses the renderer without builder/markup_fast.py (stock
Python-Markdown), so one run of each gives before/after figures and
`--digest` shows the HTML is byte-identical.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from builder import markup  # noqa: E402
from builder.config import load_config  # noqa: E402
from builder.errors import Report  # noqa: E402
from builder.reader import decode, split_front_matter  # noqa: E402


def bodies(site: Path, content: Path) -> list[str]:
    """Every non-blank Markdown body under `content`, in path order."""
    found = []
    for path in sorted(content.rglob("*.md")):
        _, body, _ = split_front_matter(decode(path.read_bytes()))
        if body.strip():
            found.append(body)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--stock", action="store_true", help="Python-Markdown's own inline processor")
    parser.add_argument("--digest", action="store_true", help="print a sha256 of all the HTML")
    args = parser.parse_args()
    config = load_config(args.site, Report())
    sources = bodies(args.site, args.site / config.content_dir)
    renderer = markup.MarkdownRenderer(config, fast=not args.stock)
    times = []
    for _ in range(args.runs):
        digest = hashlib.sha256()
        started = time.process_time()
        for body in sources:
            html = renderer.convert(body)
            if args.digest:
                digest.update(html.encode() + b"\0")
        times.append(time.process_time() - started)
    label = "fast" if renderer.fast else "stock"
    print(f"{label}: {len(sources)} bodies, CPU s per run: "
          f"median {statistics.median(times):.2f} (min {min(times):.2f}, max {max(times):.2f})")
    if args.digest:
        print(f"sha256 {digest.hexdigest()}")


if __name__ == "__main__":
    main()
