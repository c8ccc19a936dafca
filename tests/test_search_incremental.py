"""The search index updated from the cache equals one built from scratch, byte for byte.

A rebuild refiles only the postings of the articles that changed and
serialises only the files holding a change (builder/postings.py,
builder/search.py); these tests compare every file under search/ with a
clean build of a copy of the sources, parse the result as the browser's
script does, and check the update path is the one taken.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.build import BuildOptions, build
from builder.cache import CACHE_DIR, SiteCache
from builder.config import load_config
from builder.errors import Report
from builder.postings import Postings, _fields
from tests.searchutil import SearchIndex
from tests.siteutil import SiteFixture

BODIES = [
    "Artillery struck the island of Yeonpyeong at dawn.",
    "The colonels walked out of the meeting at Panmunjom.",
    "Ministers met in Tokyo to discuss the zeppelin exhibition and trade.",
    "Fishing boats returned to harbour after the storm warning.",
    "Envoys agreed on a timetable for the next round of talks.",
    "The summit communique mentioned energy, trade and fisheries.",
]


def article(number: int, body: str, title: str | None = None, actors: str = "[kim-sung-hwan]") -> str:
    return (f"---\ntitle: \"{title or f'Story number {number}'}\"\ndate: 2011-02-{number + 1:02d}\n"
            f"summary: \"Summary {number} about talks.\"\nactors: {actors}\ncountries: [japan]\n"
            f"---\n{body}\n")


def article_path(number: int) -> str:
    return f"content/articles/2011-02-{number + 1:02d}-story-{number}.md"


@pytest.fixture
def site(make_site: Callable[..., SiteFixture]) -> SiteFixture:
    files = {article_path(number): article(number, body) for number, body in enumerate(BODIES)}
    files["content/actors/naoto-kan.md"] = "---\nname: Naoto Kan\naliases: [Kan]\n---\nPrime minister.\n"
    files["content/actors/ban-ki-moon.md"] = "---\nname: Ban Ki-moon\n---\nIn no article.\n"
    files[article_path(2)] = article(2, BODIES[2], actors="[kim-sung-hwan, naoto-kan]")
    return make_site(files)


def search_output(folder: Path) -> dict[str, bytes]:
    search = folder / "search"
    return {path.relative_to(search).as_posix(): path.read_bytes()
            for path in search.rglob("*") if path.is_file()}


def clean_build(site: SiteFixture, tmp_path: Path) -> dict[str, bytes]:
    """The search files of a clean build of a copy of the sources (no .cache/, no output)."""
    clean = tmp_path / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    shutil.copytree(site.root, clean, ignore=shutil.ignore_patterns(CACHE_DIR, "_site"))
    build(clean, BuildOptions(jobs=1))
    return search_output(clean / "_site")


def rebuild_and_clean_build(site: SiteFixture, tmp_path: Path) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The search files of a rebuild in place (with .cache/) and of a clean build of a copy."""
    build(site.root, BuildOptions(jobs=1))
    return search_output(site.output), clean_build(site, tmp_path)


