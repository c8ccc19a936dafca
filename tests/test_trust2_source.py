"""Issue 13, the source side: special files, names, event dates."""

from __future__ import annotations

import os

import pytest

from tests.conftest import run_cli
from tests.trustutil import break_site, locations

BAD = "content/articles/2011-03-01-bad.md"
EVENT = "content/events/summit.md"


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
