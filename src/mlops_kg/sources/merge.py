"""Merging the records of several catalogues into entities, one per real-world project.

Rule: records with the same normalised repository are one entity; a repository a catalogue
says has moved (best-of's ``updated_github_id``) counts as the one it moved to. A record without a
repository joins the entity whose records carry the same normalised name, when exactly one
entity does; otherwise records without a repository group by normalised name. Every record is
kept, so where catalogues disagree each one's value stays visible; :func:`preferred` picks one
value by a stated rule.

The report lists merges (entities stated by several sources), near-misses (probably the same
project but not merged: one name on different repositories, or one entity's former or extra
repository being another's main one) and conflicts (sources disagreeing on a fact).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..model.names import normalize_name
from .catalogue import Record, normalise_repository

#: Which source's value wins when sources disagree: foundation landscapes (maintained by the
#: projects' foundations) first, then best-of (collected from GitHub and PyPI by its generator),
#: then the hand-written awesome lists. Within a source, the file given first to
#: :func:`merge_records` wins (list the newest snapshot first).
SOURCE_PRIORITY = ("lfai", "cncf", "best-of-ml-python", "awesome-production-ml", "awesome-llmops")

#: Facts compared for conflicts. Stars and dates are left out: snapshots of different dates
#: differ on them without disagreeing.
COMPARED = ("licence", "homepage", "maturity", "archived", "pypi", "conda")


@dataclass(frozen=True)
class Entity:
    """One project as every catalogue that lists it states it; ``records`` are ranked, the
    preferred source first (:data:`SOURCE_PRIORITY`, then the order files were given in)."""

    key: str
    repository: str | None
    records: tuple[Record, ...]
    merged_by: str  # "repository", "moved repository" (a former id joined) or "name"

    @property
    def name(self) -> str:
        """The name the preferred source gives (see :func:`preferred`)."""
        return preferred(self, "name")

    @property
    def sources(self) -> tuple[str, ...]:
        """The catalogues that list this project, in :data:`SOURCE_PRIORITY` order."""
        return tuple(sorted({r.source for r in self.records}, key=_source_rank))

    def values(self, attribute: str) -> dict[str, object]:
        """``{"<source>:<file>": value}`` for every file that states ``attribute`` (a file
        listing the project twice speaks through its first entry)."""
        found: dict[str, object] = {}
        for record in self.records:
            value = getattr(record, attribute)
            if value not in (None, (), ""):
                found.setdefault(f"{record.source}:{record.file}", value)
        return found


@dataclass(frozen=True)
class MergeReport:
    """The merged catalogue and what a curator should look at.

    Attributes
    ----------
    entities : tuple of Entity
        Every project once: those with a repository sorted by it, then the rest by name.
    merges : tuple of Entity
        Entities listed by more than one catalogue.
    near_misses : tuple
        ``(name, repositories)``: probably one project, left unmerged on purpose.
    conflicts : tuple
        ``(entity key, attribute, ((source, value), ...))`` where catalogues disagree.
    counts : dict
        Figures for the report (records, entities, merges, ...).
    """

    entities: tuple[Entity, ...]
    merges: tuple[Entity, ...]
    near_misses: tuple[tuple[str, tuple[str, ...]], ...]
    conflicts: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]
    counts: dict = field(default_factory=dict)


def preferred(entity: Entity, attribute: str):
    """The value of ``attribute`` from the highest-ranked record that states it (see
    :data:`SOURCE_PRIORITY`), or None."""
    for record in entity.records:
        value = getattr(record, attribute)
        if value not in (None, (), ""):
            return value
    return None


def merge_records(records) -> MergeReport:
    """Merge records of any number of catalogues into entities; see the module docstring.

    Near-linear: one pass to group, one over the groups to report.
    """
    records = list(records)
    file_order: dict[str, int] = {}
    for record in records:
        file_order.setdefault(record.file, len(file_order))

    def ranked(group):
        return tuple(sorted(group, key=lambda r: (_source_rank(r.source), file_order[r.file], r.line)))

    # A repository that moved is still one repository: follow every stated move to its end.
    moved: dict[str, str] = {}
    for record in records:
        for former in record.former_repositories:
            if record.repository and former != record.repository:
                moved.setdefault(former, record.repository)

    def current(repository: str) -> str:
        seen = set()
        while repository in moved and repository not in seen:
            seen.add(repository)
            repository = moved[repository]
        return repository

    by_repository: dict[str, list[Record]] = defaultdict(list)
    without: list[Record] = []
    followed: set[str] = set()
    for record in records:
        if record.repository:
            repository = current(record.repository)
            if repository != record.repository:
                followed.add(repository)
            by_repository[repository].append(record)
        else:
            without.append(record)

    names_to_repositories: dict[str, set[str]] = defaultdict(set)
    for repository, group in by_repository.items():
        for record in group:
            for name in (record.name, *record.aliases):
                names_to_repositories[normalize_name(name)].add(repository)

    by_name: dict[str, list[Record]] = defaultdict(list)
    joined: dict[str, list[Record]] = defaultdict(list)
    for record in without:
        key = normalize_name(record.name)
        repositories = names_to_repositories.get(key, ())
        if len(repositories) == 1:
            joined[next(iter(repositories))].append(record)
        else:
            by_name[key].append(record)

    entities = []
    for repository in sorted(by_repository):
        group = by_repository[repository] + joined.get(repository, [])
        how = ("name" if repository in joined
               else "moved repository" if repository in followed else "repository")
        entities.append(Entity(repository, repository, ranked(group), how))
    for key in sorted(by_name):
        entities.append(Entity(f"name:{key}", None, ranked(by_name[key]), "name"))

    merges = tuple(e for e in entities if len({r.source for r in e.records}) > 1)
    return MergeReport(
        entities=tuple(entities),
        merges=merges,
        near_misses=tuple(_near_misses(entities, names_to_repositories)),
        conflicts=tuple(_conflicts(entities)),
        counts={
            "records": len(records),
            "entities": len(entities),
            "repositories": len(by_repository),
            "merged across sources": len(merges),
            "joined by name": sum(len(v) for v in joined.values()),
            "joined through a moved repository": len(followed),
            "without repository": sum(1 for e in entities if e.repository is None),
        },
    )


def _near_misses(entities, names_to_repositories):
    """Likely the same project, not merged: one normalised name on several repositories
    (forks, moves, monorepos), and a repository that is another entity's former or extra one."""
    found = []
    for name in sorted(names_to_repositories):
        repositories = names_to_repositories[name]
        if len(repositories) > 1:
            found.append((f"name {name!r} on several repositories", tuple(sorted(repositories))))
    main = {e.repository for e in entities if e.repository}
    for entity in entities:
        others = sorted({o for r in entity.records for o in r.other_repositories
                         if o in main and o != entity.repository})
        if others:
            found.append((f"{entity.key} also lists another entity's repository",
                          (entity.key, *others)))
    return found


