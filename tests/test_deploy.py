"""`deploy`: the built site as a commit on gh-pages of a real (bare, local) remote.

Real git only: a site repository in tmp_path whose `origin` is a bare
repository, so every push, rejection and ref is git's own behaviour.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.siteutil import SiteFixture, parse_html


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No user or system git config (signing, hooks, default branch) leaks into the tests."""
    empty = tmp_path / "empty.gitconfig"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))  # tmp_path may sit inside a clone
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)


@dataclass(frozen=True)
class Published:
    site: SiteFixture
    remote: Path

    def deploy(self, *args: str):
        return self.site.run("deploy", "--site", str(self.site.root), *args)

    def remote_files(self, ref: str = "gh-pages") -> set[str]:
        return set(git(self.remote, "ls-tree", "-r", "--name-only", ref).split())

    def remote_commits(self, ref: str = "gh-pages") -> list[str]:
        return git(self.remote, "rev-list", ref).split()

    def remote_has(self, ref: str) -> bool:
        return subprocess.run(["git", "rev-parse", "--verify", "--quiet", ref], cwd=self.remote,
                              capture_output=True).returncode == 0

    def state(self) -> tuple[str, str, str, bytes, str]:
        """Everything a deploy must leave alone: status, HEAD, its branch, the index, other refs."""
        root = self.site.root
        status = git(root, "--no-optional-locks", "status", "--porcelain", "--untracked-files=all")
        head = git(root, "rev-parse", "HEAD")
        branch = git(root, "symbolic-ref", "HEAD")
        index = (root / ".git" / "index").read_bytes()
        refs = git(root, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads/main")
        return status, head, branch, index, refs


@pytest.fixture
def published(make_site, tmp_path: Path) -> Published:
    """A committed site with origin -> a bare repository, plus a staged and an unstaged change."""
    site = make_site({".gitignore": "_site/\n"})
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", str(remote))
    root = site.root
    git(root, "init", "--quiet", "-b", "main")
    git(root, "config", "user.name", "Test Archivist")
    git(root, "config", "user.email", "archivist@example.org")
    git(root, "add", ".")
    git(root, "commit", "--quiet", "-m", "the archive")
    git(root, "remote", "add", "origin", str(remote))
    site.write("content/countries/japan.md", "---\nname: Japan\n---\nAn island nation.\n")
    site.write("notes.txt", "staged, not committed\n")
    git(root, "add", "notes.txt")
    return Published(site, remote)


def test_first_deploy_creates_the_branch_with_the_built_site_and_nojekyll(published: Published) -> None:
    before = published.state()
    result = published.deploy("--base-url", "https://user.github.io/archive/")
    assert result.exit_code == 0, result.stderr
    assert "as a new branch" in result.stdout

    files = published.remote_files()
    assert {".nojekyll", "index.html", "404.html", "static/style.css",
            "articles/talks/index.html", "countries/japan/index.html"} <= files
    assert "CNAME" not in files
    assert not any(name.startswith(("content/", "site.yaml", "notes.txt")) for name in files)
    assert len(published.remote_commits()) == 1
    page = parse_html(git(published.remote, "show", "gh-pages:articles/talks/index.html"))
    assert page.find("link", rel="stylesheet")["href"] == "/archive/static/style.css"
    # Built from the working tree, as the author sees it (the uncommitted description).
    assert "An island nation." in git(published.remote, "show", "gh-pages:countries/japan/index.html")

    assert published.state() == before
    assert not (published.site.root / "_site").exists()
    local = git(published.site.root, "rev-parse", "refs/heads/gh-pages").strip()
    assert local == published.remote_commits()[0]


def test_published_files_are_exactly_the_production_build(published: Published) -> None:
    """A preview build first (warm caches, drafts in _site/) must not thin out or leak into the deploy."""
    published.site.write("content/articles/2011-03-01-draft.md",
                         "---\ntitle: Not yet\ndate: 2011-03-01\ndraft: true\n---\nDraft.\n")
    published.site.build("--drafts")
    preview = published.site.files()
    assert "articles/draft/index.html" in preview
    assert published.deploy().exit_code == 0
    assert published.site.files() == preview
    published.site.build("--no-drafts")
    assert published.remote_files() == published.site.files() | {".nojekyll"}
    assert "articles/draft/index.html" not in published.remote_files()


def test_deploys_leave_no_cache_behind_for_their_temporary_folders(published: Published) -> None:
    published.site.build()
    outputs = published.site.root / ".cache" / "outputs"
    before = sorted(outputs.iterdir()) if outputs.is_dir() else []
    assert published.deploy().exit_code == 0
    assert published.deploy("--dry-run").exit_code == 0
    assert (sorted(outputs.iterdir()) if outputs.is_dir() else []) == before


def test_second_deploy_adds_exactly_one_commit_with_cname(published: Published) -> None:
    assert published.deploy().exit_code == 0
    first = published.remote_commits()
    published.site.write("content/countries/china.md", "---\nname: China\n---\n")
    before = published.state()

    result = published.deploy("--cname", "example.org", "--message", "Publish the China page")
    assert result.exit_code == 0, result.stderr

    commits = published.remote_commits()
    assert len(commits) == 2 and commits[1:] == first
    assert git(published.remote, "rev-parse", "gh-pages^").strip() == first[0]
    assert git(published.remote, "log", "-1", "--format=%s", "gh-pages").strip() == "Publish the China page"
    assert git(published.remote, "show", "gh-pages:CNAME") == "example.org\n"
    assert "countries/china/index.html" in published.remote_files()
    assert published.state() == before


def test_a_second_deploy_with_nothing_changed_adds_no_commit_and_says_so(published: Published) -> None:
    assert published.deploy().exit_code == 0
    first = published.remote_commits()
    before = published.state()

    result = published.deploy()
    assert result.exit_code == 0, result.stderr
    assert published.remote_commits() == first
    assert "Nothing to deploy" in result.stdout and "nothing was committed or pushed" in result.stdout
    assert published.state() == before


def test_a_custom_domain_must_match_base_url(published: Published) -> None:
    result = published.deploy("--cname", "archive.example.org")
    assert result.exit_code == 1
    assert "does not match the custom domain archive.example.org" in result.stderr
    assert "--base-url https://archive.example.org/" in result.stderr
    assert not published.remote_has("gh-pages")
    bad = published.deploy("--cname", "https://archive.example.org/x")
    assert bad.exit_code == 1 and "is not a domain name" in bad.stderr


def test_dry_run_builds_and_reports_but_commits_and_pushes_nothing(published: Published) -> None:
    before = published.state()
    result = published.deploy("--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "would push" in result.stdout and "origin" in result.stdout
    assert not published.remote_has("gh-pages")
    assert published.state() == before
    assert subprocess.run(["git", "rev-parse", "--verify", "--quiet", "refs/heads/gh-pages"],
                          cwd=published.site.root).returncode != 0


def test_deploy_goes_on_top_of_the_remote_branch_when_the_local_one_is_missing(
        published: Published) -> None:
    """A fresh clone (or another machine) has no local gh-pages: the push must still fast-forward."""
    assert published.deploy().exit_code == 0
    git(published.site.root, "branch", "-D", "gh-pages")
    first = published.remote_commits()
    published.site.write("content/countries/china.md", "---\nname: China\n---\n")
    assert published.deploy().exit_code == 0
    assert published.remote_commits()[1:] == first


def test_ignore_rules_of_the_repository_do_not_drop_built_files(published: Published) -> None:
    (published.site.root / ".git" / "info").mkdir(exist_ok=True)
    (published.site.root / ".git" / "info" / "exclude").write_text("*.css\nindex.html\n")
    assert published.deploy().exit_code == 0
    assert {"static/style.css", "index.html"} <= published.remote_files()


def test_a_folder_that_is_no_repository_is_refused(make_site) -> None:
    site = make_site()
    before = sorted(p.relative_to(site.root).as_posix() for p in site.root.rglob("*"))
    result = site.run("deploy", "--site", str(site.root))
    assert result.exit_code == 1
    assert f"{site.root}: not a git repository (" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.relative_to(site.root).as_posix() for p in site.root.rglob("*")) == before


def test_a_missing_remote_is_refused(published: Published) -> None:
    before = published.state()
    result = published.deploy("--remote", "upstream")
    assert result.exit_code == 1
    assert "no git remote named 'upstream' (pass --remote with one of: origin)" in result.stderr
    assert published.state() == before

    git(published.site.root, "remote", "remove", "origin")
    result = published.deploy()
    assert result.exit_code == 1
    assert "no git remote named 'origin' (add one with git remote add origin URL)" in result.stderr


def test_an_unreachable_remote_is_refused_before_building(published: Published) -> None:
    git(published.site.root, "remote", "set-url", "origin", str(published.remote.parent / "gone.git"))
    result = published.deploy()
    assert result.exit_code == 1
    assert "cannot reach the remote 'origin'" in result.stderr
    assert "check its URL (git remote -v)" in result.stderr


def test_a_rejected_push_changes_nothing(published: Published) -> None:
    assert published.deploy().exit_code == 0
    published_commit = published.remote_commits()[0]
    hook = published.remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'deploys are frozen today' >&2\nexit 1\n")
    hook.chmod(0o755)
    published.site.write("content/countries/china.md", "---\nname: China\n---\n")
    before = published.state()

    result = published.deploy()
    assert result.exit_code == 1
    assert "was rejected" in result.stderr
    assert "deploys are frozen today" in result.stderr
    assert published.remote_commits() == [published_commit]
    assert git(published.site.root, "rev-parse", "gh-pages").strip() == published_commit
    assert published.state() == before


def test_a_content_warning_stops_the_deploy_before_anything_is_pushed(published: Published) -> None:
    published.site.write("content/articles/2011-03-02-stub.md",
                         "---\ntitle: Stub\ndate: 2011-03-02\nactors: [nobody-known]\n---\nText.\n")
    result = published.deploy()
    assert result.exit_code == 1
    assert "content/articles/2011-03-02-stub.md" in result.stderr
    assert not published.remote_has("gh-pages")


def test_deploying_onto_the_current_branch_is_refused(published: Published) -> None:
    git(published.site.root, "switch", "--quiet", "-c", "gh-pages")
    result = published.deploy()
    assert result.exit_code == 1
    assert "the current branch is 'gh-pages'" in result.stderr
    assert not published.remote_has("gh-pages")
