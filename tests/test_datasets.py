"""graph.json and annotations.csv rebuilt from the last build's pieces (builder/datasets.py).

After every edit the rebuilt exports, and the rest of the output, must equal
a clean build's byte for byte, whether the pieces were copied from the last
build's files or made again; a kept state that is damaged or that does not
match the files in the output folder must be ignored.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from builder import datasets
from builder.build import BuildOptions, build
from builder.cache import SiteCache
from builder.config import load_config
from builder.errors import Report
from tests.test_incremental import age_files, article_text, built, clean_build, entity_text, initial_site

ACTOR = "content/actors/kim-sung-hwan.md"
QUOTED_ONLY = "content/actors/yukio-edano.md"  # named by one article, only as a quote's speaker
GRAPH, TABLE = "data/graph.json", "data/annotations.csv"


def _site(root: Path) -> None:
    initial_site(root)
    extra = {
        # quotes him without listing him: his name reaches the CSV through the quote alone
        "content/articles/2011-02-10-quoted.md": (
            '---\ntitle: "Quoted, \\"again\\" <&>"\ndate: 2011-02-10\nactors: [kim-sung-hwan]\n'
            'quotes:\n  - by: yukio-edano\n    text: "words"\n---\nBody.\n'),
        QUOTED_ONLY: entity_text("Yukio Edano", "Spokesman."),
        # names no entity: it has a node but no edges and no rows
        "content/articles/2011-02-11-alone.md": '---\ntitle: "Alone"\ndate: 2011-02-11\n---\nBody.\n',
    }
    for relative, text in extra.items():
        (root / relative).write_text(text, encoding="utf-8")
    age_files(root)


def _replace(path: Path, pattern: str, replacement: str) -> None:
    text = path.read_text(encoding="utf-8")
    changed = re.sub(pattern, lambda _: replacement, text, count=1, flags=re.MULTILINE)
    assert changed != text, pattern
    path.write_text(changed, encoding="utf-8")


def _rename(relative: str, name: str) -> Callable[[Path], None]:
    return lambda root: _replace(root / relative, r"^name: .*$", f"name: {json.dumps(name)}")


def _add_article(root: Path) -> None:
    (root / "content/articles/2011-02-07-added.md").write_text(
        article_text("Added", 7, ["hu-jintao", "kim-sung-hwan"], ["china"], "Added."), encoding="utf-8")


def _delete_article(root: Path) -> None:
    (root / "content/articles/2011-02-02-story-2.md").unlink()


def _retitle(root: Path) -> None:
    _replace(root / "content/articles/2011-02-03-story-3.md", r"^title: .*$",
             'title: "Story, \\"3\\" & <more>"')


def _wikidata(root: Path) -> None:
    _replace(root / ACTOR, r"^---\n(?=Foreign)", "wikidata: Q42\n---\n")


def _delete_entity(root: Path) -> None:
    (root / QUOTED_ONLY).unlink()  # its references remain: a stub takes its place


def _relate(root: Path) -> None:
    (root / ACTOR).write_text(entity_text("Kim Sung-hwan", "Foreign minister.", "japan"), encoding="utf-8")


EDITS: dict[str, Callable[[Path], None]] = {
    "actor renamed": _rename(ACTOR, 'Kim, "the" <Minister> & Co'),
    "actor named only in a quote renamed": _rename(QUOTED_ONLY, "Edano Yukio"),
    "country renamed": _rename("content/countries/japan.md", "Nippon"),
    "article retitled": _retitle,
    "article added": _add_article,
    "article deleted": _delete_article,
    "actor's wikidata added": _wikidata,
    "actor's file deleted": _delete_entity,
    "actor's relation changed": _relate,
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_exports_after_an_edit_equal_a_clean_build(tmp_path, edit):
    site, scratch = tmp_path / "site", tmp_path / "clean"
    _site(site)
    build(site, BuildOptions(jobs=1))
    before = {name: (site / "_site" / name).read_bytes() for name in (GRAPH, TABLE)}
    EDITS[edit](site)
    after = built(site)
    assert not isinstance(after, str)
    assert after == clean_build(site, scratch)
    assert after[GRAPH] != before[GRAPH]  # the edit reached the exports
    # and a second edit on top: the state the first rebuild kept is right too
    _rename("content/countries/south-korea.md", "Korea, South")(site)
    assert built(site) == clean_build(site, scratch)


def test_every_edit_in_turn_equals_a_clean_build(tmp_path):
    site, scratch = tmp_path / "site", tmp_path / "clean"
    _site(site)
    build(site, BuildOptions(jobs=1))
    for name, edit in EDITS.items():
        edit(site)
        assert built(site) == clean_build(site, scratch), name


def test_a_rename_copies_every_piece_it_does_not_change(tmp_path, monkeypatch):
    """Only the renamed entity's node and the rows of the articles naming it are made again."""
    site, scratch = tmp_path / "site", tmp_path / "clean"
    _site(site)
    build(site, BuildOptions(jobs=1))
    made: list[bytes] = []
    original = datasets._Joined.item

    def counting(self: datasets._Joined, piece: bytes) -> datasets.Span:
        made.append(piece)
        return original(self, piece)

    monkeypatch.setattr(datasets._Joined, "item", counting)
    _rename(QUOTED_ONLY, "Edano Yukio")(site)
    after = built(site)
    made_text = [piece.decode() for piece in made if piece]
    assert not isinstance(after, str) and after == clean_build(site, scratch)
    assert len(made_text) == 2, made_text  # his node, and the rows of the one article that quotes him
    assert '"name":"Edano Yukio"' in made_text[0]
    rows = list(csv.reader(io.StringIO(made_text[1])))
    assert [row[0] for row in rows] == ["quoted", "quoted"] and rows[1][4] == "Edano Yukio"


