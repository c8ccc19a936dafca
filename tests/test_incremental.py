"""Incremental builds: the output after any sequence of edits equals a clean build's.

The property test edits, adds, renames and deletes articles, entities,
templates and site.yaml at random (some edits keep the size and put the old
mtime back; some steps edit, empty or delete output files behind the
builder's back), rebuilds the site in place (with its
.cache/ and previous output) and compares every output file, byte for byte,
with a clean build of a fresh copy of the same sources.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from builder import cache
from builder.build import BuildOptions, build
from builder.errors import BuilderError
from builder.theme import theme_dir
from tests.siteutil import SiteFixture

ACTORS = ["kim-sung-hwan", "naoto-kan", "ban-ki-moon", "hu-jintao"]
COUNTRIES = ["south-korea", "japan", "china"]
WORDS = ["talks", "summit", "Seoul", "Tokyo", "sanctions", "envoy", "agreement", "Pyongyang"]


def article_text(title: str, day: int, actors: list[str], countries: list[str], body: str) -> str:
    quote = f"quotes:\n  - by: {actors[0]}\n    text: \"{body[:20]}\"\n" if actors and day % 2 else ""
    inline = f"\n\nSee [{actors[-1]}](actor:{actors[-1]})." if actors and day % 3 == 0 else ""
    return (f"---\ntitle: \"{title}\"\ndate: 2011-02-{day:02d}\nactors: [{', '.join(actors)}]\n"
            f"countries: [{', '.join(countries)}]\n{quote}---\n{body}{inline}\n")


def entity_text(name: str, body: str, country: str | None = None) -> str:
    relation = f"country: {country}\n" if country else ""
    return f"---\nname: \"{name}\"\n{relation}---\n{body}\n"


def initial_site(root: Path) -> None:
    files = {
        "site.yaml": "title: Test Archive\nbase_url: https://example.org/archive/\npagination:\n"
                     "  per_page: 2\n",
        "content/actors/kim-sung-hwan.md": entity_text("Kim Sung-hwan", "Foreign minister.", "south-korea"),
        "content/actors/naoto-kan.md": entity_text("Naoto Kan", "Prime minister.", "japan"),
        "content/countries/south-korea.md": entity_text("South Korea", "A peninsula."),
        "content/countries/japan.md": entity_text("Japan", ""),
    }
    for number in range(1, 6):
        files[f"content/articles/2011-02-{number:02d}-story-{number}.md"] = article_text(
            f"Story {number}", number, ACTORS[: 1 + number % 3], COUNTRIES[: 1 + number % 2],
            f"Paragraph {number} about talks.\n\nSecond paragraph.")
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    age_files(root)


def age_files(root: Path) -> None:
    """Date every source well before the next build, so the cache trusts stats, not only hashes."""
    past = time.time() - 600
    for path in root.rglob("*"):
        if path.is_file() and ".cache" not in path.parts and "_site" not in path.parts:
            os.utime(path, (past, past))


words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(" ".join)
operations = st.one_of(
    st.tuples(st.just("edit_article"), st.integers(0, 20), words),
    st.tuples(st.just("retitle_article"), st.integers(0, 20), words),
    st.tuples(st.just("add_article"), st.integers(1, 28), words),
    st.tuples(st.just("delete_article"), st.integers(0, 20), words),
    st.tuples(st.just("rename_article"), st.integers(0, 20), words),
    st.tuples(st.just("edit_entity"), st.integers(0, 20), words),
    st.tuples(st.just("rename_entity"), st.integers(0, 20), words),
    st.tuples(st.just("describe_entity"), st.integers(0, 20), words),
    st.tuples(st.just("add_entity"), st.integers(0, 20), words),
    st.tuples(st.just("delete_entity"), st.integers(0, 20), words),
    st.tuples(st.just("template"), st.integers(0, 2), words),
    st.tuples(st.just("site_yaml"), st.integers(1, 3), words),
    st.tuples(st.just("edit_keeping_mtime"), st.integers(0, 20), words),
    st.tuples(st.just("tamper_output"), st.integers(0, 200), st.sampled_from(["edit", "delete", "empty"])),
)


def apply(root: Path, operation: tuple[str, int, str]) -> None:
    action, number, text = operation
    articles = sorted((root / "content/articles").glob("*.md"))
    entities = sorted((root / "content").glob("[ac]*s/*.md"))
    entities = [path for path in entities if path.parent.name != "articles"]
    if action == "edit_article" and articles:
        path = articles[number % len(articles)]
        path.write_text(path.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")
    elif action == "retitle_article" and articles:
        path = articles[number % len(articles)]
        lines = path.read_text(encoding="utf-8").split("\n")
        lines[1] = f'title: "{text.title()}"'
        path.write_text("\n".join(lines), encoding="utf-8")
    elif action == "add_article":
        actors = [ACTORS[number % 4], ACTORS[(number + 1) % 4]]
        slug = text.lower().replace(" ", "-")
        path = root / f"content/articles/2011-03-{number:02d}-{slug}.md"
        path.write_text(article_text(text, number, actors, [COUNTRIES[number % 3]], text + "."),
                        encoding="utf-8")
    elif action == "delete_article" and len(articles) > 1:
        articles[number % len(articles)].unlink()
    elif action == "rename_article" and articles:
        path = articles[number % len(articles)]
        path.rename(path.with_name(path.stem + "-" + text.split()[0].lower() + ".md"))
    elif action == "edit_entity" and entities:
        path = entities[number % len(entities)]
        path.write_text(entity_text(text.title(), text, COUNTRIES[number % 3]), encoding="utf-8")
    elif action in ("rename_entity", "describe_entity") and entities:  # display fields only
        path = entities[number % len(entities)]
        head, _, body = path.read_text(encoding="utf-8").partition("\n---\n")
        if action == "rename_entity":
            head = re.sub(r'^name: .*$', f'name: "{text.title()}"', head, count=1, flags=re.MULTILINE)
        else:
            body = f"{text}.\n"
        path.write_text(f"{head}\n---\n{body}", encoding="utf-8")
    elif action == "add_entity":
        slug = ACTORS[number % 4]
        path = root / f"content/actors/{slug}.md"
        path.write_text(entity_text(text.title(), f"About {text}."), encoding="utf-8")
    elif action == "delete_entity" and entities:
        entities[number % len(entities)].unlink()
    elif action == "template":
        override = root / "templates/base.html"
        if number == 0:
            override.unlink(missing_ok=True)
        else:
            override.parent.mkdir(exist_ok=True)
            base = (theme_dir("templates") / "base.html").read_text(encoding="utf-8")
            override.write_text(base.replace("</body>", f"<!-- {text} --></body>"), encoding="utf-8")
    elif action == "edit_keeping_mtime" and articles:  # same size, old times put back (touch -r)
        put_back(articles[number % len(articles)], swapped_case)
    elif action == "tamper_output":  # behind the builder's back: an edit (times put back) or worse
        files = sorted(p for p in (root / "_site").rglob("*") if p.is_file() and p.name != ".builder-output")
        path = files[number % len(files)]
        if text == "edit":
            put_back(path, swapped_case)
        elif text == "delete":
            path.unlink()
        else:
            path.write_bytes(b"")
    elif action == "site_yaml":
        (root / "site.yaml").write_text(
            f"title: \"{text.title()}\"\nbase_url: https://example.org/archive/\n"
            f"pagination:\n  per_page: {number}\n", encoding="utf-8")


def swapped_case(data: bytes) -> bytes:
    """The same bytes with the case of the last ASCII letter swapped: the same size, other text."""
    for position in range(len(data) - 1, -1, -1):
        if chr(data[position]).isascii() and chr(data[position]).isalpha():
            return data[:position] + chr(data[position]).swapcase().encode() + data[position + 1:]
    return data


def put_back(path: Path, change: Callable[[bytes], bytes]) -> None:
    """Change a file in place and restore its size, inode and times: only its ctime tells."""
    before = path.stat()
    path.write_bytes(change(path.read_bytes()))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def output_files(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in folder.rglob("*") if path.is_file()}


def built(site: Path) -> dict[str, bytes] | str:
    """The output files, or the error a build ends with (steps may make two articles one slug)."""
    try:
        build(site, BuildOptions(jobs=1))
    except BuilderError as exc:
        return str(exc)
    return output_files(site / "_site")


def clean_build(site: Path, scratch: Path) -> dict[str, bytes] | str:
    if scratch.exists():
        shutil.rmtree(scratch)
    shutil.copytree(site, scratch, ignore=shutil.ignore_patterns(".cache", "_site"))
    return built(scratch)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(operations, min_size=1, max_size=5))
@example(steps=[("edit_keeping_mtime", 1, "talks"), ("tamper_output", 7, "edit"),
                ("tamper_output", 3, "delete"), ("tamper_output", 11, "empty")])
def test_incremental_build_equals_clean_build(tmp_path_factory, monkeypatch, steps):
    monkeypatch.setattr(cache, "RACY_SECONDS", 0.1)  # sources trusted by their stats a moment after
    root = tmp_path_factory.mktemp("incremental")
    site, scratch = root / "site", root / "clean"
    initial_site(site)
    build(site, BuildOptions(jobs=1))
    for step in steps:
        if step[0] == "edit_keeping_mtime":  # a build that trusts the sources' stats comes first
            time.sleep(0.15)
            built(site)
        apply(site, step)
        assert built(site) == clean_build(site, scratch), step


def test_parallel_build_equals_sequential_build(tmp_path):
    """Enough files that the reading and the rendering both run in worker processes."""
    site = tmp_path / "site"
    initial_site(site)
    for number in range(1, 120):
        path = site / f"content/articles/2011-05-{number % 28 + 1:02d}-extra-{number}.md"
        path.write_text(article_text(f"Extra {number}", number % 28 + 1, ACTORS[: 1 + number % 4],
                                     COUNTRIES[: 1 + number % 3], f"Body {number}."), encoding="utf-8")
    one = build(site, BuildOptions(jobs=1, output_dir=tmp_path / "one"))
    shutil.rmtree(site / ".cache")
    two = build(site, BuildOptions(jobs=2, output_dir=tmp_path / "two"))
    assert one.pages_written == two.pages_written > 200
    assert output_files(tmp_path / "one") == output_files(tmp_path / "two")


def test_rebuild_with_nothing_changed_writes_nothing_and_repeats_warnings(make_site):
    site: SiteFixture = make_site({"content/articles/2011-03-01-stub.md":
                                   "---\ntitle: Stub\ndate: 2011-03-01\nactors: [nobody-yet]\n---\nText.\n"})
    first = site.build()
    again = site.build()
    assert "nobody-yet" in first.stderr and again.stderr == first.stderr
    assert " 0 written" in again.stdout


def test_renaming_an_entity_updates_the_structured_data_of_its_articles(make_site):
    """JSON-LD is made at render time; a page's signature must still follow the names in it."""
    site: SiteFixture = make_site()
    site.build()

    def about_names() -> list[str]:
        script = site.page("articles/talks/").find("script", type="application/ld+json")
        return sorted(item["name"] for item in json.loads(script.string)["about"])

    assert "Kim Sung-hwan" in about_names()
    actor = site.root / "content/actors/kim-sung-hwan.md"
    actor.write_text(actor.read_text(encoding="utf-8").replace("Kim Sung-hwan", "Kim S. <Hwan>"),
                     encoding="utf-8")
    site.build()
    assert "Kim S. <Hwan>" in about_names() and "Kim Sung-hwan" not in about_names()


