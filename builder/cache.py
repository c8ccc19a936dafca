"""The build cache in the site's hidden `.cache/` folder: what lets a rebuild skip work.

Four things are kept, each a pickle behind a header that names the format,
a key (builder code and config fingerprints) and a checksum of the payload.
A file that is missing, truncated, corrupt or written by another builder or
config is ignored, never trusted; deleting `.cache/` is always safe.

- source digests: file path -> (size, mtime, inode, ctime, content hash). A
  file's hash is trusted from its stat only when its ctime is well before the
  previous snapshot (git's "racy clean" rule); otherwise its bytes are hashed.
- parsed records, sharded by path, keyed by content hash: a file whose bytes
  did not change is not parsed again (Markdown dominates a cold build).
- derived data: the index's costly rankings (related articles, co-mentions),
  each kept with a hash of exactly the inputs it read (dates, slugs, which
  entities each article names), so editing a body does not recompute them;
  and the search index as last built, which a rebuild updates where the
  articles changed (search.py, postings.py); and where each record's pieces
  of the exports lie in the files last written (datasets.py).
- one manifest per output folder: for every file written, the signature of
  everything its rendering read, and its size, mtime, inode, ctime and content
  hash (a file whose stat differs is made and compared again, so an output
  file edited, deleted or restored from a backup is rewritten). A page
  whose signature is unchanged and whose file is still as written is neither
  rendered nor written; the manifest also holds the last build's summary so a
  rebuild with nothing changed can stop after checking stats. It is saved as
  a base and a patch, so a small edit rewrites only the patch.
"""

from __future__ import annotations

import contextlib
import copyreg
import hashlib
import io
import os
import pickle
import shutil
import threading
import time
import zlib
from array import array
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from stat import S_ISREG
from types import MappingProxyType
from typing import Any

from builder.records import Article, Entity, pickled_through_init

CACHE_DIR = ".cache"
_MAGIC = b"builder-cache\n"
_FORMAT = 1
_SHARDS = 32
_PATCH_FLOOR = 1000  # entries a manifest patch may hold whatever the site's size
RACY_SECONDS = 2.0  # a file changed this close to a snapshot is always re-hashed
_PACKAGE = Path(__file__).resolve().parent


def digest(*parts: bytes | str) -> bytes:
    """A short content hash of the parts, each length-prefixed so they cannot run together."""
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.digest()


def code_fingerprint() -> bytes:
    """The builder's own source: a cache written by other code is foreign."""
    files = sorted(_PACKAGE.glob("*.py"))
    return digest(*(part for path in files for part in (path.name, path.read_bytes())))


def config_fingerprint(config: Any) -> bytes:
    """The config, its folder by the resolved path: `--site DIR` and a build inside DIR share a cache."""
    site_dir = getattr(config, "site_dir", None)
    if isinstance(site_dir, Path):
        config = replace(config, site_dir=site_dir.resolve())
    return digest(repr(config))


def files_fingerprint(folders: Iterable[Path]) -> bytes:
    """Every file under the folders, by relative name and bytes (templates, static files)."""
    parts: list[bytes | str] = []
    for folder in folders:
        parts.append(str(folder.resolve()))
        if not folder.is_dir():
            continue
        for directory, subdirs, files in os.walk(folder):
            subdirs.sort()
            for name in sorted(files):
                path = Path(directory, name)
                parts += [path.relative_to(folder).as_posix(), path.read_bytes()]
    return digest(*parts)


# --- Pickling with mapping proxies (records hold read-only mappings) -------------------

def _mapping_proxy(values: dict[str, Any]) -> MappingProxyType[str, Any]:
    return MappingProxyType(values)


def _reduce_mapping_proxy(proxy: MappingProxyType[str, Any]) -> tuple[Any, ...]:
    return (_mapping_proxy, (dict(proxy),))


DISPATCH_TABLE = copyreg.dispatch_table.copy()
DISPATCH_TABLE[MappingProxyType] = _reduce_mapping_proxy


