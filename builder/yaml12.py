"""Safe YAML with YAML 1.2 meaning, key lines, and no aliases or duplicate keys.

PyYAML speaks YAML 1.1, where `NO` (Norway) is false, `12:30` is a base-60
number and any date-looking string becomes a date. Archivists write slugs
and titles, so this loader resolves only the YAML 1.2 core schema: `true`
and `false`, decimal/octal/hex numbers, floats and null. Dates stay strings
here; the reader parses them only in fields where a date belongs.

Anchors and aliases are refused (they are how a small file expands into
gigabytes), and a key given twice is an error rather than a silent overwrite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
import yaml.reader
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner


class _PureParser(Reader, Scanner, Parser, Composer):
    """PyYAML's own parser: the fallback where PyYAML was built without libyaml."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)


try:  # libyaml is about 9x faster; the pure-Python parser is the fallback.
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    _Parser = _PureParser  # type: ignore[misc,assignment]


class YamlProblem(Exception):
    """A YAML problem at a line counted from the top of the YAML text (1-based)."""

    def __init__(self, line: int, message: str, hint: str = "", other_line: int = 0) -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.hint = hint
        self.other_line = other_line  # another line the problem involves (a key's first use)

    def located(self, offset: int) -> str:
        """The message, naming the other line counted as the caller counts lines (YAML line + offset)."""
        if not self.other_line:
            return self.message
        return f"{self.message} (first on line {self.other_line + offset})"


class _AliasRefused(YamlProblem):
    pass


class _Yaml12Resolver(BaseResolver):
    pass


_Yaml12Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_Yaml12Resolver.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789"))
_Yaml12Resolver.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+0123456789."))
# Python refuses to turn a longer int into text (its 4,300-digit limit); 14,000 bits is about 4,200 digits.
MAX_INT_BITS = 14_000
_Yaml12Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


# Characters that are errors in HTML text (C0/C1 controls but tab, newline, form
# feed) and lone surrogates, which cannot be written as UTF-8 at all.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def describe_character(character: str) -> str:
    return f"U+{ord(character):04X}"


class _Yaml12Constructor(SafeConstructor):
    def construct_scalar(self, node: yaml.Node) -> Any:
        value = super().construct_scalar(node)
        found = CONTROL_CHARACTERS.search(value) if isinstance(value, str) else None
        if found:
            raise YamlProblem(node.start_mark.line + 1,
                              f"a control character ({describe_character(found.group())}) in a value",
                              "remove it; it cannot appear in a web page")
        return value

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        # An explicit !!int may carry any text: judge it by the same YAML 1.2 rule as a plain one.
        value = str(self.construct_scalar(node))
        if not _INT.match(value):
            raise _not_a(node, value, "a whole number")
        if value.startswith("0o"):
            number = int(value[2:], 8)
        elif value.startswith("0x"):
            number = int(value[2:], 16)
        elif len(value) > 4200:  # int() itself refuses past 4,300 digits, with a ValueError
            number = 1 << MAX_INT_BITS
        else:
            number = int(value)
        if number.bit_length() > MAX_INT_BITS:
            raise YamlProblem(node.start_mark.line + 1, "a number of more than 4,200 digits",
                              "put it in quotes to keep it as text")
        return number

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        value = str(self.construct_scalar(node))
        if _INT.match(value):
            return float(self.construct_yaml_int(node))
        if not _FLOAT.match(value):
            raise _not_a(node, value, "a number")
        return float(value.lower())  # '.inf', '-.Inf', '.NaN': float() reads them lower-cased

    def construct_yaml_bool(self, node: yaml.ScalarNode) -> bool:
        value = str(self.construct_scalar(node))
        if value not in _BOOLS:  # YAML 1.1's yes/no/on/off are not booleans in YAML 1.2
            raise _not_a(node, value, "true or false")
        return _BOOLS[value]

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects:
            # The node is the anchored one, so its mark is the anchor's line;
            # load_mapping finds the alias's own line.
            raise _AliasRefused(node.start_mark.line + 1, "YAML aliases (*name) are not allowed",
                                "write the value out in full")
        try:
            return super().construct_object(node, deep=deep)
        except (ArithmeticError, LookupError, TypeError, ValueError) as exc:
            # PyYAML's constructors raise these on tagged values they cannot make: a located error instead.
            raise YamlProblem(node.start_mark.line + 1, f"invalid YAML value ({exc})",
                              "put the value in quotes to keep it as text") from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, yaml.MappingNode):
            raise YamlProblem(node.start_mark.line + 1, "expected a mapping")
        mapping: dict[Any, Any] = {}
        seen: dict[tuple[str, str], int] = {}  # key as YAML sees it -> its line
        texts: dict[str, tuple[int, str]] = {}  # key as text -> its line, as written
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlProblem(line, "YAML merge keys (<<) are not allowed")
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise YamlProblem(line, "a key must be plain text")
            # Python's 1 == True == 1.0 would merge keys YAML keeps apart: compare type and value.
            same = (type(key).__name__, repr(key))
            if same in seen:
                raise YamlProblem(line, f"the key '{key_node.value}' is given twice", "keep one of them",
                                  other_line=seen[same])
            # Keys are text from here on, as written ('1', 'true', 'null'): `1:` and `"1":` would
            # silently become one field.
            text = key if isinstance(key, str) else str(key_node.value)
            spelled = f"{key_node.value}:" if not key_node.style else f'"{key_node.value}":'
            if text in texts:
                raise YamlProblem(line, f"the keys {texts[text][1]} and {spelled} name the same field",
                                  "keep one of them, or quote both the same way",
                                  other_line=texts[text][0])
            seen[same] = line
            texts[text] = (line, spelled)
            mapping[text] = self.construct_object(value_node, deep=deep)
        return mapping


