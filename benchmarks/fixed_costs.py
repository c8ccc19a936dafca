"""The fixed costs of a rebuild, stage by stage, in one process (no profiler).

Usage::

    python benchmarks/fixed_costs.py --site /tmp/site10k --runs 5

The site must have been built once (so `.cache/` holds its records). Each
run times, with perf_counter and process CPU time, the stages every rebuild
pays before it renders a page: finding the sources, their digests, loading
the record cache, collecting, resolving references and building the index
(whose costly rankings come from the memo). Prints the best of the runs per
stage, in milliseconds: the least disturbed by other processes.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from builder.cache import Manifest, SiteCache  # noqa: E402
from builder.config import load_config  # noqa: E402
from builder.errors import Report  # noqa: E402
from builder.index import build_index, resolve_references  # noqa: E402
from builder.reader import ReadOptions, collect, find_sources  # noqa: E402


def run_once(site: Path, output: Path) -> dict[str, float]:
    """One pass over the stages: stage name -> CPU seconds."""
    times: dict[str, float] = {}
    last = time.process_time()

    def lap(name: str) -> None:
        nonlocal last
        now = time.process_time()
        times[name] = now - last
        last = now

    report = Report()
    config = load_config(site, report, None)
    cache = SiteCache(config.site_dir, config)
    lap("config+cache key")
    sources = find_sources(config, report)
    lap("find_sources")
    digests = cache.source_digests({source.relative: source.path for source in sources})
    lap("source_digests")
    manifest = cache.load_manifest(output) if output.is_dir() else Manifest()
    lap("load_manifest")
    stored = cache.load_records()
    lap("load_records")
    entries = [(source, stored.get(source.relative)) for source in sources]
    results = [(source, entry.result) for source, entry in entries
               if entry is not None and entry.digest == digests.get(source.relative)]
    lap("match records")
    content = collect(results, config, report, ReadOptions())
    lap("collect")
    resolved = resolve_references(content, config, report)
    lap("resolve_references")
    build_index(resolved, config, cache.memo)
    lap("build_index")
    cache.save_manifest(output.with_name(output.name + "-timing"), manifest)
    lap("save_manifest")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    site = args.site.resolve()
    gc.disable()  # as build() does
    runs = []
    for _ in range(args.runs):
        runs.append(run_once(site, site / "_site"))
        gc.collect()
    cache = SiteCache(site, load_config(site, Report(), None))
    cache.forget_manifest(site / "_site-timing")
    for name in runs[0]:
        print(f"{name:20} {min(r[name] for r in runs) * 1000:8.1f} ms")
    print(f"{'total':20} {min(sum(r.values()) for r in runs) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