def dumps(value: Any) -> memoryview:
    """The pickle, as a view of the buffer it was written to: copying it out (getvalue) took as
    long as pickling, for a cache file of tens of megabytes."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.dispatch_table = DISPATCH_TABLE
    pickler.dump(value)
    return buffer.getbuffer()


def value_bytes(value: Any) -> bytes:
    """Plain data (str, int, tuples, lists) as bytes that change exactly when the value does.

    For hashing a memo's inputs: three times faster than repr. The pickler
    keeps no memo, so the bytes never depend on which equal objects are shared.
    """
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    pickler.dump(value)
    return buffer.getvalue()


# --- Files with a header: format, key, checksum ----------------------------------------

def _header(key: bytes, payload: bytes | memoryview) -> bytes:
    return _MAGIC + bytes([_FORMAT]) + key + zlib.crc32(payload).to_bytes(4, "little")


# A cache file as one process saw it: (size, mtime_ns, inode). A rename keeps all three.
FileIdentity = tuple[int, int, int]


def _identity(stat: os.stat_result) -> FileIdentity:
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


def save(path: Path, key: bytes, value: Any) -> FileIdentity | None:
    """Write atomically (temporary file, then rename); a cache that cannot be written is skipped.

    Returns the identity of the file written (None if it was not).
    """
    payload = dumps(value)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        _make_cache_dir(path.parent)
        with temporary.open("wb") as file:
            file.write(_header(key, payload))
            file.write(payload)
            file.flush()
            identity = _identity(os.fstat(file.fileno()))
        try:
            os.replace(temporary, path)
        except IsADirectoryError:  # damage: a folder where the file was (the cache is ours to mend)
            shutil.rmtree(path)
            os.replace(temporary, path)
        return identity
    except OSError:
        with contextlib.suppress(OSError):  # e.g. `.cache` is a file: there is nothing to clean
            temporary.unlink(missing_ok=True)
        return None


def _make_cache_dir(folder: Path) -> None:
    """The folder, with a .gitignore in the cache's root so git never lists the cache."""
    folder.mkdir(parents=True, exist_ok=True)
    root = next((p for p in (folder, *folder.parents) if p.name == CACHE_DIR), folder)
    ignore = root / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# the builder's cache: safe to delete\n*\n", encoding="utf-8")


def load(path: Path, key: bytes) -> Any:
    """The value saved under `key`, or None if the file is missing, foreign or damaged."""
    return load_identified(path, key)[0]


def load_identified(path: Path, key: bytes) -> tuple[Any, FileIdentity | None]:
    """load(), and the identity of the file the value came from."""
    try:
        with path.open("rb") as file:
            identity = _identity(os.fstat(file.fileno()))
            data = file.read()
    except OSError:
        return None, None
    return _loads(data, key), identity


def _loads(data: bytes, key: bytes) -> Any:
    start = len(_MAGIC) + 1 + len(key) + 4
    if len(data) < start or not data.startswith(_MAGIC) or data[len(_MAGIC)] != _FORMAT:
        return None
    if data[len(_MAGIC) + 1: start - 4] != key:
        return None
    payload = memoryview(data)[start:]
    if zlib.crc32(payload).to_bytes(4, "little") != data[start - 4: start]:
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # a checksum collision on garbage: still never trusted
        return None


# --- Values kept in memory by a long-lived process ---------------------------------------

