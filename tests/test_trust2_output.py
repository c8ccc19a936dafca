"""Issue 13, items 1, 9 and part of 8: the output folder is the builder's only if it made it,
output changed behind the builder's back is rewritten, and stats that lie are not trusted."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from builder import cache
from tests.siteutil import SiteFixture

MARKER = ".builder-output"


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# --- 1: the output folder ------------------------------------------------------------------

def test_a_folder_with_files_of_its_own_is_refused_and_kept(make_site, tmp_path):
    site: SiteFixture = make_site()
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "README.md").write_text("keep\n", encoding="utf-8")
    result = site.run("build", "--output", str(docs))
    assert result.exit_code == 1
    assert f"{docs}: holds files this builder did not write (use an empty folder, or --clean" in result.stderr
    assert "Traceback" not in result.stderr
    assert files_under(docs) == {"README.md": b"keep\n"}


def test_a_clone_of_a_pages_repository_keeps_git_cname_and_nojekyll(make_site, tmp_path):
    """Only .git, CNAME and .nojekyll in it: as good as empty, and all three survive builds."""
    site: SiteFixture = make_site()
    clone = tmp_path / "user.github.io"
    (clone / ".git/objects").mkdir(parents=True)
    (clone / ".git/HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    (clone / "CNAME").write_text("news.example.org\n", encoding="utf-8")
    (clone / ".nojekyll").write_bytes(b"")
    site.build("--output", str(clone))
    site.write("content/articles/2011-02-20-more.md", "---\ntitle: More\ndate: 2011-02-20\n---\nText.\n")
    site.build("--output", str(clone))
    assert (clone / ".git/HEAD").read_text(encoding="utf-8") == "ref: refs/heads/main\n"
    assert (clone / ".git/objects").is_dir()
    assert (clone / "CNAME").read_text(encoding="utf-8") == "news.example.org\n"
    assert (clone / ".nojekyll").is_file()
    assert (clone / "index.html").is_file() and (clone / MARKER).is_file()


def test_clean_replaces_foreign_files_but_never_git(make_site, tmp_path):
    site: SiteFixture = make_site()
    docs = tmp_path / "docs"
    (docs / ".git").mkdir(parents=True)
    (docs / ".git/config").write_text("[core]\n", encoding="utf-8")
    (docs / "old.html").write_text("old", encoding="utf-8")
    (docs / "CNAME").write_text("x.example.org\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.txt").write_text("mine", encoding="utf-8")
    (docs / "link").symlink_to(elsewhere, target_is_directory=True)
    site.build("--output", str(docs), "--clean")
    names = {p.name for p in docs.iterdir()}
    assert "old.html" not in names and "link" not in names
    assert (docs / ".git/config").is_file() and (docs / "CNAME").is_file() and (docs / "index.html").is_file()
    assert (elsewhere / "precious.txt").read_text(encoding="utf-8") == "mine"


def test_an_output_folder_that_is_a_symbolic_link_is_refused_before_resolving(make_site, tmp_path):
    site: SiteFixture = make_site()
    webroot = tmp_path / "other-app"
    webroot.mkdir()
    (webroot / "app.php").write_text("<?php", encoding="utf-8")
    (webroot / MARKER).write_bytes(b"")  # even a folder that looks like ours is not followed
    (site.root / "_site").symlink_to(webroot, target_is_directory=True)
    for args in ((), ("--clean",)):
        result = site.run("build", *args)
        assert result.exit_code == 1
        assert "is a symbolic link" in result.stderr and "Traceback" not in result.stderr
        assert sorted(p.name for p in webroot.iterdir()) == [MARKER, "app.php"]


def test_the_home_folder_is_refused_even_with_clean(make_site, tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    (home / ".bashrc").write_text("# mine\n", encoding="utf-8")
    (home / MARKER).write_bytes(b"")
    monkeypatch.setenv("HOME", str(home))
    site: SiteFixture = make_site()
    for args in ((), ("--clean",)):
        result = site.run("build", "--output", str(home), *args)
        assert result.exit_code == 1
        assert "home folder" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in home.iterdir()) == [".bashrc", MARKER]


# --- 9: stats that cannot lie ------------------------------------------------------------------

def _age(root: Path, seconds: float = 600) -> None:
    """Date every file well back, then let a build trust their stats (as it does after a while)."""
    past = time.time() - seconds
    for path in root.rglob("*"):
        if path.is_file() and ".cache" not in path.parts:
            os.utime(path, (past, past))


def _put_back(path: Path, data: bytes) -> None:
    """Write `data` in place (same inode, same size) and restore the old times, as `touch -r` would."""
    before = path.stat()
    assert len(data) == before.st_size
    path.write_bytes(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_a_same_size_edit_whose_old_mtime_is_put_back_reaches_the_page(make_site, monkeypatch):
    monkeypatch.setattr(cache, "RACY_SECONDS", 0.5)
    site: SiteFixture = make_site()
    article = site.root / "content/articles/2011-02-17-talks.md"
    _age(site.root)
    site.build()
    time.sleep(0.6)
    site.build()  # the stats of the aged sources are now trusted
    text = article.read_bytes()
    assert b"Paragraph" in text or b"." in text
    old_title = site.page("articles/talks/").h1.get_text()
    new = text.replace(old_title.encode(), old_title[::-1].encode(), 1)
    assert new != text
    _put_back(article, new)
    site.build()
    assert site.page("articles/talks/").h1.get_text() == old_title[::-1]


def test_output_changed_behind_the_builders_back_is_rewritten(make_site, tmp_path):
    site: SiteFixture = make_site()
    site.build()
    clean = files_under(site.output)
    page = site.output / "articles/talks/index.html"
    data = page.read_bytes()
    _put_back(page, data.replace(b"<title>", b"<TITLE>", 1))  # edited, its times put back
    (site.output / "feed.xml").unlink()  # deleted
    result = site.build()
    assert files_under(site.output) == clean, result.stdout
    # an older output restored in place over a newer one (rsync --inplace -t from a backup)
    older = {relative: data for relative, data in clean.items()}
    site.write("content/countries/japan.md", "---\nname: Nihon\n---\nIslands.\n")
    site.build()
    newer = files_under(site.output)
    changed = [relative for relative in newer if older.get(relative, newer[relative]) != newer[relative]
               and len(older[relative]) == len(newer[relative])]
    assert changed
    for relative in changed:
        _put_back(site.output / relative, older[relative])
    site.build()
    assert files_under(site.output) == newer


# --- 8 (part): a damaged cache is ignored ------------------------------------------------------

@pytest.mark.parametrize("damage", ["folder", "empty", "garbage", "link"])
def test_any_damaged_cache_entry_is_ignored_without_a_traceback(make_site, tmp_path, damage):
    site: SiteFixture = make_site()
    site.build()
    paths = [p for p in (site.root / ".cache").rglob("*") if p.is_file() and p.name != ".gitignore"]
    assert len(paths) > 5
    for path in paths:
        path.unlink()
        if damage == "folder":
            (path / "x").mkdir(parents=True)
        elif damage == "empty":
            path.write_bytes(b"")
        elif damage == "garbage":
            path.write_bytes(os.urandom(64))
        else:
            path.symlink_to(tmp_path / "nowhere")
    site.write("content/countries/japan.md", "---\nname: Nippon\n---\nIslands.\n")
    result = site.run("build")
    assert result.exit_code == 0, result.stderr
    assert site.page("countries/japan/").h1.get_text() == "Nippon"
    fresh = tmp_path / "fresh"
    shutil.copytree(site.root, fresh, ignore=shutil.ignore_patterns(".cache", "_site"))
    assert SiteFixture(fresh).build().exit_code == 0
    assert files_under(site.output) == files_under(fresh / "_site")


def test_an_output_folder_restored_from_a_cache_is_not_written_again(make_site, tmp_path):
    """As a CI run that restores `.cache/` and `_site/` (new inodes and ctimes, same bytes): an
    article edit rewrites what shows it, not every page, and the result equals a clean build."""
    from builder.build import BuildOptions, build

    articles = {f"content/articles/2011-0{n}-1{n}-story-{n}.md":
                f"---\ntitle: Story {n}\ndate: 2011-0{n}-1{n}\nactors: [kim-sung-hwan]\n---\nBody {n}.\n"
                for n in range(1, 7)}
    site: SiteFixture = make_site(articles)
    output = tmp_path / "out"
    build(site.root, BuildOptions(output_dir=output, jobs=1))
    shutil.copytree(output, tmp_path / "kept")  # the cache's copy
    shutil.rmtree(output)
    shutil.copytree(tmp_path / "kept", output)  # restored: every file has a new inode and ctime
    untouched = output / "articles/story-2/index.html"
    inode = untouched.stat().st_ino
    site.write("content/articles/2011-05-15-story-5.md",
               "---\ntitle: Story 5\ndate: 2011-05-15\nactors: [kim-sung-hwan]\n---\nBody five, edited.\n")

    result = build(site.root, BuildOptions(output_dir=output, jobs=1))
    assert untouched.stat().st_ino == inode  # not written again
    assert 0 < result.pages_written < result.pages_unchanged
    assert "edited" in (output / "articles/story-5/index.html").read_text(encoding="utf-8")
    again = build(site.root, BuildOptions(output_dir=output, jobs=1))
    assert again.pages_written == 0  # the restored files' stats are trusted from now on
    clean = tmp_path / "clean"
    shutil.rmtree(site.root / ".cache")
    build(site.root, BuildOptions(output_dir=clean, jobs=1))
    assert files_under(output) == files_under(clean)
