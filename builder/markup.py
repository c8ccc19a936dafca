"""The one configured Markdown -> HTML conversion, with entity links.

`[Kim](actor:kim-sung-hwan)` is a reference: `find_links` reports it with its
line (so the index can count it and warnings can point at it), and the tree
processor rewrites it to the entity's page. Links with any scheme but the
web's and the kinds' singulars never reach a page: `javascript:` and
`data:` lose their href. Raw HTML in a body is escaped unless site.yaml
opts in with `markdown: {raw_html: true}`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from html import escape, unescape
from html.parser import HTMLParser
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import markdown
from markdown import util
from markdown.extensions import Extension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor

from builder import markup_fast
from builder.config import WEB_SCHEMES, SiteConfig
from builder.markup_fast import FencedCodeExtension  # imported there without Pygments
from builder.urls import UrlMap, entity_path, is_valid_slug

# An inline link or image target: [text](target "title") or a reference definition.
_INLINE_LINK = re.compile(r"\]\(\s*([^)\n]*(?:\n[^)\n]*)?)")
_LINK_TITLE = re.compile(r"\s+[\"'(].*$", re.DOTALL)
_REFERENCE_DEFINITION = re.compile(r"^[ ]{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
# What a browser ignores in a URL before reading its scheme (WHATWG URL parsing):
# leading and trailing C0 controls and spaces, and every tab and newline.
_URL_EDGES = "".join(chr(c) for c in range(0x21))
_URL_IGNORED = re.compile(r"[\t\n\r]")
_URL_SAFE = "!$%&'()*+,-./:;=?@_~"
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_FENCE = re.compile(r"^(```|~~~)", re.MULTILINE)
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
# A character reference Python-Markdown's serializer keeps as written (its RE_AMP leaves these
# alone and escapes every other '&'), so the browser, not the builder, decodes it.
_CHARACTER_REFERENCE = re.compile(r"&(?:#[0-9]+|#x[0-9a-f]+|[0-9a-z]+);", re.IGNORECASE)
# Attributes a browser follows as a URL (srcset holds several, comma-separated).
_URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "xlink:href", "poster", "background", "cite", "data",
    "srcset", "ping", "longdesc", "codebase", "manifest", "lowsrc", "dynsrc", "icon", "usemap",
    "archive", "classid", "profile"})

# Bounds on what Python-Markdown is given. Its link parsing is quadratic in the '[' of one
# block (4,000 take seconds, 50,000 minutes) and its list parsing superlinear in nesting depth
# (2,000 levels take 80 s before the recursion guard fires); real articles stay far below both.
MAX_BRACKETS_PER_BLOCK = 500
MAX_INDENT_LEVELS = 100
_BLOCK_SEPARATOR = re.compile(r"\n[ \t]*\n")
_DEEP_SPACES = " " * (4 * MAX_INDENT_LEVELS)
_DEEP_INDENT = re.compile(rf"^(?:[ ]{{4}}|[ ]{{0,3}}\t){{{MAX_INDENT_LEVELS}}}", re.MULTILINE)


class MarkdownTooComplex(ValueError):
    """A body beyond the bounds above: `line` is 1-based in the body."""

    def __init__(self, line: int, message: str, hint: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.hint = hint


def check_bounds(source: str) -> None:
    """Raise MarkdownTooComplex where converting `source` could take seconds to minutes.

    Two substring counts for an ordinary body; the per-block and per-line scans run
    only when those counts pass a bound.
    """
    if source.count("[") > MAX_BRACKETS_PER_BLOCK:
        start = 0
        for block in _BLOCK_SEPARATOR.split(source):
            if block.count("[") > MAX_BRACKETS_PER_BLOCK:
                line = source.count("\n", 0, source.index(block, start)) + 1
                raise MarkdownTooComplex(
                    line, f"more than {MAX_BRACKETS_PER_BLOCK} '[' in one paragraph",
                    "split the paragraph with blank lines, or write \\[ for a literal bracket")
            start += len(block)
    if "\t" in source or _DEEP_SPACES in source:
        deep = _DEEP_INDENT.search(source)
        if deep:
            raise MarkdownTooComplex(
                source.count("\n", 0, deep.start()) + 1,
                f"indented more than {MAX_INDENT_LEVELS} levels (lists or code nested too deeply)",
                "flatten the nested lists")


@dataclass(frozen=True)
class Link:
    """A link target found in a Markdown source, at a 1-based line of that source."""

    scheme: str  # lowercase; '' for relative links
    target: str  # after the scheme
    line: int


def find_links(source: str) -> list[Link]:
    """Every link target in `source` outside fenced code, with its line."""
    links: list[Link] = []
    masked = _mask_fenced_code(source)
    # A reference definition needs "]:": most bodies have none, so skip that whole-text search.
    patterns = (_INLINE_LINK, _REFERENCE_DEFINITION) if "]:" in masked else (_INLINE_LINK,)
    for pattern in patterns:
        line, counted_to = 1, 0  # count newlines incrementally: once per file, not per link
        for match in pattern.finditer(masked):
            url = browser_url(attribute_value(_link_target(match.group(1))))
            if not url:
                continue
            scheme = url_scheme(url)
            target = url[len(scheme) + 1:] if scheme else url
            line += masked.count("\n", counted_to, match.start(1))
            counted_to = match.start(1)
            links.append(Link(scheme, target, line))
    links.sort(key=lambda link: link.line)
    return links


def _link_target(written: str) -> str:
    """The URL part of what is written inside `](...)`: no <brackets>, no "title"."""
    if written.startswith("<"):
        return written[1:].split(">", 1)[0]
    return _LINK_TITLE.sub("", written)


def _mask_fenced_code(source: str) -> str:
    """Blank out fenced code blocks, keeping line count, so examples are not links."""
    if ("```" not in source and "~~~" not in source) or not _FENCE.search(source):
        return source
    out: list[str] = []
    fence: str | None = None
    for line in source.split("\n"):
        stripped = line.lstrip()
        if fence is None and stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
            out.append("")
        elif fence is not None:
            if stripped.startswith(fence):
                fence = None
            out.append("")
        else:
            out.append(line)
    return "\n".join(out)


class _LinkTreeprocessor(Treeprocessor):
    def __init__(self, md: markdown.Markdown, config: SiteConfig) -> None:
        super().__init__(md)
        self.urls = UrlMap(config)
        self.kinds_by_singular = {kind.singular: kind for kind in config.kinds}

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if element.tag == "a":
                self._rewrite_link(element)
            elif element.tag == "img":
                self._rewrite_image(element)

    def _rewrite_image(self, element: etree.Element) -> None:
        src = browser_url(attribute_value(element.get("src", "")))
        try:
            written = self.urls.site_rooted(src) if _is_root_relative(src) else encode_url(src)
        except ValueError:  # urlsplit: "Invalid IPv6 URL"
            written = ""
        if not written or not is_safe_url(src):
            alt = element.get("alt", "")
            _unlink(element)  # an <img> without src is invalid HTML: keep its text
            element.text = alt
        else:
            element.set("src", _as_attribute(written))

    def _rewrite_link(self, element: etree.Element) -> None:
        href = browser_url(attribute_value(element.get("href", "")))
        scheme = url_scheme(href)
        kind = self.kinds_by_singular.get(scheme)
        if kind is not None:
            slug = href[len(scheme) + 1:]
            if is_valid_slug(slug):
                element.set("href", self.urls.href(entity_path(kind.name, slug)))
                element.set("class", f"entity-link entity-{kind.singular}")
                return
            _unlink(element)
        elif not is_safe_url(href):
            _unlink(element)
        elif _is_root_relative(href):
            element.set("href", _as_attribute(self.urls.site_rooted(href)))
        else:
            try:
                element.set("href", _as_attribute(encode_url(href)))
            except ValueError:  # urlsplit: "Invalid IPv6 URL"; reader.py warns at its line
                _unlink(element)


class _RawHtmlLinks(Postprocessor):
    """Drops URL attributes with an unsafe scheme from raw HTML (markdown.raw_html: true),
    judged as links in Markdown are. Runs before the stash is put back into the page."""

    def run(self, text: str) -> str:
        blocks = self.md.htmlStash.rawHtmlBlocks
        for index, block in enumerate(blocks):
            if isinstance(block, str):
                blocks[index] = defuse_html(_close_last_tag(block))
        return text


class _UrlAttributeFilter(HTMLParser):
    """Finds start tags with an unsafe URL attribute and what to write in their place."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.replacements: list[tuple[tuple[int, int], str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._filter(tag, attrs, "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._filter(tag, attrs, " /")

    def _filter(self, tag: str, attrs: list[tuple[str, str | None]], end: str) -> None:
        kept = [(name, value) for name, value in attrs
                if value is None or name not in _URL_ATTRIBUTES or _is_safe_attribute(name, value)]
        if len(kept) == len(attrs):
            return
        written = "".join(f" {name}" if value is None else f' {name}="{escape(value)}"'
                          for name, value in kept)
        self.replacements.append((self.getpos(), self.get_starttag_text() or "", f"<{tag}{written}{end}>"))