class CacheMemory:
    """What one process saved to or loaded from cache files, kept to hand back without unpickling.

    For `serve`, which builds again and again: loading the cache took a
    fifth of a rebuild at 10,000 articles. A value is handed back only while
    its file is still the one this process read or wrote (same size, mtime
    and inode) and under the same key; anything else is loaded from disk as
    ever, so another process's build, a damaged or deleted cache are seen.
    Values handed back are shared, so nothing may change them in place;
    those a build updates in place (`take`) are handed out once, and kept
    again only when saved again.
    """

    def __init__(self) -> None:
        self._values: dict[Path, tuple[FileIdentity, bytes, Any]] = {}

    def load(self, path: Path, key: bytes, take: bool = False) -> Any:
        try:
            identity = _identity(os.stat(path))
        except OSError:
            self._values.pop(path, None)
            return None
        known = self._values.pop(path, None) if take else self._values.get(path)
        if known is not None and known[0] == identity and known[1] == key:
            return known[2]
        value, identity = load_identified(path, key)
        self.remember(path, key, None if take else value, identity)
        return value

    def remember(self, path: Path, key: bytes, value: Any, identity: FileIdentity | None) -> None:
        """Keep `value` as the content of `path` (as it is now: `identity`); forget it if None."""
        if value is None or identity is None:
            self._values.pop(path, None)
        else:
            self._values[path] = (identity, key, value)


# --- The cache of one site -------------------------------------------------------------

# A source file's (size, mtime_ns, inode, ctime_ns, content hash): a plain tuple, since all of them
# are loaded and saved on every build and a tuple unpickles five times faster than a class.
SourceStat = tuple[int, int, int, int, bytes]


@pickled_through_init
@dataclass
class RecordEntry:
    kind: str
    digest: bytes
    result: Any  # reader.ReadResult
    shape: bytes = b""  # hash of what in it shapes the site (delta.record_shape)
    ref: bytes = b""  # what stands for its record in page signatures: hash of kind, path and bytes


@pickled_through_init  # 20,000 of them in a 10,000-article manifest, loaded on every build
@dataclass
class OutputEntry:
    """One file of the output folder as the last build left it."""

    signature: bytes | None
    size: int
    mtime_ns: int
    inode: int
    digest: bytes
    # The sources (Manifest.sources positions) the page showed: an array of C ints, since a
    # 100,000-article manifest holds millions of them.
    deps: array[int] | None = None
    # Set once the file is in place (a rename changes it): a file edited, deleted or restored from
    # a backup behind the builder's back has another ctime whatever its mtime says.
    ctime_ns: int = 0


@dataclass
class Manifest:
    """What the last successful build wrote into one output folder."""

    files: dict[str, OutputEntry] = field(default_factory=dict)
    inputs: bytes = b""  # signature of every input of that build
    valid_until: float = float("inf")  # when a left-out future article comes due
    warnings: tuple[Any, ...] = ()
    left_out: tuple[tuple[str, str], ...] = ()
    # For delta.py: the site's shape, every source with its hash, and every page with its file.
    shape: bytes = b""
    sources: tuple[str, ...] = ()
    source_digests: tuple[bytes, ...] = ()
    pages: tuple[str, ...] = ()
    page_files: tuple[str, ...] = ()
    template_reads: dict[str, frozenset[str]] = field(default_factory=dict)  # delta.TemplateReads


