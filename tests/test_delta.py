"""Rebuilds after edits that leave the site's shape alone (builder/delta.py).

Such a rebuild signs and renders only the pages that showed a changed
source; its output must still equal a clean build's, byte for byte, and it
must fall back to signing every page as soon as anything shapes the site
differently.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import builder.build as build_module
from builder.build import BuildOptions, build
from builder.cache import SignaturePickler, SiteCache
from builder.config import load_config
from builder.errors import Report
from tests.test_incremental import age_files, built, clean_build, initial_site, output_files


def _replace(path: Path, pattern: str, replacement: str) -> None:
    text = path.read_text(encoding="utf-8")
    changed = re.sub(pattern, replacement, text, count=1, flags=re.MULTILINE)
    assert changed != text, pattern
    path.write_text(changed, encoding="utf-8")


ARTICLE = "content/articles/2011-02-03-story-3.md"
PLAIN_ARTICLE = "content/articles/2011-02-02-story-2.md"  # no quote, no inline link: no line numbers below
ACTOR = "content/actors/kim-sung-hwan.md"
COUNTRY = "content/countries/japan.md"

# (file, pattern, replacement): each changes display fields only, except where marked.
DISPLAY_EDITS = {
    "article body": (ARTICLE, r"^Second paragraph\.$", "A new second paragraph about envoys."),
    "article first paragraph (summary)": (ARTICLE, r"^Paragraph 3 about talks\.$", "Paragraph on summits."),
    "article title": (ARTICLE, r'^title: "Story 3"$', 'title: "Zebra <Story> & Three"'),
    "article byline": (PLAIN_ARTICLE, r"^---\n(?=Paragraph)", "byline: Ann O'Reilly\n---\n"),
    "article source url": (PLAIN_ARTICLE, r"^---\n(?=Paragraph)",
                           "source: Wire\nsource_url: https://example.com/a?b=1&c=2\n---\n"),
    "actor name": (ACTOR, r'^name: "Kim Sung-hwan"$', 'name: "Aaron Kim"'),
    "actor description": (ACTOR, r"^Foreign minister\.$", "Former foreign minister of *Korea*."),
    "actor wikidata": (ACTOR, r"^---\n(?=Foreign)", "wikidata: Q42\n---\n"),
    "country name": (COUNTRY, r'^name: "Japan"$', 'name: "Nippon"'),
}


@pytest.mark.parametrize("edit", sorted(DISPLAY_EDITS))
def test_a_display_edit_rebuilds_to_the_clean_build(tmp_path, edit):
    site, scratch = tmp_path / "site", tmp_path / "clean"
    initial_site(site)
    build(site, BuildOptions(jobs=1))
    relative, pattern, replacement = DISPLAY_EDITS[edit]
    _replace(site / relative, pattern, replacement)
    assert built(site) == clean_build(site, scratch)
    # and a body edit on top: the manifest the first rebuild left is right too
    path = site / relative
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more line about talks.\n", encoding="utf-8")
    assert built(site) == clean_build(site, scratch)


def _signed_pages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The site paths of the pages a build signs (a page not signed is not looked at at all)."""
    signed: list[str] = []
    original = SignaturePickler.page_signature

    def counting(self: SignaturePickler, environment: bytes, path: str, *rest: Any) -> Any:
        signed.append(path)
        return original(self, environment, path, *rest)

    monkeypatch.setattr(SignaturePickler, "page_signature", counting)
    return signed


def test_a_body_edit_signs_only_the_pages_that_show_the_article(tmp_path, monkeypatch):
    site = tmp_path / "site"
    initial_site(site)
    build(site, BuildOptions(jobs=1))
    signed = _signed_pages(monkeypatch)
    _replace(site / ARTICLE, r"^Second paragraph\.$", "Another paragraph.")
    result = build(site, BuildOptions(jobs=1))
    assert "articles/story-3/" in signed
    assert "actors/naoto-kan/" not in signed  # not in story 3, so its page shows nothing of it
    assert "actors/" not in signed  # lists entities only
    assert "timeline/" not in signed  # shows the article's title, never its body
    assert len(signed) < (result.pages_written + result.pages_unchanged) / 2