def _is_safe_attribute(name: str, value: str) -> bool:
    if name == "srcset":
        return all(is_safe_url(candidate.split()[0]) for candidate in value.split(",") if candidate.split())
    return is_safe_url(value)


_UNCLOSED_TAG = re.compile(r"<(?=[A-Za-z/!?])[^>]*$")


def _close_last_tag(html: str) -> str:
    """`html` with a tag left open at its end escaped: the browser would close it with the
    page's next '>', taking the markup between as attributes, unjudged."""
    start = html.rfind("<")
    if start < 0 or ">" in html[start:]:
        return html
    return html[:start] + _UNCLOSED_TAG.sub(lambda match: "&lt;" + match.group()[1:], html[start:])


def defuse_html(html: str) -> str:
    """`html` with every URL attribute whose scheme is unsafe removed from its tag."""
    if "=" not in html:
        return html
    finder = _UrlAttributeFilter()
    finder.feed(html)
    finder.close()
    if not finder.replacements:
        return html
    line_starts = [0] + [match.end() for match in re.finditer("\n", html)]
    out: list[str] = []
    done = 0
    for (line, column), original, replacement in finder.replacements:
        start = line_starts[line - 1] + column
        if html.startswith(original, start) and start >= done:
            out.append(html[done:start])
            out.append(replacement)
            done = start + len(original)
    out.append(html[done:])
    return "".join(out)