class SiteCache:
    """The `.cache/` folder of one site, for one builder and one config."""

    def __init__(self, site_dir: Path, config: Any, memory: CacheMemory | None = None) -> None:
        """memory: values a long-lived process keeps between builds (serve's); None loads every time."""
        self.folder = site_dir / CACHE_DIR
        self.code = code_fingerprint()
        self.config = config_fingerprint(config)
        self.key = digest(self.code, self.config)
        self._bases: dict[Path, _ManifestBase] = {}  # the manifest bases loaded or saved, by output folder
        self.memory = memory

    def _load(self, path: Path, key: bytes, take: bool = False) -> Any:
        return load(path, key) if self.memory is None else self.memory.load(path, key, take)

    def _save(self, path: Path, key: bytes, value: Any) -> None:
        identity = save(path, key, value)
        if self.memory is not None:
            self.memory.remember(path, key, value, identity)

    # Source digests ------------------------------------------------------------------
    def source_digests(self, paths: Mapping[str, str | Path]) -> dict[str, bytes]:
        """relative path -> content hash, hashing only files that may have changed.

        Whenever it hashed a file or lost one, what it found is saved at once,
        whether or not the build goes on: a rebuild with nothing to do then still
        moves the snapshot past files too recent to trust (after a checkout of
        thousands of files, every such rebuild used to hash them all again).
        """
        last_snapshot, previous = self._load_sources()
        snapshot = time.time()
        trusted_before = int((last_snapshot - RACY_SECONDS) * 1e9)
        current: dict[str, SourceStat] = {}
        hashed = 0
        for relative, path in paths.items():
            try:
                stat = os.stat(path)
                old = previous.get(relative)
                # ctime too (as git does): an edit whose old mtime was put back (touch -r, sync
                # tools) still moves the ctime, which no user call can set.
                if (old is not None and old[0] == stat.st_size and old[1] == stat.st_mtime_ns
                        and old[2] == stat.st_ino and old[3] == stat.st_ctime_ns
                        and stat.st_ctime_ns < trusted_before):
                    current[relative] = old
                    continue
                with open(path, "rb") as file:
                    content = digest(file.read())
                hashed += 1
            except OSError:
                continue  # the reader reports the file it cannot read
            current[relative] = (stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns, content)
        if hashed or len(current) != len(previous):
            self._save(self.folder / "sources.pickle", self.code, (snapshot, current))
        return {relative: entry[4] for relative, entry in current.items()}

    def _load_sources(self) -> tuple[float, dict[str, SourceStat]]:
        """(when the kept stats were taken, the stats), or nothing kept."""
        loaded = self._load(self.folder / "sources.pickle", self.code)
        if not isinstance(loaded, tuple) or len(loaded) != 2:
            return 0.0, {}
        return loaded

    # Derived data ---------------------------------------------------------------------
    def memo(self, name: str, inputs: bytes, compute: Callable[[], Any]) -> Any:
        """compute(), or the value it gave last time for the same inputs (one value kept per name)."""
        path = self.folder / f"memo-{name}.pickle"
        key = digest(self.key, inputs)
        value = self._load(path, key)
        if value is None:
            value = compute()
            self._save(path, key, value)
        return value

    def kept(self, name: str) -> Any:
        """The value last saved by `keep` under this name (for this builder and config), or None.

        The caller may update it in place (and keep it again): it is never handed out twice.
        """
        return self._load(self.folder / f"kept-{name}.pickle", self.key, take=True)

    def keep(self, name: str, value: Any) -> None:
        """Save a value for the next build to update, where memo would recompute it whole."""
        self._save(self.folder / f"kept-{name}.pickle", self.key, value)

    # Parsed records ------------------------------------------------------------------
    def load_records(self) -> dict[str, RecordEntry]:
        records: dict[str, RecordEntry] = {}
        for shard in range(_SHARDS):
            loaded = self._load(self._shard_path(shard), self.key)
            if isinstance(loaded, dict):
                records.update(loaded)
        return records

    def save_records(self, records: Mapping[str, RecordEntry], changed: Iterable[str]) -> None:
        """Rewrite the shards that hold a changed or removed path."""
        dirty = {_shard_of(relative) for relative in changed}
        if not dirty:
            return
        shards: dict[int, dict[str, RecordEntry]] = {shard: {} for shard in dirty}
        for relative, entry in records.items():
            shard = _shard_of(relative)
            if shard in shards:
                shards[shard][relative] = entry
        for shard, entries in shards.items():
            self._save(self._shard_path(shard), self.key, entries)

    def _shard_path(self, shard: int) -> Path:
        return self.folder / "records" / f"{shard:02d}.pickle"

    # Output manifests ----------------------------------------------------------------
    # A manifest is saved as a base (every file's entry, written when many changed) and a patch
    # (the rest of the manifest, and the entries that differ from the base): after a small edit
    # only the patch is written, a hundredth of the bytes of a 10,000-article manifest.
    def load_manifest(self, output_dir: Path) -> Manifest:
        patch = self._load(self._manifest_path(output_dir), self.key)
        if not isinstance(patch, _ManifestPatch):
            return Manifest()
        base = self._load(self._manifest_path(output_dir, "-base"), self.key)
        if not isinstance(base, _ManifestBase) or base.token != patch.base_token:
            return Manifest()  # a base from another build (the patch's was never written): start afresh
        files = dict(base.files)
        files.update(patch.changed)
        for relative in patch.removed:
            del files[relative]
        self._bases[output_dir] = base
        return replace(patch.manifest, files=files)

    def save_manifest(self, output_dir: Path, manifest: Manifest) -> None:
        base = self._bases.get(output_dir)
        changed: dict[str, OutputEntry] = {}
        removed: list[str] = []
        if base is not None:
            old = base.files.get
            changed = {relative: entry for relative, entry in manifest.files.items()
                       if old(relative) is not entry}
            removed = [relative for relative in base.files if relative not in manifest.files]
        if base is None or len(changed) + len(removed) > max(_PATCH_FLOOR, len(manifest.files) // 10):
            base = _ManifestBase(os.urandom(16), dict(manifest.files))
            self._save(self._manifest_path(output_dir, "-base"), self.key, base)
            self._bases[output_dir] = base
            changed, removed = {}, []
        self._save(self._manifest_path(output_dir), self.key,
                   _ManifestPatch(base.token, changed, tuple(removed), replace(manifest, files={})))

    def forget_manifest(self, output_dir: Path, with_base: bool = False) -> None:
        """Before touching an output folder: a build that dies half-way leaves no stale claims.
        `with_base`: for an output folder never built again (deploy's, preview's), leave nothing."""
        for suffix in ("", "-base") if with_base else ("",):
            path = self._manifest_path(output_dir, suffix)
            with contextlib.suppress(OSError):  # no manifest to forget, or a damaged one
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)  # damage: a folder where the file was; it is never loaded
                else:
                    path.unlink()

    def _manifest_path(self, output_dir: Path, suffix: str = "") -> Path:
        return self.folder / "outputs" / f"{digest(str(output_dir.resolve())).hex()}{suffix}.pickle"


