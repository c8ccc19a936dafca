"""Bad YAML and front matter: each is one `path:line: problem` and exit 1, old output intact."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.config import SiteConfig
from builder.markup import MarkdownRenderer
from builder.reader import SourceFile, read_source
from tests.trustutil import break_site, locations

BAD = "content/articles/2011-03-01-bad.md"
ENTITY = "content/actors/bad-actor.md"

# (hazard, files, expected `path:line`, words the message must contain)
HAZARDS = [
    ("malformed YAML", {BAD: "---\ntitle: a: b\ndate: 2011-03-01\n---\nBody.\n"},
     f"{BAD}:2", "invalid YAML"),
    ("unclosed flow list", {BAD: "---\ntitle: Fine\nactors: [kim-sung-hwan\ndate: 2011-03-01\n---\n"},
     f"{BAD}:4", "invalid YAML"),
    ("missing closing ---", {BAD: "---\ntitle: Open\ndate: 2011-03-01\n\nThe body starts here.\n"},
     f"{BAD}:1", "not closed"),
    ("no front matter", {BAD: "Just a body.\n"}, f"{BAD}:1", "no front matter"),
    ("tab indentation", {BAD: "---\ntitle: T\ndate: 2011-03-01\nactors:\n\t- kim-sung-hwan\n---\n"},
     f"{BAD}:5", "tabs"),
    ("duplicate key", {BAD: "---\ntitle: One\ndate: 2011-03-01\ntitle: Two\n---\n"},
     f"{BAD}:4", "given twice"),
    ("impossible date", {BAD: "---\ntitle: T\ndate: 2011-02-30\n---\n"},
     f"{BAD}:3", "not a real date"),
    ("not a date", {BAD: "---\ntitle: T\ndate: soon\n---\n"}, f"{BAD}:3", "not a date"),
    ("list where text belongs", {BAD: "---\ntitle: [One, Two]\ndate: 2011-03-01\n---\n"},
     f"{BAD}:2", "must be text"),
    ("mapping where text belongs", {BAD: "---\ndate: 2011-03-01\nbyline: {a: b}\ntitle: T\n---\n"},
     f"{BAD}:3", "must be text"),
    ("text where a list belongs", {BAD: "---\ntitle: T\ndate: 2011-03-01\n"
                                        "actors: kim-sung-hwan, naoto-kan\n---\n"},
     f"{BAD}:4", "write a list"),
    ("list where a list of text belongs", {ENTITY: "---\nname: X\naliases: [[a], b]\n---\n"},
     f"{ENTITY}:3", "list of text"),
    ("alias bomb", {BAD: "---\ntitle: T\ndate: 2011-03-01\na: &a [x, x, x, x, x, x, x, x, x]\n"
                         "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                         "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                         "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n---\n"},
     f"{BAD}:5", "aliases"),
    ("merge key", {BAD: "---\nbase: &b {x: 1}\nmore:\n  <<: *b\ntitle: T\ndate: 2011-03-01\n---\n"},
     f"{BAD}:4", "not allowed"),
    ("non-UTF-8 bytes", {BAD: b"---\ntitle: T\ndate: 2011-03-01\nbyline: Caf\xe9\n---\n"},
     f"{BAD}:4", "not UTF-8"),
    ("NUL byte in the body", {BAD: "---\ntitle: T\ndate: 2011-03-01\n---\nOne\nTw\0o\n"},
     f"{BAD}:6", "control character"),
    ("escaped NUL in a field", {BAD: '---\ntitle: "A\\0B"\ndate: 2011-03-01\n---\n'},
     f"{BAD}:2", "control character"),
    ("lone surrogate in a field", {BAD: '---\ndate: 2011-03-01\ntitle: "\\ud800"\n---\n'},
     f"{BAD}:3", "invalid"),
    ("deeply nested YAML", {BAD: "---\ntitle: T\ndate: 2011-03-01\nx: " + "[" * 40 + "]" * 40 + "\n---\n"},
     f"{BAD}:4", "nested more than"),
    ("deeply nested Markdown", {BAD: "---\ntitle: T\ndate: 2011-03-01\n---\n"
                                     + "".join("    " * n + "- item\n" for n in range(300))},
     f"{BAD}:105", "nested too deeply"),  # the first line past 100 levels
    ("missing title", {BAD: "---\ndate: 2011-03-01\n---\n"}, f"{BAD}:1", "'title' is missing"),
    ("not a mapping", {BAD: "---\n- a\n- b\n---\n"}, f"{BAD}:2", "key: value"),
    ("quote without text", {BAD: "---\ntitle: T\ndate: 2011-03-01\nquotes:\n  - by: naoto-kan\n---\n"},
     f"{BAD}:5", "a quote needs"),
]


@pytest.mark.parametrize(("files", "where", "words"), [h[1:] for h in HAZARDS],
                         ids=[h[0] for h in HAZARDS])
def test_bad_front_matter_is_located_and_harmless(make_site, files, where, words):
    site = make_site()
    result = break_site(site, files)
    assert locations(result.stderr) == [where], result.stderr
    line = next(line for line in result.stderr.splitlines() if line.startswith(where + ":"))
    assert words in line
    assert line.endswith(")"), "every error says what to do"


def test_every_error_of_the_run_is_reported_together(make_site):
    site = make_site()
    files = {f"content/articles/2011-03-0{n}-bad-{n}.md": text for n, text in enumerate([
        "---\ntitle: a: b\ndate: 2011-03-01\n---\n",
        "---\ntitle: T\ndate: 2011-02-30\n---\n",
        "---\ntitle: One\ndate: 2011-03-01\ntitle: Two\n---\n",
    ], start=1)}
    files["content/actors/Bad-Case.md"] = b"---\nname: \xff\n---\n"
    result = break_site(site, files)
    assert sorted(locations(result.stderr)) == sorted([
        "content/articles/2011-03-01-bad-1.md:2",
        "content/articles/2011-03-02-bad-2.md:3",
        "content/articles/2011-03-03-bad-3.md:4",
        "content/actors/Bad-Case.md:2",
    ])
    assert "Failed: 4 problems" in result.stderr


def test_alias_bomb_is_refused_quickly(make_site):
    """A billion-laughs document is refused at its first alias, whatever its size."""
    levels = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for n in range(1, 30):
        refs = ", ".join([f"*a{n - 1}"] * 10)
        levels.append(f"a{n}: &a{n} [{refs}]")
    site = make_site({BAD: "---\ntitle: T\ndate: 2011-03-01\n" + "\n".join(levels) + "\n---\n"})
    result = site.run("build")
    assert result.exit_code == 1
    assert locations(result.stderr) == [f"{BAD}:5"]


def test_yaml_1_2_meaning_keeps_words_as_text(make_site):
    """NO, yes, on and 1:20 stay strings where text or a slug belongs."""
    site = make_site({
        "content/articles/2011-03-01-norway.md": """\
            ---
            title: NO
            date: 2011-03-01
            byline: yes
            source: on
            summary: 1:20
            countries: [no]
            ---
            Oslo.
            """,
        "content/countries/no.md": "---\nname: Norway\naliases: [NO, off]\ncapital: 12:30\n---\n",
    })
    site.build()
    page = site.page("articles/norway/")
    assert page.h1.get_text(strip=True) == "NO"
    assert "yes" in page.select_one(".byline").get_text()
    assert page.select_one('meta[name="description"]')["content"] == "1:20"
    norway = site.page("countries/no/")
    assert norway.h1.get_text(strip=True) == "Norway"
    assert any(a.get("href") == "/articles/norway/" for a in norway.find_all("a"))
    assert "12:30" in norway.get_text()


def test_a_date_like_string_stays_text_outside_date_fields(make_site):
    site = make_site({"content/articles/2011-03-01-d.md":
                      "---\ntitle: 2011-03-01\ndate: 2011-03-01\n---\nBody.\n"})
    site.build()
    assert site.page("articles/d/").h1.get_text(strip=True) == "2011-03-01"


def test_true_where_text_belongs_is_an_error(make_site):
    site = make_site()
    result = break_site(site, {BAD: "---\ntitle: true\ndate: 2011-03-01\n---\n"})
    assert locations(result.stderr) == [f"{BAD}:2"]


@pytest.mark.parametrize(("text", "where"), [
    (b"title: T\nbase_url: https://example.org/\ntitle: Again\n", "site.yaml:3"),
    (b"title: T\nbase_url: https://example.org/\nkinds:\n\tactors: {}\n", "site.yaml:4"),
    (b"title: T\nbase_url: https://example.org/\nauthor: Caf\xe9\n", "site.yaml:3"),
    (b"title: &t T\nbase_url: https://example.org/\ndescription: *t\n", "site.yaml:3"),
    (b"title: T\nbase_url: javascript:alert(1)\n", "site.yaml:2"),
], ids=["duplicate key", "tab", "non-UTF-8", "alias", "javascript base_url"])
def test_bad_site_yaml_is_located_and_harmless(make_site, text, where):
    site = make_site()
    result = break_site(site, {"site.yaml": text})
    assert locations(result.stderr) == [where], result.stderr


def test_the_markdown_renderer_recovers_after_a_nesting_error():
    """The reader reuses one Markdown instance: the next file must still render."""
    config = SiteConfig(Path("."))
    renderer = MarkdownRenderer(config)
    deep = "---\ntitle: T\ndate: 2011-03-01\n---\n" + "".join("    " * n + "- i\n" for n in range(300))
    source = SourceFile("articles", BAD, BAD)
    assert read_source(source, deep.encode(), config, renderer).record is None
    fine = "---\ntitle: T\ndate: 2011-03-01\n---\n- one\n- [Kim](actor:kim-sung-hwan)\n"
    record = read_source(source, fine.encode(), config, renderer).record
    assert record is not None and record.body_html.count("<li>") == 2
    assert 'href="/actors/kim-sung-hwan/"' in record.body_html
