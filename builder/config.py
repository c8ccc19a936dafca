"""site.yaml: the site's settings, validated once at load.

Every problem names site.yaml and the key's line; an unknown key warns with
the nearest valid key. Kinds (actors, countries, events, ...) are data, not
code: a new kind in site.yaml gets the same pages as the default ones.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from builder.errors import ConfigError, Problem, Report, did_you_mean
from builder.yaml12 import YamlProblem, load_mapping

CONFIG_FILE = "site.yaml"
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Top-level output folders the builder owns; a kind cannot take these names.
RESERVED_NAMES = frozenset(
    {"articles", "archive", "timeline", "search", "data", "static", "page", "pagefind", "feed"}
)
WEB_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_URL_PATH_SAFE = "/%:@!$&'()*+,;=-._~"  # RFC 3986 pchar, plus '/' and an existing escape


@dataclass(frozen=True)
class Kind:
    """A kind of entity: `name` is the plural (folder, URL), `singular` the link scheme."""

    name: str
    singular: str
    title: str
    title_singular: str


DEFAULT_KINDS = (
    Kind("actors", "actor", "Actors", "Actor"),
    Kind("countries", "country", "Countries", "Country"),
    Kind("events", "event", "Events", "Event"),
)


@dataclass(frozen=True)
class SiteConfig:
    site_dir: Path
    title: str = "News Archive"
    description: str = ""
    base_url: str = "http://localhost:8000/"
    language: str = "en"
    timezone: str = "UTC"
    author: str = ""
    kinds: tuple[Kind, ...] = DEFAULT_KINDS
    content_dir: Path = Path("content")
    templates_dir: Path = Path("templates")
    static_dir: Path = Path("static")
    output_dir: Path = Path("_site")
    per_page: int = 20
    home_articles: int = 10
    feed_items: int = 20
    raw_html: bool = False
    relative_links: bool = False  # links relative to each page, so _site/ opens from disk
    cname: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def base_path(self) -> str:
        """The URL path every page lives under, e.g. '/archive/' for a project site."""
        return urlsplit(self.base_url).path or "/"

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def kind(self, name: str) -> Kind | None:
        return next((k for k in self.kinds if k.name == name), None)

    def kind_by_singular(self, singular: str) -> Kind | None:
        return next((k for k in self.kinds if k.singular == singular), None)

    def resolve(self, relative: Path) -> Path:
        return relative if relative.is_absolute() else self.site_dir / relative


KNOWN_KEYS = {
    "title": "the site's name, shown in every page header",
    "description": "one sentence for the home page and feeds",
    "base_url": "the public address, e.g. https://user.github.io/archive/",
    "language": "the pages' language code, e.g. en",
    "timezone": "time zone for dates written without one, e.g. Asia/Seoul",
    "author": "publisher name for feeds and structured data",
    "kinds": "the entity kinds: plural name -> {singular, title}",
    "paths": "folders: content, templates, static, output",
    "pagination": "per_page (entity and archive lists), home_articles, feed_items",
    "markdown": "raw_html: true lets HTML in Markdown bodies through (default false)",
    "relative_links": "true writes links relative to each page, so _site/ opens from disk (default false)",
    "cname": "custom domain written to CNAME on deploy",
    "extra": "free-form values for your own templates (site.extra)",
}
_PATH_KEYS = ("content", "templates", "static", "output")
_PAGINATION_KEYS = ("per_page", "home_articles", "feed_items")


def load_config(
    site_dir: Path, report: Report, base_url_override: str | None = None,
    relative_links_override: bool | None = None,
) -> SiteConfig:
    """Read and validate site.yaml; raise ConfigError if anything is wrong."""
    config_path = site_dir / CONFIG_FILE
    if not config_path.is_file():
        raise ConfigError(
            [_problem(f"no {CONFIG_FILE} in {site_dir}", "run in a site folder or pass --site DIR")]
        )
    raw = config_path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
        mapping = load_mapping(text)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError([_problem(f"not UTF-8 text: {exc.reason}", "save it as UTF-8", line)]) from None
    except YamlProblem as exc:
        raise ConfigError([_problem(exc.message, exc.hint, exc.line)]) from None

    checker = _Checker(mapping.data, mapping.key_lines, report)
    values: dict[str, Any] = {}
    for key in mapping.data:
        if key not in KNOWN_KEYS:
            hint = did_you_mean(key, KNOWN_KEYS) or "it is ignored"
            report.warning(CONFIG_FILE, mapping.line_of(key), f"unknown key '{key}'", hint)
    for key in ("title", "description", "language", "author", "cname"):
        if key in mapping.data:
            values[key] = checker.text(key)
    values["timezone"] = checker.timezone()
    values["base_url"] = checker.base_url(base_url_override)
    values["kinds"] = checker.kinds()
    paths = checker.section("paths", _PATH_KEYS)
    for key in _PATH_KEYS:
        if key in paths:
            values[f"{key}_dir"] = checker.path(f"paths.{key}", paths[key])
    pagination = checker.section("pagination", _PAGINATION_KEYS)
    for key in _PAGINATION_KEYS:
        if key in pagination:
            values[key] = checker.positive_int(f"pagination.{key}", pagination[key])
    markdown = checker.section("markdown", ("raw_html",))
    if "raw_html" in markdown:
        values["raw_html"] = checker.boolean("markdown.raw_html", markdown["raw_html"])
    values["relative_links"] = _relative_links(checker, relative_links_override)
    if "extra" in mapping.data:
        values["extra"] = checker.section("extra", None)
    report.raise_if_errors(strict=False, error_type=ConfigError)
    return SiteConfig(site_dir=site_dir, **values)


def _relative_links(checker: _Checker, override: bool | None) -> bool:
    """--relative-links/--no-relative-links wins over site.yaml's relative_links."""
    if override is not None:
        return override
    value = checker.data.get("relative_links")
    return False if value is None else checker.boolean("relative_links", value)


