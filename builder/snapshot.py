"""The last build's index, kept so that an edit that leaves the site's shape alone skips indexing.

Collecting, resolving and indexing 13,000 records takes a third of a second
on every rebuild, yet the index is made only of the records' shape fields
(dates, slugs, references: delta.py), except for the order of the lists
shown in order of name. So the index is kept in the cache with each record
that came from a source pickled as that source's position, under a key of
the site's shape: a rebuild with the same key loads it with this build's
records in those positions and sorts those lists again (index.in_name_order),
which equals indexing them again. Entities made up for missing files
(stubs), quotes and everything else in it are kept by value. The problems
collecting and resolving reported are kept too, and reported again.
"""

from __future__ import annotations

import io
import pickle
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from builder.cache import DISPATCH_TABLE, SiteCache
from builder.errors import Problem
from builder.index import SiteIndex, in_name_order
from builder.records import Article, Entity

_NAME = "index"


@dataclass
class IndexSnapshot:
    key: bytes  # the site's shape (delta.py) when it was made
    valid_until: float  # when a left-out future article comes due: then collect again
    left_out: tuple[tuple[str, str], ...]
    problems: tuple[Problem, ...]  # reported while collecting and resolving
    index: bytes  # the pickled SiteIndex, records as their sources' positions


def load_index(cache: SiteCache, key: bytes, records: Sequence[Article | Entity | None],
               ) -> tuple[SiteIndex, IndexSnapshot] | None:
    """The index kept under `key` (the site's shape), with `records` (by source position) in it;
    None if there is none."""
    kept = cache.kept(_NAME)
    if not isinstance(kept, IndexSnapshot) or kept.key != key or time.time() >= kept.valid_until:
        return None
    unpickler = pickle.Unpickler(io.BytesIO(kept.index))
    unpickler.persistent_load = records.__getitem__  # type: ignore[method-assign]
    try:
        index = unpickler.load()
    except Exception:  # damaged beyond the checksum, or positions past the records: never trusted
        return None
    return (in_name_order(index), kept) if isinstance(index, SiteIndex) else None


def keep_index(cache: SiteCache, snapshot: IndexSnapshot, index: SiteIndex,
               positions: dict[int, int]) -> None:
    """Keep `index` with the rest of `snapshot` for the next build; `positions`: id of each record
    from a source -> its position."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.dispatch_table = DISPATCH_TABLE
    pickler.persistent_id = _positions(positions)  # type: ignore[method-assign]
    pickler.dump(index)
    cache.keep(_NAME, replace(snapshot, index=buffer.getvalue()))


def _positions(positions: dict[int, int]) -> Any:
    find = positions.get
    record_types = (Article, Entity)

    def persistent_id(value: object) -> int | None:
        return find(id(value)) if type(value) in record_types else None

    return persistent_id
