"""Linux inotify through ctypes: wakes the watcher (builder.watch) the moment a watched file changes.

Only a hint, never the truth: the watcher's scan still says what changed, and
its polling goes on beside it, so an event that never comes (a full event
queue, a folder made between two scans, a watch refused at the system's
limit) costs at most one polling interval. Where inotify is missing (another
system, no libc, no file descriptor left) `Notifier.open()` gives None and
the watcher polls alone. ctypes on libc rather than a package: three calls
and a 16-byte header are all it takes.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import select
import struct
import sys
from collections.abc import Callable, Iterable

_IN_MODIFY, _IN_ATTRIB, _IN_CLOSE_WRITE = 0x2, 0x4, 0x8
_IN_MOVED_FROM, _IN_MOVED_TO, _IN_CREATE, _IN_DELETE = 0x40, 0x80, 0x100, 0x200
_IN_DELETE_SELF, _IN_MOVE_SELF = 0x400, 0x800
_IN_Q_OVERFLOW, _IN_IGNORED = 0x4000, 0x8000
_MASK = (_IN_MODIFY | _IN_ATTRIB | _IN_CLOSE_WRITE | _IN_MOVED_FROM | _IN_MOVED_TO | _IN_CREATE
         | _IN_DELETE | _IN_DELETE_SELF | _IN_MOVE_SELF)
_HEADER = struct.Struct("iIII")  # struct inotify_event: wd, mask, cookie, len; then the name


class Notifier:
    """An inotify instance watching some folders, each whole or for a few names in it.

    `complete` says whether every folder asked for is watched and no event was
    lost since: only then may the watcher take a quiet spell for a finished burst.
    """

    def __init__(self, fd: int, libc: ctypes.CDLL, ignored: Callable[[str], bool]) -> None:
        self.fd = fd
        self._libc = libc
        self._ignored = ignored
        self._names: dict[int, frozenset[str] | None] = {}  # watch -> names that matter; None: all
        self.complete = False

    @classmethod
    def open(cls, ignored: Callable[[str], bool]) -> Notifier | None:
        """A notifier, or None where inotify cannot be had. `ignored(name)`: changes to wake for never."""
        if not sys.platform.startswith("linux"):
            return None
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            init, add = libc.inotify_init1, libc.inotify_add_watch
        except (OSError, AttributeError):
            return None
        init.argtypes, init.restype = [ctypes.c_int], ctypes.c_int
        add.argtypes, add.restype = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32], ctypes.c_int
        libc.inotify_rm_watch.argtypes = [ctypes.c_int, ctypes.c_int]
        fd = init(os.O_NONBLOCK | os.O_CLOEXEC)
        return cls(fd, libc, ignored) if fd >= 0 else None

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def watch(self, folders: Iterable[str], entries: Iterable[str]) -> None:
        """Watch every change in each of `folders`, and each of `entries` (files, or folders not
        made yet) through the nearest folder above it that exists."""
        wanted: dict[str, set[str] | None] = dict.fromkeys(folders)
        for entry in entries:
            parent, name = os.path.split(entry)
            while parent and not os.path.isdir(parent) and os.path.dirname(parent) != parent:
                parent, name = os.path.split(parent)
            names = wanted.setdefault(parent or ".", set())
            if names is not None:
                names.add(name)
        complete = True
        watches: dict[int, frozenset[str] | None] = {}
        for folder, names in wanted.items():
            wd = self._libc.inotify_add_watch(self.fd, os.fsencode(folder), _MASK)
            if wd < 0:  # the system's watch limit, or the folder went since the scan: poll for it
                complete = False
                continue
            known = watches.get(wd, frozenset())  # one folder reached by two paths: one watch
            watches[wd] = None if names is None or known is None else known | names
        for wd in self._names.keys() - watches.keys():
            self._libc.inotify_rm_watch(self.fd, wd)
        self._names = watches
        self.complete = complete

    def wait(self, seconds: float) -> bool:
        """Whether a change that matters arrives within `seconds` (it returns as soon as one does)."""
        try:
            ready = select.select([self.fd], [], [], max(seconds, 0))[0]
        except (OSError, ValueError):  # closed under us
            return False
        return bool(ready) and self._drain()

    def _drain(self) -> bool:
        """Read every queued event; whether any of them matters."""
        matters = False
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return matters
            except OSError as exc:
                if exc.errno == errno.EINTR:
                    continue
                self.complete = False
                return True
            offset = 0
            while offset + _HEADER.size <= len(data):
                wd, mask, _, length = _HEADER.unpack_from(data, offset)
                name = os.fsdecode(data[offset + _HEADER.size: offset + _HEADER.size + length].rstrip(b"\0"))
                offset += _HEADER.size + length
                matters |= self._matters(wd, mask, name)

    def _matters(self, wd: int, mask: int, name: str) -> bool:
        if mask & (_IN_Q_OVERFLOW | _IN_IGNORED):  # events lost, or a watched folder gone
            self.complete = False
            with contextlib.suppress(KeyError):
                del self._names[wd]
            return True
        if wd not in self._names or not name:  # the folder itself, or a watch being replaced
            return True
        names = self._names[wd]
        return not self._ignored(name) if names is None else name in names
