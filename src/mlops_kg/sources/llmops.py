"""Reader for Awesome-LLMOps style Markdown tables.

Shape: ``##`` / ``###`` section headings, each over a table ``| Project | Details | Repository |``
whose rows are ``| [Name](url) | text | ![GitHub Badge](stars badge) |``. The link is the
homepage or the repository; the stars badge names the GitHub repository. "Details" is prose and
is not read, except the list's marker of an archived project, ``*(Archived)*``.
"""
from __future__ import annotations

import dataclasses
import re

from .catalogue import CatalogueError, Record, clean_name, file_label, link_record, read_text

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_LINK = re.compile(r"^\[(?P<name>(?:[^\[\]]|\[[^\]]*\])+)\]\((?P<url>[^)\s]+)\)")
_SEPARATOR = re.compile(r"^\|?(\s*:?-+:?\s*\|)+\s*(:?-+:?\s*)?$")
_STRUCTURAL = {"table of contents", "contents"}
_ARCHIVED = re.compile(r"[*_]\(Archived\)[*_]")


def read_llmops(path, *, source: str = "awesome-llmops") -> list[Record]:
    """The table rows of an Awesome-LLMOps style list, in file order."""
    text = read_text(path, expected="a Markdown file", error=CatalogueError)
    where = file_label(path)
    records: list[Record] = []
    headings: list[tuple[int, str]] = []
    in_table = False
    for number, line in enumerate(text.splitlines(), start=1):
        heading = _HEADING.match(line)
        if heading:
            level, title = len(heading.group(1)), _plain(heading.group(2))
            headings = [h for h in headings if h[0] < level]
            headings.append((level, title))
            in_table = False
            continue
        stripped = line.strip()
        if not stripped.startswith("|"):
            in_table = False
            continue
        if _SEPARATOR.match(stripped):
            in_table = True  # the rows below a header separator are items
            continue
        if not in_table:
            continue  # the header row
        cells = [cell.strip() for cell in stripped.strip("|").split("|")]
        link = _LINK.match(cells[0]) if cells else None
        if not link:
            raise CatalogueError(f"{path}:{number}: the first cell of a table row is not "
                                 "'[Name](url)'; fix the Markdown link")
        categories = tuple(title for level, title in headings
                           if level >= 2 and title.lower() not in _STRUCTURAL)
        if not categories:
            raise CatalogueError(f"{path}:{number}: a table row outside any '##' section")
        name, aliases = clean_name(link.group("name"))
        record = link_record(source=source, name=name, aliases=aliases, url=link.group("url"),
                             rest=" ".join(cells[1:]), file=where, line=number, categories=categories)
        if len(cells) > 1 and _ARCHIVED.search(cells[1]):
            record = dataclasses.replace(record, archived=True)
        records.append(record)
    if not records:
        raise CatalogueError(f"{path}: no table rows '| [Name](url) | ... |' under a '##' heading; "
                             "is this an Awesome-LLMOps list?")
    return records


def _plain(title: str) -> str:
    title = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", title)
    name, _ = clean_name(title)
    return name
