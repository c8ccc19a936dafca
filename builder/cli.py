"""The command line: subcommands, their flags, and how problems are shown.

Exit status: 0 ok, 1 content/config/template errors, 2 usage. Problems go to
stderr as `path:line: message (what to do)`; a traceback only with --debug.
Subcommands import their modules lazily so `--help` stays instant.
"""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from builder import DISTRIBUTION, __version__
from builder.errors import BuilderError, UsageError


def main(argv: Sequence[str] | None = None) -> None:
    signal.signal(signal.SIGTERM, _interrupted)  # `kill` cleans up like Ctrl-C
    status = run(argv, one_shot=True)
    # Everything is written and closed by now; tearing down the build's objects one by one
    # would only delay the exit (a tenth of a second at 10,000 articles).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run(argv: Sequence[str] | None = None, one_shot: bool = False) -> int:
    """Run one command; `one_shot`: this process ends with it."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    if one_shot and args.command != "serve":
        # The build pauses cyclic garbage collection and turns it back on at the end, when one
        # collection would walk everything it made (0.1 s at 10,000 articles); a process about
        # to exit can skip that.
        gc.disable()
    try:
        return int(args.handler(args))
    except BuilderError as exc:
        if args.debug:
            raise
        if isinstance(exc, UsageError):
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            return 2
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        strict = getattr(args, "strict", False)
        errors = sum(1 for p in exc.problems if p.severity == "error" or strict)
        print(f"Failed: {errors} problem{'s' if errors != 1 else ''}; nothing was written.",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        if args.debug:
            raise
        print("Interrupted; the previous output is unchanged.", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m builder",
        description="Build a static website from an annotated news archive.",
    )
    parser.add_argument("--version", action="version", version=f"{DISTRIBUTION} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    init = commands.add_parser("init", help="start a new archive in a folder",
                               description="Write site.yaml, content/ with an example article and "
                               "entity, .gitignore and a GitHub Pages workflow into DIR; never "
                               "overwrite a file.")
    init.add_argument("dir", metavar="DIR", type=Path, nargs="?", default=Path("."),
                      help="the new archive's folder (default: the current one)")
    init.add_argument("--debug", action="store_true", help="show tracebacks")
    init.set_defaults(handler=_init)

    build = commands.add_parser("build", help="build the site into the output folder",
                                description="Build content/ into a static site (default _site/).")
    _site_options(build)
    build.add_argument("--output", type=Path, metavar="DIR", help="output folder (default: _site)")
    build.add_argument("--clean", action="store_true",
                       help="replace the output folder's contents even if this builder did not write them "
                            "(a top-level .git, CNAME and .nojekyll are kept)")
    build.add_argument("-j", "--jobs", type=_positive_int, metavar="N",
                       help="worker processes for reading and rendering (default: one per CPU)")
    build.add_argument("--relative-links", action=argparse.BooleanOptionalAction, default=None,
                       help="link every page relative to itself, so the output opens from disk "
                            "(default: site.yaml's relative_links)")
    build.set_defaults(handler=_build)

    check = commands.add_parser("check", help="validate content and templates; write nothing",
                                description="Report every problem a build would, writing nothing.")
    _site_options(check)
    check.add_argument("--format", choices=("text", "json"), default="text",
                       help="json: every problem and the graph's health, for scripts")
    check.set_defaults(handler=_check)

    serve = commands.add_parser("serve", help="preview the site with live reload",
                                description="Build into a temporary folder, serve it under base_url's "
                                "path and rebuild and reload the browser on every change.")
    serve.add_argument("--site", type=Path, default=Path("."), metavar="DIR", help="site folder")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: 8000, or the next free one)")
    serve.add_argument("--base-url", metavar="URL",
                       help="serve under this address's path instead of site.yaml's base_url's")
    serve.add_argument("--drafts", action=argparse.BooleanOptionalAction, default=False,
                       help="include articles marked draft: true")
    serve.add_argument("--open", action=argparse.BooleanOptionalAction, default=False,
                       help="open the preview in a web browser")
    serve.add_argument("--debug", action="store_true", help="show tracebacks")
    serve.set_defaults(handler=_serve)

    new = commands.add_parser("new", help="scaffold an article or entity file",
                              description="Create a correctly named content file with front matter.")
    new.add_argument("what", metavar="KIND", help="article, or a kind's singular (actor, country, event)")
    new.add_argument("title", metavar="TITLE", help="the article's title or the entity's name")
    new.add_argument("--site", type=Path, default=Path("."), metavar="DIR", help="site folder")
    new.add_argument("--debug", action="store_true", help="show tracebacks")
    new.set_defaults(handler=_new)

    deploy = commands.add_parser("deploy", help="publish the site to a gh-pages branch",
                                 description="Build for production (strict, no drafts) into a temporary "
                                 "folder and push it as a new commit on a branch, for GitHub Pages.")
    deploy.add_argument("--site", type=Path, default=Path("."), metavar="DIR", help="site folder")
    deploy.add_argument("--base-url", metavar="URL", help="override site.yaml's base_url")
    deploy.add_argument("--remote", default="origin", help="git remote to push to (default: origin)")
    deploy.add_argument("--branch", default="gh-pages", help="branch to publish (default: gh-pages)")
    deploy.add_argument("--message", "-m", metavar="TEXT", help="commit message")
    deploy.add_argument("--cname", metavar="DOMAIN", help="custom domain for CNAME (default: site.yaml)")
    deploy.add_argument("--dry-run", action="store_true", help="build and report; commit and push nothing")
    deploy.add_argument("--debug", action="store_true", help="show tracebacks")
    deploy.set_defaults(handler=_deploy)
    return parser


def _site_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site", type=Path, default=Path("."), metavar="DIR",
                        help="the site folder holding site.yaml (default: current folder)")
    parser.add_argument("--base-url", metavar="URL", help="override site.yaml's base_url")
    parser.add_argument("--drafts", action=argparse.BooleanOptionalAction, default=False,
                        help="include articles marked draft: true")
    parser.add_argument("--future", action=argparse.BooleanOptionalAction, default=False,
                        help="include articles dated in the future")
    parser.add_argument("--strict", action=argparse.BooleanOptionalAction, default=False,
                        help="treat every warning as an error")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")


def _options(args: argparse.Namespace, write: bool):  # -> BuildOptions
    from builder.build import BuildOptions

    return BuildOptions(
        output_dir=getattr(args, "output", None),
        base_url=args.base_url,
        relative_links=getattr(args, "relative_links", None),
        drafts=args.drafts,
        future=args.future,
        strict=args.strict,
        write=write,
        jobs=getattr(args, "jobs", None),
        clean=getattr(args, "clean", False),
    )


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return int(text)


def _build(args: argparse.Namespace) -> int:
    from builder.build import build

    progress = _TerminalProgress()
    result = build(args.site, _options(args, write=True), progress)
    progress.clear()
    _print_warnings(result)
    total = result.pages_written + result.pages_unchanged
    print(f"Built {total} files into {_shown(result.output_dir)}: {result.pages_written} written, "
          f"{result.pages_unchanged} unchanged, {len(result.warnings)} warning"
          f"{'' if len(result.warnings) == 1 else 's'}, {result.seconds:.2f} s")
    return 0


def _check(args: argparse.Namespace) -> int:
    from builder.health import run_check

    return run_check(args.site, _options(args, write=False), args.format)


def _serve(args: argparse.Namespace) -> int:
    from builder.serve import ServeOptions, serve

    return serve(ServeOptions(args.site, args.host, args.port, args.drafts, args.open, args.base_url))


def _init(args: argparse.Namespace) -> int:
    from builder.init import init_site

    created = init_site(args.dir)
    where = _shown(created.root.resolve()) if args.dir != Path(".") else "this folder"
    print(f"Created a new archive in {where}:")
    for name in created.files:
        print(f"  {name}")
    go = "" if args.dir == Path(".") else f"  cd {args.dir}\n"
    print(f"Next:\n{go}  python -m builder serve                 preview it with live reload\n"
          f"  python -m builder new article \"Title\"   write an article\n"
          "Publish: push the folder to a GitHub repository, then Settings -> Pages -> Source: "
          "GitHub Actions\n(README: \"Start your own archive\").")
    return 0


def _new(args: argparse.Namespace) -> int:
    from builder.scaffold import scaffold

    path = scaffold(args.site, args.what, args.title)
    print(f"Created {path}")
    if args.what == "article":
        site = "" if args.site == Path(".") else f" --site {args.site}"
        print("It is a draft (draft: true), so `build` leaves it out: see it with "
              f"`python -m builder serve --drafts{site}` or `build --drafts`, and delete the "
              "draft line to publish it.")
    return 0


def _deploy(args: argparse.Namespace) -> int:
    from builder.deploy import DeployOptions, deploy, describe

    options = DeployOptions(remote=args.remote, branch=args.branch, message=args.message,
                            cname=args.cname, base_url=args.base_url, dry_run=args.dry_run)
    progress = _TerminalProgress()
    result = deploy(args.site, options, progress)
    progress.clear()
    _print_warnings(result.build)
    print("\n".join(describe(result)))
    return 0


def _print_warnings(result) -> None:  # result: BuildResult
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    for path, why in result.left_out:
        print(f"{path}: left out: {why}", file=sys.stderr)


def _shown(path: Path | None) -> str:
    if path is None:
        return "-"
    try:
        return str(path.relative_to(Path.cwd().resolve())) + "/"
    except ValueError:
        return str(path) + "/"


class _TerminalProgress:
    """A live progress line on a terminal; silent when output is piped."""

    def __init__(self) -> None:
        self.active = sys.stderr.isatty()
        self.shown = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.active and total > 1:
            width = 30
            filled = width * done // max(total, 1)
            sys.stderr.write(f"\r{stage:>8} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            sys.stderr.flush()
            self.shown = True

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
