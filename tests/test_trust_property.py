"""Property: whatever the front matter and body, the reader builds a record or
returns located problems; it never raises. A few full builds check the same end to end."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.config import SiteConfig
from builder.markup import MarkdownRenderer
from builder.reader import SourceFile, read_source
from tests.conftest import MINIMAL_SITE, write_files
from tests.siteutil import SiteFixture
from tests.trustutil import LOCATION

FIELDS = ["title", "date", "updated", "byline", "source", "source_url", "summary", "draft", "quotes",
          "actors", "actor", "countries", "events", "name", "aliases", "role", "website", "wikidata",
          "start", "end", "type", "titel", "extra"]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(["2011-02-30", "2011-02-17", "2011-02-17T10:00:00+09:00", "NO", "yes", "on", "1:20",
                     "kim-sung-hwan", "../x", "javascript:alert(1)", "https://example.org/", "Q42",
                     "<script>x</script>", "\u202e", "\x00"]),
)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(["by", "text", "x"]), inner, max_size=3)),
    max_leaves=8)
RAW_LINES = st.lists(st.sampled_from([
    "title: T", "date: 2011-02-17", "a: &a [1]", "b: *a", "\t- x", "key: value: other", "title: T",
    "- item", "  nested: [", "quotes:", "  - by: naoto-kan", "    text: hi", "'unclosed", "...", "---",
    "actors: [kim-sung-hwan, ../evil]", "date: 2011-13-01", "? complex", "!!python/object:os.system x",
    "<<: {a: 1}", "%YAML 1.1", "&x y: z", "x: " + "[" * 30 + "]" * 30]), max_size=8).map("\n".join)
FRONT = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=8).map(
        lambda d: yaml.safe_dump(d, allow_unicode=True, sort_keys=False) if d else ""),
    RAW_LINES,
    st.text(max_size=80),
)
BODY = st.lists(st.one_of(
    st.text(max_size=40),
    st.sampled_from(["[Kim](actor:kim-sung-hwan)", "[x](actor:../x)", "[j](javascript:alert(1))",
                     "[t](java\tscript:x)", "![i](data:x)", "<script>alert(1)</script>", "```", "~~~",
                     "[r]: javascript:x", "[^1]", "[^1]: note", "| a | b |\n|---|---|\n| 1 | 2 |",
                     "\r\n", "\x00", "\ufeff", "[unclosed](", "](", "<!-- c -->"])),
    max_size=10).map(" ".join)
CLOSING = st.sampled_from(["---\n", "...\n", "", "--- \n", "----\n"])
ENCODING = st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"])

CONFIG = SiteConfig(Path("."))
RENDERER = MarkdownRenderer(CONFIG)


def encoded(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace") if encoding != "utf-16" else text.encode("utf-16")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front=FRONT, body=BODY, closing=CLOSING, encoding=ENCODING,
       kind=st.sampled_from(["articles", "actors", "events"]))
def test_reader_returns_a_record_or_located_problems(front, body, closing, encoding, kind):
    text = f"---\n{front}\n{closing}{body}\n"
    raw = encoded(text, encoding)
    name = "2011-02-17-x.md" if kind == "articles" else "x.md"
    source = SourceFile(kind, f"content/{kind}/{name}", f"content/{kind}/{name}")
    result = read_source(source, raw, CONFIG, RENDERER)
    errors = [p for p in result.problems if p.severity == "error"]
    assert (result.record is None) == bool(errors)
    line_count = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1  # a lone CR ends a line
    for problem in result.problems:
        assert problem.path == source.relative
        assert 1 <= problem.line <= line_count, (problem, text)
        assert problem.message and "Traceback" not in problem.message


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(front=FRONT, body=BODY, closing=CLOSING)
def test_a_build_either_succeeds_or_fails_with_located_errors(tmp_path_factory, front, body, closing):
    root = tmp_path_factory.mktemp("prop") / "site"
    write_files(root, MINIMAL_SITE)
    path = root / "content/articles/2011-02-18-random.md"
    path.write_bytes(f"---\n{front}\n{closing}{body}\n".encode("utf-8", errors="replace"))
    result = SiteFixture(root).run("build")
    assert result.exit_code in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    if result.exit_code == 1:
        problems = [line for line in result.stderr.splitlines() if not line.startswith("Failed:")]
        assert problems and all(LOCATION.match(line) for line in problems), result.stderr
        assert not (root / "_site").exists()
    else:
        assert (root / "_site/index.html").is_file()