def attribute_value(written: str) -> str:
    """What a browser reads from an href or src Python-Markdown serializes: the character
    references its serializer keeps decoded, and its placeholder for '&' (in email autolinks)
    restored. `&#106;avascript:` is javascript:."""
    written = written.replace(util.AMP_SUBSTITUTE, "&")
    if "&" not in written:
        return written
    return _CHARACTER_REFERENCE.sub(lambda match: unescape(match.group()), written)


def _as_attribute(url: str) -> str:
    """`url` as an element attribute the serializer writes back unchanged: each '&' as &amp;,
    so no text in it is read as a character reference again."""
    return url.replace("&", "&amp;")


def is_safe_url(url: str) -> bool:
    """Whether a browser following `url` (an attribute's decoded value) stays on the web:
    judged without any whitespace or control characters, and again percent-decoded."""
    squeezed = "".join(browser_url(url).split())
    scheme = url_scheme(squeezed)
    if scheme and scheme not in WEB_SCHEMES:
        return False
    if "%" not in squeezed:
        return True
    scheme = url_scheme("".join(browser_url(unquote(squeezed)).split()))
    return not scheme or scheme in WEB_SCHEMES


def browser_url(url: str) -> str:
    """`url` as a browser reads it: `java\tscript:` and `\x01javascript:` are javascript:."""
    return _URL_IGNORED.sub("", url).strip(_URL_EDGES)


