"""Issue 13, items 1, 9 and part of 8: the output folder is the builder's only if it made it,
output changed behind the builder's back is rewritten, and stats that lie are not trusted."""

from __future__ import annotations

from pathlib import Path

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
