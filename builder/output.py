"""Writing the output folder: only changed files, all-or-nothing, nothing outside.

Files are first written beside their targets under temporary names; only
when every page has rendered are they renamed into place (a quick series of
renames), and files no page produced any more are removed. A failure or
Ctrl-C before that point removes the temporary files and leaves the previous
output exactly as it was. Files whose bytes are unchanged are not touched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path, PurePosixPath

from builder.errors import OutputError, Problem
from builder.urls import UnsafePathError, output_file

TEMP_SUFFIX = ".builder-tmp"


class OutputWriter:
    """Stages files for one build of `output_dir`; `commit()` makes them visible."""

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = output_dir
        self.created_output = not output_dir.exists()
        self.staged: list[tuple[Path, Path]] = []  # (temporary file, final file)
        self.created_dirs: list[Path] = []
        self.expected: set[PurePosixPath] = set()
        self.written = 0
        self.unchanged = 0
        if output_dir.exists() and not output_dir.is_dir():
            raise OutputError([Problem(str(output_dir), 0, "the output path is a file, not a folder")])
        self._remove_leftovers()

    def __enter__(self) -> OutputWriter:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is not None:
            self.rollback()

    def add(self, site_path: str, data: bytes) -> None:
        """Stage `data` for the file serving `site_path`, unless it is already there."""
        try:
            relative = output_file(site_path)
        except UnsafePathError as exc:
            raise OutputError([Problem(site_path, 0, str(exc), "report this as a bug")]) from None
        if relative in self.expected:
            raise OutputError([Problem(site_path, 0, "two pages write the same file")])
        self.expected.add(relative)
        target = self.output_dir.joinpath(*relative.parts)
        if _same_bytes(target, data):
            self.unchanged += 1
            return
        self._make_parent(target.parent)
        temporary = target.with_name(target.name + TEMP_SUFFIX)
        temporary.write_bytes(data)
        self.staged.append((temporary, target))

    def commit(self) -> None:
        """Rename staged files into place and remove files no longer produced."""
        for temporary, target in self.staged:
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            os.replace(temporary, target)
        self.written = len(self.staged)
        self.staged = []
        self._remove_stale()

    def rollback(self) -> None:
        for temporary, _ in self.staged:
            temporary.unlink(missing_ok=True)
        self.staged = []
        if self.created_output:
            shutil.rmtree(self.output_dir, ignore_errors=True)
            return
        for directory in reversed(self.created_dirs):
            with contextlib.suppress(OSError):
                directory.rmdir()

    def _make_parent(self, directory: Path) -> None:
        missing: list[Path] = []
        while not directory.is_dir():
            if directory.exists() or directory.is_symlink():  # a file where a folder must go
                directory.unlink()
            missing.append(directory)
            directory = directory.parent
        for path in reversed(missing):
            path.mkdir()
            self.created_dirs.append(path)

    def _remove_stale(self) -> None:
        for directory, subdirs, files in os.walk(self.output_dir, topdown=False):
            base = Path(directory)
            relative_base = PurePosixPath(base.relative_to(self.output_dir).as_posix())
            for name in files:
                relative = relative_base / name if relative_base.parts else PurePosixPath(name)
                if relative not in self.expected:
                    (base / name).unlink()
            for name in subdirs:
                path = base / name
                if path.is_symlink():
                    path.unlink()
                elif not any(path.iterdir()):
                    path.rmdir()

    def _remove_leftovers(self) -> None:
        """Temporary files of a build that was killed before it could clean up."""
        if not self.output_dir.is_dir():
            return
        for directory, _, files in os.walk(self.output_dir):
            for name in files:
                if name.endswith(TEMP_SUFFIX):
                    Path(directory, name).unlink(missing_ok=True)


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return False


def static_files(folders: list[Path]) -> dict[str, Path]:
    """Site path -> file for every static file; later folders override earlier ones."""
    found: dict[str, Path] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for directory, subdirs, files in os.walk(folder):
            subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith("."):
                    continue
                path = Path(directory, name)
                found["static/" + path.relative_to(folder).as_posix()] = path
    return found