def test_corrupt_or_foreign_cache_is_ignored(make_site, tmp_path):
    site: SiteFixture = make_site()
    site.build()
    cache_files = [path for path in (site.root / ".cache").rglob("*") if path.is_file()]
    assert cache_files
    for number, path in enumerate(cache_files):
        data = path.read_bytes()
        damaged = [data[: len(data) // 2], data[:-1] + bytes([data[-1] ^ 0xFF]),
                   b"not a cache at all", data.replace(b"builder-cache", b"builder-other")][number % 4]
        path.write_bytes(damaged)
    site.write("content/countries/japan.md", "---\nname: Nippon\n---\nIslands.\n")
    site.build()
    assert output_files(site.output) == clean_build(site.root, tmp_path / "clean")
    assert site.page("countries/japan/").h1.get_text() == "Nippon"


def test_deleting_the_cache_is_safe(make_site, tmp_path):
    site: SiteFixture = make_site()
    site.build()
    site.write("content/countries/japan.md", "---\nname: Nippon\n---\n")
    shutil.rmtree(site.root / ".cache")
    result = site.build()
    assert output_files(site.output) == clean_build(site.root, tmp_path / "clean")
    written, unchanged = re.search(r"(\d+) written, (\d+) unchanged", result.stdout).groups()
    assert int(written) > 0 and int(unchanged) > 0  # unchanged files were compared, not rewritten


def test_failed_build_keeps_previous_output_and_cache_usable(make_site, tmp_path):
    site: SiteFixture = make_site()
    site.build()
    before = output_files(site.output)
    site.write("templates/article.html", "{% extends 'base.html' %}{% block content %}{{ nope }}"
                                         "{% endblock %}")
    failed = site.run("build")
    assert failed.exit_code == 1 and "nope" in failed.stderr
    assert output_files(site.output) == before
    (site.root / "templates/article.html").unlink()
    site.write("content/countries/japan.md", "---\nname: Nippon\n---\n")
    site.build()
    assert output_files(site.output) == clean_build(site.root, tmp_path / "clean")
