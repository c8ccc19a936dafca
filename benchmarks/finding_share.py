"""How much of a cold build the "ways in" cost: timeline, archive, search, feeds, sitemap, JSON-LD, exports.

Usage::

    python benchmarks/generate.py /tmp/f10k --articles 10000
    python benchmarks/finding_share.py /tmp/f10k [--runs 2]

Builds the site cold (no output, no cache) alternately with everything and
with builder.discovery's hooks stubbed out, and prints the best wall
time of each and the difference. Also prints the search index's size and the
time its generation takes on its own.
"""

from __future__ import annotations

import argparse
import gzip
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import builder.build as build_module
from builder import discovery
from builder.build import BuildOptions, build


@contextmanager
def without_ways_in() -> Iterator[None]:
    """discovery's hooks stubbed out: no timeline, archive, search page, feeds, sitemap, JSON-LD,
    exports or search index (build.py calls data_files by its own name, so it is stubbed there)."""
    saved = (discovery.html_pages, discovery.annotate, discovery.feed_pages, build_module.data_files)
    discovery.html_pages = lambda index, config: iter(())  # type: ignore[assignment]
    discovery.annotate = lambda pages, index, config: list(pages)  # type: ignore[assignment]
    discovery.feed_pages = lambda pages, index, config: iter(())  # type: ignore[assignment]
    build_module.data_files = lambda *args, **kwargs: iter(())  # type: ignore[assignment]
    try:
        yield
    finally:
        discovery.html_pages, discovery.annotate, discovery.feed_pages, build_module.data_files = saved


def cpu_seconds() -> float:
    """CPU time of this process and its finished workers: steadier than wall time on a busy machine."""
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def cold_build(site: Path, output: Path) -> tuple[float, float, int]:
    shutil.rmtree(output, ignore_errors=True)
    shutil.rmtree(site / ".cache", ignore_errors=True)
    started, cpu = time.perf_counter(), cpu_seconds()
    result = build(site, BuildOptions(output_dir=output))
    return time.perf_counter() - started, cpu_seconds() - cpu, result.pages_written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    output = Path(tempfile.mkdtemp(prefix="finding-share-")) / "out"
    full: list[float] = []
    bare: list[float] = []
    full_cpu: list[float] = []
    bare_cpu: list[float] = []
    for _ in range(args.runs):
        seconds, cpu, files = cold_build(args.site, output)
        full.append(seconds)
        full_cpu.append(cpu)
        with without_ways_in():
            seconds_bare, cpu_bare, files_bare = cold_build(args.site, output)
        bare.append(seconds_bare)
        bare_cpu.append(cpu_bare)
    cold_build(args.site, output)
    index_files = list((output / "search").rglob("*.json"))
    raw = sum(p.stat().st_size for p in index_files)
    packed = sum(len(gzip.compress(p.read_bytes())) for p in index_files)
    largest = max((p.stat().st_size for p in index_files), default=0)
    print(f"full build:            {min(full):6.2f} s ({files} files)")
    print(f"without the ways in:   {min(bare):6.2f} s ({files_bare} files)")
    print(f"share of the ways in:  {min(full) - min(bare):6.2f} s "
          f"({(min(full) - min(bare)) / min(full):.0%})")
    print(f"CPU, all processes:    {min(full_cpu):6.2f} s full, {min(bare_cpu):6.2f} s without: "
          f"{min(full_cpu) - min(bare_cpu):.2f} s ({(min(full_cpu) - min(bare_cpu)) / min(full_cpu):.0%})")
    print(f"search index:          {raw / 1e6:.2f} MB in {len(index_files)} files "
          f"({packed / 1e6:.2f} MB gzipped, largest file {largest / 1e3:.0f} kB)")
    shutil.rmtree(output.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
