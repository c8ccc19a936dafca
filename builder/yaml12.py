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
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import BaseResolver

try:  # libyaml is about 9x faster; the pure-Python parser is the fallback.
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)


class YamlProblem(Exception):
    """A YAML problem at a line counted from the top of the YAML text (1-based)."""

    def __init__(self, line: int, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.hint = hint


class _AliasRefused(YamlProblem):
    pass


class _Yaml12Resolver(BaseResolver):
    pass


_Yaml12Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Yaml12Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)
_Yaml12Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
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

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects:
            # The node is the anchored one, so its mark is the anchor's line;
            # load_mapping finds the alias's own line.
            raise _AliasRefused(node.start_mark.line + 1, "YAML aliases (*name) are not allowed",
                                "write the value out in full")
        return super().construct_object(node, deep=deep)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        value = str(self.construct_scalar(node))
        if value.startswith("0o"):
            return int(value[2:], 8)
        if value.startswith("0x"):
            return int(value[2:], 16)
        return int(value)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, yaml.MappingNode):
            raise YamlProblem(node.start_mark.line + 1, "expected a mapping")
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlProblem(key_node.start_mark.line + 1, "YAML merge keys (<<) are not allowed")
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise YamlProblem(key_node.start_mark.line + 1, "a key must be plain text")
            if key in mapping:
                raise YamlProblem(
                    key_node.start_mark.line + 1,
                    f"the key '{key}' is given twice",
                    "keep one of them",
                )
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


_Yaml12Constructor.add_constructor("tag:yaml.org,2002:int", _Yaml12Constructor.construct_yaml_int)
# Explicit tags that build Python objects or dates are not part of our schema.
for _tag in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary", "tag:yaml.org,2002:set",
             "tag:yaml.org,2002:omap", "tag:yaml.org,2002:pairs"):
    _Yaml12Constructor.add_constructor(_tag, SafeConstructor.construct_undefined)


class _Loader(_Parser, _Yaml12Constructor, _Yaml12Resolver):  # type: ignore[misc,valid-type]
    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        _Yaml12Constructor.__init__(self)
        _Yaml12Resolver.__init__(self)


@dataclass(frozen=True)
class YamlMapping:
    """A top-level mapping with the 1-based line of each key (and sub-key) and list item."""

    data: dict[str, Any]
    key_lines: dict[str, int]
    item_lines: dict[str, tuple[int, ...]]

    def line_of(self, key: str, default: int = 1) -> int:
        return self.key_lines.get(key, default)


def load_mapping(text: str) -> YamlMapping:
    """Parse `text` as one YAML mapping (empty text is an empty mapping)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlMapping({}, {}, {})
        if not isinstance(node, yaml.MappingNode):
            raise YamlProblem(
                node.start_mark.line + 1,
                "expected 'key: value' lines",
                "front matter and site.yaml are mappings of fields",
            )
        _check_depth(node)
        data = loader.construct_document(node)
    except _AliasRefused as exc:
        raise YamlProblem(_first_alias_line(text, exc.line), exc.message, exc.hint) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        hint = "YAML indents with spaces, not tabs" if "\t" in _line_text(text, line) else (
            "check the indentation and quoting on this line"
        )
        raise YamlProblem(line, f"invalid YAML: {problem}", hint) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(1, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise YamlProblem(1, "YAML is nested too deeply") from None
    finally:
        loader.dispose()
    key_lines: dict[str, int] = {}
    item_lines: dict[str, tuple[int, ...]] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        key_lines[key] = key_node.start_mark.line + 1
        if isinstance(value_node, yaml.SequenceNode):
            item_lines[key] = tuple(item.start_mark.line + 1 for item in value_node.value)
        elif isinstance(value_node, yaml.MappingNode):  # one level down, as 'paths.output'
            for sub_key, _ in value_node.value:
                key_lines.setdefault(f"{key}.{sub_key.value}", sub_key.start_mark.line + 1)
    return YamlMapping({str(k): v for k, v in data.items()}, key_lines, item_lines)


MAX_DEPTH = 20  # lists in mappings in lists...: real front matter needs three or four


def _check_depth(root: yaml.Node) -> None:
    """Refuse aliases and deep nesting before constructing: later stages (templates,
    the cache's pickles, JSON) recurse once per level and would crash, not report."""
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
            continue
        for child in children:
            if id(child) in seen:  # an alias: never walk an alias bomb's expansion
                raise _AliasRefused(child.start_mark.line + 1, "YAML aliases (*name) are not allowed",
                                    "write the value out in full")
            seen.add(id(child))
            stack.append((child, depth + 1))


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
