"""Reader for landscape.yml files (LF AI & Data, CNCF) and their processed_landscape.yml.

Shape: ``landscape: [{category, name, subcategories: [{subcategory, name, items: [...]}]}]``.
An item has ``name``, ``homepage_url``, ``repo_url``, ``project`` (foundation maturity),
``second_path`` (more category paths), ``additional_repos``, ``extra``; a processed file adds
``github_data`` (licence, languages, stars, dates) and ``github_start_commit_data``.
"""
from __future__ import annotations

import re

from .catalogue import (CatalogueError, Record, count, file_label, iso_date, load_yaml, maturity,
                        normalise_repository, spdx_licence, text_value)

#: "Name (ABBR)": an abbreviation in parentheses is an alias ("Computer Vision Annotation Tool
#: (CVAT)", "text-generation-inference (TGI)"). The CNCF's programme markers are not.
_ABBREVIATION = re.compile(r"^(?P<name>.+?)\s*\((?P<alias>[A-Z][A-Z0-9.+-]{1,9})\)$")
_NOT_ALIASES = {"KCSP", "KCNTP"}

#: GitHub's language list includes markup and build files; a language counts when it holds at
#: least this share of the repository's bytes (the largest one always counts).
LANGUAGE_SHARE = 0.05


def read_landscape(path, *, source: str = "lfai") -> list[Record]:
    """The items of a landscape.yml or processed_landscape.yml, in file order.

    Parameters
    ----------
    path : str or os.PathLike
        The landscape file, in the LF AI & Data / CNCF shape (``landscape:`` of categories,
        subcategories and items).
    source : str
        The source key stamped on every record (``"lfai"`` for the LF AI & Data landscape).

    Returns
    -------
    list of Record
        One record per item; an item listed under a ``second_path`` is still one record, with
        every category path it appears under.

    Raises
    ------
    CatalogueError
        When the file is not a landscape (no top-level list) or an item or category has no name.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder, "landscape.yml")
    ...     _ = path.write_text(
    ...         "landscape:\\n"
    ...         "  - name: Model\\n"
    ...         "    subcategories:\\n"
    ...         "      - name: Inference\\n"
    ...         "        items:\\n"
    ...         "          - name: Text Generation Inference (TGI)\\n"
    ...         "            repo_url: https://github.com/huggingface/text-generation-inference\\n")
    ...     [record] = read_landscape(path)
    >>> record.name, record.aliases, record.categories
    ('Text Generation Inference (TGI)', ('TGI',), (('Model', 'Inference'),))
    """
    document = load_yaml(path, expected="a landscape.yml file")
    where = file_label(path)
    if not isinstance(document, dict) or not isinstance(document.get("landscape"), list):
        raise CatalogueError(f"{path}: no top-level 'landscape:' list; is this a landscape.yml file?")
    records: list[Record] = []
    for category in document["landscape"]:
        category_name = _name(category, path, "category")
        for subcategory in category.get("subcategories") or []:
            path_here = (category_name, _name(subcategory, path, "subcategory"))
            for item in subcategory.get("items") or []:
                records.append(_record(item, path_here, source, where, path))
    return records


def _name(node, path, kind: str) -> str:
    if not isinstance(node, dict):
        raise CatalogueError(f"{path}: a {kind} is not a mapping; is this a landscape.yml file?")
    name = text_value(node.get("name"))
    if not name:
        raise CatalogueError(f"{path}:{node.get('__line__', '?')}: a {kind} has no name; add 'name:'")
    return name


def _record(item, category_path, source: str, where: str, path) -> Record:
    if not isinstance(item, dict):
        raise CatalogueError(f"{path}: an item of {' / '.join(category_path)} is not a mapping")
    line = item.get("__line__", 0)
    name = text_value(item.get("name"))
    if not name:
        raise CatalogueError(f"{path}:{line}: an item has no name; add 'name:'")
    categories = [category_path]
    for extra_path in item.get("second_path") or []:
        parts = tuple(part.strip() for part in str(extra_path).split(" / "))
        if parts not in categories:
            categories.append(parts)
    extra = item.get("extra") if isinstance(item.get("extra"), dict) else {}
    project = text_value(item.get("project"))
    archived = None
    if (project or "").lower() == "archived" or extra.get("archived"):
        archived = True
    others = []
    for repo in item.get("additional_repos") or []:
        url = normalise_repository(repo.get("repo_url") if isinstance(repo, dict) else repo,
                                   any_host=True)
        if url and url not in others:
            others.append(url)
    github = item.get("github_data") if isinstance(item.get("github_data"), dict) else {}
    start = item.get("github_start_commit_data")
    licence_given = text_value(github.get("license")) or text_value(item.get("license"))
    aliases = ()
    abbreviation = _ABBREVIATION.match(name)
    if abbreviation and abbreviation.group("alias") not in _NOT_ALIASES:
        aliases = (abbreviation.group("alias"),)
    return Record(
        source=source,
        key=name,
        name=name,
        aliases=aliases,
        file=where,
        line=line,
        homepage=text_value(item.get("homepage_url")),
        repository=normalise_repository(text_value(item.get("repo_url")), any_host=True),
        other_repositories=tuple(others),
        licence=spdx_licence(licence_given),
        licence_given=licence_given,
        languages=_languages(github.get("languages")),
        categories=tuple(categories),
        labels=("ai",) if extra.get("ai") is True else (),
        stars=count(github.get("stars")),
        created=iso_date(start.get("start_date")) if isinstance(start, dict) else None,
        last_commit=iso_date(github.get("latest_commit_date")),
        latest_release=iso_date(github.get("release_date")),
        maturity=maturity(project),
        archived=archived,
        observed=_observed(github.get("firstWeek")),
    )


def _observed(first_week) -> str | None:
    """The day the GitHub data of an entry was taken: the start of the last week of its 52-week
    commit series, which starts at ``firstWeek``. LF AI's landscape stopped refreshing this data
    at different times for different entries, so the file's own date says nothing of when an
    entry's last commit was seen (Feast's of 2023-11-18 was seen in November 2023, not in 2024).

    Examples
    --------
    >>> _observed("2022-11-27Z"), _observed(None)
    ('2023-11-19', None)
    """
    from datetime import date, timedelta

    start = iso_date(first_week)
    if start is None:
        return None
    return (date.fromisoformat(start) + timedelta(weeks=51)).isoformat()


def _languages(entries) -> tuple[str, ...]:
    if not isinstance(entries, list):
        return ()
    sized = [(count(e.get("value")) or 0, str(e["name"])) for e in entries
             if isinstance(e, dict) and text_value(e.get("name"))]
    if not sized:
        return ()
    total = sum(size for size, _ in sized) or 1
    sized.sort(key=lambda pair: (-pair[0], pair[1]))
    return tuple(name for i, (size, name) in enumerate(sized) if i == 0 or size / total >= LANGUAGE_SHARE)