@pytest.fixture
def filed(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """How many documents the next builds file afresh (Postings.add) and refile (Postings.refile)."""
    counts = {"add": 0, "refile": 0}
    add, refile = Postings.add, Postings.refile

    def counting_add(self: Postings, *args: object, **kwargs: object) -> None:
        counts["add"] += 1
        add(self, *args, **kwargs)  # type: ignore[arg-type]

    def counting_refile(self: Postings, *args: object) -> set[str]:
        counts["refile"] += 1
        return refile(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Postings, "add", counting_add)
    monkeypatch.setattr(Postings, "refile", counting_refile)
    yield counts


def titles_found(site: SiteFixture, query: str) -> list[str]:
    return [row[2] for row in SearchIndex(site.output / "search").search(query).get("articles", [])]


def test_editing_a_body_refiles_that_article_alone_and_equals_a_clean_build(site, tmp_path, filed):
    site.build()
    assert titles_found(site, "zeppelin") == ["Story number 2"]
    filed["add"] = 0
    # "zeppelin" and "exhibition" leave the index altogether, "quokka" is new, "trade" stays
    site.write(article_path(2), article(2, "Ministers met in Tokyo to discuss the quokka and trade.",
                                        actors="[kim-sung-hwan, naoto-kan]"))
    build(site.root, BuildOptions(jobs=1))
    assert filed == {"add": 0, "refile": 1}  # no document filed afresh, one refiled
    assert search_output(site.output) == clean_build(site, tmp_path)
    assert titles_found(site, "quokka") == ["Story number 2"]
    assert titles_found(site, "zeppelin") == titles_found(site, "exhibition") == []
    assert sorted(titles_found(site, "trade")) == ["Story number 2", "Story number 5"]


def test_title_summary_and_entity_name_changes_equal_a_clean_build(site, tmp_path, filed):
    site.build()
    site.write(article_path(4), article(4, BODIES[4], title="Envoys fix a timetable"))
    site.write("content/actors/naoto-kan.md",
               "---\nname: Naoto Kan\naliases: [Kan Naoto, Premier]\n---\nPrime minister.\n")
    updated, clean = rebuild_and_clean_build(site, tmp_path)
    assert updated == clean
    assert filed["refile"] == 2  # the retitled article, and the one tagged with the entity
    assert titles_found(site, "timetable") == ["Envoys fix a timetable"]
    assert titles_found(site, "premier") == ["Story number 2"]  # tagged with the entity's new alias
    site.write(article_path(0), article(0, BODIES[0], actors="[naoto-kan]"))  # retagged
    site.write(article_path(1), article(1, BODIES[1] + " Kan spoke.", actors="[]"))
    updated, clean = rebuild_and_clean_build(site, tmp_path)
    assert updated == clean
    assert filed["refile"] == 4
    assert sorted(titles_found(site, "premier")) == ["Story number 0", "Story number 2"]
    # an entity in no article takes a word some articles have: its shard's terms stay the same
    site.write("content/actors/ban-ki-moon.md", "---\nname: Ban Ki-moon\naliases: [Tokyo Envoy]\n---\n")
    updated, clean = rebuild_and_clean_build(site, tmp_path)
    assert updated == clean
    assert filed["refile"] == 4
    actors = SearchIndex(site.output / "search").search("tokyo")["actors"]
    assert [row[2] for row in actors] == ["Ban Ki-moon"]


def test_adding_and_removing_articles_equals_a_clean_build(site, tmp_path, filed):
    site.build()
    site.write("content/articles/2011-03-01-late.md", article(27, "A late story about the zeppelin."))
    updated, clean = rebuild_and_clean_build(site, tmp_path)
    assert updated == clean
    assert filed["refile"] == 0  # ids moved: filed afresh
    assert sorted(titles_found(site, "zeppelin")) == ["Story number 2", "Story number 27"]
    (site.root / article_path(2)).unlink()
    updated, clean = rebuild_and_clean_build(site, tmp_path)
    assert updated == clean
    assert titles_found(site, "zeppelin") == ["Story number 27"]


def test_a_damaged_or_foreign_cache_is_ignored(site, tmp_path, filed):
    site.build()
    kept = site.root / CACHE_DIR / "kept-search.pickle"
    data = kept.read_bytes()
    kept.write_bytes(data[: len(data) // 2])  # truncated
    site.write(article_path(3), article(3, "Fishing boats stayed in harbour."))
    updated, clean = rebuild_and_clean_build(site, tmp_path)
    assert updated == clean and filed["refile"] == 0
    kept.write_bytes(data[:-1] + bytes([data[-1] ^ 0xFF]))  # one byte flipped: the checksum fails
    site.write(article_path(3), article(3, "Fishing boats left harbour."))
    updated, clean = rebuild_and_clean_build(site, tmp_path)
    assert updated == clean and filed["refile"] == 0
    # the right key but not what the search index keeps (another builder's idea of it)
    config = load_config(site.root, Report(), None)
    SiteCache(site.root, config).keep("search", {"shards": "not these"})
    site.write(article_path(3), article(3, "Fishing boats returned to harbour."))
    updated, clean = rebuild_and_clean_build(site, tmp_path)
    assert updated == clean and filed["refile"] == 0
    assert titles_found(site, "harbour") == ["Story number 3"]


def test_check_and_a_build_after_the_cache_is_deleted_still_work(site, tmp_path):
    assert site.run("check").exit_code == 0
    site.build()
    shutil.rmtree(site.root / CACHE_DIR)
    site.write(article_path(5), article(5, "The summit communique mentioned quokkas."))
    updated, clean = rebuild_and_clean_build(site, tmp_path)
    assert updated == clean
    assert titles_found(site, "quokkas") == ["Story number 5"]


# --- Refiling, against filing afresh ---------------------------------------------------

VOCABULARY = ["ab", "ac", "ba", "bb", "cd", "ce", "ef", "zz"]
word_sets = st.frozensets(st.sampled_from(VOCABULARY), max_size=5)
documents = st.tuples(word_sets, word_sets, word_sets, word_sets)  # body, title, summary, tags


def filed_afresh(docs: list[tuple[frozenset[str], ...]]) -> Postings:
    postings = Postings()
    for doc_id, (body, title, summary, tags) in enumerate(docs):
        postings.add(doc_id, sorted(body), title, summary, tags)
    return postings


def as_lists(postings: Postings) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    return ({term: ids.tolist() for term, ids in postings.ids.items()},
            {term: bits.tolist() for term, bits in postings.bits.items()})


@settings(max_examples=200, deadline=None)
@given(docs=st.lists(documents, min_size=1, max_size=8), edits=st.lists(
    st.tuples(st.integers(0, 7), documents), max_size=4))
def test_refiling_documents_equals_filing_them_afresh(docs, edits):
    postings = filed_afresh(docs)
    for number, new in edits:
        doc_id = number % len(docs)
        old_fields = postings.fields_of(doc_id)
        assert old_fields == _fields(sorted(docs[doc_id][0]), *docs[doc_id][1:])
        changed = postings.refile(doc_id, old_fields, _fields(sorted(new[0]), *new[1:]))
        before = as_lists(filed_afresh(docs))
        docs[doc_id] = new
        after = as_lists(filed_afresh(docs))
        assert as_lists(postings) == after
        assert changed == {term for term in {*before[0], *after[0]}
                           if before[0].get(term) != after[0].get(term)
                           or before[1].get(term) != after[1].get(term)}
