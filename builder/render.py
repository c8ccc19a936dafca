"""The Jinja environment, and rendering one page to bytes.

Templates see a small documented context: `site`, `kinds`, `url()`, the
filters `date` and `isodate`, and each page's own variables (see
templates/README.md). Autoescape is on and undefined names fail the build
with the template's file and line. A site's templates/ override the theme's
file by file.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, ItemsView, Iterator, KeysView, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from builder.config import Kind, SiteConfig
from builder.errors import Problem, TemplateError
from builder.fields import format_date
from builder.records import Article, Entity
from builder.theme import theme_dir
from builder.urls import UrlMap, article_path, entity_path, kind_path

try:  # markupsafe's own C escaper: escape() minus the Markup object it wraps every value in
    from markupsafe import _escape_inner
except ImportError:  # another markupsafe: the same bytes through its public function
    def _escape_inner(text: str, /) -> str:
        return str(markupsafe.escape(text))


@dataclass(frozen=True)
class Page:
    """One output file: a site path, the template that renders it, its variables."""

    path: str
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


class LazyVariables(Mapping[str, Any]):
    """A page's variables, made when first read.

    A rebuild after a small edit signs and renders a few pages of thousands
    (delta.py), so making every page's variables up front would be wasted.
    `about`, the article or entity the page is about, is known without them;
    `reads` names the records' display fields that `make` copies into
    variables of its own (such as a feed's title made from an entity's name).
    """

    __slots__ = ("_make", "_values", "about", "reads")

    def __init__(self, make: Callable[[], dict[str, Any]], about: Article | Entity | None = None,
                 reads: frozenset[str] = frozenset()) -> None:
        self._make: Callable[[], dict[str, Any]] | None = make
        self._values: dict[str, Any] | None = None
        self.about = about
        self.reads = reads

    def resolve(self) -> dict[str, Any]:
        if self._values is None:
            assert self._make is not None
            self._values, self._make = self._make(), None
        return self._values

    def __getitem__(self, key: str) -> Any:
        return self.resolve()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.resolve())

    def __len__(self) -> int:
        return len(self.resolve())

    def keys(self) -> KeysView[str]:
        return self.resolve().keys()

    def items(self) -> ItemsView[str, Any]:
        return self.resolve().items()

    def get(self, key: str, default: Any = None) -> Any:
        return self.resolve().get(key, default)


def page_about(page: Page) -> Article | Entity | None:
    """The article or entity a page is about, if any, without making lazy variables."""
    if isinstance(page.context, LazyVariables):
        return page.context.about
    for name in ("article", "entity"):
        found = page.context.get(name)
        if isinstance(found, Article | Entity):
            return found
    return None


@dataclass(frozen=True)
class RawFile:
    """An output file whose bytes are made in Python (JSON, CSV, a search index), not by a template."""

    path: str
    data: bytes
    digest: bytes | None = None  # cache.digest(data), when its maker has it already


class Deferred:
    """A page variable made when its template writes it with `tojson`, in the process rendering it.

    For data as long as a page's JSON-LD that is a pure function of records
    already among the page's variables: made for every page of every build
    it cost more than rendering the pages an edit changes. In a page's
    signature it stands in by those records (`inputs`) alone.
    """

    __slots__ = ("inputs", "make")

    def __init__(self, make: Callable[[], Any], inputs: tuple[Any, ...]) -> None:
        self.make = make
        self.inputs = inputs

    def __reduce__(self) -> tuple[Any, ...]:
        return (_signature_only, self.inputs)


def _signature_only(*inputs: Any) -> None:
    raise TypeError("a Deferred value is pickled for page signatures only")


def _json_default(value: Any) -> Any:
    if isinstance(value, Deferred):
        return value.make()
    raise TypeError(f"{type(value).__name__} cannot be written as JSON")


@dataclass(frozen=True)
class SiteView:
    """What templates know of the site (never the whole config)."""

    title: str
    description: str
    language: str
    base_url: str
    base_path: str
    relative_links: bool
    author: str
    extra: Mapping[str, Any]


def template_dirs(config: SiteConfig) -> list[Path]:
    dirs = [config.resolve(config.templates_dir), theme_dir("templates")]
    return [d for i, d in enumerate(dirs) if d.is_dir() and d.resolve() not in
            [p.resolve() for p in dirs[:i]]]


def _loader(config: SiteConfig) -> jinja2.BaseLoader:
    """The site's templates over the theme's, and the theme's alone under `theme/`.

    The prefix lets a site's base.html `{% extends "theme/base.html" %}` and change one block
    (as MkDocs' `{% extends "base.html" %}` in custom_dir does); plain `base.html` would be itself.
    """
    return jinja2.ChoiceLoader([
        jinja2.PrefixLoader({"theme": jinja2.FileSystemLoader(str(theme_dir("templates")))}),
        jinja2.FileSystemLoader([str(d) for d in template_dirs(config)]),
    ])


class Links:
    """The templates' `url(target, absolute=False)`: the link to a site path or a record."""

    def __init__(self, urls: UrlMap) -> None:
        self.urls = urls

    def __call__(self, target: str | Article | Entity | Kind, absolute: bool = False) -> str:
        kind = type(target)  # exact types first: this runs about 30 times per page
        if kind is Article:
            path = article_path(target.slug)
        elif kind is Entity:
            path = entity_path(target.kind, target.slug)
        elif kind is str:
            path = target
        else:
            path = _site_path(target)
        return self.urls.absolute(path) if absolute else self.urls.href(path)


def _site_path(target: object) -> str:
    if isinstance(target, Article):
        return article_path(target.slug)
    if isinstance(target, Entity):
        return entity_path(target.kind, target.slug)
    if isinstance(target, Kind):
        return kind_path(target.name)
    if isinstance(target, str):
        return str(target)
    raise TypeError(f"url() takes a path, an article, an entity or a kind, not {target!r}")


class _Context(jinja2.runtime.Context):
    """Jinja's context, calling url() directly.

    `Context.call` inspects every callable for `pass_context` and its kin (two failed attribute
    look-ups and some keyword shuffling per call); url() needs none of it and is called about
    35 times per page, so this halves its cost. Every other callable takes Jinja's own path.
    """

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # Jinja's argument names
        if type(__obj) is not Links:
            return super().call(__obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_loop_vars", None)
            kwargs.pop("_block_vars", None)
        return __obj(*args, **kwargs)


def _escape_output(value: Any) -> str:
    """What `{{ value }}` writes: markupsafe.escape(value)'s text, as a plain str."""
    if type(value) is str:
        return _escape_inner(value)
    html = getattr(value, "__html__", None)
    if html is not None:
        return str(html())
    return _escape_inner(str(value))


class _Template(jinja2.Template):
    """A template whose output expressions escape with `_escape_output`.

    Autoescaped templates call `escape()` on every `{{ value }}` (2.3 million times in a 10k-article
    build), and markupsafe's escape() builds a Markup object each time. Compiled templates look
    `escape` up in their own module namespace, and use it only for output: the escaped text is
    joined into the page, or into a macro's or block's buffer that Jinja itself marks safe. So a
    plain str with the same text is all the output needs, at a fifth of the cost.
    """

    @classmethod
    def from_code(cls, environment: jinja2.Environment, code: Any, globals: Any,
                  uptodate: Any = None) -> jinja2.Template:
        template = super().from_code(environment, code, globals, uptodate)
        template.root_render_func.__globals__["escape"] = _escape_output
        return template


class _Environment(jinja2.Environment):
    """Jinja's environment with the context and template classes above."""

    context_class = _Context
    template_class = _Template

    def make_globals(self, d: Any = None) -> Any:
        """A plain dict, not Jinja's ChainMap over the environment's globals.

        Every render copies a template's globals into its context, and a ChainMap copies slowly.
        The Renderer sets all globals before the first template loads, so nothing is missed.
        """
        return {**self.globals, **(d or {})}


class Renderer:
    """Renders pages with one environment; a pure function of (page, templates)."""

    def __init__(self, config: SiteConfig) -> None:
        self.config = config
        self.urls = UrlMap(config)
        self.url = Links(self.urls)
        self.environment = _Environment(
            loader=_loader(config),
            autoescape=jinja2.select_autoescape(("html", "xml"), default_for_string=True),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # one environment per build: no stat of every template on every page
        )
        self.environment.globals.update(
            site=SiteView(config.title, config.description, config.language, config.base_url,
                          config.base_path, config.relative_links, config.author, config.extra),
            kinds=config.kinds,
            url=self.url,
        )
        self.environment.filters.update(date=_human_date, isodate=_iso_date)
        # tojson (the JSON-LD) compact and in UTF-8; it still writes <, >, & and ' as \u escapes.
        self.environment.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False,
                                                          "separators": (",", ":"), "default": _json_default}

    def render(self, page: Page | RawFile) -> bytes:
        if isinstance(page, RawFile):
            return page.data
        try:
            template = self.environment.get_template(page.template)
            html = template.render(page=page, **page.context)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError([self._problem(exc.filename, exc.lineno, exc.message or str(exc))]) \
                from None
        except jinja2.TemplateNotFound as exc:
            raise TemplateError([Problem("templates", 0, f"template '{exc.name}' not found",
                                         f"needed for /{page.path}")]) from None
        except Exception as exc:  # any error raised inside a template is the template's
            filename, line = _template_frame(exc)
            message = f"{type(exc).__name__}: {exc}" if not isinstance(exc, jinja2.UndefinedError) \
                else str(exc)
            raise TemplateError([self._problem(filename, line, f"{message} (rendering /{page.path})")]) \
                from None
        if self.urls.relative and page.template.endswith(".html"):
            html = self.urls.relative_html(html, page.path)
        return html.encode("utf-8")

    def _problem(self, filename: str | None, line: int | None, message: str) -> Problem:
        return Problem(self._display(filename), line or 0, message, "fix the template")

    def _display(self, filename: str | None) -> str:
        if not filename:
            return "templates"
        path = Path(filename)
        try:
            return path.resolve().relative_to(self.config.site_dir.resolve()).as_posix()
        except ValueError:
            return f"(theme) templates/{path.name}"


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The innermost traceback frame that is a template, for a path:line message."""
    found: tuple[str | None, int | None] = (None, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith((".html", ".xml", ".txt", ".j2")):
            found = (frame.filename, frame.lineno)
    return found


def _human_date(value: date | datetime) -> str:
    return format_date(value.date() if isinstance(value, datetime) else value)


def _iso_date(value: date | datetime, with_time: bool = False) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds") if with_time else value.date().isoformat()
    return value.isoformat()
