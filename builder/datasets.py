"""The exports for researchers, graph.json and annotations.csv: joined from pieces, one set per record.

Their shape and columns are documented in README.md ("Data exports"). Both
list every article and entity, and both show names, so after a rename
making them again from every record used to cost more than the rest of the
rebuild. So each file is a join of pieces: per article its graph node, its
"mentions" edges and its CSV rows; per entity its node and its "relation"
edges; then the co-mention edges. The site's cache keeps where each piece
lies in the files the last build wrote, under the hash of its record's
source (job.record_refs), and a rebuild copies every piece whose record is
unchanged from those files, encoding only the others. An article's rows
also show its entities' names, so they are made again when one of those
names changed; the co-mention edges depend only on which entities each
article names, and are copied while none of that changed.

The last build's files are trusted as the rest of the build trusts its
output (parallel.earlier_bytes): their stat is what the manifest says, and
the manifest's hash of them is the one the kept positions were measured
in. Anything else (no kept state, a damaged one, a file changed by hand,
another output folder) makes every piece afresh; the bytes are the same
either way, and all of them are sorted and dated from the content, so an
unchanged archive gives byte-identical files.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring
from operator import attrgetter

from builder.cache import SiteCache, digest
from builder.config import SiteConfig
from builder.index import QUOTE_KIND, SiteIndex
from builder.records import Article, Entity, EntityKey, Reference
from builder.render import RawFile
from builder.urls import UrlMap, data_path

GRAPH_VERSION = 2
ANNOTATION_COLUMNS = ("article", "article_date", "kind", "entity", "entity_name", "origin", "field", "line",
                      "source_path")
# The records' display fields (delta.DISPLAY_FIELDS) the exports read: an edit that changes
# only other display fields leaves them as they are, and a rebuild keeps them.
DISPLAY_READS = frozenset({"title", "name", "wikidata"})
_KEPT = "exports"

# (site path, hash of the bytes wanted) -> those bytes, if the last build left them there.
EarlierFile = Callable[[str, bytes], bytes | None]
Span = tuple[int, int]  # where a piece lies in a file: start, end


def export_paths() -> tuple[str, str]:
    return data_path("graph.json"), data_path("annotations.csv")


def node_id(record: Article | Entity) -> str:
    """'articles/<slug>' or '<kind>/<slug>': unique, since no kind may be called 'articles'."""
    return f"articles/{record.slug}" if isinstance(record, Article) else f"{record.kind}/{record.slug}"


def article_references(article: Article) -> list[Reference]:
    """One reference per entity the article names, quotes' speakers included."""
    seen = {ref.key for ref in article.references}
    speakers = []
    for quote in article.quotes:
        if (QUOTE_KIND, quote.by) not in seen:
            seen.add((QUOTE_KIND, quote.by))
            speakers.append(Reference(QUOTE_KIND, quote.by, quote.line, "front matter", "quotes"))
    return [*article.references, *speakers]


@dataclass
class _Kept:
    """Where the last build put each record's pieces, in the files whose hashes are `graph` and `table`.

    Records are listed in the files' order; spans are flat arrays (start, end, start, end, ...).
    """

    graph: bytes
    table: bytes
    articles: list[bytes | None]  # each article's source hash
    named: list[bytes]  # for each article, the ids of the entities it names
    nodes: array[int]  # spans of the articles' nodes,
    mentions: array[int]  # of their "mentions" edges,
    rows: array[int]  # and of their CSV rows
    entities: list[bytes | None]  # each entity's source hash (_entity_ref)
    entity_nodes: array[int]  # spans of the entities' nodes,
    relations: array[int]  # and of their "relation" edges
    co_mentions: tuple[bytes, Span]  # hash of `named`, span of the co-mention edges
    names: dict[EntityKey, str]  # every entity's name, as the rows show them

    def consistent(self) -> bool:
        """Every list as long as its records: a state that is not is never trusted."""
        articles, entities = len(self.articles), len(self.entities)
        return (len(self.named) == articles and len(self.entity_nodes) == len(self.relations) == 2 * entities
                and len(self.nodes) == len(self.mentions) == len(self.rows) == 2 * articles)


