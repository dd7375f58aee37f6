"""Reading Markdown guides in the shape of the seed guide, line by line, forgivingly.

A guide has an optional numbered list of tool names, then one section per tool::

    ## 3. **Name**
    - **Detailed Explanation**: ...
    - **Alternatives**: A, B (formerly C), D with E
    - **Cloud Technology Equivalents**: ...
    - **Languages Used**: Python, YAML
    - **Usage in Data Engineering**: ...
    - **Industry Use**:
      - **Healthcare**: ...

Bullets may be ``-``, ``*`` or ``+``; headings may lack the number or the bold; a field may
continue on the next line; unknown fields are kept. Line numbers are kept for the report.
This module only parses; :mod:`mlops_kg.sources.importer` turns the result into RDF.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

#: Field names as written → our field keys.
FIELD_NAMES = {
    "detailed explanation": "description", "explanation": "description", "description": "description",
    "overview": "description", "summary": "description",
    "alternatives": "alternatives", "alternative tools": "alternatives", "alternative": "alternatives",
    "cloud technology equivalents": "cloud", "cloud equivalents": "cloud", "cloud technology equivalent": "cloud",
    "cloud equivalent": "cloud", "cloud services": "cloud", "managed equivalents": "cloud",
    "languages used": "languages", "languages": "languages", "language": "languages",
    "programming languages": "languages",
    "usage in data engineering": "data_engineering", "use in data engineering": "data_engineering",
    "data engineering usage": "data_engineering", "data engineering": "data_engineering",
    "industry use": "industries", "industry use cases": "industries", "industries": "industries",
    "industry usage": "industries", "use cases": "industries",
    "licence": "licence", "license": "licence", "licensing": "licence",
}

_HEADING = re.compile(r"^(#{1,6})\s*(.*?)\s*#*\s*$")
_NUMBERED = re.compile(r"^\s*(\d+)[.)]\s+(.*\S)\s*$")
_BULLET = re.compile(r"^(\s*)[-*+]\s+(.*\S)\s*$")
_BOLD_FIELD = re.compile(r"^\*\*(.+?)\*\*\s*:?\s*(.*)$|^__(.+?)__\s*:?\s*(.*)$")
_PLAIN_FIELD = re.compile(r"^([A-Za-z][A-Za-z /&-]{2,40}):\s*(.*)$")
#: Terminal escape sequences (CSI "ESC [ ... m", OSC "ESC ] ... BEL", two-character escapes), removed whole.
_ESCAPE_SEQUENCE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[ -/]*[0-~])")
#: C0 and C1 controls but the tab, and the invisible marks that reorder text (bidi overrides,
#: isolates, directional marks) or break it (line and paragraph separators).
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


@dataclass
class Item:
    """A value with the line it came from."""

    text: str
    line: int


@dataclass
class Section:
    """One detailed section of a guide (``## 3. Kubeflow``): the tool it is about, its number as
    written, its ``Field: value`` lines, its industry use cases and the fields not understood,
    each with the line it came from."""

    name: str
    line: int
    number: int | None = None
    fields: dict[str, Item] = field(default_factory=dict)
    industries: list[tuple[Item, Item]] = field(default_factory=list)  # (industry, description)
    unknown: list[tuple[str, Item]] = field(default_factory=list)      # (field name as written, value)


@dataclass
class Guide:
    """What :func:`parse_guide` read from a Markdown guide: its title, the numbered tool list,
    the detailed sections, and the lines it skipped (reported, never fatal)."""

    title: str | None = None
    listed: list[tuple[int, Item]] = field(default_factory=list)       # (position, name)
    sections: list[Section] = field(default_factory=list)
    problems: list[Item] = field(default_factory=list)                 # report lines (skipped input)


def _strip_markup(text: str) -> str:
    text = re.sub(r"\*\*|__", "", text)
    text = re.sub(r"(?<!\w)[*_`](.+?)[*_`](?!\w)", r"\1", text)
    return text.strip().strip(":").strip()


def parse_guide(text: str) -> Guide:
    """Parse Markdown ``text`` into a :class:`Guide` (never raises on odd Markdown)."""
    guide = Guide()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    current: Section | None = None
    last: tuple[str, object] | None = None   # what a continuation line extends
    in_industries = False
    list_position = 0
    for number, raw in enumerate(lines, 1):
        if _CONTROL.search(raw):
            guide.problems.append(Item(f"removed control characters from {raw.strip()[:80]!r}", number))
            raw = without_controls(raw)
        line = raw.rstrip()
        if not line.strip():
            last = None if last and last[0] == "list" else last
            continue
        heading = _HEADING.match(line)
        if heading:
            level, title = len(heading.group(1)), heading.group(2)
            in_industries, last = False, None
            if level == 1:
                guide.title = guide.title or _strip_markup(title)
                current = None
                continue
            numbered = re.match(r"^(\d+)[.)]?\s*(.*)$", title)
            section_number = int(numbered.group(1)) if numbered else None
            name = _strip_markup(numbered.group(2) if numbered else title)
            if not name:
                guide.problems.append(Item("section heading without a tool name; section skipped", number))
                current = Section("", number, section_number)  # swallow its fields
                continue
            current = Section(name, number, section_number)
            guide.sections.append(current)
            continue
        bullet = _BULLET.match(line)
        if bullet:
            indent, body = len(bullet.group(1).expandtabs(4)), bullet.group(2)
            bold = _BOLD_FIELD.match(body)
            key_text, value = (bold.group(1) or bold.group(3), bold.group(2) or bold.group(4) or "") if bold \
                else (None, body)
            if key_text is None:
                plain = _PLAIN_FIELD.match(body)
                if plain and plain.group(1).strip().lower() in FIELD_NAMES:
                    key_text, value = plain.group(1), plain.group(2)
            if current is None:
                continue
            if in_industries and indent > 0 and key_text:
                industry = Item(_strip_markup(key_text), number)
                description = Item(_strip_markup(value), number)
                current.industries.append((industry, description))
                last = ("industry", len(current.industries) - 1)
                continue
            if key_text is None:
                if in_industries and indent > 0:
                    guide.problems.append(Item(f"industry bullet without a bold industry name: {body[:60]!r}", number))
                elif last and last[0] == "field":
                    _extend(current.fields, last[1], " " + _strip_markup(body))
                continue
            key_clean = _strip_markup(key_text).rstrip(":").strip()
            key = FIELD_NAMES.get(key_clean.lower())
            in_industries = key == "industries"
            if key is None:
                current.unknown.append((key_clean, Item(_strip_markup(value), number)))
                last = None
            elif key == "industries":
                last = None
                if value.strip():
                    current.fields["industries_text"] = Item(_strip_markup(value), number)
            else:
                if key in current.fields and value.strip():  # a field given twice: keep both values
                    earlier = current.fields[key]
                    joiner = " " if key in ("description", "data_engineering") else ", "
                    earlier.text = (earlier.text + joiner + _strip_markup(value)).strip(", ")
                    guide.problems.append(Item(f"field {key_clean!r} repeated in section {current.name!r} "
                                               f"(first on line {earlier.line}); values merged", number))
                elif key not in current.fields:
                    current.fields[key] = Item(_strip_markup(value), number)
                last = ("field", key)
            continue
        listed = _NUMBERED.match(line)
        if listed and (current is None or not (current.fields or current.industries or current.unknown)):
            list_position += 1
            guide.listed.append((int(listed.group(1)), Item(_strip_markup(listed.group(2)), number)))
            last = ("list", None)
            continue
        if current is not None and last:
            # a field (or industry description) that continues on the next line
            if last[0] == "field":
                _extend(current.fields, last[1], " " + _strip_markup(line))
            elif last[0] == "industry":
                industry, description = current.industries[last[1]]
                description.text = (description.text + " " + _strip_markup(line)).strip()
    kept = []
    for section in guide.sections:
        if section.fields or section.industries:
            kept.append(section)
        elif section.unknown:
            guide.problems.append(Item(f"section {section.name!r} has no known field "
                                       "(Detailed Explanation, Alternatives, ...); skipped", section.line))
    guide.sections = kept
    return guide


def without_controls(text: str) -> str:
    """``text`` without terminal escape sequences, control characters (but the tab) and bidi
    marks: what a name or description in the graph may hold."""
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text)) if _CONTROL.search(text) else text


def visible(text: str) -> str:
    """``text`` for a report on a terminal: every character a terminal would act on or that
    reorders text (controls, bidi marks, line separators) escaped as ``\\x1b`` or ``\\u202e``
    by :func:`mlops_kg.files.terminal_safe`; line breaks kept."""
    from ..files import terminal_safe

    return terminal_safe(text, keep="\n")


def _extend(fields: dict, key: str, more: str):
    item = fields[key]
    item.text = (item.text + more).strip()


def split_list(text: str) -> list[str]:
    """Split a field value into items: on commas and semicolons outside parentheses, after
    dropping an "e.g." lead-in."""
    text = re.sub(r"^.*?\b(?:e\.g\.|for example|such as|including)[,:]?\s*", "", text, flags=re.I)
    items, depth, current = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if ch in ",;" and depth == 0:
            items.append(current)
            current = ""
        else:
            current += ch
    items.append(current)
    return [i.strip().strip(".").strip() for i in items if i.strip().strip(".").strip()]
