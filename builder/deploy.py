"""Publishing to GitHub Pages: the built site as a new commit on a branch (gh-pages).

Like ghp-import and `mkdocs gh-deploy`, the commit is made with git plumbing
only: a temporary index (GIT_INDEX_FILE), `git add` with the build folder as
the work tree, write-tree, commit-tree on top of the branch's previous tip.
The site repository's working tree, index, HEAD and current branch are never
touched. The build goes into a fresh temporary folder, not `_site/`: that
folder may hold a preview build (drafts, a localhost base_url) that a deploy
must neither publish nor overwrite, and a fresh folder can hold no stale file.

Order matters for "lose nothing": every check runs before the build; the
commit is pushed by id, and the local branch moves only after the remote
accepted it, so a refused deploy leaves every ref exactly as it was.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from builder.build import BuildOptions, BuildResult, ProgressCallback, build
from builder.cache import SiteCache
from builder.errors import BuilderError, Problem

# Environment variables that would point git at another repository or index.
_GIT_LOCATION_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX",
                           "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


class DeployError(BuilderError):
    """The deploy was refused; nothing was committed, pushed or changed."""


@dataclass(frozen=True)
class DeployOptions:
    remote: str = "origin"
    branch: str = "gh-pages"
    message: str | None = None  # default: names the source commit
    cname: str | None = None  # default: site.yaml's cname
    base_url: str | None = None  # default: site.yaml's base_url
    dry_run: bool = False


@dataclass(frozen=True)
class DeployResult:
    build: BuildResult
    remote: str
    remote_url: str
    branch: str
    parent: str | None  # the branch's previous tip; None for a new branch
    commit: str | None  # None on a dry run
    files: int
    size: int
    cname: str
    kept_cname: bool  # the CNAME came from the previous deploy, not from the config
    dry_run: bool
    local_branch_updated: bool
    unchanged: bool = False  # the build equals the branch's tip: nothing was committed or pushed


def deploy(site_dir: Path, options: DeployOptions, progress: ProgressCallback | None = None
           ) -> DeployResult:
    """Build `site_dir` for production and publish it on `options.branch` of `options.remote`."""
    site_dir = site_dir.resolve()
    flag_cname = _cname(options.cname, "--cname") if options.cname is not None else None
    git = Git(site_dir)
    git.require_repository()
    remote_url = git.remote_url(options.remote)
    git.require_branch_name(options.branch)
    if git.current_branch() == options.branch:
        raise git.refuse(f"the current branch is '{options.branch}', the branch a deploy rewrites",
                         "switch to your source branch, or pass --branch NAME")
    remote_tip = git.remote_tip(options.remote, options.branch)

    with tempfile.TemporaryDirectory(prefix="builder-deploy-") as temporary:
        output = Path(temporary, "site")
        build_options = BuildOptions(output_dir=output, base_url=options.base_url, drafts=False,
                                     future=False, strict=True)
        result = build(site_dir, build_options, progress) if progress else build(site_dir, build_options)
        # The cache keeps a manifest per output folder; this one is never built again.
        SiteCache(result.config.site_dir, result.config).forget_manifest(output, with_base=True)
        if not options.dry_run:
            parent = git.parent_for(options.remote, options.branch, remote_tip)
        else:
            parent = remote_tip or git.local_tip(options.branch)
        previous_cname = git.file_at(parent, "CNAME").strip() if parent else ""
        cname = flag_cname if flag_cname is not None else _cname(result.config.cname, "site.yaml: cname")
        kept_cname = not cname and bool(previous_cname)
        cname = cname or previous_cname
        if cname:
            _check_base_url_matches(site_dir, result.config.base_url, cname, kept_cname)
        (output / ".nojekyll").write_bytes(b"")
        if cname:
            (output / "CNAME").write_text(cname + "\n", encoding="utf-8")
        files = [p for p in output.rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
        commit = None
        local_updated = False
        unchanged = False
        if not options.dry_run:
            tree = git.write_tree(output, Path(temporary, "index"))
            # Like ghp-import and `mkdocs gh-deploy`, an identical tree makes no commit: a push
            # of the same site would only add noise to the branch and start a Pages build.
            unchanged = parent is not None and git.tree_of(parent) == tree
            if not unchanged:
                message = options.message or git.default_message()
                commit = git.commit_tree(tree, parent, message)
                git.push(options.remote, remote_url, commit, options.branch)
                local_updated = git.move_branch(options.branch, commit, message)
    return DeployResult(result, options.remote, remote_url, options.branch, parent, commit, len(files),
                        size, cname, kept_cname, options.dry_run, local_updated, unchanged)


def describe(result: DeployResult) -> list[str]:
    """Lines for the terminal: what was (or would be) published, where."""
    where = f"{result.remote} ({result.remote_url}) branch {result.branch}"
    on_top = f"on top of {result.parent[:12]}" if result.parent else "as a new branch"
    cname = ""
    if result.cname:
        kept = " kept from the previous deploy" if result.kept_cname else ""
        cname = f" and CNAME {result.cname}{kept}"
    what = f"{result.files} files, {result.size / 1024:.0f} KB, with .nojekyll{cname}"
    if result.unchanged and result.parent:
        return [f"Nothing to deploy: the built site ({what}) is identical to {result.parent[:12]}",
                f"  on {where}; nothing was committed or pushed."]
    if result.dry_run or result.commit is None:
        return [f"Dry run: would push {what}", f"  to {where}, {on_top};",
                "  nothing was committed or pushed.",
                f"Pages would serve it at {result.build.config.base_url}"]
    lines = [f"Deployed {result.commit[:12]}: {what}", f"  to {where}, {on_top}.",
             f"GitHub Pages serves it at {result.build.config.base_url} once its build finishes."]
    if not result.local_branch_updated:
        lines.append(f"note: the local branch {result.branch} moved during the deploy and was left "
                     f"as it is (the remote has {result.commit[:12]})")
    return lines


def _cname(value: str, where: str) -> str:
    domain = value.strip().lower().rstrip(".")
    if domain and not _DOMAIN.match(domain):
        raise DeployError([Problem(where, 0, f"'{value}' is not a domain name",
                                   "write the bare domain, e.g. archive.example.org, "
                                   "with no https:// and no path")])
    return domain


def _check_base_url_matches(site_dir: Path, base_url: str, cname: str, kept: bool) -> None:
    """With a custom domain, Pages serves the site at that domain's root: links must say so."""
    parts = urlsplit(base_url)
    if parts.hostname == cname and parts.path in ("", "/"):
        return
    source = "the CNAME of the previous deploy" if kept else "cname"
    undo = "; or remove the custom domain in Settings -> Pages" if kept else ""
    raise DeployError([Problem(str(site_dir), 0,
                               f"base_url {base_url} does not match the custom domain {cname} "
                               f"({source}): Pages will serve the site at https://{cname}/",
                               f"set base_url: https://{cname}/ in site.yaml or pass "
                               f"--base-url https://{cname}/{undo}")])