def export_files(index: SiteIndex, config: SiteConfig, cache: SiteCache | None = None,
                 source_hashes: Mapping[int, bytes] | None = None,
                 earlier: EarlierFile | None = None) -> Iterator[RawFile]:
    """graph.json and annotations.csv; with the cache, the records' source hashes (id of a record
    -> hash) and the last build's files, copying every piece whose inputs are unchanged."""
    graph_path, table_path = export_paths()
    kept = cache.kept(_KEPT) if cache is not None and earlier is not None else None
    if not isinstance(kept, _Kept) or not kept.consistent() or earlier is None:
        kept = None
    made = _Made(index, UrlMap(config), source_hashes or {}, kept)
    # One file at a time, each let go once staged: at most one old and one new file in memory.
    old = earlier(graph_path, kept.graph) if kept is not None and earlier is not None else None
    graph = made.graph(old)
    del old
    graph_digest = digest(graph)
    yield RawFile(graph_path, graph, graph_digest)
    del graph
    old = earlier(table_path, kept.table) if kept is not None and earlier is not None else None
    table = made.table(old)
    del old
    state = _Kept(graph_digest, digest(table), made.article_refs, made.named, made.nodes, made.mentions,
                  made.rows, made.entity_refs, made.entity_nodes, made.relations, made.co_mention_span,
                  made.names)
    yield RawFile(table_path, table, state.table)
    if cache is not None and state != kept:
        cache.keep(_KEPT, state)


class _Joined:
    """Pieces one after another, noting where each lands; joined once at the end.

    Items of a list are separated by `separator`; an empty piece takes no
    separator (an article that names no entity has no edges). Pieces copied
    from the last build's file that lay one after another there are copied
    as one stretch, so an unchanged file costs a few slices, not one per record.
    """

    def __init__(self, separator: bytes, old: bytes | None) -> None:
        self.parts: list[bytes | memoryview] = []
        self.size = 0
        self.separator = separator
        self.first = True
        self.old = memoryview(old) if old is not None else None
        self.stretch: list[int] | None = None  # [start, end] in the old file, not yet in parts

    def write(self, text: bytes) -> None:
        """Text between lists; the next item is the first of its list."""
        self._end_stretch()
        self.parts.append(text)
        self.size += len(text)
        self.first = True

    def items(self, was: Sequence[int], old_spans: array[int] | None,
              make: Callable[[int], bytes]) -> array[int]:
        """A list's items, and their spans: item i is make(i), or where was[i] >= 0 the old file's
        item was[i] (old_spans: of the old list). Items that followed each other there are copied
        as one stretch."""
        spans = array("q")
        count = len(was)
        number = 0
        while number < count:
            first = was[number]
            if first < 0:
                spans.extend(self.item(make(number)))
                number += 1
                continue
            end = number + 1
            while end < count and was[end] == first + end - number:
                end += 1
            assert old_spans is not None
            spans.extend(self._copy_run(old_spans[2 * first: 2 * (first + end - number)]))
            number = end
        return spans

    def item(self, piece: bytes) -> Span:
        """A piece made in this build."""
        if not piece:
            return self.size, self.size
        self._end_stretch()
        if not self.first:
            self.parts.append(self.separator)
            self.size += len(self.separator)
        self.first = False
        self.parts.append(piece)
        self.size += len(piece)
        return self.size - len(piece), self.size

    def copy(self, span: Span) -> Span:
        """A piece (or consecutive pieces of one list) of the last build's file."""
        start, end = span
        if start == end:
            return self.size, self.size
        assert self.old is not None
        gap = b"" if self.first else self.separator
        stretch = self.stretch
        if stretch is not None and start == stretch[1] + len(gap) and self.old[stretch[1]:start] == gap:
            stretch[1] = end
        else:
            self._end_stretch()
            if gap:
                self.parts.append(gap)
            self.stretch = [start, end]
        self.first = False
        self.size += len(gap) + end - start
        return self.size - (end - start), self.size

    def _copy_run(self, old: array[int]) -> array[int]:
        """Consecutive items of one list in the old file (their flat spans), copied; their new spans."""
        starts = range(0, len(old), 2)
        first = next((at for at in starts if old[at] != old[at + 1]), None)
        if first is None:  # all of them empty
            return old
        last = next(at for at in reversed(starts) if old[at] != old[at + 1])
        start = self.copy((old[first], old[last + 1]))[0]
        shift = start - old[first]
        return array("q", [at + shift for at in old]) if shift else old

    def _end_stretch(self) -> None:
        if self.stretch is not None:
            assert self.old is not None
            self.parts.append(self.old[self.stretch[0]:self.stretch[1]])
            self.stretch = None

    def getvalue(self) -> bytes:
        self._end_stretch()
        return b"".join(self.parts)


