"""The fast Markdown path (builder/markup_fast.py) writes exactly the HTML stock
Python-Markdown writes with the same extensions, for any mix of syntax."""

from __future__ import annotations

import xml.etree.ElementTree as etree
from pathlib import Path

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor as InlinePattern
from markdown.treeprocessors import InlineProcessor

from builder import markup_fast
from builder.config import SiteConfig
from builder.markup import MarkdownRenderer, markdown_extensions
from builder.reader import decode, split_front_matter

REPO_ROOT = Path(__file__).resolve().parent.parent
CONFIGS = {raw_html: SiteConfig(Path("."), raw_html=raw_html) for raw_html in (False, True)}
FAST = {raw_html: MarkdownRenderer(config) for raw_html, config in CONFIGS.items()}


def stock(config: SiteConfig) -> markdown.Markdown:
    """Python-Markdown as it comes, configured as MarkdownRenderer configures it."""
    return markdown.Markdown(extensions=markdown_extensions(config), output_format="html")


STOCK = {raw_html: stock(config) for raw_html, config in CONFIGS.items()}


def stock_html(raw_html: bool, source: str) -> str:
    md = STOCK[raw_html]
    md.reset()
    return md.convert(source)


INLINE_SAMPLES = [
    "word", "two words", "*em*", "**strong**", "***both***", "_u_", "__uu__", "*a **b** c*", "**a *b***",
    "snake_case_name", "2 * 3 * 4", "* ", "_", "**", "***", "`code`", "``co`de``", "`*not em*`", "\\`",
    "\\*", "\\_", "\\[", "\\\\", "\\", "[Kim](actor:kim-sung-hwan)", "[Japan](country:japan 'Title')",
    "[bad](actor:../x)", "[nobody](actor:)", "[j](javascript:alert(1))", "[t](java\tscript:x)",
    "[u](JAVASCRIPT:x)", "[web](https://example.org/a?b=c&d=e)", "[rel](/about/)", "[q](<a b>)",
    "![i](data:x)", "![img](/img.png \"t\")", "![alt *em*](https://example.org/i.png)", "[ref][r1]",
    "[r1]", "[r1][]", "![ir][r1]", "[spaced] [r1]", "[wrapped]\n[r1]", "[nbsp]\u00a0[R1]",
    "[[nested] ref][r1]", "![r1]", "[missing][nope]", "<https://example.org/>",
    "<me@example.org>", "<actor:kim>", "&amp;", "&copy;", "&#169;", "&#x1F600;", "& ", "AT&T", "&bogus",
    "[^1]", "[^n]", "[^missing]", "  \n", "<b>bold</b>", "<span class=\"x\">s</span>",
    "<script>alert(1)</script>", "<!-- c -->", "<br/>", "<?pi?>", "[", "]", "(", ")", "<", ">", "|", "#",
    "-", "=", "!", "[a [nested] link](https://example.org/)", "[*em link*](event:cheonan-sinking)",
    "\u201cquoted\u201d", "caf\u00e9", "\U0001F600",
]
BLOCK_SAMPLES = [
    "Setext\n======", "Setext\n------", "---", "***", "_ _ _", "-  -  -", "* * *", "__  __  __",
    "text\n- - -\nmore", "**bold** -- not a rule", "*em*  *em*", "```\ncode *x* [y](z)\n```",
    "~~~python\nprint('<b>')\n~~~", "| a | b |\n|---|:-:|\n| *1* | [2](actor:kim-sung-hwan) |",
    "a | b\n--|--\n1 | 2", "[r1]: https://example.org/ \"Title\"", "[r1]: actor:kim-sung-hwan",
    "[r1]: javascript:alert(1)", "[^1]: a footnote with *em*", "[^n]:\n    indented footnote",
    "<div>raw *block*</div>", "<script>\nalert(1)\n</script>", "- a\n- b\n\n    continued",
    "1. one\n2. two\n    - nested", "> quote\ncontinued", "line one  \nline two",
    "text\n   \nmore", "  \n \n", "\tcode\twith tabs", "a\tb", "a\r\nb\rc", "````\nfour\n````",
    "```{.python #id}\nx = '<'\n```", "``` unclosed", "~~~\n```\n~~~", "a\x02b\x03c",
]
# Definitions for the references, footnotes and links above, ahead of each sample.
DEFINITIONS = "[r1]: https://example.org/ \"Title\"\n\n[^1]: note\n\n[^n]: other\n\n"
INLINE = st.sampled_from(INLINE_SAMPLES)
BLOCK_START = st.sampled_from([
    "", "", "", "# ", "### ", "- ", "* ", "+ ", "1. ", "2) ", "> ", "> > ", "    ", "\t", "  ", "[r1]: ",
    "[^1]: ", "[^n]: ", "| ",
])
BLOCK = st.one_of(
    st.tuples(BLOCK_START, st.lists(INLINE, max_size=6)).map(lambda t: t[0] + " ".join(t[1])),
    st.sampled_from(BLOCK_SAMPLES),
    # Anything built from the characters the patterns and their triggers care about.
    st.text(alphabet="ab *_`\\[]()!<>&#;|-=:^\n@/.'\"\t", max_size=60),
)
SOURCES = st.lists(BLOCK, max_size=8).flatmap(
    lambda blocks: st.lists(st.sampled_from(["\n", "\n\n", " ", "\n\n\n"]),
                            min_size=len(blocks), max_size=len(blocks)).map(
        lambda seps: "".join(block + sep for block, sep in zip(blocks, seps, strict=True))))