def test_a_shape_change_signs_every_page_again(tmp_path, monkeypatch):
    """A new date moves the article in every list: no page can be trusted to be as it was."""
    site, scratch = tmp_path / "site", tmp_path / "clean"
    initial_site(site)
    build(site, BuildOptions(jobs=1))
    _replace(site / ARTICLE, r"^date: 2011-02-03$", "date: 2011-02-27")
    age_files(site)
    assert built(site) == clean_build(site, scratch)


def test_a_tampered_output_file_is_rendered_again_after_a_display_edit(tmp_path):
    site, scratch = tmp_path / "site", tmp_path / "clean"
    initial_site(site)
    build(site, BuildOptions(jobs=1))
    (site / "_site/countries/south-korea/index.html").write_text("tampered", encoding="utf-8")
    (site / "_site/data/graph.json").unlink()
    _replace(site / ARTICLE, r"^Second paragraph\.$", "Another paragraph.")
    assert built(site) == clean_build(site, scratch)


def test_a_template_that_reads_a_field_by_a_computed_name_is_signed_again(tmp_path):
    """The timeline template, overridden to print any field the site config names: a body edit
    must reach it, since which field it prints cannot be known without rendering it."""
    site, scratch = tmp_path / "site", tmp_path / "clean"
    initial_site(site)
    (site / "templates").mkdir()
    (site / "templates/timeline.html").write_text(
        '{% for year in years %}{% for entry in year.entries %}{% if entry.article %}'
        '{{ entry.article[site.extra.field] }}{% endif %}{% endfor %}{% endfor %}\n', encoding="utf-8")
    config = (site / "site.yaml").read_text(encoding="utf-8")
    (site / "site.yaml").write_text(config + "extra:\n  field: body_html\n", encoding="utf-8")
    age_files(site)
    build(site, BuildOptions(jobs=1))
    _replace(site / ARTICLE, r"^Second paragraph\.$", "A body only the timeline override shows.")
    after = built(site)
    assert not isinstance(after, str) and b"only the timeline override" in after["timeline/index.html"]
    assert after == clean_build(site, scratch)


def test_a_cache_path_that_is_a_file_is_ignored(tmp_path):
    """`.cache` taken by a file: the build works without a cache and loses nothing."""
    site, scratch = tmp_path / "site", tmp_path / "clean"
    initial_site(site)
    (site / ".cache").write_text("not a folder", encoding="utf-8")
    assert built(site) == clean_build(site, scratch)
    assert (site / ".cache").read_text(encoding="utf-8") == "not a folder"


def _manifest_files(site: Path) -> tuple[Path, Path]:
    """(the manifest's patch, its base) in the site's cache."""
    outputs = site / ".cache/outputs"
    base = next(outputs.glob("*-base.pickle"))
    return base.with_name(base.name.replace("-base", "")), base


def test_a_small_edit_rewrites_the_manifest_patch_not_its_base(tmp_path, monkeypatch):
    site, scratch = tmp_path / "site", tmp_path / "clean"
    initial_site(site)
    build(site, BuildOptions(jobs=1))
    patch, base = _manifest_files(site)
    base_bytes, patch_bytes = base.read_bytes(), patch.read_bytes()
    _replace(site / ARTICLE, r"^Second paragraph\.$", "A changed paragraph.")
    assert built(site) == clean_build(site, scratch)
    assert base.read_bytes() == base_bytes and patch.read_bytes() != patch_bytes
    # the next rebuild reads base and patch as one manifest: it signs only the pages that show the article
    signed = _signed_pages(monkeypatch)
    _replace(site / ARTICLE, r"^A changed paragraph\.$", "Changed once more.")
    result = build(site, BuildOptions(jobs=1))
    assert "articles/story-3/" in signed and "timeline/" not in signed
    assert len(signed) < (result.pages_written + result.pages_unchanged) / 2
    assert built(site) == clean_build(site, scratch)