def _conflicts(entities):
    """Facts on which sources disagree. Each source speaks through its preferred file (the
    newest snapshot): snapshots of one catalogue differing is a change over time."""
    found = []
    for entity in entities:
        if len({r.source for r in entity.records}) < 2:
            continue
        names = _per_source(entity, "name")
        if len({normalize_name(value) for _, value in names}) > 1:
            found.append((entity.key, "name", names))
        repositories = _repositories(entity)
        for attribute in COMPARED:
            per_source = _per_source(entity, attribute)
            if attribute == "homepage":
                # A catalogue that has no homepage often repeats the repository URL instead.
                per_source = tuple(p for p in per_source
                                   if normalise_repository(p[1]) not in repositories)
            distinct = {_comparable(attribute, value) for _, value in per_source}
            if len(distinct) > 1:
                found.append((entity.key, attribute, per_source))
    return found


def _repositories(entity) -> set[str]:
    return {r.repository for r in entity.records if r.repository} | {
        o for r in entity.records for o in (*r.other_repositories, *r.former_repositories)}


def _per_source(entity, attribute) -> tuple[tuple[str, str], ...]:
    """``(("<source>:<file>", value), ...)``: each source's first stated value."""
    seen, found = set(), []
    for where, value in entity.values(attribute).items():
        source = where.split(":", 1)[0]
        if source not in seen:
            seen.add(source)
            found.append((where, str(value)))
    return tuple(found)


def _comparable(attribute, value) -> str:
    text = str(value)
    if attribute == "homepage":
        text = text.lower().split("://", 1)[-1].removeprefix("www.").split("#", 1)[0].rstrip("/")
    return text


def _source_rank(source: str) -> int:
    return SOURCE_PRIORITY.index(source) if source in SOURCE_PRIORITY else len(SOURCE_PRIORITY)


def format_report(report: MergeReport, *, limit: int = 20) -> str:
    """A plain-text summary of a merge: the counts, then up to ``limit`` merges, near-misses
    and conflicts each (the rest are counted, not listed)."""
    lines = ["counts: " + ", ".join(f"{key} {value:,}" for key, value in report.counts.items())]

    def section(title, items, show):
        lines.append(f"{title} ({len(items):,})")
        lines.extend("  " + show(item) for item in items[:limit])
        if len(items) > limit:
            lines.append(f"  ... {len(items) - limit:,} more")

    section("merged across sources", report.merges,
            lambda e: f"{e.key}: " + ", ".join(f"{r.source} {r.name!r}" for r in e.records))
    section("near-misses", report.near_misses, lambda m: f"{m[0]}: {', '.join(m[1])}")
    section("conflicts", report.conflicts,
            lambda c: f"{c[0]} {c[1]}: " + "; ".join(f"{where} {value!r}" for where, value in c[2]))
    return "\n".join(lines)
