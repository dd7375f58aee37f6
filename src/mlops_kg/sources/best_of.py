"""Readers for best-of lists (ml-tooling/best-of-ml-python): ``projects.yaml`` and the
generated ``history/<date>_projects.csv``.

The YAML is what maintainers write (name, ``github_id``, ``pypi_id``, ``conda_id``, category
id, labels, sometimes a licence); the CSV is what the best-of generator collected for the same
projects (licence as SPDX id, homepage, stars, creation / last-commit / release dates, and
``updated_github_id`` when the repository moved). Categories are the list's category ids
(``hyperopt``, ``nlp``); a project without one is in the list's ``others`` category, as the
generator places it. Descriptions are not read.

best-of-ml-python's data is CC-BY-SA-4.0: keep what is derived from it separable.
"""
from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

from .catalogue import (CatalogueError, Record, count, file_label, iso_date, load_yaml,
                        normalise_repository, read_text, spdx_licence, text_value)

#: The category best-of gives a project that names none.
DEFAULT_CATEGORY = "others"
_REQUIRED_COLUMNS = ("name", "github_id", "category")


def read_best_of(path, *, source: str = "best-of-ml-python") -> list[Record]:
    """Read a best-of ``projects.yaml`` or ``*_projects.csv``, chosen by the file's suffix."""
    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return read_best_of_yaml(path, source=source)
    if suffix == ".csv":
        return read_best_of_csv(path, source=source)
    raise CatalogueError(f"{path}: expected a best-of projects.yaml or projects CSV (.yaml, .csv)")


def read_best_of_yaml(path, *, source: str = "best-of-ml-python") -> list[Record]:
    """The projects of a best-of ``projects.yaml``, in file order."""
    document = load_yaml(path, expected="a best-of projects.yaml")
    if not isinstance(document, dict) or not isinstance(document.get("projects"), list):
        raise CatalogueError(f"{path}: no top-level 'projects:' list; is this a best-of projects.yaml?")
    where = file_label(path)
    records = []
    for project in document["projects"]:
        if not isinstance(project, dict):
            raise CatalogueError(f"{path}: a project is not a mapping; each needs 'name:' and 'github_id:'")
        line = project.get("__line__", 0)
        name = text_value(project.get("name"))
        if not name:
            raise CatalogueError(f"{path}:{line}: a project has no name; add 'name:'")
        homepage = text_value(project.get("homepage")) or text_value(project.get("docs_url"))
        records.append(_record(project, source=source, where=where, line=line, name=name, homepage=homepage))
    return records


def read_best_of_csv(path, *, source: str = "best-of-ml-python") -> list[Record]:
    """The projects of a best-of projects CSV, in file order."""
    text = read_text(path, expected="a CSV file", error=CatalogueError)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [column for column in _REQUIRED_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise CatalogueError(f"{path}: no column {', '.join(missing)} in the header; "
                             "is this a best-of projects CSV?")
    where = file_label(path)
    records = []
    line = 1  # the header's last line; a row starts on the line after the previous row ends
    try:
        for row in reader:
            start, line = line + 1, reader.line_num
            name = text_value(row.get("name"))
            if not name:
                raise CatalogueError(f"{path}:{start}: a row has no name")
            records.append(_record(row, source=source, where=where, line=start, name=name,
                                   homepage=text_value(row.get("homepage"))))
    except csv.Error as exc:
        raise CatalogueError(f"{path}:{reader.line_num}: not valid CSV ({exc})") from None
    return records


def _record(fields, *, source: str, where: str, line: int, name: str, homepage: str | None) -> Record:
    """The record of one project, from a YAML mapping or a CSV row (same field names; the
    counts, dates and moved repository only the CSV has are None for the YAML)."""
    github_id = text_value(fields.get("github_id"))
    moved_to = text_value(fields.get("updated_github_id"))
    repository = _github(moved_to) or _github(github_id)
    former = _github(github_id) if moved_to else None
    licence_given = text_value(fields.get("license"))
    return Record(
        source=source,
        key=github_id or name,
        name=name,
        file=where,
        line=line,
        homepage=homepage,
        repository=repository,
        former_repositories=(former,) if former and former != repository else (),
        licence=spdx_licence(licence_given),
        licence_given=licence_given,
        categories=((text_value(fields.get("category")) or DEFAULT_CATEGORY,),),
        labels=_labels(fields.get("labels"), fields.get("resource")),
        stars=count(fields.get("star_count")),
        created=iso_date(fields.get("created_at")),
        last_commit=iso_date(fields.get("last_commit_pushed_at")),
        latest_release=iso_date(fields.get("latest_stable_release_published_at")),
        pypi=text_value(fields.get("pypi_id")),
        conda=text_value(fields.get("conda_id")),
    )


def _github(github_id: str | None) -> str | None:
    if not github_id:
        return None
    return normalise_repository(f"https://github.com/{github_id.strip().strip('/')}")


def _labels(value, resource) -> tuple[str, ...]:
    """Labels from a YAML list or the CSV's ``"['a', 'b']"``; ``resource`` marks a project that
    is itself a list of projects, not a tool."""
    labels: list[str] = []
    if isinstance(value, list):
        labels = [str(v).strip() for v in value]
    elif isinstance(value, str) and value.strip():
        try:
            parsed = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError):
            parsed = [part.strip(" '\"") for part in value.strip("[] ").split(",")]
        labels = [str(v).strip() for v in (parsed if isinstance(parsed, (list, tuple)) else [parsed])]
    if resource is True or str(resource).strip().lower() == "true":
        labels.append("resource")
    return tuple(sorted({label for label in labels if label}))
