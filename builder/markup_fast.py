"""A cheaper Python-Markdown pipeline, with byte-identical output.

Python-Markdown's InlineProcessor tries every inline pattern on every text
node: a regex search, a registry lookup and a few isinstance checks each,
about two million attempts for a 10,000-article archive, nearly all of
which find nothing. Most patterns can only match where a trigger substring
is present (a code span needs a backtick, a link needs '['), so the
processor here skips a pattern whose triggers are all absent from the text:
exactly what the stock loop does when that pattern's search fails
(patternIndex += 1, startIndex = 0), without the search. Block processors'
tests (a table needs '|', a heading '#') and two preprocessors' whole-source
scans are skipped the same way.

A pattern or processor is filtered only when its class name and regex are
in the tables below (copied from the Python-Markdown versions pyproject.toml
allows); any other (another extension's, or a changed regex) is always tried.
`install` replaces each stock piece only when it is the class expected (and,
for the inline loop, its private methods have the expected arguments), else
it leaves the stock one in place. tests/test_markup_fast.py compares the
output with stock Python-Markdown's.
"""
from __future__ import annotations

import importlib
import inspect
import re
import sys
import xml.etree.ElementTree as etree
from typing import Any

import markdown
from markdown import util
from markdown.blockparser import BlockParser
from markdown.blockprocessors import BlockProcessor
from markdown.preprocessors import NormalizeWhitespace, Preprocessor
from markdown.treeprocessors import InlineProcessor


def _import_fenced_code() -> Any:
    """markdown.extensions.fenced_code, imported with Pygments out of reach.

    fenced_code imports codehilite, which imports Pygments if it can (and
    Pygments reads every installed package's metadata for plugins): a twentieth
    of a second of every build, for highlighting the builder never turns on.
    codehilite is written to run without Pygments, and fenced_code consults it
    only when codehilite is configured. A Pygments already loaded is left alone.
    """
    if "pygments" in sys.modules or "markdown.extensions.codehilite" in sys.modules:
        return importlib.import_module("markdown.extensions.fenced_code")
    sys.modules["pygments"] = None  # type: ignore[assignment]  # `import pygments` fails meanwhile
    try:
        return importlib.import_module("markdown.extensions.fenced_code")
    finally:
        del sys.modules["pygments"]


_fenced_code = _import_fenced_code()
FencedBlockPreprocessor = _fenced_code.FencedBlockPreprocessor
FencedCodeExtension = _fenced_code.FencedCodeExtension

