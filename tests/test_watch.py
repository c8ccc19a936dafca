"""The watcher on watchfiles: real files, the system's own events (and its polling, forced)."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from builder.watch import Watcher, is_ignored

GIVE_UP = 10.0  # seconds a wait may take before a test calls the change lost


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "content" / "articles").mkdir(parents=True)
    (tmp_path / "content" / "articles" / "a.md").write_text("a\n")
    (tmp_path / "site.yaml").write_text("title: T\n")
    return tmp_path.resolve()


def roots(site: Path) -> Callable[[], list[Path]]:
    return lambda: [site / "content", site / "templates", site / "static", site / "site.yaml"]


@pytest.fixture
def watcher(site: Path) -> Iterator[Watcher]:
    watcher = Watcher(roots(site))
    watcher.start()
    yield watcher
    watcher.close()


def wait_for(watcher: Watcher, action: Callable[[], None], give_up: float = GIVE_UP) -> set[str] | None:
    """watcher.wait() after `action`; None if nothing came within `give_up` seconds."""
    stop = threading.Event()
    timer = threading.Timer(give_up, stop.set)
    timer.start()
    try:
        action()
        return watcher.wait(stop)
    finally:
        timer.cancel()


def test_a_save_is_seen_at_once(site: Path, watcher: Watcher) -> None:
    started = time.monotonic()
    changed = wait_for(watcher, lambda: (site / "content/articles/a.md").write_text("b\n"))
    assert changed == {str(site / "content/articles/a.md")}
    assert time.monotonic() - started < 1.0  # events, not a slow poll


def test_a_burst_of_50_files_is_one_change(site: Path, watcher: Watcher) -> None:
    def burst() -> None:
        for n in range(50):
            (site / "content/articles" / f"n{n}.md").write_text("x\n")
    changed = wait_for(watcher, burst)
    assert changed is not None and len(changed) == 50


def test_a_save_while_nobody_waits_is_kept_for_the_next_wait(site: Path, watcher: Watcher) -> None:
    (site / "content/articles/a.md").write_text("during a build\n")
    time.sleep(0.5)  # the rebuild that nobody waits during
    assert wait_for(watcher, lambda: None) == {str(site / "content/articles/a.md")}


def test_site_yaml_saved_by_renaming_over_it_is_seen_every_time(site: Path, watcher: Watcher) -> None:
    def save(text: str) -> Callable[[], None]:
        def rename_over() -> None:
            (site / "site.yaml.new").write_text(text)
            os.replace(site / "site.yaml.new", site / "site.yaml")
        return rename_over
    for text in ("title: A\n", "title: B\n", "title: C\n"):
        changed = wait_for(watcher, save(text))
        assert changed is not None and str(site / "site.yaml") in changed, text


def test_a_root_made_after_watching_began_is_watched_inside(site: Path, watcher: Watcher) -> None:
    assert wait_for(watcher, lambda: (site / "templates").mkdir()) == {str(site / "templates")}
    time.sleep(0.2)  # the new watch of templates/ listens before the old one stops
    changed = wait_for(watcher, lambda: (site / "templates" / "base.html").write_text("x"))
    assert changed is not None and str(site / "templates" / "base.html") in changed


def test_a_root_folder_removed_and_made_again_is_watched_inside(site: Path, watcher: Watcher) -> None:
    (site / "static").mkdir()
    watcher.refresh()
    changed = wait_for(watcher, lambda: shutil.rmtree(site / "static"))
    assert changed is not None and str(site / "static") in changed
    assert wait_for(watcher, lambda: (site / "static").mkdir()) == {str(site / "static")}
    time.sleep(0.2)  # the watch of the new folder listens
    changed = wait_for(watcher, lambda: (site / "static" / "style.css").write_text("x"))
    while changed == {str(site / "static")}:  # the old watch and its successor may both report the mkdir
        changed = wait_for(watcher, lambda: None)
    assert changed is not None and str(site / "static" / "style.css") in changed


def test_the_rest_of_the_site_folder_and_editor_litter_wake_nobody(site: Path, watcher: Watcher) -> None:
    def litter() -> None:
        (site / "_site").mkdir()
        (site / "_site" / "index.html").write_text("x")
        (site / "notes.txt").write_text("x")
        (site / "content/articles/.a.md.swp").write_text("x")
        (site / "content/articles/a.md~").write_text("x")
        (site / "content/.git").mkdir()
        (site / "content/.git/HEAD").write_text("x")
    assert wait_for(watcher, litter, give_up=1.0) is None
    assert is_ignored("4913") and not is_ignored("a.md")


def test_polling_where_there_are_no_events_still_sees_a_save(site: Path) -> None:
    watcher = Watcher(roots(site), force_polling=True)
    watcher.start()
    time.sleep(1.0)  # the poller's first scan (after its 0.3 s delay), the ground it compares against
    try:
        changed = wait_for(watcher, lambda: (site / "content/articles/a.md").write_text("polled\n"))
        assert changed == {str(site / "content/articles/a.md")}
    finally:
        watcher.close()


def test_a_stopped_wait_returns_at_once(watcher: Watcher) -> None:
    stop = threading.Event()
    stop.set()
    started = time.monotonic()
    assert watcher.wait(stop) is None
    assert time.monotonic() - started < 0.2
