"""Build-speed benchmark: cold, no-change and incremental builds of a synthetic archive.

Usage::

    python benchmarks/bench.py --articles 10000 --runs 5
    python benchmarks/bench.py --articles 1000 --runs 3 --jobs 1
    python benchmarks/bench.py --articles 100000 --runs 1 --only cold,nochange

Generates a deterministic archive with benchmarks/generate.py (same seed,
same files), then times `python -m builder build` subprocesses, as a user
runs them, in five scenarios:

- cold: no output folder and no .cache/;
- nochange: a rebuild with nothing changed;
- article: one article's body edited (a different article each run);
- entity: one actor renamed and its description edited (its page, its
  articles and every page that lists it change);
- template: the site overrides templates/article.html (every article page).

Prints, per scenario, the median wall time, its range, the median CPU time
(user + system, workers included: steadier than wall time on a busy
machine) and the peak resident memory of the largest process (the build or
one of its workers, from getrusage of the waited-for processes); then pages
per second of the cold build and the output size.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from builder.theme import theme_dir  # noqa: E402

SCENARIOS = ("cold", "nochange", "article", "entity", "template")
BUILT = re.compile(r"Built (\d+) files .*?: (\d+) written, (\d+) unchanged")

# Runs one build in a child and reports its wall time and the rusage of it and its workers.
_MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime,
                  "maxrss_kib": usage.ru_maxrss, "code": done.returncode,
                  "stdout": done.stdout, "stderr": done.stderr[-2000:]}))
"""


def run_build(site: Path, jobs: int | None) -> dict[str, object]:
    command = [sys.executable, "-m", "builder", "build", "--site", str(site)]
    if jobs:
        command += ["--jobs", str(jobs)]
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as users run it: with the bytecode cache
    measured = subprocess.run([sys.executable, "-c", _MEASURE, *command], env=env,
                              capture_output=True, text=True, check=True)
    result = json.loads(measured.stdout)
    if result["code"] != 0:
        raise SystemExit(f"build failed:\n{result['stderr']}")
    match = BUILT.search(str(result["stdout"]))
    result["files"], result["written"], result["unchanged"] = (int(g) for g in match.groups()) \
        if match else (0, 0, 0)
    return result


def prepare(scenario: str, site: Path, run: int) -> None:
    """Make the change a scenario measures (the previous build is in place)."""
    if scenario == "cold":
        shutil.rmtree(site / "_site", ignore_errors=True)
        shutil.rmtree(site / ".cache", ignore_errors=True)
    elif scenario == "article":
        path = sorted((site / "content/articles").glob("*.md"))[run * 997 % 1000]
        with path.open("a", encoding="utf-8") as file:
            file.write(f"\nA correction was added in revision {run}.\n")
    elif scenario == "entity":
        path = sorted((site / "content/actors").glob("*.md"))[run * 37 % 100]
        text = path.read_text(encoding="utf-8")
        text = re.sub(r'^name: "(.*)"$', lambda m: f'name: "{m[1]} ({run})"', text, count=1, flags=re.M)
        path.write_text(text + f"\nProfile revised ({run}).\n", encoding="utf-8")
    elif scenario == "template":
        override = site / "templates/article.html"
        override.parent.mkdir(exist_ok=True)
        theme = (theme_dir("templates") / "article.html").read_text(encoding="utf-8")
        marked = theme.replace("{% block content %}", f"{{% block content %}}<!-- r{run} -->", 1)
        override.write_text(marked, encoding="utf-8")


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5, help="runs per scenario (medians are reported)")
    parser.add_argument("--jobs", type=int, default=None, help="passed to build --jobs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", default=",".join(SCENARIOS), help="comma-separated scenarios")
    parser.add_argument("--workdir", type=Path, help="where to generate (default: a temporary folder)")
    args = parser.parse_args(argv)
    scenarios = [s for s in args.only.split(",") if s]
    unknown = set(scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="builder-bench-"))
    site = workdir / f"archive-{args.articles}"
    if site.exists():
        shutil.rmtree(site)
    subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks/generate.py"), str(site),  # its memory
                    "--articles", str(args.articles), "--seed", str(args.seed)], check=True)  # is freed
    print(f"# {args.articles} articles, {os.cpu_count()} CPUs, jobs={args.jobs or 'default'}, "
          f"python {sys.version.split()[0]}, site {site}", flush=True)

    results: dict[str, list[dict[str, object]]] = {}
    if scenarios[0] != "cold":
        run_build(site, args.jobs)  # every other scenario starts from a built site
    for scenario in scenarios:
        results[scenario] = []
        for run in range(args.runs):
            prepare(scenario, site, run)
            result = run_build(site, args.jobs)
            results[scenario].append(result)
            print(f"{scenario:>9} run {run + 1}: {result['seconds']:6.2f} s wall, "
                  f"{result['cpu']:6.2f} s cpu, {int(result['maxrss_kib']) / 1024:6.0f} MiB, "
                  f"{result['written']} written, "
                  f"{result['unchanged']} unchanged", flush=True)

    print()
    print("| scenario | median s | range s | median cpu s | peak RSS MiB | files written |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for scenario, runs in results.items():
        seconds = [float(r["seconds"]) for r in runs]
        print(f"| {scenario} | {statistics.median(seconds):.2f} | {min(seconds):.2f}-{max(seconds):.2f} | "
              f"{statistics.median(float(r['cpu']) for r in runs):.2f} | "
              f"{max(int(r['maxrss_kib']) for r in runs) / 1024:.0f} | "
              f"{statistics.median(int(r['written']) for r in runs):.0f} |")
    if "cold" in results:
        cold = results["cold"]
        files = int(cold[0]["files"])
        median = statistics.median(float(r["seconds"]) for r in cold)
        print(f"\ncold build: {files} files, {files / median:.0f} files per second")
    output = site / "_site"
    if output.is_dir():
        print(f"output size: {folder_size(output) / 1e6:.1f} MB")
    print(f"peak RSS of this benchmark's own process: "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