def test_a_patch_written_against_another_base_is_ignored(tmp_path, monkeypatch):
    """A base from another build (e.g. a build killed between writing base and patch): the
    manifest is not trusted, every page is signed again, and the output is still right."""
    monkeypatch.setattr("builder.cache._PATCH_FLOOR", 0)  # a new base once a tenth of the entries change
    site, scratch = tmp_path / "site", tmp_path / "clean"
    initial_site(site)
    build(site, BuildOptions(jobs=1))
    patch, base = _manifest_files(site)
    old_patch, old_base = patch.read_bytes(), base.read_bytes()
    (site / "content/articles/2011-02-09-new.md").write_text(
        (site / ARTICLE).read_text(encoding="utf-8").replace("Story 3", "Story 9"), encoding="utf-8")
    build(site, BuildOptions(jobs=1))  # a new page, new links on many pages: the base is written again
    assert base.read_bytes() != old_base
    patch.write_bytes(old_patch)  # the first build's patch, on the second build's base
    config = load_config(site, Report())
    assert SiteCache(config.site_dir, config).load_manifest((site / "_site").resolve()).files == {}
    signed = _signed_pages(monkeypatch)
    _replace(site / ARTICLE, r"^Second paragraph\.$", "A changed paragraph.")
    after = built(site)
    assert len(signed) > 10
    assert after == clean_build(site, scratch)


def _indexings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the builds that index the site afresh (rather than loading the last build's index)."""
    calls: list[int] = []
    original = build_module.build_index

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(build_module, "build_index", counting)
    return calls


def test_display_edits_reuse_the_last_index_and_equal_a_fresh_one(tmp_path, monkeypatch):
    site, scratch = tmp_path / "site", tmp_path / "clean"
    initial_site(site)
    build(site, BuildOptions(jobs=1))
    indexings = _indexings(monkeypatch)
    for relative, pattern, replacement in [
        (ARTICLE, r"^Second paragraph\.$", "A changed paragraph."),
        # lists shown in order of name: the kept index is put in the new order
        (ACTOR, r'^name: "Kim Sung-hwan"$', 'name: "Zed Kim"'),
        (COUNTRY, r'^name: "Japan"$', 'name: "Aa Japan"'),
    ]:
        _replace(site / relative, pattern, replacement)
        result = build(site, BuildOptions(jobs=1))
        assert indexings == []  # the last build's index, with this build's records in it
        fresh = build(site, BuildOptions(jobs=1, write=False))  # `check` always indexes afresh
        assert indexings == [1] and result.index == fresh.index
        assert output_files(site / "_site") == clean_build(site, scratch)
        indexings.clear()
    by_name = [entity.name for entity in result.index.by_kind["actors"]]
    assert by_name == sorted(by_name, key=str.casefold) and by_name[-1] == "Zed Kim"


def test_a_rename_in_a_failed_build_is_not_missed_by_the_next(tmp_path):
    """The failed build read and cached the renamed record; the next finds that record in the cache,
    yet must neither take it as unchanged since the output was built, nor take the index kept from
    before the rename (its lists are in the old order)."""
    site, scratch = tmp_path / "site", tmp_path / "clean"
    initial_site(site)
    build(site, BuildOptions(jobs=1))
    twin = site / "content/articles/2011-02-09-story-3.md"  # the same slug as ARTICLE: an error
    twin.write_bytes((site / ARTICLE).read_bytes())
    _replace(site / ACTOR, r'^name: "Kim Sung-hwan"$', 'name: "Zed Kim"')
    failed = built(site)
    assert isinstance(failed, str) and "writes the same page" in failed
    twin.unlink()
    assert built(site) == clean_build(site, scratch)


def test_a_damaged_kept_index_is_ignored(tmp_path):
    site, scratch = tmp_path / "site", tmp_path / "clean"
    initial_site(site)
    build(site, BuildOptions(jobs=1))
    kept = site / ".cache/kept-index.pickle"
    data = bytearray(kept.read_bytes())
    data[len(data) // 2] ^= 0xFF
    kept.write_bytes(bytes(data))
    _replace(site / ARTICLE, r"^Second paragraph\.$", "A changed paragraph.")
    assert built(site) == clean_build(site, scratch)


def test_a_build_inside_the_site_folder_and_one_given_its_path_share_the_cache(tmp_path, monkeypatch):
    site = tmp_path / "site"
    initial_site(site)
    monkeypatch.chdir(site)
    build(Path("."), BuildOptions(jobs=1))
    signed = _signed_pages(monkeypatch)
    again = build(site.resolve(), BuildOptions(jobs=1))
    assert again.pages_written == 0 and signed == []  # nothing signed: the last build still stands
