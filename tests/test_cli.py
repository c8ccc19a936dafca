"""The command line as users meet it: help, exit codes, check, new, the shipped sample."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, run_cli
from tests.siteutil import SiteFixture, broken_links


@pytest.mark.parametrize("command", [[], ["build"], ["check"], ["new"]])
def test_help_for_every_command(command):
    result = run_cli(*command, "--help")
    assert result.returncode == 0
    assert "usage:" in result.stdout


def test_usage_error_exits_2():
    result = run_cli("build", "--no-such-flag")
    assert result.returncode == 2


def test_a_bad_base_url_on_the_command_line_is_blamed_on_the_option(make_site):
    site = make_site()
    result = site.run("build", "--base-url", "archive.example.org")
    assert result.exit_code == 1
    assert result.stderr.startswith("--base-url: 'archive.example.org' is not an http(s) address")
    assert "site.yaml" not in result.stderr


def test_build_prints_one_summary_line(make_site):
    site = make_site()
    result = run_cli("build", "--site", str(site.root))
    assert result.returncode == 0, result.stderr
    summary = result.stdout.strip().splitlines()
    assert len(summary) == 1
    assert "written" in summary[0] and "warning" in summary[0] and summary[0].endswith(" s")


def test_check_writes_nothing_and_reports_broken_front_matter(make_site):
    site = make_site()
    result = site.run("check")
    assert result.exit_code == 0
    assert not site.output.exists()
    site.write("content/actors/kim-sung-hwan.md", "---\nname: Kim\nrole: [unclosed\n---\n")
    result = site.run("check")
    assert result.exit_code == 1
    assert result.stderr.startswith("content/actors/kim-sung-hwan.md:4: invalid YAML")
    assert not site.output.exists()


def test_new_scaffolds_files_that_build(make_site):
    site = make_site()
    result = site.run("new", "article", "Kim visits Tokyo: day two", "--site", str(site.root))
    assert result.exit_code == 0, result.stderr
    created = list((site.root / "content/articles").glob("*-kim-visits-tokyo-day-two.md"))
    assert len(created) == 1
    assert site.run("new", "actor", "Seiji Maehara", "--site", str(site.root)).exit_code == 0
    assert (site.root / "content/actors/seiji-maehara.md").is_file()
    again = site.run("new", "actor", "Seiji Maehara", "--site", str(site.root))
    assert again.exit_code == 2 and "already exists" in again.stderr
    unknown = site.run("new", "person", "X", "--site", str(site.root))
    assert unknown.exit_code == 2 and "actor" in unknown.stderr
    site.build("--drafts")
    assert site.page("actors/seiji-maehara/").h1.get_text(strip=True) == "Seiji Maehara"
    new_article = site.page("articles/kim-visits-tokyo-day-two/")
    assert new_article.h1.get_text(strip=True) == "Kim visits Tokyo: day two"


def test_new_says_the_article_is_a_draft_and_writes_no_placeholder_reference(make_site):
    site = make_site()
    result = site.run("new", "article", "Talks resume", "--site", str(site.root))
    assert result.exit_code == 0, result.stderr
    assert "draft" in result.stdout and "--drafts" in result.stdout
    built = site.run("build", "--drafts")
    assert built.exit_code == 0 and built.stderr == "", built.stderr
    assert not (site.output / "actors" / "slug").exists()


@pytest.mark.parametrize(("title", "expected"), [
    ("Seoul–Tokyo talks resume", "seoul-tokyo-talks-resume"),
    ("Six-party talks 2003–2009 — a timeline", "six-party-talks-2003-2009-a-timeline"),
    ("김정은 평양 방문", "gimjeongeun-pyeongyang-bangmun"),
])
def new_articles(site: SiteFixture, *titles: str) -> list[str]:
    """Run `new article` for each title; the names of the files it made, in order."""
    made = []
    for title in titles:
        before = set((site.root / "content/articles").glob("*.md"))
        result = site.run("new", "article", title, "--site", str(site.root))
        assert result.exit_code == 0, result.stderr
        [created] = set((site.root / "content/articles").glob("*.md")) - before
        made.append(created.name)
    return made


@pytest.mark.parametrize(("title", "expected"), [
    ("Seoul–Tokyo talks resume", "seoul-tokyo-talks-resume"),
    ("Six-party talks 2003–2009 — a timeline", "six-party-talks-2003-2009-a-timeline"),
    ("김정은 평양 방문", "gimjeongeun-pyeongyang-bangmun"),
])
def test_new_transliterates_titles_and_turns_dashes_into_hyphens(make_site, title, expected):
    [name] = new_articles(make_site(), title)
    assert re.fullmatch(rf"\d{{4}}-\d\d-\d\d-{expected}\.md", name), name


def test_new_gives_japanese_titles_distinct_date_and_hash_slugs(make_site):
    site = make_site()
    titles = ("東京で日韓首脳会談", "大阪で日韓首脳会談", "かいだん の あと")
    names = new_articles(site, *titles)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d-[0-9a-f]{8}\.md", n) for n in names), names
    assert len(set(names)) == 3
    site.build("--drafts")
    assert [site.page(f"articles/{n[11:-3]}/").h1.get_text(strip=True) for n in names] == list(titles)


def copy_sample(destination: Path) -> SiteFixture:
    destination.mkdir()
    shutil.copy(REPO_ROOT / "site.yaml", destination / "site.yaml")
    shutil.copytree(REPO_ROOT / "content", destination / "content")
    return SiteFixture(destination)


def test_shipped_sample_builds_with_every_entity_and_no_broken_link(tmp_path):
    site = copy_sample(tmp_path / "sample")
    assert site.run("check", "--strict").exit_code == 0
    site.build("--strict")
    article = site.page("articles/seoul-tokyo-bolster-cooperation/")
    assert article.h1.get_text(strip=True) == "Seoul, Tokyo bolster cooperation on N.K."
    for kind in ("actors", "countries", "events"):
        for source in (REPO_ROOT / "content" / kind).glob("*.md"):
            assert (site.output / kind / source.stem / "index.html").is_file()
    for slug in ("kim-sung-hwan", "seiji-maehara", "naoto-kan"):
        assert (site.output / "actors" / slug / "index.html").is_file()
    for slug in ("six-party-talks", "cheonan-sinking", "yeonpyeong-shelling"):
        assert (site.output / "events" / slug / "index.html").is_file()
    assert broken_links(site.output) == []


def test_sample_builds_under_a_project_base_path(tmp_path):
    site = copy_sample(tmp_path / "sample")
    site.build("--base-url", "https://user.github.io/archive/")
    assert broken_links(site.output, "/archive/") == []


def test_theme_ships_inside_the_wheel(tmp_path):
    """A site with only site.yaml and content/ must build from a wheel install too."""
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path),
                             str(REPO_ROOT)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    wheel = next(tmp_path.glob("news_archive_builder-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in (REPO_ROOT / "templates").glob("*.html"):
        assert f"builder/theme/templates/{template.name}" in names
    assert "builder/theme/static/style.css" in names


@pytest.mark.slow
def test_the_wheel_installs_in_a_fresh_venv_and_builds_an_init_site(tmp_path):
    """What a newsroom does: pip install the distribution, init, build; nothing of the repository around."""
    made = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                           str(tmp_path / "dist"), str(REPO_ROOT)],
                          capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    wheel = next((tmp_path / "dist").glob("news_archive_builder-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "venv")], check=True, timeout=120)
    python = tmp_path / "venv" / "bin" / "python"
    installed = subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)],
                               capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stderr
    # Far from the repository, with no PYTHONPATH: only the installed package can answer.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    work = tmp_path / "elsewhere"
    work.mkdir()

    def venv_run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(python), *args], cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=300)

    where = venv_run("-c", "import builder; print(builder.__file__)", cwd=work)
    assert where.stdout.startswith(str(tmp_path / "venv")), where.stdout
    version = subprocess.run([str(tmp_path / "venv" / "bin" / "news-archive-builder"), "--version"],
                             cwd=work, env=env, capture_output=True, text=True, timeout=60)
    assert version.stdout.strip() == f"news-archive-builder {wheel.name.split('-')[1]}"
    assert venv_run("-m", "builder", "init", "archive", cwd=work).returncode == 0
    built = venv_run("-m", "builder", "build", "--strict", cwd=work / "archive")
    assert built.returncode == 0, built.stderr
    site = SiteFixture(work / "archive")
    assert site.page("articles/welcome/").find("link", rel="stylesheet")["href"] == "/static/style.css"
    assert (site.output / "static" / "style.css").is_file()
    assert broken_links(site.output) == []