# (pattern class name, regex) -> substrings, at least one of which every match contains.
_TRIGGERS: dict[tuple[str, str], tuple[str, ...]] = {
    # Markdown 3.5 to 3.11: a code span, or backslashes before one.
    ("BacktickInlineProcessor", r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)(`+)(.+?)(?<!`)\2(?!`))"): ("`",),
    ("BacktickInlineProcessor", r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)"): ("`",),
    ("EscapeInlineProcessor", r"\\(.)"): ("\\",),
    ("FootnoteInlineProcessor", r"\[\^([^\]]*)\]"): ("[^",),
    ("ReferenceInlineProcessor", r"(?<!\!)\["): ("[",),
    ("LinkInlineProcessor", r"(?<!\!)\["): ("[",),
    ("ShortReferenceInlineProcessor", r"(?<!\!)\["): ("[",),
    ("ImageInlineProcessor", r"\!\["): ("![",),
    ("ImageReferenceInlineProcessor", r"\!\["): ("![",),
    ("ShortImageReferenceInlineProcessor", r"\!\["): ("![",),
    ("AutolinkInlineProcessor", r"<((?:[Ff]|[Hh][Tt])[Tt][Pp][Ss]?://[^<>]*)>"): ("<",),
    ("AutolinkInlineProcessor", r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>"): ("<",),
    ("AutomailInlineProcessor", r"<([^<> !]+@[^@<> ]+)>"): ("<",),
    ("SubstituteTagInlineProcessor", r"  \n"): ("  \n",),
    ("HtmlInlineProcessor", r"(<(\/?[a-zA-Z][^<>@ ]*( [^<>]*)?|!--(?:(?!<!--|-->).)*--)>)"): ("<",),
    ("HtmlInlineProcessor",  # 3.8 to 3.10
     r"(<(\/?[a-zA-Z][^<>@ ]*( [^<>]*)?|!--(?:(?!<!--|-->).)*--|[?](?:(?!<[?]|[?]>).)*[?]"
     r"|!\[CDATA\[(?:(?!<!\[CDATA\[|\]\]>).)*\]\])>)"): ("<",),
    ("HtmlInlineProcessor",
     r'''(<(\/?+[a-zA-Z][^\s"'<>@]*+(?:\s+[^\s"'=<>]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s"'=<>]++))?+)*+'''
     r"\s*+/?|!--(?:(?!<!--|-->).)*--|[?](?:(?!<[?]|[?]>).)*[?]|!\[CDATA\[(?:(?!<!\[CDATA\[|\]\]>).)*\]\])>)"):
        ("<",),
    ("HtmlInlineProcessor", r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)"): ("&",),
    ("SimpleTextInlineProcessor", r"((^|(?<=\s))(\*{1,3}|_{1,3})(?=\s|$))"): ("*", "_"),
    ("AsteriskProcessor", r"\*"): ("*",),
    ("UnderscoreProcessor", r"_"): ("_",),
    ("DelimiterProcessor", r"\*|_"): ("*", "_"),
    ("DelimiterProcessor", r"\*"): ("*",),
    ("DelimiterProcessor", r"_"): ("_",),
}


def triggers(pattern: object) -> tuple[str, ...] | None:
    """The substrings `pattern` needs in a text to match it, or None if unknown (always try it)."""
    compiled = getattr(pattern, "compiled_re", None)
    regex = getattr(compiled, "pattern", None)
    if not isinstance(regex, str):
        return None
    return _TRIGGERS.get((type(pattern).__name__, regex))


# `[text][id]` and `[text] [id]`: ReferenceInlineProcessor.handleMatch finds the ']'
# closing the text (getText), then needs its RE_LINK right after it. Most text with a
# '[' holds only inline links, where every such attempt fails.
_REFERENCE_ID = r"\s?\[([^\]]*)\]"
_CLOSE_THEN_ID = re.compile(r"\]\s?\[")


def match_needs(pattern: object) -> re.Pattern[str] | None:
    """A regex that must be found in a text for `pattern` to match in it, beyond its triggers."""
    if (type(pattern).__name__ == "ReferenceInlineProcessor" and triggers(pattern) is not None
            and getattr(getattr(pattern, "RE_LINK", None), "pattern", None) == _REFERENCE_ID):
        return _CLOSE_THEN_ID
    return None


class FilteredInlineProcessor(InlineProcessor):
    """InlineProcessor whose pattern loop skips patterns that cannot match the text."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self._registered: list[object] = []
        self._patterns: list[tuple[object, tuple[str, ...] | None, re.Pattern[str] | None]] = []

    def run(self, tree: etree.Element, ancestors: list[str] | None = None) -> etree.Element:
        registered = list(self.inlinePatterns)  # sorted by priority, as the stock loop indexes them
        if registered != self._registered:  # objects compare by identity
            self._registered = registered
            self._patterns = [(pattern, triggers(pattern), match_needs(pattern)) for pattern in registered]
        return super().run(tree, ancestors)

    # Overrides the stock name-mangled InlineProcessor.__handleInline; its callers
    # (run and __applyPattern) reach this one through self.
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        """The stock loop, minus the calls that cannot match."""
        if not isinstance(data, util.AtomicString):
            apply_pattern = self._InlineProcessor__applyPattern
            patterns = self._patterns
            count = len(patterns)
            start_index = 0
            while patternIndex < count:
                pattern, needed, needed_match = patterns[patternIndex]
                if needed is not None:
                    for trigger in needed:
                        if trigger in data:
                            break
                    else:  # the stock search would fail: next pattern, from the start
                        patternIndex += 1
                        start_index = 0
                        continue
                    if needed_match is not None and needed_match.search(data) is None:
                        patternIndex += 1  # every match it found would be rejected: the same
                        start_index = 0
                        continue
                data, matched, start_index = apply_pattern(pattern, data, patternIndex, start_index)
                if not matched:
                    patternIndex += 1
        return data


# (block processor class name, the regex its test or no-match run depends on) -> substrings,
# at least one of which a block needs for that test to pass (or that run to do anything).
_BLOCK_TRIGGERS: dict[tuple[str, str], tuple[str, ...]] = {
    # Any cell split needs a pipe, and so does a border.
    ("TableProcessor", r"(?:(\\\\)|(\\`+)|(`+)|(\\\|)|(\|))"): ("|",),
    ("HashHeaderProcessor",
     r"(?:^|\n)(?P<level>#{1,6})(?P<header>(?:\\.|[^\\#]|#+(?=[^#\n]))*?)#*(?:\n|$)"): ("#",),
    ("HashHeaderProcessor", r"(?:^|\n)(?P<level>#{1,6})(?P<header>(?:\\.|[^\\])*?)#*(?:\n|$)"): ("#",),
    ("SetextHeaderProcessor", r"^.*?\n(?:=+|-+)[ ]*(\n|$)"): ("\n=", "\n-"),
    ("SetextHeaderProcessor", r"^.*?\n[=-]+[ ]*(\n|$)"): ("\n=", "\n-"),
    ("HRProcessor",
     r"^[ ]{0,3}(?=(?P<atomicgroup>(-+[ ]{0,2}){3,}|(_+[ ]{0,2}){3,}|(\*+[ ]{0,2}){3,}))"
     r"(?P=atomicgroup)[ ]*$"):
        # Three runs of one character, 0-2 spaces apart: the first two are next to each other.
        ("--", "- -", "-  -", "__", "_ _", "_  _", "**", "* *", "*  *"),
    ("BlockQuoteProcessor", r"(^|\n)[ ]{0,3}>[ ]?(.*)"): (">",),
    # These test True, then run a search and put the block back unchanged when it fails.
    ("FootnoteBlockProcessor", r"^[ ]{0,3}\[\^([^\]]*)\]:[ ]*(.*)$"): ("]:",),
    ("ReferenceProcessor",
     r'''^[ ]{0,3}\[([^\[\]]*)\]:[ ]*(?:\n[ ]*)?([^\s]+)[ ]*(?:\n[ ]*)?((["\'])(.*)\4[ ]*|\((.*)\)[ ]*)?$'''):
        ("]:",),
    ("ReferenceProcessor",
     r'''^[ ]{0,3}\[([^\[\]]*)\]:[ ]*\n?[ ]*([^\s]+)[ ]*(?:\n[ ]*)?((["\'])(.*)\4[ ]*|\((.*)\)[ ]*)?$'''):
        ("]:",),
}


def block_triggers(processor: object) -> tuple[str, ...] | None:
    """The substrings a block needs for `processor` to take it, or None if unknown (always try it)."""
    for attribute in ("RE_CODE_PIPES", "SEARCH_RE", "RE"):
        regex = getattr(getattr(processor, attribute, None), "pattern", None)
        if isinstance(regex, str):
            return _BLOCK_TRIGGERS.get((type(processor).__name__, regex))
    return None


class FilteredBlocks:
    """BlockParser.parseBlocks, skipping block processors whose triggers are absent from the block."""

    def __init__(self, parser: BlockParser) -> None:
        self.parser = parser
        self._registered: list[object] = []
        self._processors: list[tuple[BlockProcessor, tuple[str, ...] | None]] = []

    def parse_blocks(self, parent: etree.Element, blocks: list[str]) -> None:
        """The stock loop: the first processor whose test passes and whose run is not False wins."""
        registered = list(self.parser.blockprocessors)
        if registered != self._registered:
            self._registered = registered
            self._processors = [(processor, block_triggers(processor)) for processor in registered]
        processors = self._processors
        while blocks:
            for processor, needed in processors:
                if needed is not None:
                    block = blocks[0]
                    for trigger in needed:
                        if trigger in block:
                            break
                    else:  # its test (or its run's search) would fail
                        continue
                if processor.test(parent, blocks[0]) and processor.run(parent, blocks) is not False:
                    break


_SPACES_LINE = re.compile(r"(?<=\n) +\n")
_FENCE_START = "(?P<fence>^(?:~{3,}|`{3,}))"


