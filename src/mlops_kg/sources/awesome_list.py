"""Reader for Markdown "awesome lists" such as EthicalML's awesome-production-machine-learning.

Shape: ``## Section`` headings, entries ``* [Name](url) ![](stars badge) - text``. The category
of an entry is its heading path below the document title (``##`` and deeper); an entry directly
under a ``#`` heading other than the title takes that heading. The text after the link is prose
and is not read.
"""
from __future__ import annotations

import re

from .catalogue import CatalogueError, Record, clean_name, file_label, link_record, read_text

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_ENTRY_START = re.compile(r"^\s*[*+-]\s+\[")
_ENTRY = re.compile(r"^\s*[*+-]\s+\[(?P<name>(?:[^\[\]]|\[[^\]]*\])+)\]\((?P<url>[^)\s]+)\)(?P<rest>.*)$")
#: Headings that organise the document rather than name a category of tools.
_STRUCTURAL = {"main content", "contents", "table of contents"}


def read_awesome_list(path, *, source: str = "awesome-production-ml") -> list[Record]:
    """The tool entries of a Markdown awesome list, in file order."""
    text = read_text(path, expected="a Markdown file", error=CatalogueError)
    where = file_label(path)
    records: list[Record] = []
    headings: list[tuple[int, str]] = []
    title_seen = False
    fenced = False
    lines = text.splitlines()
    # Lists with a "# Main Content" heading keep navigation and news above it: start there.
    first = next((i for i, line in enumerate(lines) if _is_main_content(line)), 0)
    for number, line in enumerate(lines[first:], start=first + 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            continue
        heading = _HEADING.match(line)
        if heading:
            level, title = len(heading.group(1)), _plain(heading.group(2))
            if level == 1 and (not title_seen or title.lower() == "main content"):
                title_seen = True
                headings = []
                continue
            headings = [h for h in headings if h[0] < level]
            if title.lower() not in _STRUCTURAL:
                headings.append((level, title))
            continue
        if not _ENTRY_START.match(line):
            continue
        entry = _ENTRY.match(line)
        if not entry:
            raise CatalogueError(f"{path}:{number}: a list entry is not '* [Name](url) ...'; "
                                 "fix the Markdown link")
        if not headings:
            continue  # a link list before the first section (badges, navigation)
        name, aliases = clean_name(entry.group("name"))
        if not name:
            raise CatalogueError(f"{path}:{number}: a list entry has an empty name")
        records.append(link_record(source=source, name=name, aliases=aliases, url=entry.group("url"),
                                   rest=entry.group("rest"), file=where, line=number,
                                   categories=tuple(title for _, title in headings)))
    if not records:
        raise CatalogueError(f"{path}: no entries '* [Name](url)' under a '##' heading; "
                             "is this an awesome list?")
    return records


def _is_main_content(line: str) -> bool:
    heading = _HEADING.match(line)
    return bool(heading) and len(heading.group(1)) == 1 and _plain(heading.group(2)).lower() == "main content"


def _plain(title: str) -> str:
    """A heading without links, emphasis or emoji."""
    title = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", title)
    name, _ = clean_name(title)
    return name