_Yaml12Constructor.add_constructor("tag:yaml.org,2002:int", _Yaml12Constructor.construct_yaml_int)
_Yaml12Constructor.add_constructor("tag:yaml.org,2002:float", _Yaml12Constructor.construct_yaml_float)
_Yaml12Constructor.add_constructor("tag:yaml.org,2002:bool", _Yaml12Constructor.construct_yaml_bool)
# Explicit tags that build Python objects or dates are not part of our schema.
for _tag in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary", "tag:yaml.org,2002:set",
             "tag:yaml.org,2002:omap", "tag:yaml.org,2002:pairs"):
    _Yaml12Constructor.add_constructor(_tag, SafeConstructor.construct_undefined)


def _not_a(node: yaml.Node, value: str, what: str) -> YamlProblem:
    return YamlProblem(node.start_mark.line + 1, f"'{value}' is not {what}",
                       "correct it, or drop the !! tag and quote it to keep it as text")


class _Loader(_Parser, _Yaml12Constructor, _Yaml12Resolver):  # type: ignore[misc,valid-type]
    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        _Yaml12Constructor.__init__(self)
        _Yaml12Resolver.__init__(self)


class _PureLoader(_PureParser, _Yaml12Constructor, _Yaml12Resolver):
    """The same loader on PyYAML's pure-Python parser (tests run both)."""

    def __init__(self, stream: str) -> None:
        _PureParser.__init__(self, stream)
        _Yaml12Constructor.__init__(self)
        _Yaml12Resolver.__init__(self)


@dataclass(frozen=True)
class YamlMapping:
    """A top-level mapping with the 1-based line of each key (and sub-key) and list item.

    `written` keeps, for a top-level value YAML read as a number (or a list of
    scalars holding one), the text as written: a field read as text shows
    `3.10` and `007`, not 3.1 and 7.
    """

    data: dict[str, Any]
    key_lines: dict[str, int]
    item_lines: dict[str, tuple[int, ...]]
    written: dict[str, str | tuple[str | None, ...]] = field(default_factory=dict)

    def line_of(self, key: str, default: int = 1) -> int:
        return self.key_lines.get(key, default)


