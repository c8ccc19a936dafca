"""The watcher with inotify: real files, a real inotify instance, a poll too slow to be what saw them.

Each watcher here polls once a minute, so a change reported at all within a
test was reported by inotify; a stop event set after a generous delay ends a
wait that would otherwise hang.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.notify import Notifier
from builder.watch import Watcher, is_ignored

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")

NEVER = 60.0  # a polling interval no test waits out


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "content" / "articles").mkdir(parents=True)
    (tmp_path / "content" / "articles" / "a.md").write_text("a\n")
    (tmp_path / "site.yaml").write_text("title: T\n")
    return tmp_path


def roots(site: Path) -> Callable[[], list[Path]]:
    return lambda: [site / "content", site / "templates", site / "static", site / "site.yaml"]


def wait_with(watcher: Watcher, snapshot: dict, action: Callable[[], None], give_up: float = 20.0):  # type: ignore[no-untyped-def]
    """watcher.wait(snapshot) while `action` runs on another thread; None if nothing came in `give_up` s."""
    stop = threading.Event()
    timer = threading.Timer(give_up, stop.set)
    worker = threading.Thread(target=action)
    timer.start()
    worker.start()
    try:
        return watcher.wait(snapshot, stop)
    finally:
        timer.cancel()
        worker.join()


@pytest.fixture
def watcher(site: Path):  # type: ignore[no-untyped-def]
    watcher = Watcher(roots(site), poll_seconds=NEVER)
    yield watcher
    watcher.close()


def test_a_save_is_seen_without_waiting_for_a_poll(site: Path, watcher: Watcher) -> None:
    snapshot = watcher.snapshot()
    assert watcher.notifier is not None and watcher.notifier.complete
    article = site / "content" / "articles" / "a.md"

    def save() -> None:
        time.sleep(0.2)
        article.write_text("a, edited\n")

    found = wait_with(watcher, snapshot, save)
    assert found is not None, "inotify never woke the watcher"
    assert found[0] == {str(article)}
    assert found[1][str(article)][1] == len("a, edited\n")


def test_a_burst_of_50_files_is_one_change(site: Path, watcher: Watcher) -> None:
    snapshot = watcher.snapshot()
    folder = site / "content" / "articles"

    def burst() -> None:
        for number in range(50):
            (folder / f"story-{number}.md").write_text(f"story {number}\n")

    found = wait_with(watcher, snapshot, burst)
    assert found is not None
    assert found[0] == {str(folder / f"story-{number}.md") for number in range(50)}
    # and nothing is left over for another rebuild
    assert wait_with(watcher, found[1], lambda: None, give_up=0.5) is None


def test_an_atomic_rename_save_is_seen(site: Path, watcher: Watcher) -> None:
    snapshot = watcher.snapshot()
    article = site / "content" / "articles" / "a.md"

    def save_as_editors_do() -> None:
        temporary = article.with_name(".a.md.tmp")
        temporary.write_text("replaced\n")
        temporary.replace(article)

    found = wait_with(watcher, snapshot, save_as_editors_do)
    assert found is not None and found[0] == {str(article)}


def test_a_folder_made_after_watching_began_is_watched_too(site: Path, watcher: Watcher) -> None:
    snapshot = watcher.snapshot()
    folder = site / "content" / "articles" / "2011"
    folder.mkdir()
    # The new folder alone changes no file: the wait goes on, and meanwhile watches the folder.
    assert wait_with(watcher, snapshot, lambda: None, give_up=0.5) is None
    snapshot = watcher.snapshot()
    found = wait_with(watcher, snapshot, lambda: (folder / "b.md").write_text("b\n"))
    assert found is not None and found[0] == {str(folder / "b.md")}


def test_a_root_that_does_not_exist_yet_is_seen_when_made(site: Path, watcher: Watcher) -> None:
    snapshot = watcher.snapshot()
    assert watcher.notifier is not None and watcher.notifier.complete
    stylesheet = site / "static" / "style.css"

    def make() -> None:
        stylesheet.parent.mkdir()
        stylesheet.write_text("body {}\n")

    found = wait_with(watcher, snapshot, make)
    assert found is not None and found[0] == {str(stylesheet)}


def test_site_yaml_is_watched_but_not_the_rest_of_the_site_folder(site: Path) -> None:
    notifier = Notifier.open(is_ignored)
    assert notifier is not None
    try:
        notifier.watch([str(site / "content")], [str(site / "site.yaml")])
        (site / "README.md").write_text("not watched\n")
        (site / ".cache").mkdir()
        (site / ".cache" / "x.pickle").write_bytes(b"x")
        assert not notifier.wait(0.3)
        (site / "site.yaml").write_text("title: U\n")
        assert notifier.wait(5)
    finally:
        notifier.close()


def test_editor_litter_wakes_nobody(site: Path) -> None:
    notifier = Notifier.open(is_ignored)
    assert notifier is not None
    folder = site / "content" / "articles"
    try:
        notifier.watch([str(folder)], [])
        for name in (".a.md.swp", "a.md~", "#a.md#", "4913", "a.md.tmp"):
            (folder / name).write_text("litter\n")
        assert not notifier.wait(0.3)
        (folder / "a.md").write_text("saved\n")
        assert notifier.wait(5)
    finally:
        notifier.close()


def test_without_inotify_polling_still_sees_a_save(site: Path) -> None:
    watcher = Watcher(roots(site), poll_seconds=0.05, notify=False)
    snapshot = watcher.snapshot()
    assert watcher.notifier is None
    article = site / "content" / "articles" / "a.md"
    found = wait_with(watcher, snapshot, lambda: article.write_text("polled\n"))
    assert found is not None and found[0] == {str(article)}
