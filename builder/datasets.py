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

from collections.abc import Callable, Iterator, Mapping
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
    """Where the last build put each record's pieces, in the files whose hashes are `graph` and `table`."""

    graph: bytes
    table: bytes
    # source hash -> spans of its node, its mentions and its rows; hash of the entities it names
    articles: dict[bytes, tuple[Span, Span, Span, bytes]]
    entities: dict[bytes, tuple[Span, Span]]  # source hash -> spans of its node and its relations
    co_mentions: tuple[bytes, Span]  # hash of the entities each article names, span of the edges
    names: dict[EntityKey, str]  # every entity's name, as the rows show them


def export_files(index: SiteIndex, config: SiteConfig, cache: SiteCache | None = None,
                 source_hashes: Mapping[int, bytes] | None = None,
                 earlier: EarlierFile | None = None) -> Iterator[RawFile]:
    """graph.json and annotations.csv; with the cache, the records' source hashes (id of a record
    -> hash) and the last build's files, copying every piece whose inputs are unchanged."""
    graph_path, table_path = export_paths()
    kept = cache.kept(_KEPT) if cache is not None and earlier is not None else None
    old_graph = old_table = None
    if isinstance(kept, _Kept) and earlier is not None:
        old_graph, old_table = earlier(graph_path, kept.graph), earlier(table_path, kept.table)
    if old_graph is None or old_table is None or not isinstance(kept, _Kept):
        kept = old_graph = old_table = None
    made = _Made(index, UrlMap(config), source_hashes or {}, kept, old_graph, old_table)
    graph, table = made.graph(), made.table()
    state = _Kept(digest(graph), digest(table), made.article_spans, made.entity_spans, made.co_mention_span,
                  made.names)
    yield RawFile(graph_path, graph, state.graph)
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

    def __init__(self, separator: bytes, old: memoryview | None) -> None:
        self.parts: list[bytes | memoryview] = []
        self.size = 0
        self.separator = separator
        self.first = True
        self.old = old
        self.stretch: list[int] | None = None  # [start, end] in the old file, not yet in parts

    def write(self, text: bytes) -> None:
        """Text between lists; the next item is the first of its list."""
        self._end_stretch()
        self.parts.append(text)
        self.size += len(text)
        self.first = True

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
        """A piece of the last build's file."""
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

    def __init__(self, index: SiteIndex, urls: UrlMap, source_hashes: Mapping[int, bytes], kept: _Kept | None,
                 old_graph: bytes | None, old_table: bytes | None) -> None:
        self.index, self.urls, self.kept = index, urls, kept
        self.old_graph = memoryview(old_graph) if old_graph is not None else None
        self.old_table = memoryview(old_table) if old_table is not None else None
        self.articles = sorted(index.articles, key=attrgetter("date", "slug"))
        self.entity_keys = sorted(index.entities)
        self.names = {key: entity.name for key, entity in index.entities.items()}
        refs = [source_hashes.get(id(article)) for article in self.articles]
        old = kept.articles if kept is not None else {}
        self.article_refs = refs
        self.article_olds = [old.get(ref) if ref is not None else None for ref in refs]
        old_entities = kept.entities if kept is not None else {}
        self.entity_refs = [_entity_ref(index.entities[key], source_hashes) for key in self.entity_keys]
        self.entity_olds = [old_entities.get(ref) if ref is not None else None for ref in self.entity_refs]
        self.texts = _JsonTexts()
        self.references: dict[int, list[Reference]] = {}  # of articles encoded afresh, by position
        # Pieces from the last build, for the next one: by source hash.
        self.article_spans: dict[bytes, tuple[Span, Span, Span, bytes]] = {}
        self.entity_spans: dict[bytes, tuple[Span, Span]] = {}
        self.co_mention_span: tuple[bytes, Span] = (b"", (0, 0))

    def _references(self, number: int) -> list[Reference]:
        found = self.references.get(number)
        if found is None:
            found = self.references[number] = article_references(self.articles[number])
        return found

    def graph(self) -> bytes:
        out = _Joined(b",", self.old_graph)
        out.write(f'{{"version":{GRAPH_VERSION},"directed":true,'
                  f'"base_url":{_json_text(self.urls.absolute(""))},"nodes":['.encode())
        old = self.old_graph
        texts = self.texts
        nodes: list[Span] = []
        for article, kept in zip(self.articles, self.article_olds, strict=True):
            if kept is not None and old is not None:
                nodes.append(out.copy(kept[0]))
            else:
                nodes.append(out.item(
                    f'{{"id":{texts["articles/" + article.slug]},"type":"article","kind":"articles",'
                    f'"name":{_json_text(article.title)},"date":"{article.date.date().isoformat()}"}}'.encode()))
        entity_nodes: list[Span] = []
        for key, kept_entity in zip(self.entity_keys, self.entity_olds, strict=True):
            if kept_entity is not None and old is not None:
                entity_nodes.append(out.copy(kept_entity[0]))
            else:
                entity_nodes.append(out.item(self._entity_node(self.index.entities[key]).encode()))
        out.write(b'],"edges":[')
        mentions: list[Span] = []
        keys_hashes: list[bytes] = []
        for number, (article, kept) in enumerate(zip(self.articles, self.article_olds, strict=True)):
            if kept is not None and old is not None:
                mentions.append(out.copy(kept[1]))
                keys_hashes.append(kept[3])
            else:
                references = self._references(number)
                source = texts["articles/" + article.slug]
                mentions.append(out.item(",".join([
                    f'{{"source":{source},"target":{texts[f"{ref.kind}/{ref.slug}"]},"type":"mentions",'
                    f'"origin":{texts[ref.origin]}}}' for ref in references]).encode()))
                keys_hashes.append(digest(*(f"{ref.kind}/{ref.slug}" for ref in references)))
        for number, (key, kept_entity) in enumerate(zip(self.entity_keys, self.entity_olds, strict=True)):
            if kept_entity is not None and old is not None:
                relations = out.copy(kept_entity[1])
            else:
                relations = out.item(self._relations(self.index.entities[key]).encode())
            ref = self.entity_refs[number]
            if ref is not None:
                self.entity_spans[ref] = (entity_nodes[number], relations)
        # The co-mentions the site shows (each entity's most frequent partners, from the index)
        # depend only on which entities each article names (index._co_mentions).
        named = digest(b"".join(keys_hashes))
        if self.kept is not None and old is not None and self.kept.co_mentions[0] == named:
            co_mentions = out.copy(self.kept.co_mentions[1])
        else:
            co_mentions = out.item(self._co_mentions().encode())
        self.co_mention_span = (named, co_mentions)
        out.write(b"]}\n")
        for number, ref in enumerate(self.article_refs):
            if ref is not None:
                self.article_spans[ref] = (nodes[number], mentions[number], (0, 0), keys_hashes[number])
        return out.getvalue()

    def _entity_node(self, entity: Entity) -> str:
        date_text = f'"{entity.start.isoformat()}"' if entity.start else "null"
        wikidata = _json_text(entity.wikidata) if entity.wikidata else "null"
        stub = "true" if entity.is_stub else "false"
        return (f'{{"id":{self.texts[node_id(entity)]},"type":"entity",'
                f'"kind":{self.texts[entity.kind]},"name":{_json_text(entity.name)},'
                f'"date":{date_text},"wikidata":{wikidata},"stub":{stub}}}')

    def _relations(self, entity: Entity) -> str:
        source = self.texts[node_id(entity)]
        first: dict[tuple[str, str], Reference] = {}
        for ref in entity.references:
            first.setdefault(ref.key, ref)
        return ",".join([f'{{"source":{source},"target":{self.texts[f"{ref.kind}/{ref.slug}"]},'
                         f'"type":"relation","origin":{self.texts[ref.origin]}}}'
                         for ref in first.values() if ref.key != entity.key])

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

    def table(self) -> bytes:
        """RFC 4180 CSV, written by hand: each text is quoted once (per entity, per article)
        rather than per row, which is most of the cost with the csv module at 70,000 rows."""
        out = _Joined(b"", self.old_table)
        out.write((",".join(ANNOTATION_COLUMNS) + "\r\n").encode())
        old = self.old_table
        renamed: set[int] = set()  # ids of the articles that show a changed name
        if self.kept is not None:
            for key, name in self.names.items():
                if self.kept.names.get(key) != name:
                    renamed.update(map(id, self.index.articles_of.get(key, ())))
        names = _CsvNames(self.index.entities)
        for number, (article, kept) in enumerate(zip(self.articles, self.article_olds, strict=True)):
            if kept is not None and old is not None and id(article) not in renamed:
                rows = out.copy(kept[2])
            else:
                head = f"{article.slug},{article.date.date().isoformat()}"
                tail = _csv_field(article.source_path)
                rows = out.item("".join([
                    f"{head},{ref.kind},{ref.slug},{names[(ref.kind, ref.slug)]},{ref.origin},{ref.field},"
                    f"{ref.line},{tail}\r\n" for ref in self._references(number)]).encode())
            ref = self.article_refs[number]
            if ref is not None:
                node, mentions, _, named = self.article_spans[ref]
                self.article_spans[ref] = (node, mentions, rows, named)
        return out.getvalue()


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
