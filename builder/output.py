"""Writing the output folder: only changed files, all-or-nothing, nothing outside.

Changed files are first written to a hidden staging folder beside the output
folder (`.<name>.builder-tmp-<pid>`, on the same disk so renames are atomic);
only when every page has rendered are they renamed into place (a quick series
of renames), and files no page produced any more are removed. A failure,
Ctrl-C or SIGTERM before that point removes the staging folder and leaves the
output exactly as it was; even `kill -9` leaves the output untouched, and the
next build removes the staging folder it left. Files whose bytes are
unchanged are not touched. Nothing is written through a symbolic link found
inside the output folder: the link is replaced by a real folder or file.

The output folder is the builder's only if the builder made it: a build goes
into a folder that is missing, empty or holds the builder's mark (`MARKER`, a
small file written into every output folder at commit); any other folder is
refused unless the build is told to replace its contents (`clean`). Even then
a top-level `.git/` is never removed, nor `CNAME` or `.nojekyll` unless the
build writes them (a clone of a GitHub Pages repository keeps them).

Worker processes may stage files (`stage_file`); the main process commits.
With `previous` (the files the last build wrote, from the cache's manifest)
stale files are found without walking the output folder; a build into a
folder that does not exist yet renames the whole staging folder into place.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from builder.errors import OutputError, Problem
from builder.urls import UnsafePathError, output_file

TEMP_SUFFIX = ".builder-tmp"
MARKER = ".builder-output"  # says "this builder wrote this folder": a dotfile GitHub Pages ignores
MARKER_TEXT = b"This folder is written by builder: each build replaces its files. Safe to delete.\n"
KEPT = frozenset({".git", "CNAME", ".nojekyll"})  # top-level names a build never removes of itself
_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)


def staging_prefix(output_dir: Path) -> str:
    """Name prefix of the staging folders of builds of `output_dir` (beside it)."""
    return f".{output_dir.name}{TEMP_SUFFIX}-"


class OutputWriter:
    """Stages files for one build of `output_dir`; `commit()` makes them visible."""

    def __init__(self, output_dir: Path, previous: Collection[str] | None = None,
                 clean: bool = False) -> None:
        """clean: the folder may hold files this builder did not write; they are removed at commit."""
        self.output_dir = output_dir
        self.previous = previous
        if output_dir.is_symlink() or (output_dir.exists() and not output_dir.is_dir()):
            raise OutputError([Problem(str(output_dir), 0, "the output path is not a folder",
                                       "remove it or pick another --output")])
        if not clean and not is_owned(output_dir):
            raise OutputError([Problem(str(output_dir), 0, "holds files this builder did not write",
                                       "use an empty folder, or --clean to replace its contents")])
        self.staging_dir = output_dir.parent / f"{staging_prefix(output_dir)}{os.getpid()}"
        self.staged: list[tuple[Path, PurePosixPath]] = []  # (staged file, path in output)
        self.expected: set[PurePosixPath] = set()
        self._real_dirs: set[PurePosixPath] = set()  # output folders known to be no symlink
        self.written = 0
        self.unchanged = 0
        self.placed: dict[str, os.stat_result] = {}  # files written, by relative path: as committed
        # Folders above the output that a failed build must not leave behind.
        self.missing_parents = [p for p in output_dir.parents if not p.exists()]
        remove_leftovers(output_dir)

    def __enter__(self) -> OutputWriter:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is not None:
            self.rollback()

    def add(self, site_path: str, data: bytes) -> None:
        """Stage `data` for the file serving `site_path`, unless it is already there."""
        relative = self.claim(site_path)
        if self.is_unchanged(relative, data):
            self.unchanged += 1
            return
        self.accept(stage_file(self.staging_dir, relative, data))

    def claim(self, site_path: str) -> PurePosixPath:
        """The output file for `site_path`; two pages may not claim the same file."""
        try:
            relative = output_file(site_path)
        except UnsafePathError as exc:
            raise OutputError([Problem(site_path, 0, str(exc), "report this as a bug")]) from None
        if relative in self.expected:
            raise OutputError([Problem(site_path, 0, "two pages write the same file")])
        self.expected.add(relative)
        return relative

    def is_unchanged(self, relative: PurePosixPath, data: bytes) -> bool:
        """The file is already there with these bytes (read and compared)."""
        return self._is_real_dir(relative.parent) and _same_bytes(self._target(relative), data)

    def accept(self, staged: StagedFile) -> None:
        """A file staged by `stage_file`, perhaps in a worker process, joins this build."""
        self.staged.append((staged.path, staged.relative))

    def commit(self) -> None:
        """Rename staged files into place and remove files no longer produced."""
        if not self.output_dir.exists() and self.staged and len(self.staged) == len(self.expected):
            _write_marker(self.staging_dir)
            os.replace(self.staging_dir, self.output_dir)  # a first build: one rename
            self.written = len(self.staged)
            self._note_placed(relative for _, relative in self.staged)
            self.staged = []
            return
        self.output_dir.mkdir(parents=True, exist_ok=True)
        _write_marker(self.output_dir)
        for staged, relative in self.staged:
            target = self._target(relative)
            self._make_real_dir(relative.parent)
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            _move(staged, target)
        self.written = len(self.staged)
        self._note_placed(relative for _, relative in self.staged)
        self.staged = []
        shutil.rmtree(self.staging_dir, ignore_errors=True)
        if self.previous is None:
            self._remove_stale()
        else:
            self._remove_previous(self.previous)

    def _note_placed(self, relatives: Iterable[PurePosixPath]) -> None:
        """The stat of each file as placed: its ctime is known only now (a rename sets it)."""
        for relative in relatives:
            with contextlib.suppress(OSError):
                self.placed[relative.as_posix()] = os.lstat(self._target(relative))

    def rollback(self) -> None:
        self.staged = []
        shutil.rmtree(self.staging_dir, ignore_errors=True)
        for parent in self.missing_parents:  # nearest first
            with contextlib.suppress(OSError):
                parent.rmdir()

    def _target(self, relative: PurePosixPath) -> Path:
        return self.output_dir.joinpath(*relative.parts)

    def _is_real_dir(self, relative: PurePosixPath) -> bool:
        """Whether every folder from the output folder down to `relative` is real (no link)."""
        if relative in self._real_dirs or not relative.parts:
            return True
        path = self._target(relative)
        real = self._is_real_dir(relative.parent) and path.is_dir() and not path.is_symlink()
        if real:
            self._real_dirs.add(relative)
        return real

    def _make_real_dir(self, relative: PurePosixPath) -> None:
        """Create the folder `relative`, replacing files or links in its way."""
        if relative in self._real_dirs or not relative.parts:
            return
        self._make_real_dir(relative.parent)
        path = self._target(relative)
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            path.unlink()
        path.mkdir(exist_ok=True)
        self._real_dirs.add(relative)

    def _remove_stale(self) -> None:
        """Every file no page produced, but the mark and what KEPT names at the top."""
        for directory, subdirs, files in os.walk(self.output_dir, topdown=False):
            base = Path(directory)
            relative_base = PurePosixPath(base.relative_to(self.output_dir).as_posix())
            if relative_base.parts[:1] == (".git",):
                continue
            for name in files:
                relative = relative_base / name if relative_base.parts else PurePosixPath(name)
                if relative not in self.expected and not (
                        not relative_base.parts and (name in KEPT or name == MARKER)):
                    (base / name).unlink()
            for name in subdirs:
                path = base / name
                if not relative_base.parts and name == ".git":
                    continue
                if path.is_symlink():
                    path.unlink()
                elif not any(path.iterdir()):
                    path.rmdir()


    def _remove_previous(self, previous: Collection[str]) -> None:
        """Files the last build wrote that no page produces now, and the folders they emptied."""
        expected = {relative.as_posix() for relative in self.expected}
        for relative in sorted(set(previous) - expected):
            path = self.output_dir.joinpath(*relative.split("/"))
            if not self._is_real_dir(PurePosixPath(relative).parent):
                continue
            path.unlink(missing_ok=True)
            for parent in path.parents:
                if parent == self.output_dir or not parent.is_relative_to(self.output_dir):
                    break
                try:
                    parent.rmdir()
                except OSError:
                    break


def is_owned(output_dir: Path) -> bool:
    """Missing, empty (but for KEPT names), or marked by a build: a build may write it.

    One stat in the common case (the mark is there); a folder without it is listed until the
    first name that is not KEPT.
    """
    marker = output_dir / MARKER
    if marker.is_file() and not marker.is_symlink():
        return True
    try:
        with os.scandir(output_dir) as entries:
            return all(entry.name in KEPT for entry in entries)
    except FileNotFoundError:
        return True


def _write_marker(folder: Path) -> None:
    """The mark, replacing a link or folder of that name (only in a folder the build may replace)."""
    marker = folder / MARKER
    if marker.is_symlink():
        marker.unlink()
    elif marker.is_dir():
        shutil.rmtree(marker)
    if not marker.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        marker.write_bytes(MARKER_TEXT)


@dataclass(frozen=True)
class StagedFile:
    path: Path  # in the staging folder
    relative: PurePosixPath  # in the output folder
    size: int
    mtime_ns: int
    inode: int


def stage_file(staging_dir: Path, relative: PurePosixPath, data: bytes) -> StagedFile:
    """Write `data` into the staging folder; safe in several processes at once."""
    path = staging_dir.joinpath(*relative.parts)
    try:  # os-level calls: open, write, fstat, close (Path.write_bytes and .stat make twice as many)
        descriptor = os.open(path, _WRITE_FLAGS, 0o644)
    except FileNotFoundError:  # its folder does not exist yet (most pages have a folder of their own)
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, _WRITE_FLAGS, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view):]
        stat = os.fstat(descriptor)
    finally:
        os.close(descriptor)
    return StagedFile(path, relative, stat.st_size, stat.st_mtime_ns, stat.st_ino)


def remove_leftovers(output_dir: Path) -> None:
    """Staging folders of builds that were killed before they could clean up."""
    parent = output_dir.parent
    if not parent.is_dir():
        return
    prefix = staging_prefix(output_dir)
    for entry in parent.iterdir():
        if entry.name.startswith(prefix) and not _running(entry.name[len(prefix):]):
            shutil.rmtree(entry, ignore_errors=True)


def _running(pid_text: str) -> bool:
    """Whether the build that owns a staging folder is still at work (then leave it)."""
    if not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _move(source: Path, target: Path) -> None:
    try:
        os.replace(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:  # the output folder is a mount point of its own
            raise
        shutil.move(source, target)


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.is_symlink() or path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return False


def static_files(folders: list[Path], site_dir: Path | None = None) -> dict[str, Path]:
    """Site path -> file for every static file; later folders override earlier ones.

    A symbolic link that leads out of its static folder is refused: copying it
    would publish whatever file it points at.
    """
    found: dict[str, Path] = {}
    outside: list[Problem] = []
    for folder in folders:
        if not folder.is_dir():
            continue
        root = folder.resolve()
        for directory, subdirs, files in os.walk(folder):
            subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith("."):
                    continue
                path = Path(directory, name)
                if path.is_symlink() and not path.resolve().is_relative_to(root):
                    shown = path.relative_to(site_dir) if site_dir and path.is_relative_to(site_dir) \
                        else path
                    outside.append(Problem(shown.as_posix(), 1, "symbolic link points outside the "
                                           "static folder", "copy the file in instead"))
                    continue
                found["static/" + path.relative_to(folder).as_posix()] = path
    if outside:
        raise OutputError(outside)
    return found