_NUMBER_TAGS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})
_IMPLICIT_TAGS = _NUMBER_TAGS | {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"}
_STR = "tag:yaml.org,2002:str"


def load_mapping(text: str, line_offset: int = 0) -> YamlMapping:
    """Parse `text` as one YAML mapping (empty text is an empty mapping).

    Problems carry lines counted in `text`; a message that names a second line
    names it as the caller counts (YAML line + `line_offset`).
    """
    loader = None
    try:
        loader = _Loader(text)  # the pure-Python reader checks the characters here, and may raise
        node = loader.get_single_node()
        if node is None:
            return YamlMapping({}, {}, {})
        if not isinstance(node, yaml.MappingNode):
            raise YamlProblem(
                node.start_mark.line + 1,
                "expected 'key: value' lines",
                "front matter and site.yaml are mappings of fields",
            )
        _check_depth(node, text if "!" in text else "")
        data = loader.construct_document(node)
        return _with_lines(node, data)
    except _AliasRefused as exc:
        raise YamlProblem(_first_alias_line(text, exc.line), exc.message, exc.hint) from None
    except YamlProblem as exc:
        raise YamlProblem(exc.line, exc.located(line_offset), exc.hint) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context == "while scanning a quoted scalar" and exc.context_mark:
            mark = exc.context_mark  # where the quote opened, not where the parser gave up
        line = mark.line + 1 if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        if mark is exc.context_mark:
            problem = "a quote opened here is never closed"
        hint = "YAML indents with spaces, not tabs" if "\t" in _line_text(text, line) else (
            "check the indentation and quoting on this line"
        )
        raise YamlProblem(line, f"invalid YAML: {problem}", hint) from None
    except yaml.reader.ReaderError as exc:
        # Characters YAML does not allow (U+FFFE, some controls): the pure-Python reader refuses them.
        # (libyaml counts its position in UTF-8 bytes, so find the character itself)
        character = chr(exc.character) if isinstance(exc.character, int) else ""
        position = text.find(character) if character else -1
        line = text.count("\n", 0, max(position, 0)) + 1
        raise YamlProblem(line, f"a character YAML does not allow ({describe_character(character)})"
                          if character else "a character YAML does not allow", "remove it") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(1, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise YamlProblem(1, "YAML is nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()


def _with_lines(node: yaml.MappingNode, data: dict[str, Any]) -> YamlMapping:
    """The mapping with the lines of its keys and items, and numbers as written."""
    key_lines: dict[str, int] = {}
    item_lines: dict[str, tuple[int, ...]] = {}
    written: dict[str, str | tuple[str | None, ...]] = {}
    text_data: dict[str, Any] = {}
    for (key_node, value_node), value in zip(node.value, data.values(), strict=True):
        key = str(key_node.value)
        line = key_node.start_mark.line + 1
        key_lines[key] = line
        text_data[key] = value
        if isinstance(value_node, yaml.ScalarNode):
            if value_node.tag in _NUMBER_TAGS:
                written[key] = value_node.value
        elif isinstance(value_node, yaml.SequenceNode):
            item_lines[key] = tuple(item.start_mark.line + 1 for item in value_node.value)
            if any(item.tag in _NUMBER_TAGS for item in value_node.value):
                written[key] = tuple(item.value if isinstance(item, yaml.ScalarNode) else None
                                     for item in value_node.value)
        elif isinstance(value_node, yaml.MappingNode):  # one level down, as 'paths.output'
            for sub_key, _ in value_node.value:
                key_lines.setdefault(f"{key}.{sub_key.value}", sub_key.start_mark.line + 1)
    return YamlMapping(text_data, key_lines, item_lines, written)


MAX_DEPTH = 20  # lists in mappings in lists...: real front matter needs three or four


def _check_depth(root: yaml.Node, text: str = "") -> None:
    """Refuse aliases and deep nesting before constructing: later stages (templates,
    the cache's pickles, JSON) recurse once per level and would crash, not report.

    With the YAML `text` (given only when it holds a '!'), a scalar with the
    non-specific tag (`! 12`) is made a string, as YAML 1.2 says: PyYAML and
    libyaml resolve it like a plain scalar, and only the text shows the tag.
    """
    lines = text.splitlines() if text else []
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    seen: set[int] = {id(root)}
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise YamlProblem(node.start_mark.line + 1, f"YAML is nested more than {MAX_DEPTH} levels deep",
                              "flatten the value")
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [value for _, value in node.value]
        else:
            if lines and node.tag in _IMPLICIT_TAGS and _non_specific(lines, node.start_mark):
                node.tag = _STR
            continue
        for child in children:
            if id(child) in seen:  # an alias: never walk an alias bomb's expansion
                raise _AliasRefused(child.start_mark.line + 1, "YAML aliases (*name) are not allowed",
                                    "write the value out in full")
            seen.add(id(child))
            stack.append((child, depth + 1))


def _non_specific(lines: list[str], mark: yaml.Mark) -> bool:
    line = lines[mark.line] if mark.line < len(lines) else ""
    return line[mark.column:mark.column + 2] in ("!", "! ", "!\t")


def _first_alias_line(text: str, default: int) -> int:
    """The line of the first `*alias` (only on the error path: it parses again)."""
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                return event.start_mark.line + 1
    except yaml.YAMLError:
        pass
    return default


def _line_text(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""
