"""Running `python -m builder serve` as a user would: a subprocess, its printed URL, Ctrl-C."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from tests.conftest import REPO_ROOT


class ServeProcess:
    """`serve` in a subprocess; `url` is the address it printed; `stop()` sends Ctrl-C (SIGINT)."""

    def __init__(self, site: Path, *args: str, tmpdir: Path | None = None) -> None:
        env = dict(os.environ, PYTHONPATH=str(REPO_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
                   PYTHONUNBUFFERED="1")
        if tmpdir is not None:  # where the temporary build goes, so tests can look at it
            tmpdir.mkdir(parents=True, exist_ok=True)
            env["TMPDIR"] = str(tmpdir)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "builder", "serve", "--site", str(site), *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._lines: queue.Queue[str] = queue.Queue()
        for stream, into, queued in ((self.process.stdout, self.stdout, True),
                                     (self.process.stderr, self.stderr, False)):
            threading.Thread(target=self._read, args=(stream, into, queued), daemon=True).start()
        self.url = ""

    def _read(self, stream, into: list[str], queued: bool) -> None:  # type: ignore[no-untyped-def]
        for line in stream:
            into.append(line)
            if queued:
                self._lines.put(line)

    def wait_for_url(self, timeout: float = 30) -> str:
        """The URL from the 'Serving http://...' line."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._lines.get(timeout=0.1)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            found = re.search(r"Serving (http://\S+)", line)
            if found:
                self.url = found.group(1)
                return self.url
        raise AssertionError(f"serve printed no URL\nstdout: {''.join(self.stdout)}\n"
                             f"stderr: {''.join(self.stderr)}")

    def stop(self, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()

    def __enter__(self) -> ServeProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def eventually(check: Callable[[], bool], timeout: float = 10, message: str = "") -> None:
    """Wait until `check()` is true (for a state reached after a build, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(message or "condition never became true")
        time.sleep(0.02)