@dataclass
class _ManifestBase:
    token: bytes  # random: names this base in the patches written against it
    files: dict[str, OutputEntry]


@dataclass
class _ManifestPatch:
    base_token: bytes
    changed: dict[str, OutputEntry]  # entries new or other than the base's
    removed: tuple[str, ...]  # the base's files no longer written
    manifest: Manifest  # all but its files


def _shard_of(relative: str) -> int:
    return zlib.crc32(relative.encode("utf-8", "surrogatepass")) % _SHARDS


def file_unchanged(path: str | Path, entry: OutputEntry) -> bool:
    """The output file is still what the manifest says the last build wrote (by its stat alone)."""
    try:
        stat = os.lstat(path)
    except OSError:
        return False
    return (stat.st_size == entry.size and stat.st_mtime_ns == entry.mtime_ns
            and stat.st_ino == entry.inode and stat.st_ctime_ns == entry.ctime_ns)


def still_written(path: Path, entry: OutputEntry) -> OutputEntry | None:
    """`entry` with the file's current stat if the file still holds what the last build wrote, else None.

    The stat decides when it is as recorded; when only the stat moved (the output folder restored
    from a backup or a CI cache, copied, touched) the bytes' hash decides, so a page whose inputs
    are unchanged is not written again, and the fresh stat is kept for the next build.
    """
    try:
        stat = os.lstat(path)
        if stat.st_size != entry.size or not S_ISREG(stat.st_mode):
            return None
        if (stat.st_mtime_ns == entry.mtime_ns and stat.st_ino == entry.inode
                and stat.st_ctime_ns == entry.ctime_ns):
            return entry
        with open(path, "rb") as file:
            if digest(file.read()) != entry.digest:
                return None
    except OSError:
        return None
    return replace(entry, mtime_ns=stat.st_mtime_ns, inode=stat.st_ino, ctime_ns=stat.st_ctime_ns)


