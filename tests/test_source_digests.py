"""Which source files a rebuild reads again to learn whether they changed."""

from __future__ import annotations

import builtins
import os
import time
from pathlib import Path

from builder import cache


def _sources(root: Path) -> list[Path]:
    return [path for path in (root / "content").rglob("*.md") if path.is_file()]


def test_rebuilds_with_nothing_to_do_stop_reading_files_once_they_are_old_enough(make_site, monkeypatch):
    """A file changed just before a build is hashed again by the next build (its stat could hide
    a second change); once it is old enough, a build with nothing to do must trust its stat."""
    monkeypatch.setattr(cache, "RACY_SECONDS", 1.0)
    site = make_site()
    changed = time.time()  # as after a checkout: too recent to trust at the first build
    for path in _sources(site.root):
        os.utime(path, (changed, changed))
    assert site.run("build").exit_code == 0
    time.sleep(max(0.0, changed + 1.2 - time.time()))
    assert site.run("build").exit_code == 0  # nothing to do; the files are hashed again, once

    reads: list[str] = []

    def counting_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        reads.append(str(file))
        return builtins.open(file, *args, **kwargs)

    monkeypatch.setattr(cache, "open", counting_open, raising=False)
    result = site.run("build")
    assert result.exit_code == 0 and "0 written" in result.stdout
    assert reads == []
