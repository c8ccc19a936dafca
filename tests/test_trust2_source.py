"""Issue 13, the source side: special files, names, event dates, YAML that raised, keys, text as written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from builder import yaml12
from builder.config import SiteConfig
from builder.markup import MarkdownRenderer
from builder.reader import ReadResult, SourceFile, read_source
from tests.conftest import run_cli
from tests.trustutil import break_site, locations

BAD = "content/articles/2011-03-01-bad.md"
EVENT = "content/events/summit.md"
# The loader the build uses (libyaml's where PyYAML has it) and PyYAML's pure-Python one.
LOADERS = pytest.mark.parametrize("loader", [yaml12._Loader, yaml12._PureLoader], ids=["default", "pure"])


def read(monkeypatch: pytest.MonkeyPatch, loader: type, text: str, relative: str = BAD,
         kind: str = "articles") -> ReadResult:
    """One file through the real reader, with the given YAML loader."""
    monkeypatch.setattr(yaml12, "_Loader", loader)
    config = SiteConfig(Path("."))
    source = SourceFile(kind, relative, relative)
    return read_source(source, text.encode(), config, MarkdownRenderer(config))


def only_problem(result: ReadResult) -> tuple[int, str]:
    assert result.record is None
    errors = [p for p in result.problems if p.severity == "error"]
    assert len(errors) == 1, errors
    return errors[0].line, errors[0].message


# --- 3: special files are refused by path, never opened --------------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize("command", ["build", "check"])
def test_named_pipe_is_refused_without_blocking(make_site, command):
    site = make_site()
    os.mkfifo(site.root / "content/articles/2011-03-01-x.md")
    result = run_cli(command, "--site", str(site.root), timeout=60)  # the old code waits forever
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert locations(result.stderr) == ["content/articles/2011-03-01-x.md:1"]
    assert "named pipe" in result.stderr


# --- 8: names and dates that passed silently -------------------------------------------

def test_markdown_files_not_ending_in_md_are_named(make_site):
    site = make_site({"content/articles/2011-03-01-upper.MD": "---\ntitle: U\ndate: 2011-03-01\n---\n",
                      "content/actors/long.markdown": "---\nname: Long\n---\n"})
    result = site.build()
    assert sorted(locations(result.stderr)) == ["content/actors/long.markdown:1",
                                                "content/articles/2011-03-01-upper.MD:1"]
    assert "rename it to long.md" in result.stderr
    assert site.run("build", "--strict").exit_code == 1


@pytest.mark.parametrize("name", ["con.md", "aux.md", "nul.md", "com1.md", "lpt1.md", "prn.notes.md"])
def test_windows_reserved_names_are_errors(make_site, name):
    site = make_site()
    result = break_site(site, {f"content/actors/{name}": "---\nname: Reserved\n---\n"})
    assert locations(result.stderr) == [f"content/actors/{name}:1"]
    assert "Windows" in result.stderr


def test_event_ending_before_it_starts_is_an_error_at_its_end_line(make_site):
    site = make_site({EVENT: "---\nname: Summit\nstart: 2011-03-05\nend: 2011-03-05\n---\n"})  # one day: fine
    result = break_site(site, {EVENT: "---\nname: Summit\nstart: 2011-03-05\nend: 2011-03-01\n---\n"})
    assert locations(result.stderr) == [f"{EVENT}:4"]
    assert "before the start" in result.stderr


# --- 10 and issue 16's 8: YAML that raised, or was located where the parser gave up ---------

YAML_HAZARDS = [
    ("bool maybe", "---\ntitle: T\ndate: 2011-03-01\ndraft: !!bool maybe\n---\n", 4, "true or false"),
    ("int abc", "---\ntitle: T\ndate: 2011-03-01\nrank: !!int abc\n---\n", 4, "whole number"),
    ("int 0x", "---\ntitle: T\nrank: !!int 0x\ndate: 2011-03-01\n---\n", 3, "whole number"),
    ("float abc", "---\ntitle: T\ndate: 2011-03-01\nscore: !!float abc\n---\n", 4, "not a number"),
    ("5,000 digits", "---\ntitle: T\ndate: 2011-03-01\nbig: " + "9" * 5000 + "\n---\n", 4, "digits"),
    ("5,000 digits in hex", "---\ntitle: T\ndate: 2011-03-01\nbig: 0x" + "f" * 5000 + "\n---\n", 4, "digits"),
    ("U+FFFE", "---\ntitle: T\ndate: 2011-03-01\nbyline: a\ufffeb\n---\n", 4, "U+FFFE"),
    ("unclosed double quote", '---\ntitle: "Talks\ndate: 2011-03-01\nbyline: B\n---\n', 2, "never closed"),
    ("unclosed single quote", "---\ntitle: T\nbyline: 'Shin\ndate: 2011-03-01\n---\n", 3, "never closed"),
    ("'1' and 1", '---\ntitle: T\ndate: 2011-03-01\n1: a\n"1": b\n---\n', 5,
     'the keys 1: and "1": name the same field (first on line 4)'),
    ("'true' and true", "---\ntitle: T\ndate: 2011-03-01\n'true': a\ntrue: b\n---\n", 5, "first on line 4"),
    ("1 and 01", "---\ntitle: T\ndate: 2011-03-01\n1: a\n01: b\n---\n", 5, "first on line 4"),
]


@LOADERS
@pytest.mark.parametrize(("text", "line", "words"), [h[1:] for h in YAML_HAZARDS],
                         ids=[h[0] for h in YAML_HAZARDS])
def test_yaml_problem_is_located(monkeypatch, loader, text, line, words):
    got_line, message = only_problem(read(monkeypatch, loader, text))
    assert (got_line, words in message) == (line, True), message


@LOADERS
@pytest.mark.parametrize("character", ["\0", "\ufffe"], ids=["NUL", "U+FFFE"])
def test_characters_yaml_refuses_are_located(monkeypatch, loader, character):
    """site.yaml meets the YAML reader with no check of its own before (the pure-Python one raised)."""
    monkeypatch.setattr(yaml12, "_Loader", loader)
    with pytest.raises(yaml12.YamlProblem) as caught:
        yaml12.load_mapping(f"title: T\nauthor: a{character}b\n")
    assert caught.value.line == 2
    assert f"U+{ord(character):04X}" in caught.value.message


def test_yaml_problem_fails_the_build_without_a_traceback(make_site):
    site = make_site()
    result = break_site(site, {BAD: "---\ntitle: T\ndate: 2011-03-01\ndraft: !!bool maybe\n---\n"})
    assert locations(result.stderr) == [f"{BAD}:4"]


# --- 11: keys as YAML sees them --------------------------------------------------------

@LOADERS
def test_keys_yaml_keeps_apart_are_kept_apart(monkeypatch, loader):
    """1 == True == 1.0 in Python, not in YAML; `true:` and `"True":` are two fields."""
    text = ('---\ntitle: T\ndate: 2011-03-01\n1: one\ntrue: yes\n1.0: float\n"True": word\n'
            'null: x\n"None": y\n---\n')
    result = read(monkeypatch, loader, text)
    assert result.record is not None, result.problems
    assert {k: result.record.extra[k] for k in ("1", "true", "1.0", "True", "null", "None")} == {
        "1": "one", "true": "yes", "1.0": "float", "True": "word", "null": "x", "None": "y"}


# --- 13: text as written ---------------------------------------------------------------

def test_text_fields_keep_numbers_as_written(make_site):
    site = make_site({
        "content/articles/2011-03-01-numbers.md": "---\ntitle: 3.10\ndate: 2011-03-01\nbyline: 007\n"
                                                  "summary: 1e3\n---\nBody.\n",
        "content/actors/bond.md": "---\nname: 0x1F\naliases: [007, Bond]\ncode: 1.50\n---\n",
    })
    site.build()
    article = site.page("articles/numbers/")
    assert article.h1.get_text(strip=True) == "3.10"
    assert "By 007" in article.get_text()
    assert article.find("meta", attrs={"name": "description"})["content"] == "1e3"
    actor = site.page("actors/bond/")
    assert actor.h1.get_text(strip=True) == "0x1F"
    assert "1.50" in actor.get_text()


@LOADERS
def test_non_specific_tag_makes_a_string(monkeypatch, loader):
    text = "---\ntitle: T\ndate: 2011-03-01\nrank: ! 12\nflag: ! true\nlist: [! 3, 4]\n---\n"
    result = read(monkeypatch, loader, text)
    assert result.record is not None, result.problems
    assert (result.record.extra["rank"], result.record.extra["flag"]) == ("12", "true")
    assert list(result.record.extra["list"]) == ["3", 4]
