"""Noticing edits to a site: `watchfiles` events, each settled burst reported once.

watchfiles (notify, in Rust) uses the system's own events on Linux, macOS and
Windows and falls back to polling by itself where there are none (WSL, some
network drives; `WATCHFILES_FORCE_POLLING=1` forces it). It gathers a burst
(an editor's save, a `git checkout` touching 200 files) until `step_ms` pass
without a change, so a burst gives one rebuild, and it keeps collecting while
a rebuild runs, so a save made meanwhile is the next burst: none is lost.

Two watches run side by side: the folders (content/, templates/, static/)
recursively, and the folders holding the single roots (site.yaml, a folder
not made yet) non-recursively. A file watched by itself would go deaf when
an editor saves by renaming a new file over it; its folder does not. When a
root appears or goes, both watches are replaced, the new ones listening
before the old ones stop, so nothing falls in between.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from pathlib import Path

from watchfiles import Change, watch


def is_ignored(name: str) -> bool:
    """Editor and system litter: swap files, backups, hidden files, autosaves."""
    return (name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".swo", ".tmp"))
            or name == "4913")  # vim's probe file


# (folders watched recursively, folders watched for the roots in them)
_Plan = tuple[tuple[str, ...], tuple[str, ...]]

_READY_MS = 50  # watchfiles answers at least this often, so a new watch is known to listen within it


class Watcher:
    """Watches the roots (folders or files) that `roots()` names; `wait()` gives each burst once.

    `start()` before the first build (it returns once the watch listens), `wait()` after
    each build, `close()` when done.
    """

    def __init__(self, roots: Callable[[], list[Path]], step_ms: int = 30, max_burst_ms: int = 2000,
                 force_polling: bool | None = None) -> None:
        self.roots = roots  # asked again when a root comes or goes: site.yaml may move the folders
        self.step_ms = step_ms
        self.max_burst_ms = max_burst_ms
        self.force_polling = force_polling
        self._bursts: queue.Queue[set[str]] = queue.Queue()
        self._plan: _Plan = ((), ())
        self._current: threading.Event | None = None  # set to stop the watches of the current plan
        self._closed = threading.Event()
        self._lock = threading.Lock()

    def start(self) -> None:
        self.refresh()

    def refresh(self, force: bool = False) -> None:
        """Watch what `roots()` names now, if that differs from what is watched (or anyway, `force`)."""
        with self._lock:
            if self._closed.is_set():
                return
            plan = self._make_plan()
            if plan == self._plan and self._current is not None and not force:
                return
            stop = threading.Event()
            ready = [threading.Event() for _ in (0, 1)]
            roots = [str(root) for root in self.roots()]
            threading.Thread(target=self._run, args=(plan[0], True, roots, stop, ready[0]),
                             name="watch-folders", daemon=True).start()
            threading.Thread(target=self._run, args=(plan[1], False, roots, stop, ready[1]),
                             name="watch-roots", daemon=True).start()
            for event in ready:
                event.wait(5)
            if self._current is not None:
                self._current.set()
            self._plan, self._current = plan, stop

    def close(self) -> None:
        with self._lock:
            self._closed.set()
            if self._current is not None:
                self._current.set()

    def wait(self, stop: threading.Event) -> set[str] | None:
        """Block until a burst of changes settles: its paths (and any queued after it); None once stopped."""
        while not stop.is_set():
            try:
                changed = self._bursts.get(timeout=0.05)
            except queue.Empty:
                continue
            while True:  # a burst the two watches reported apart is one rebuild
                try:
                    changed |= self._bursts.get_nowait()
                except queue.Empty:
                    break
            return changed
        return None

    def _make_plan(self) -> _Plan:
        trees: set[str] = set()
        anchors: set[str] = set()
        for root in self.roots():
            if root.is_dir():
                trees.add(str(root))
            parent = root.parent  # the nearest folder there is above it sees it come, go or be replaced
            while not parent.is_dir() and parent.parent != parent:
                parent = parent.parent
            anchors.add(str(parent))
        return tuple(sorted(trees)), tuple(sorted(anchors))

    def _run(self, folders: tuple[str, ...], recursive: bool, roots: list[str], stop: threading.Event,
             ready: threading.Event) -> None:
        if not folders:
            ready.set()
            return

        class _Stop:  # what watchfiles asks between steps
            @staticmethod
            def is_set() -> bool:
                return stop.is_set() or self._closed.is_set()

        keep = _in_tree(folders) if recursive else _on_way_to(roots)
        try:
            for changes in watch(*folders, watch_filter=keep, debounce=self.max_burst_ms, step=self.step_ms,
                                 stop_event=_Stop(), rust_timeout=_READY_MS, yield_on_timeout=True,
                                 recursive=recursive, force_polling=self.force_polling,
                                 raise_interrupt=False, ignore_permission_denied=True):
                ready.set()
                if changes:
                    paths = {path for _, path in changes}
                    self._bursts.put(paths)
                    if _touches_a_folder_root(paths, roots):  # it came, went or was replaced: watch afresh
                        threading.Thread(target=self.refresh, args=(True,), daemon=True).start()
        except (FileNotFoundError, OSError):  # a folder went as the watch began: the next plan sees it
            ready.set()
            threading.Thread(target=self.refresh, daemon=True).start()


def _touches_a_folder_root(paths: set[str], roots: list[str]) -> bool:
    """Whether a change is to a root that is no file (a folder, or gone) or to a folder above one.

    A file root (site.yaml) is seen through its folder however it is saved, so it needs no new watch.
    """
    return any((path == root or root.startswith(path + os.sep)) and not os.path.isfile(root)
               for path in paths for root in roots)


def _in_tree(folders: tuple[str, ...]) -> Callable[[Change, str], bool]:
    """Changes below the watched folders, but no litter (nor anything inside a hidden folder)."""
    def keep(change: Change, path: str) -> bool:
        for folder in folders:
            if path == folder:
                return True
            if path.startswith(folder + os.sep):
                return not any(is_ignored(part) for part in path[len(folder) + 1:].split(os.sep))
        return False
    return keep


def _on_way_to(roots: list[str]) -> Callable[[Change, str], bool]:
    """In a root's folder, only the root itself or a folder on the way to it."""
    def keep(change: Change, path: str) -> bool:
        return any(path == root or root.startswith(path + os.sep) for root in roots)
    return keep