class ChangedFiles:
    """The files of a manifest that are no longer as it says, found by a thread while the build reads.

    A stat of every output file (20,000 at 10,000 articles) is most of what
    a small edit's plan costs, and the system calls run beside the main
    thread. Take the `result()` before forking: a process with a running
    thread is not forked (parallel.py).
    """

    def __init__(self, output_dir: Path, files: Mapping[str, OutputEntry]) -> None:
        self._found: set[str] = set()
        self._thread = threading.Thread(target=self._check, args=(str(output_dir), files), daemon=True)
        self._thread.start()

    def _check(self, folder: str, files: Mapping[str, OutputEntry]) -> None:
        for relative, entry in files.items():
            if not file_unchanged(f"{folder}/{relative}", entry):
                self._found.add(relative)

    def result(self) -> set[str]:
        self._thread.join()
        return self._found


# --- Page signatures -------------------------------------------------------------------

class _RecordRef:
    """Stands for a record in a signature: its source's hash says everything it holds."""

    def __init__(self, digest: bytes) -> None:
        self.digest = digest


class _RecordPickler(pickle.Pickler):
    """Pickles records as their source hashes, through the dispatch table (no Python hook per object)."""

    def __init__(self, buffer: io.BytesIO, dispatch_table: Mapping[type, Any]) -> None:
        super().__init__(buffer, protocol=5)
        self.dispatch_table = dispatch_table
        self.fast = True  # no memo: the bytes depend on values only, never on which objects are shared


class SignaturePickler:
    """Pickles a page's variables with each record replaced by its source hash.

    The result changes whenever anything the page can see changes, and it is
    cheap: an article's body is never pickled, only its 16-byte hash. On the
    way it notes which sources the page showed: its dependencies (delta.py).
    """

    def __init__(self, record_refs: Mapping[int, tuple[bytes, int]]) -> None:
        """record_refs: id(record) -> (hash of its source, the source's position)."""
        self.shown: set[int] = set()
        shown = self  # the closure reads the current set: _shared swaps it

        def reduce_record(record: Article | Entity) -> Any:
            known = record_refs.get(id(record))
            if known is None:
                return record.__reduce_ex__(5)
            shown.shown.add(known[1])
            return (_RecordRef, (known[0],))

        self.dispatch_table = {**DISPATCH_TABLE, Article: reduce_record, Entity: reduce_record}
        # id -> (kept alive, ref, sources shown)
        self.shared: dict[int, tuple[tuple[Any, ...], _SharedRef, frozenset[int]]] = {}

    def page_signature(self, environment: bytes, path: str, template: str,
                       context: Mapping[str, Any]) -> tuple[bytes | None, array[int] | None]:
        """The hash of a page's template, path and variables, and the sources it showed;
        (None, None) if they cannot be pickled.

        Long tuples are hashed once per build however many pages share them
        (an entity's quotes and co-mentions appear on each of its pages).
        """
        self.shown = set()
        try:
            parts = [(key, self._shared(value) if isinstance(value, tuple) and len(value) >= 8 else value)
                     for key, value in context.items()]
            signature = digest(environment, self._dumps((path, template, parts)))
        except Exception:  # something unpicklable in a context: render it every time
            return None, None
        return signature, array("i", sorted(self.shown))

    def _shared(self, value: tuple[Any, ...]) -> _SharedRef:
        known = self.shared.get(id(value))
        if known is None:
            outer, self.shown = self.shown, set()
            ref = _SharedRef(digest(self._dumps(value)))
            known = self.shared[id(value)] = (value, ref, frozenset(self.shown))
            self.shown = outer
        self.shown |= known[2]
        return known[1]

    def _dumps(self, value: Any) -> bytes:
        buffer = io.BytesIO()  # a fresh pickler: clearing a big memo costs more than a new one
        _RecordPickler(buffer, self.dispatch_table).dump(value)
        return buffer.getvalue()


class _SharedRef:
    """Stands for a long tuple in a signature, by the hash of its pickle."""

    def __init__(self, digest: bytes) -> None:
        self.digest = digest
