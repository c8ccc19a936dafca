"""Helpers for the trust suite: break a site that built, and prove nothing was lost or leaked."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path

from tests.conftest import write_files
from tests.siteutil import CliResult, SiteFixture

LOCATION = re.compile(r"^(?P<path>[^\s:][^:]*):(?P<line>\d+): ", re.MULTILINE)


def snapshot(root: Path, skip: Path | None = None) -> dict[str, object]:
    """Every file (its bytes), folder and link under `root`, except under `skip`.

    A site's `.cache/` is left out: the design lets builds keep their cache
    there, and a failed build may still cache the files it parsed.
    """
    state: dict[str, object] = {}
    if not root.exists():
        return state
    for path in sorted(root.rglob("*")):
        if skip is not None and (path == skip or skip in path.parents):
            continue
        if ".cache" in path.relative_to(root).parts:
            continue
        key = path.relative_to(root).as_posix()
        if path.is_symlink():
            state[key] = ("link", str(path.readlink()))
        elif path.is_dir():
            state[key] = "dir"
        else:
            state[key] = path.read_bytes()
    return state


def locations(stderr: str) -> list[str]:
    """Every `path:line` that starts a line of stderr."""
    return [f"{m['path']}:{m['line']}" for m in LOCATION.finditer(stderr)]


def break_site(site: SiteFixture, files: Mapping[str, str | bytes], *args: str,
               change: Callable[[], object] | None = None) -> CliResult:
    """After a good build, add `files` (and make `change`), build again; assert it failed
    and touched nothing.

    Checks exit status 1, no traceback, the previous output byte-for-byte,
    and that nothing appeared anywhere outside the output folder (the site's
    parent folder is compared too, so a staging folder left behind shows up).
    """
    site.build(*args)
    outside_root = site.root.parent
    write_files(site.root, files)
    if change is not None:
        change()
    output_before = snapshot(site.output)
    outside_before = snapshot(outside_root, skip=site.output)
    result = site.run("build", *args)
    assert result.exit_code == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(site.output) == output_before
    assert snapshot(outside_root, skip=site.output) == outside_before
    return result
