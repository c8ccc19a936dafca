"""The search index alone: CPU time of search.search_files, cold and after a one-article edit.

Usage::

    python benchmarks/search_index.py SITE_DIR [--runs 5]

Reads the site (through its .cache/ if it has one), then times, in this
process, consuming every file search_files yields:

- cold: an empty cache (every posting filed, every file serialised, all saved);
- warm: the cache holds the index as it was, then one article's body words
  change (a word added, a word taken away), a different article each run;
- same: the cache holds the index of exactly these articles.

Each warm result is also compared, byte for byte, with a cold build of the
same articles. CPU time (process_time), the best of the runs: the machine is
shared, and the best run is the one least disturbed.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import tempfile
import time
from pathlib import Path

from builder import build as build_module
from builder.cache import SiteCache
from builder.config import SiteConfig, load_config
from builder.errors import Report
from builder.index import SiteIndex, build_index, resolve_references
from builder.reader import ReadOptions, collect, find_sources
from builder.search import search_files


def load_index(site_dir: Path) -> tuple[SiteIndex, SiteConfig, dict[int, bytes]]:
    """The site's index, as the build makes it, and its records' source hashes."""
    report = Report()
    config = load_config(site_dir.resolve(), report, None)
    cache = SiteCache(config.site_dir, config)
    sources = find_sources(config, report)
    digests = cache.source_digests({source.relative: source.path for source in sources})
    read = build_module.read_sources(sources, digests, config, cache, 1, lambda *args: None)
    hashes = {identity: ref for identity, (ref, _) in read.record_refs.items()}
    content = collect(read.results, config, report, ReadOptions())
    return build_index(resolve_references(content, config, report), config, cache.memo), config, hashes


def edited(index: SiteIndex, number: int) -> SiteIndex:
    """The index with article `number`'s body words changed: one word added, one taken away."""
    articles = list(index.articles)
    article = articles[number]
    words = article.body_terms.split()
    articles[number] = dataclasses.replace(
        article, body_terms=" ".join(sorted({*words[1:], f"benchword{number}"})))
    return dataclasses.replace(index, articles=tuple(articles))


def timed(index: SiteIndex, config: SiteConfig, cache: SiteCache | None,
          hashes: dict[int, bytes]) -> tuple[float, list[tuple[str, bytes]]]:
    """CPU seconds to make every search file (as the build does: a cache and source hashes), and the files."""
    started = time.process_time()
    files = [(file.path, file.data) for file in search_files(index, config, cache, hashes)]
    return time.process_time() - started, files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site_dir", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    gc.disable()  # as the build does
    index, config, hashes = load_index(args.site_dir)
    cold: list[float] = []
    warm: list[float] = []
    same: list[float] = []
    with tempfile.TemporaryDirectory() as scratch:
        cache = SiteCache(Path(scratch, "warm"), config)
        timed(index, config, cache, hashes)  # the cache now holds the unedited index
        for run in range(args.runs):
            changed = edited(index, run * 97 % len(index.articles))
            seconds, files = timed(changed, config, cache, hashes)
            warm.append(seconds)
            seconds, clean = timed(changed, config, SiteCache(Path(scratch, f"cold{run}"), config), hashes)
            cold.append(seconds)
            if files != clean:
                raise SystemExit(f"run {run}: the updated index differs from a clean one")
            same.append(timed(changed, config, cache, hashes)[0])
            timed(index, config, cache, hashes)  # back to the unedited index
    print(f"{len(index.articles)} articles, {len(files)} files, best of {args.runs} runs (CPU seconds)")
    print(f"cold (empty cache)   {min(cold):.3f}")
    print(f"one article edited   {min(warm):.3f}")
    print(f"nothing changed      {min(same):.3f}")


if __name__ == "__main__":
    main()