class QuickNormalizeWhitespace(NormalizeWhitespace):
    """NormalizeWhitespace.run (the same in 3.5 and 3.11), without its slowest step, a regex
    search of the whole source for space-only lines, where there is no space after a newline."""

    def run(self, lines: list[str]) -> list[str]:
        source = "\n".join(lines)
        source = source.replace(util.STX, "").replace(util.ETX, "")
        source = source.replace("\r\n", "\n").replace("\r", "\n") + "\n\n"
        source = source.expandtabs(self.md.tab_length)
        if "\n " in source:
            source = _SPACES_LINE.sub("\n", source)
        return source.split("\n")


class FenceGuard(Preprocessor):
    """Runs the fenced-code preprocessor only on sources with a fence; on the others its
    search of the whole text finds nothing and it returns the lines rejoined and resplit."""

    def __init__(self, md: markdown.Markdown, fences: Preprocessor) -> None:
        super().__init__(md)
        self.fences = fences

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if "```" not in text and "~~~" not in text:
            return text.split("\n")
        return self.fences.run(lines)


def _internals_as_expected(inline: object) -> bool:
    """Whether the stock processor has the private methods the fast loop calls, with their arguments."""
    if type(inline) is not InlineProcessor:
        return False
    handle = getattr(InlineProcessor, "_InlineProcessor__handleInline", None)
    apply_pattern = getattr(InlineProcessor, "_InlineProcessor__applyPattern", None)
    if not (callable(handle) and callable(apply_pattern)):
        return False
    try:
        handle_args = list(inspect.signature(handle).parameters)
        apply_args = list(inspect.signature(apply_pattern).parameters)
    except (TypeError, ValueError):
        return False
    return (handle_args == ["self", "data", "patternIndex"]
            and apply_args == ["self", "pattern", "data", "patternIndex", "startIndex"])