def _problem(message: str, hint: str = "", line: int = 1) -> Problem:
    return Problem(CONFIG_FILE, line, message, hint)


class _Checker:
    """Validates one key at a time, reporting against site.yaml's key lines."""

    def __init__(self, data: dict[str, Any], key_lines: dict[str, int], report: Report) -> None:
        self.data = data
        self.key_lines = key_lines
        self.report = report

    def line(self, dotted_key: str) -> int:
        return self.key_lines.get(dotted_key) or self.key_lines.get(dotted_key.split(".")[0], 1)

    def error(self, key: str, message: str, hint: str = "") -> None:
        self.report.error(CONFIG_FILE, self.line(key), f"{key}: {message}", hint)

    def text(self, key: str) -> str:
        value = self.data[key]
        if value is None:
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.error(key, "must be text", "write it as a quoted string")
            return ""
        return str(value)

    def timezone(self) -> str:
        name = self.text("timezone") if "timezone" in self.data else "UTC"
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            self.error("timezone", f"unknown time zone '{name}'", "use an IANA name like Asia/Seoul")
            return "UTC"
        return name

    def base_url(self, override: str | None) -> str:
        key = "base_url"
        value = override if override is not None else (
            self.text(key) if key in self.data else SiteConfig.base_url
        )

        def blame(message: str, hint: str) -> None:
            """The command line's value blames the option, site.yaml's its line."""
            if override is not None:
                self.report.error("--base-url", 0, message, hint)
            else:
                self.error(key, message, hint)

        try:
            parts = urlsplit(value.strip())
            has_credentials = parts.username is not None or parts.password is not None
        except ValueError:  # e.g. an unclosed '[' in the host
            parts, has_credentials = urlsplit(""), False
        if parts.scheme not in ("http", "https") or not parts.netloc:
            blame(f"'{value}' is not an http(s) address", "e.g. https://user.github.io/archive/")
            return SiteConfig.base_url
        if has_credentials:  # it would be published on every page: never echo the password
            blame("holds a user name or password ('user:password@'), which every page would publish",
                  f"write the public address only, e.g. {parts.scheme}://{parts.hostname}/")
            return SiteConfig.base_url
        path = parts.path if parts.path.endswith("/") else parts.path + "/"
        # Percent-encoded once here, so every link, <loc>, Atom id and JSON-LD url built on it is a
        # valid URL ('news archive' -> 'news%20archive'); an existing %XX is kept as it is.
        return f"{parts.scheme}://{parts.netloc}{quote(path, safe=_URL_PATH_SAFE)}"

    def section(self, key: str, allowed: tuple[str, ...] | None) -> dict[str, Any]:
        value = self.data.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.error(key, "must be a mapping of 'name: value' lines")
            return {}
        if allowed is not None:
            for sub in value:
                if sub not in allowed:
                    hint = did_you_mean(str(sub), allowed) or f"known keys: {', '.join(allowed)}"
                    self.report.warning(CONFIG_FILE, self.line(f"{key}.{sub}"), f"unknown key '{key}.{sub}'",
                                        hint)
        return value

    def path(self, key: str, value: Any) -> Path:
        if not isinstance(value, str) or not value.strip() or "\0" in value:
            self.error(key, "must be a folder name")
            return Path(".")
        return Path(value)

    def positive_int(self, key: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.error(key, f"must be a whole number of at least 1, not {value!r}")
            return 1
        return value

    def boolean(self, key: str, value: Any) -> bool:
        if not isinstance(value, bool):
            self.error(key, f"must be true or false, not {value!r}")
            return False
        return value

    def kinds(self) -> tuple[Kind, ...]:
        raw = self.data.get("kinds")
        if raw is None:
            return DEFAULT_KINDS
        if not isinstance(raw, dict) or not raw:
            self.error("kinds", "must map each kind's plural name to {singular, title}")
            return DEFAULT_KINDS
        kinds: list[Kind] = []
        for name, spec in raw.items():
            kind = self._kind(str(name), spec)
            if kind:
                kinds.append(kind)
        singulars = [k.singular for k in kinds]
        for kind in kinds:
            if singulars.count(kind.singular) > 1:
                self.error("kinds", f"two kinds share the singular '{kind.singular}'")
                break
            if kind.singular in {k.name for k in kinds}:
                self.error("kinds", f"'{kind.singular}' is both a singular and a plural")
                break
        return tuple(kinds) or DEFAULT_KINDS

    def _kind(self, name: str, spec: Any) -> Kind | None:
        key = f"kinds.{name}"
        if not SLUG_PATTERN.match(name):
            self.error(key, "a kind's name must be lowercase letters, digits and hyphens")
            return None
        if name in RESERVED_NAMES:
            self.error(key, f"'{name}' is a folder the builder uses", "pick another name")
            return None
        defaults = next((k for k in DEFAULT_KINDS if k.name == name), None)
        spec = spec if spec is not None else {}
        if not isinstance(spec, dict):
            self.error(key, "must be a mapping like {singular: actor, title: Actors}")
            return None
        for sub in spec:
            if sub not in ("singular", "title", "title_singular"):
                hint = did_you_mean(str(sub), ("singular", "title", "title_singular"))
                self.report.warning(CONFIG_FILE, self.line(key), f"unknown key '{key}.{sub}'", hint)
        singular = spec.get("singular", defaults.singular if defaults else None)
        if not isinstance(singular, str) or not SLUG_PATTERN.match(singular):
            self.error(key, "needs 'singular:', e.g. organisation for organisations")
            return None
        if singular in WEB_SCHEMES or singular in ("javascript", "data", "file"):
            self.error(key, f"'{singular}' is a web link scheme", "pick another singular")
            return None
        title = spec.get("title", defaults.title if defaults else name.replace("-", " ").title())
        title_singular = spec.get(
            "title_singular",
            defaults.title_singular if defaults else singular.replace("-", " ").title(),
        )
        return Kind(name, singular, str(title), str(title_singular))