class _Made:
    """The two files of one build, and where each piece landed in them (the next build's _Kept)."""

    def __init__(self, index: SiteIndex, urls: UrlMap, source_hashes: Mapping[int, bytes],
                 kept: _Kept | None) -> None:
        self.index, self.urls, self.kept = index, urls, kept
        self.articles = sorted(index.articles, key=attrgetter("date", "slug"))
        self.entity_keys = sorted(index.entities)
        self.names = {key: entity.name for key, entity in index.entities.items()}
        self.article_refs = [source_hashes.get(id(article)) for article in self.articles]
        self.entity_refs = [_entity_ref(index.entities[key], source_hashes) for key in self.entity_keys]
        # Where each record's pieces were in the last build's lists (-1: make them afresh).
        self.was = _positions(self.article_refs, kept.articles if kept else None)
        self.entity_was = _positions(self.entity_refs, kept.entities if kept else None)
        self.texts = _JsonTexts()
        self.references: dict[int, list[Reference]] = {}  # of articles made afresh, by position
        self.csv_names = _CsvNames(index.entities)
        self.named: list[bytes] = []
        self.nodes = self.mentions = self.rows = self.entity_nodes = self.relations = array("q")
        self.co_mention_span: tuple[bytes, Span] = (b"", (0, 0))

    def _references(self, number: int) -> list[Reference]:
        found = self.references.get(number)
        if found is None:
            found = self.references[number] = article_references(self.articles[number])
        return found

    def graph(self, old: bytes | None) -> bytes:
        """graph.json; `old`: the last build's, or None to make every piece afresh."""
        kept = self.kept if old is not None else None
        was = self.was if kept else [-1] * len(self.was)
        entity_was = self.entity_was if kept else [-1] * len(self.entity_was)
        out = _Joined(b",", old)
        out.write(f'{{"version":{GRAPH_VERSION},"directed":true,'
                  f'"base_url":{_json_text(self.urls.absolute(""))},"nodes":['.encode())
        self.nodes = out.items(was, kept.nodes if kept else None, self._article_node)
        self.entity_nodes = out.items(entity_was, kept.entity_nodes if kept else None, self._entity_node)
        out.write(b'],"edges":[')
        self.mentions = out.items(was, kept.mentions if kept else None, self._mentions)
        self.relations = out.items(entity_was, kept.relations if kept else None, self._relations)
        # The co-mentions the site shows (each entity's most frequent partners, from the index)
        # depend only on which entities each article names (index._co_mentions).
        self.named = [self.kept.named[position] if self.kept and position >= 0 else self._named(number)
                      for number, position in enumerate(self.was)]
        named = digest(b"\n".join(self.named))  # kinds and slugs hold no space and no line end
        if kept is not None and kept.co_mentions[0] == named:
            co_mentions = out.copy(kept.co_mentions[1])
        else:
            co_mentions = out.item(self._co_mentions().encode())
        self.co_mention_span = (named, co_mentions)
        out.write(b"]}\n")
        return out.getvalue()

    def _article_node(self, number: int) -> bytes:
        article = self.articles[number]
        return (f'{{"id":{self.texts["articles/" + article.slug]},"type":"article","kind":"articles",'
                f'"name":{_json_text(article.title)},"date":"{article.date.date().isoformat()}"}}').encode()

    def _mentions(self, number: int) -> bytes:
        source = self.texts["articles/" + self.articles[number].slug]
        return ",".join([f'{{"source":{source},"target":{self.texts[f"{ref.kind}/{ref.slug}"]},'
                         f'"type":"mentions","origin":{self.texts[ref.origin]}}}'
                         for ref in self._references(number)]).encode()

    def _named(self, number: int) -> bytes:
        return " ".join([f"{ref.kind}/{ref.slug}" for ref in self._references(number)]).encode()

    def _entity_node(self, number: int) -> bytes:
        entity = self.index.entities[self.entity_keys[number]]
        date_text = f'"{entity.start.isoformat()}"' if entity.start else "null"
        wikidata = _json_text(entity.wikidata) if entity.wikidata else "null"
        stub = "true" if entity.is_stub else "false"
        return (f'{{"id":{self.texts[node_id(entity)]},"type":"entity",'
                f'"kind":{self.texts[entity.kind]},"name":{_json_text(entity.name)},'
                f'"date":{date_text},"wikidata":{wikidata},"stub":{stub}}}').encode()

    def _relations(self, number: int) -> bytes:
        entity = self.index.entities[self.entity_keys[number]]
        source = self.texts[node_id(entity)]
        first: dict[tuple[str, str], Reference] = {}
        for ref in entity.references:
            first.setdefault(ref.key, ref)
        return ",".join([f'{{"source":{source},"target":{self.texts[f"{ref.kind}/{ref.slug}"]},'
                         f'"type":"relation","origin":{self.texts[ref.origin]}}}'
                         for ref in first.values() if ref.key != entity.key]).encode()

    def _co_mentions(self) -> str:
        """Once per pair, in order of the pair's ids (index.co_mentions holds each pair twice)."""
        pairs: dict[tuple[str, str], int] = {}
        for key, partners in self.index.co_mentions.items():
            mine = node_id(self.index.entities[key])
            for other, count in partners:
                theirs = f"{other.kind}/{other.slug}"
                pairs[(mine, theirs) if mine <= theirs else (theirs, mine)] = count
        return ",".join([f'{{"source":{_json_text(a)},"target":{_json_text(b)},"type":"co-mention",'
                         f'"weight":{count}}}' for (a, b), count in sorted(pairs.items())])

    def table(self, old: bytes | None) -> bytes:
        """RFC 4180 CSV, written by hand: each text is quoted once (per entity, per article)
        rather than per row, which is most of the cost with the csv module at 70,000 rows."""
        out = _Joined(b"", old)
        out.write((",".join(ANNOTATION_COLUMNS) + "\r\n").encode())
        kept = self.kept if old is not None else None
        was = self.was if kept else [-1] * len(self.was)
        if kept is not None:  # an article's rows show its entities' names
            renamed: set[int] = set()
            for key, name in self.names.items():
                if kept.names.get(key) != name:
                    renamed.update(map(id, self.index.articles_of.get(key, ())))
            if renamed:
                was = [-1 if id(article) in renamed else position
                       for article, position in zip(self.articles, was, strict=True)]
        self.rows = out.items(was, kept.rows if kept else None, self._rows)
        return out.getvalue()

    def _rows(self, number: int) -> bytes:
        article = self.articles[number]
        head = f"{article.slug},{article.date.date().isoformat()}"
        tail = _csv_field(article.source_path)
        names = self.csv_names
        return "".join([f"{head},{ref.kind},{ref.slug},{names[(ref.kind, ref.slug)]},{ref.origin},"
                        f"{ref.field},{ref.line},{tail}\r\n" for ref in self._references(number)]).encode()