def install(md: markdown.Markdown) -> bool:
    """Put the filtered processor in place of md's 'inline' one; False (stock kept) if unsafe."""
    # The Registry keeps priorities privately; re-registering needs the stock one (20 today).
    priorities = {item.name: item.priority for item in getattr(md.treeprocessors, "_priority", ())}
    if "inline" not in priorities or not _internals_as_expected(md.treeprocessors["inline"]):
        return False
    md.treeprocessors.register(FilteredInlineProcessor(md), "inline", priorities["inline"])
    if type(md.parser) is BlockParser and callable(getattr(md.parser, "parseBlocks", None)):
        # Nested blocks (lists, quotes, footnotes) come back through parser.parseBlocks.
        md.parser.parseBlocks = FilteredBlocks(md.parser).parse_blocks  # type: ignore[method-assign]
    preprocessors = {item.name: item.priority for item in getattr(md.preprocessors, "_priority", ())}
    if "normalize_whitespace" in preprocessors and type(md.preprocessors["normalize_whitespace"]) is (
            NormalizeWhitespace):
        md.preprocessors.register(QuickNormalizeWhitespace(md), "normalize_whitespace",
                                  preprocessors["normalize_whitespace"])
    if "fenced_code_block" in preprocessors:
        fences = md.preprocessors["fenced_code_block"]
        regex = getattr(getattr(fences, "FENCED_BLOCK_RE", None), "pattern", "")
        if type(fences) is FencedBlockPreprocessor and regex.lstrip().startswith(_FENCE_START):
            md.preprocessors.register(FenceGuard(md, fences), "fenced_code_block",
                                      preprocessors["fenced_code_block"])
    return True
