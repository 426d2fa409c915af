"""A reader for the YAML that docker-compose.yml uses, so its checks need no PyYAML.

Block mappings and sequences, flow sequences on one line, quoted and plain scalars, YAML 1.1
booleans. Anything else (anchors, block scalars, flow mappings, tabs, several documents)
raises :class:`YAMLSubsetError` rather than being read wrong.
"""

from __future__ import annotations

import json
import re


class YAMLSubsetError(ValueError):
    """The file uses YAML this reader does not handle (anchors, block scalars, tabs...)."""


_BOOLS = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}


def load_yaml_subset(text: str) -> object:
    """Parse block mappings/sequences, flow sequences and scalars (YAML 1.1 booleans)."""
    lines: list[tuple[int, str, int]] = []
    for n, raw in enumerate(text.splitlines(), 1):
        body = _strip_comment(raw).rstrip()
        if not body.strip():
            continue
        indent = len(body) - len(body.lstrip(" "))
        if body[indent : indent + 1] == "\t":
            raise YAMLSubsetError(f"line {n}: tab indentation")
        if body.strip() in ("---", "..."):
            raise YAMLSubsetError(f"line {n}: multiple documents")
        lines.append((indent, body.strip(), n))
    if not lines:
        return None
    value, i = _block(lines, 0, lines[0][0])
    if i != len(lines):
        raise YAMLSubsetError(f"line {lines[i][2]}: unexpected indentation")
    return value


def _strip_comment(line: str) -> str:
    quote = None
    for i, c in enumerate(line):
        if quote:
            quote = None if c == quote else quote
        elif c in "\"'" and (i == 0 or line[i - 1] in " [,:-"):
            quote = c
        elif c == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i]
    return line


def _block(lines: list[tuple[int, str, int]], i: int, indent: int) -> tuple[object, int]:
    if lines[i][1] == "-" or lines[i][1].startswith("- "):
        items: list[object] = []
        while (
            i < len(lines)
            and lines[i][0] == indent
            and (lines[i][1] == "-" or lines[i][1].startswith("- "))
        ):
            item = lines[i][1][1:].strip()
            if not item:
                if i + 1 >= len(lines) or lines[i + 1][0] <= indent:
                    items.append(None)
                    i += 1
                else:
                    value, i = _block(lines, i + 1, lines[i + 1][0])
                    items.append(value)
            elif _split_key(item) is not None:
                inner = indent + len(lines[i][1]) - len(item)
                value, i = _block(
                    [*lines[:i], (inner, item, lines[i][2]), *lines[i + 1 :]], i, inner
                )
                items.append(value)
            else:
                items.append(_scalar(item, lines[i][2]))
                i += 1
        return items, i
    mapping: dict[str, object] = {}
    while i < len(lines) and lines[i][0] == indent:
        _, body, n = lines[i]
        split = _split_key(body)
        if split is None:
            raise YAMLSubsetError(f"line {n}: expected `key: value`")
        key, rest = split
        if key in mapping:
            raise YAMLSubsetError(f"line {n}: duplicate key {key!r}")
        i += 1
        if rest:
            mapping[key] = _scalar(rest, n)
        elif i < len(lines) and (
            lines[i][0] > indent
            or (lines[i][0] == indent and (lines[i][1] == "-" or lines[i][1].startswith("- ")))
        ):
            mapping[key], i = _block(lines, i, lines[i][0])
        else:
            mapping[key] = None
    return mapping, i


def _split_key(body: str) -> tuple[str, str] | None:
    m = re.match(r"""^("[^"]*"|'[^']*'|[^\s"'#\[\]{},:][^:#]*?)\s*:(?:\s+(.*)|$)""", body)
    if not m:
        return None
    key = m[1]
    if key[0] in "\"'":
        key = key[1:-1]
    return key, (m[2] or "").strip()


def _scalar(text: str, n: int) -> object:
    if text[0] in "&*!|>%@`" or text.startswith("{") and text != "{}":
        raise YAMLSubsetError(f"line {n}: unsupported YAML {text[:20]!r}")
    if text == "{}":
        return {}
    if text.startswith("["):
        if not text.endswith("]"):
            raise YAMLSubsetError(f"line {n}: flow sequence must end on its line")
        inner = text[1:-1].strip()
        parts = re.findall(r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[^,]+)\s*(?:,|$)""", inner)
        return [_scalar(p.strip(), n) for p in parts] if inner else []
    if text.startswith('"'):
        return json.loads(text)
    if text.startswith("'"):
        return text[1:-1].replace("''", "'")
    if text.lower() in _BOOLS:
        return _BOOLS[text.lower()]
    if text in ("~", "null", "Null", "NULL"):
        return None
    if re.fullmatch(r"[-+]?\d+", text):
        return int(text)
    return text