class Git:
    """The git commands a deploy needs, run against the repository holding the site."""

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self.env = {k: v for k, v in os.environ.items() if k not in _GIT_LOCATION_VARIABLES}
        self.git_dir = site_dir / ".git"  # replaced by git's answer in require_repository()

    def run(self, *args: str, cwd: Path | None = None, extra_env: dict[str, str] | None = None,
            check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {**self.env, **(extra_env or {})}
        try:
            done = subprocess.run(["git", *args], cwd=cwd or self.site_dir, env=env,
                                  capture_output=True, text=True)
        except FileNotFoundError:
            raise self.refuse("git is not installed", "install git and run deploy again") from None
        if check and done.returncode != 0:
            raise self.refuse(f"git {args[0]} failed: {_git_said(done.stderr)}",
                              "nothing was pushed; fix the problem git names and run deploy again")
        return done

    def refuse(self, message: str, hint: str) -> DeployError:
        return DeployError([Problem(str(self.site_dir), 0, message, hint)])

    def require_repository(self) -> None:
        if not self.site_dir.is_dir():
            raise self.refuse("no such folder", "pass --site DIR with the folder holding site.yaml")
        done = self.run("rev-parse", "--absolute-git-dir", check=False)
        if done.returncode != 0:
            raise self.refuse("not a git repository",
                              "deploy publishes to a branch of the site's repository: run git init "
                              "and git remote add origin URL, or pass --site with a clone")
        self.git_dir = Path(done.stdout.strip())

    def remote_url(self, remote: str) -> str:
        done = self.run("remote", "get-url", remote, check=False)
        if done.returncode == 0:
            return done.stdout.strip()
        known = self.run("remote").stdout.split()
        hint = (f"pass --remote with one of: {', '.join(known)}" if known
                else "add one with git remote add origin URL")
        raise self.refuse(f"no git remote named '{remote}'", hint)

    def require_branch_name(self, branch: str) -> None:
        if self.run("check-ref-format", f"refs/heads/{branch}", check=False).returncode != 0:
            raise self.refuse(f"'{branch}' is not a valid branch name", "pass --branch gh-pages")

    def current_branch(self) -> str:
        return self.run("symbolic-ref", "--quiet", "--short", "HEAD", check=False).stdout.strip()

    def local_tip(self, branch: str) -> str | None:
        done = self.run("rev-parse", "--verify", "--quiet", f"refs/heads/{branch}^{{commit}}", check=False)
        return done.stdout.strip() or None

    def remote_tip(self, remote: str, branch: str) -> str | None:
        """The branch's commit on the remote (None if it has none); refuses if unreachable."""
        done = self.run("ls-remote", "--heads", remote, f"refs/heads/{branch}", check=False)
        if done.returncode != 0:
            raise self.refuse(f"cannot reach the remote '{remote}': {_git_said(done.stderr)}",
                              "check its URL (git remote -v) and your access, then run deploy again")
        for line in done.stdout.splitlines():
            sha, _, ref = line.partition("\t")
            if ref == f"refs/heads/{branch}":
                return sha
        return None

    def has_commit(self, sha: str) -> bool:
        return self.run("cat-file", "-e", f"{sha}^{{commit}}", check=False).returncode == 0

    def is_ancestor(self, older: str, newer: str) -> bool:
        return self.run("merge-base", "--is-ancestor", older, newer, check=False).returncode == 0

    def parent_for(self, remote: str, branch: str, remote_tip: str | None) -> str | None:
        """The commit the new one goes on top of, so that the push is a fast-forward."""
        local = self.local_tip(branch)
        if remote_tip and not self.has_commit(remote_tip):
            self.run("fetch", "--quiet", "--no-tags", remote, f"refs/heads/{branch}")
        if not remote_tip or remote_tip == local:
            return local
        if not local or self.is_ancestor(local, remote_tip):
            return remote_tip
        if self.is_ancestor(remote_tip, local):
            return local
        raise self.refuse(f"the local branch {branch} and {remote}/{branch} have diverged",
                          f"to publish on top of the remote, run git branch -f {branch} "
                          f"{remote}/{branch} (after git fetch {remote}), then deploy again")

    def file_at(self, commit: str, path: str) -> str:
        """A file's text in a commit ('' if absent or the commit is not here)."""
        done = self.run("cat-file", "-p", f"{commit}:{path}", check=False)
        return done.stdout if done.returncode == 0 else ""

    def write_tree(self, folder: Path, index_file: Path) -> str:
        """Every file of `folder` as a tree, through a temporary index the repository never sees."""
        env = {"GIT_INDEX_FILE": str(index_file)}
        plain = ("-c", "core.autocrlf=false", "-c", "core.safecrlf=false")
        where = ("--git-dir", str(self.git_dir), "--work-tree", str(folder))
        # --force: the repository's ignore rules (info/exclude, a global excludesFile) must not
        # silently leave built files out of the published site.
        self.run(*plain, *where, "add", "--all", "--force", ".", cwd=folder, extra_env=env)
        return self.run(*plain, *where, "write-tree", cwd=folder, extra_env=env).stdout.strip()

    def tree_of(self, commit: str) -> str:
        return self.run("rev-parse", f"{commit}^{{tree}}").stdout.strip()

    def commit_tree(self, tree: str, parent: str | None, message: str) -> str:
        parents = ("-p", parent) if parent else ()
        done = self.run("commit-tree", tree, *parents, "-m", message, check=False)
        if done.returncode != 0:
            hint = ("tell git who you are: git config user.name NAME; git config user.email ADDRESS"
                    if "identity" in done.stderr or "tell me who you are" in done.stderr
                    else "nothing was pushed; fix the problem git names and run deploy again")
            raise self.refuse(f"git commit-tree failed: {_git_said(done.stderr)}", hint)
        return done.stdout.strip()

    def push(self, remote: str, remote_url: str, commit: str, branch: str) -> None:
        done = self.run("push", "--quiet", remote, f"{commit}:refs/heads/{branch}", check=False)
        if done.returncode != 0:
            raise self.refuse(f"git push to {remote} ({remote_url}) was rejected: {_git_said(done.stderr)}",
                              "nothing changed: your branches, working tree and index are as they "
                              "were; fix what the remote says and run deploy again")

    def move_branch(self, branch: str, commit: str, message: str) -> bool:
        """Point the local branch at the published commit, unless it moved meanwhile."""
        old = self.run("rev-parse", "--verify", "--quiet", f"refs/heads/{branch}", check=False)
        expected = old.stdout.strip()
        if expected and not self.is_ancestor(expected, commit):
            return False
        done = self.run("update-ref", "-m", f"deploy: {message.splitlines()[0]}",
                        f"refs/heads/{branch}", commit, expected, check=False)
        return done.returncode == 0

    def default_message(self) -> str:
        head = self.run("rev-parse", "--short=12", "HEAD", check=False).stdout.strip()
        if not head:
            return "Deploy the site (the source has no commits yet)"
        # --no-optional-locks: status must not refresh (rewrite) the repository's index.
        dirty = self.run("--no-optional-locks", "status", "--porcelain", "--untracked-files=no",
                         "--", ".", check=False).stdout.strip()
        return f"Deploy the site built from {head}" + (" with uncommitted changes" if dirty else "")


def _git_said(stderr: str) -> str:
    """git's own words, on one line, without its hints."""
    lines = [line.strip() for line in stderr.splitlines()
             if line.strip() and not line.startswith("hint:") and not line.startswith("To ")]
    return " | ".join(lines) or "no message"