def url_scheme(url: str) -> str:
    """The lowercase scheme of a URL ('' for a relative one)."""
    scheme_match = _SCHEME.match(url)
    return scheme_match.group(1).lower() if scheme_match else ""


def _is_root_relative(link: str) -> bool:
    return link.startswith("/") and not link.startswith("//")


def _unlink(element: etree.Element) -> None:
    """Keep the link's text, drop its target: a dead link is better than a harmful one."""
    element.tag = "span"
    element.attrib.clear()


class _ArchiveExtension(Extension):
    def __init__(self, config: SiteConfig) -> None:
        super().__init__()
        self.site_config = config

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        if not self.site_config.raw_html:
            md.preprocessors.deregister("html_block")
            md.inlinePatterns.deregister("html")
        else:  # before raw_html (30) puts the stashed HTML back
            md.postprocessors.register(_RawHtmlLinks(md), "archive_raw_links", 35)
        md.treeprocessors.register(_LinkTreeprocessor(md, self.site_config), "archive_links", 1)


def markdown_extensions(config: SiteConfig) -> list[Extension]:
    """The Python-Markdown extensions every body is converted with.

    As objects, not names: Python-Markdown looks a name up among every installed
    package's entry points, which with the Pygments import markup_fast avoids took
    a tenth of a second of each build that parses a file.
    """
    return [TableExtension(), FencedCodeExtension(), FootnoteExtension(), SaneListExtension(),
            _ArchiveExtension(config)]


class MarkdownRenderer:
    """One reused Markdown instance (building one per page costs more than converting).

    `fast` swaps in markup_fast's filtered inline and block passes (the same HTML for less
    than half the CPU); fast=False is stock Python-Markdown, for tests and benchmarks.
    """

    def __init__(self, config: SiteConfig, *, fast: bool = True) -> None:
        self._markdown = markdown.Markdown(extensions=markdown_extensions(config), output_format="html")
        self.fast = fast and markup_fast.install(self._markdown)

    def convert(self, source: str) -> str:
        """The HTML of `source`; MarkdownTooComplex if it is beyond check_bounds' limits."""
        check_bounds(source)
        self._markdown.reset()
        return self._markdown.convert(source)


def first_paragraph_text(html: str, limit: int = 300) -> str:
    """The plain text of the first paragraph, cut at a word near `limit` characters."""
    match = _FIRST_PARAGRAPH.search(html)
    if not match:
        return ""
    text = " ".join(unescape(_TAG.sub("", match.group(1))).split())
    return shorten(text, limit)


def shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:—-")
    return cut + "…"


def encode_url(url: str) -> str:
    """`url` with the characters a URL may not hold (quotes, spaces, <, >, non-ASCII)
    percent-encoded and a non-ASCII host in IDNA form, so an href is valid HTML.
    Existing %XX escapes are kept; a stray % becomes %25."""
    url = _STRAY_PERCENT.sub("%25", url)
    parts = urlsplit(url)
    netloc = parts.netloc
    if not netloc.isascii():
        try:
            netloc = netloc.encode("idna").decode("ascii")
        except UnicodeError:
            netloc = quote(netloc, safe=_URL_SAFE)
    return urlunsplit((parts.scheme, netloc, quote(parts.path, safe=_URL_SAFE),
                       quote(parts.query, safe=_URL_SAFE), quote(parts.fragment, safe=_URL_SAFE)))


def is_valid_url(url: str) -> bool:
    """Whether urlsplit accepts `url` (it refuses a bracket outside an IPv6 host)."""
    try:
        urlsplit(url)
    except ValueError:
        return False
    return True


def is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:  # "Invalid IPv6 URL"
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)
