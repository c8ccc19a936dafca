"""The build, in the order it happens: a table of contents for the package.

load config -> read content -> resolve references -> index -> render -> write
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from builder.config import SiteConfig, load_config
from builder.errors import OutputError, Problem, Report
from builder.index import SiteIndex, build_index, resolve_references
from builder.output import OutputWriter, static_files
from builder.pages import all_pages
from builder.reader import ReadOptions, read_content
from builder.render import Renderer
from builder.theme import theme_dir


@dataclass(frozen=True)
class BuildOptions:
    output_dir: Path | None = None  # default: site.yaml's paths.output
    base_url: str | None = None
    drafts: bool = False
    future: bool = False
    strict: bool = False
    write: bool = True  # False for `check`: validate everything, write nothing


@dataclass(frozen=True)
class BuildResult:
    config: SiteConfig
    output_dir: Path | None
    pages_written: int
    pages_unchanged: int
    warnings: tuple[Problem, ...]
    left_out: tuple[tuple[str, str], ...]
    seconds: float
    index: SiteIndex | None = None  # for `check`'s graph health


# Progress events for whoever runs the build (the CLI prints them): (stage, done, total).
ProgressCallback = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


@dataclass
class _Clock:
    started: float = field(default_factory=time.perf_counter)

    def seconds(self) -> float:
        return time.perf_counter() - self.started


def build(site_dir: Path, options: BuildOptions, progress: ProgressCallback = _no_progress) -> BuildResult:
    """Build the site in `site_dir`; raise a BuilderError (old output intact) on any error."""
    clock = _Clock()
    report = Report()
    config = load_config(site_dir, report, options.base_url)
    progress("read", 0, 1)
    content = read_content(config, report, ReadOptions(drafts=options.drafts, future=options.future))
    resolved = resolve_references(content, config, report)
    index = build_index(resolved, config)
    report.raise_if_errors(options.strict)
    output_dir = _output_dir(config, options)
    pages_written = pages_unchanged = 0
    if options.write:
        assert output_dir is not None
        pages_written, pages_unchanged = render_and_write(index, config, output_dir, progress)
    else:
        render_only(index, config, progress)
    return BuildResult(config, output_dir, pages_written, pages_unchanged, tuple(report.warnings),
                       content.left_out, clock.seconds(), index)


def render_and_write(
    index: SiteIndex, config: SiteConfig, output_dir: Path, progress: ProgressCallback
) -> tuple[int, int]:
    renderer = Renderer(config)
    pages = list(all_pages(index, config))
    with OutputWriter(output_dir) as writer:
        for number, page in enumerate(pages, 1):
            writer.add(page.path, renderer.render(page))
            if number % 200 == 0:
                progress("render", number, len(pages))
        for site_path, source in static_files(_static_dirs(config), config.site_dir).items():
            writer.add(site_path, source.read_bytes())
        writer.commit()
    progress("render", len(pages), len(pages))
    return writer.written, writer.unchanged


def render_only(index: SiteIndex, config: SiteConfig, progress: ProgressCallback) -> None:
    """Render every page and throw the bytes away, so `check` finds template errors too."""
    renderer = Renderer(config)
    pages = list(all_pages(index, config))
    for number, page in enumerate(pages, 1):
        renderer.render(page)
        if number % 200 == 0:
            progress("render", number, len(pages))


def _static_dirs(config: SiteConfig) -> list[Path]:
    return [theme_dir("static"), config.resolve(config.static_dir)]


def _output_dir(config: SiteConfig, options: BuildOptions) -> Path:
    """The output folder, refused if a build could delete the site's own files."""
    output = (options.output_dir or config.resolve(config.output_dir)).resolve()
    site = config.site_dir.resolve()
    protected = [config.resolve(p).resolve() for p in
                 (config.content_dir, config.templates_dir, config.static_dir)]
    if output == site or site.is_relative_to(output) or any(
        output == p or output.is_relative_to(p) or p.is_relative_to(output) for p in protected
    ):
        raise OutputError([Problem("site.yaml", 0, f"the output folder {output} would overwrite the "
                                   "site's own files", "pick an output folder such as _site")])
    return output