def test_the_fast_path_is_installed_and_covers_every_pattern():
    """If a Python-Markdown upgrade changed a regex, its pattern would silently be tried always."""
    renderer = FAST[True]
    assert renderer.fast
    md = renderer._markdown
    assert type(md.treeprocessors["inline"]) is markup_fast.FilteredInlineProcessor
    assert all(markup_fast.triggers(pattern) for pattern in md.inlinePatterns)
    assert type(md.preprocessors["normalize_whitespace"]) is markup_fast.QuickNormalizeWhitespace
    assert type(md.preprocessors["fenced_code_block"]) is markup_fast.FenceGuard
    unfiltered = {type(processor).__name__ for processor in md.parser.blockprocessors
                  if markup_fast.block_triggers(processor) is None}
    # Each of these tests with a cheap anchored check or always takes the block.
    assert unfiltered == {"EmptyBlockProcessor", "ListIndentProcessor", "CodeBlockProcessor",
                          "SaneOListProcessor", "SaneUListProcessor", "ParagraphProcessor"}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=SOURCES, raw_html=st.booleans())
def test_fast_html_equals_stock_html(source, raw_html):
    assert FAST[raw_html].convert(source) == stock_html(raw_html, source)


@pytest.mark.parametrize("sample", INLINE_SAMPLES + BLOCK_SAMPLES)
def test_fast_html_equals_stock_html_for_each_fragment(sample):
    for raw_html in (False, True):
        for source in (sample, DEFINITIONS + sample, f"- {sample}\n\n> {sample}"):
            assert FAST[raw_html].convert(source) == stock_html(raw_html, source)


@pytest.mark.parametrize("raw_html", [False, True])
def test_fast_html_equals_stock_html_for_the_sample_site(raw_html):
    paths = sorted((REPO_ROOT / "content").rglob("*.md"))
    assert len(paths) > 10
    for path in paths:
        _, body, _ = split_front_matter(decode(path.read_bytes()))
        assert FAST[raw_html].convert(body) == stock_html(raw_html, body), path


def test_a_pattern_the_filter_does_not_know_is_always_tried():
    class Mark(InlinePattern):
        def handleMatch(self, m, data):
            element = etree.Element("mark")
            element.text = m.group(1)
            return element, m.start(0), m.end(0)

    class MarkExtension(Extension):
        def extendMarkdown(self, md):
            md.inlinePatterns.register(Mark(r"==(.+?)==", md), "mark", 65)

    extensions = [*markdown_extensions(CONFIGS[False]), MarkExtension()]
    fast = markdown.Markdown(extensions=extensions, output_format="html")
    assert markup_fast.install(fast)
    source = "a ==marked *em* [Kim](actor:kim-sung-hwan)== b\n\n==plain=="
    expected = markdown.Markdown(extensions=extensions, output_format="html").convert(source)
    assert "<mark>" in expected
    assert fast.convert(source) == expected


def test_unexpected_internals_keep_the_stock_processor(monkeypatch):
    monkeypatch.setattr(InlineProcessor, "_InlineProcessor__handleInline", lambda self, data: data)
    renderer = MarkdownRenderer(CONFIGS[False])
    assert not renderer.fast
    assert type(renderer._markdown.treeprocessors["inline"]) is InlineProcessor


def test_a_replaced_inline_processor_is_left_alone():
    class Custom(InlineProcessor):
        pass

    md = stock(CONFIGS[False])
    md.treeprocessors.register(Custom(md), "inline", 20)
    assert not markup_fast.install(md)
    assert type(md.treeprocessors["inline"]) is Custom


def test_converting_markdown_loads_no_pygments_and_no_package_metadata():
    """Highlighting is never on, so Pygments (and the scan of every installed package's metadata
    that it and extension names cost) must stay out of a build; the output is unchanged by it."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from builder.config import SiteConfig\n"
        "from builder.markup import MarkdownRenderer\n"
        "source = '```python\\nx = 1\\n```\\n\\n|a|b|\\n|-|-|\\n|1|2|\\n'\n"
        "html = MarkdownRenderer(SiteConfig(Path('.'))).convert(source)\n"
        "assert '<pre><code class=\"language-python\">x = 1' in html and '<td>1</td>' in html, html\n"
        "print(sorted(m for m in ('pygments', 'importlib.metadata') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