def _positions(current: Sequence[bytes | None], old: Sequence[bytes | None] | None) -> list[int]:
    """For each current record (by source hash), its position in the old list, or -1."""
    if old is None:
        return [-1] * len(current)
    where = {ref: number for number, ref in enumerate(old) if ref is not None}
    return [where.get(ref, -1) if ref is not None else -1 for ref in current]


def _entity_ref(entity: Entity, source_hashes: Mapping[int, bytes]) -> bytes | None:
    """What an entity's pieces are kept under: its source's hash; a stub's name and key, all it holds."""
    if entity.is_stub:
        return digest(b"stub", entity.kind, entity.slug, entity.name)
    return source_hashes.get(id(entity))


class _JsonTexts(dict[str, str]):
    """text -> its JSON string literal, made once per build (ids and origins repeat thousands of times)."""

    def __missing__(self, text: str) -> str:
        quoted = self[text] = _json_text(text)
        return quoted


class _CsvNames(dict[EntityKey, str]):
    """entity key -> its name as a CSV field, quoted when first asked for."""

    def __init__(self, entities: Mapping[EntityKey, Entity]) -> None:
        super().__init__()
        self.entities = entities

    def __missing__(self, key: EntityKey) -> str:
        field = self[key] = _csv_field(self.entities[key].name)
        return field


def _json_text(text: str) -> str:
    """A JSON string literal as exports.json_bytes() writes it (UTF-8, <, > and & escaped)."""
    quoted = encode_basestring(text)
    if "<" in quoted or ">" in quoted or "&" in quoted:
        quoted = quoted.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return quoted


def _csv_field(text: str) -> str:
    if any(c in text for c in ',"\r\n') or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text