def _edit_and_compare(site: Path, scratch: Path, name: str) -> dict[str, bytes]:
    _rename(ACTOR, name)(site)
    after = built(site)
    assert not isinstance(after, str) and after == clean_build(site, scratch)
    assert name.encode() in after[TABLE]
    return after


def test_a_damaged_kept_state_is_ignored(tmp_path):
    site, scratch = tmp_path / "site", tmp_path / "clean"
    _site(site)
    build(site, BuildOptions(jobs=1))
    kept = site / ".cache/kept-exports.pickle"
    data = kept.read_bytes()
    for number, damaged in enumerate([data[: len(data) // 2], data[:-1] + bytes([data[-1] ^ 0xFF]),
                                      b"not a cache at all", b""]):
        kept.write_bytes(damaged)
        _edit_and_compare(site, scratch, f"Kim Number {number}")


def test_a_kept_state_that_does_not_add_up_is_ignored(tmp_path):
    """Lists of the wrong length (a state from a bug, not from damage: its checksum is right)."""
    site, scratch = tmp_path / "site", tmp_path / "clean"
    _site(site)
    build(site, BuildOptions(jobs=1))
    config = load_config(site, Report(), None)
    cache = SiteCache(site, config)
    kept = cache.kept("exports")
    assert kept.consistent()
    kept.nodes = kept.nodes[:-2]  # the last node: the copy would leave it out
    assert not kept.consistent()
    cache.keep("exports", kept)
    _edit_and_compare(site, scratch, "Kim Short")


@pytest.mark.parametrize("changed", [(GRAPH,), (TABLE,), (GRAPH, TABLE)])
def test_exports_changed_by_hand_are_not_copied_from(tmp_path, changed):
    """The kept positions are for the files the last build wrote; one edited since is not used."""
    site, scratch = tmp_path / "site", tmp_path / "clean"
    _site(site)
    build(site, BuildOptions(jobs=1))
    for name in changed:
        path = site / "_site" / name
        data = path.read_bytes()
        assert b"story" in data
        path.write_bytes(data.replace(b"story", b"stxry"))  # same size, other bytes
    _edit_and_compare(site, scratch, "Kim by hand")


def test_another_output_folder_and_back(tmp_path):
    """The cache keeps one state for the site; a folder whose files it does not describe starts afresh."""
    site, scratch = tmp_path / "site", tmp_path / "clean"
    _site(site)
    build(site, BuildOptions(jobs=1))
    other = tmp_path / "other"
    _rename(ACTOR, "Kim Elsewhere")(site)
    build(site, BuildOptions(jobs=1, output_dir=other))
    expected = clean_build(site, scratch)
    assert not isinstance(expected, str)
    assert {name: (other / name).read_bytes() for name in (GRAPH, TABLE)} == \
        {name: expected[name] for name in (GRAPH, TABLE)}
    _edit_and_compare(site, scratch, "Kim Back Home")
    graph = json.loads((site / "_site" / GRAPH).read_bytes())
    assert {"id": "articles/alone", "type": "article", "kind": "articles", "name": "Alone",
            "date": "2011-02-11"} in graph["nodes"]


def test_a_parallel_rebuild_equals_a_clean_build(tmp_path):
    """Enough pages that the exports are made in a process of their own."""
    site, scratch = tmp_path / "site", tmp_path / "clean"
    _site(site)
    for number in range(1, 80):
        path = site / f"content/articles/2011-05-{number % 28 + 1:02d}-extra-{number}.md"
        path.write_text(article_text(f"Extra {number}", number % 28 + 1, ["kim-sung-hwan", "naoto-kan"],
                                     ["japan"], f"Body {number}."), encoding="utf-8")
    age_files(site)
    build(site, BuildOptions(jobs=2))
    _rename(ACTOR, "Kim the Second")(site)
    build(site, BuildOptions(jobs=2))
    expected = clean_build(site, scratch)
    assert not isinstance(expected, str)
    for name in (GRAPH, TABLE):
        assert (site / "_site" / name).read_bytes() == expected[name]
    shutil.rmtree(scratch)
