"""Licences from package registries (PyPI, npm) and Debian, read from a committed metadata file.

Run time never fetches. ``scripts/fetch_registry_metadata.py`` (network, curation time only)
writes a trimmed JSON Lines file, one package a line::

    {"registry": "pypi", "package": "zenml", "version": "0.80.0", "fetched": "2026-12-01",
     "license": "Apache-2.0", "license_expression": null,
     "classifiers": ["License :: OSI Approved :: Apache Software License"],
     "urls": ["https://github.com/zenml-io/zenml", "https://zenml.io"]}

Debian source packages (``scripts/fetch_debian_metadata.py``) are rows of the same file with
``"registry": "debian"``, a ``suite`` and, as ``license``, the DEP-5 short name of the
``Files: *`` stanza of the package's ``debian/copyright`` (:func:`dep5_licences` maps it to SPDX);
their ``urls`` are the source package's ``Homepage``, ``Vcs-*`` and ``Go-Import-Path`` fields.

It is committed as ``graph/landscape/upstream/registry-metadata.jsonl`` (beside the graphs made
from it, but under ``upstream/`` because it is an input of ``landscape refresh``, not a graph);
a folder given to ``landscape refresh --from`` may hold a newer ``registry-metadata.jsonl``.

**Matching rule**: a package belongs to an entity only when the package's own metadata points
to the entity's code repository (``urls`` normalised with
:func:`~mlops_kg.sources.catalogue.normalise_repository`); a package whose name merely equals
the entity's is refused. A package pointing to several catalogue repositories goes to the one
whose repository name or entity name is the package's name, else to none. Among an entity's
packages of one registry, the one named like the repository (then like the catalogue's PyPI id,
then like the entity) is preferred, then the rest by name; the first with a licence states it.

**Licence rule** (:func:`package_licences`): the PEP 639 ``license_expression`` when given,
else the ``license`` field when it names SPDX licences, else the licence that field's text
begins with (:func:`licence_from_title`: many packages paste the licence's text there), else
the "License ::" trove classifiers that map to one SPDX id. An SPDX expression gives *each* licence id it names
(``Apache-2.0 OR MIT`` gives both: each is a licence the package is offered under; a ``WITH``
exception is dropped, its licence kept); ``LicenseRef-…`` and npm's ``UNLICENSED``
(proprietary) give nothing.

Output: one named graph per registry, ``https://w3id.org/mlops-kg/graph/source/pypi``,
``…/source/npm`` and ``…/source/debian``, written to ``graph/landscape/pypi.ttl``,
``npm.ttl`` and ``debian.ttl``: ``schema:license`` and ``mlo:pypiPackage`` /
``mlo:npmPackage`` / ``mlo:debianPackage`` for each matched node.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, XSD, Namespace

from ..files import read_text
from ..model.names import normalize_name
from .catalogue import CatalogueError, normalise_repository, spdx_licence

#: The metadata file's name, in ``graph/landscape/upstream/`` or in a ``--from`` folder.
METADATA_FILE = "registry-metadata.jsonl"
#: The curated licences read from LICENSE files (``# source:`` comment per fact).
CURATED_FILE = "curated-licences.ttl"

def github_entities(folder) -> tuple[list, set]:
    """``(entities, repositories)`` for the curation-time fetch scripts: the in-scope catalogue
    entities of the snapshots in ``folder`` that have a GitHub repository, and every repository
    their records name (current, other and former), which a package must point to to count."""
    from .catalogues import read_snapshots
    from .crosswalk import load_crosswalk
    from .merge import merge_records

    crosswalk = load_crosswalk()
    records = [r for r in read_snapshots(Path(folder)) if crosswalk.in_scope(r)]
    entities = [e for e in merge_records(records).entities
                if e.repository and e.repository.startswith("https://github.com/")]
    repositories = {r for e in entities for rec in e.records
                    for r in (rec.repository, *rec.other_repositories, *rec.former_repositories) if r}
    return entities, repositories


_FIELDS = ("registry", "package", "version", "suite", "fetched", "license", "license_expression", "classifiers", "urls")


@dataclass(frozen=True)
class RegistryInfo:
    """A package registry as a source: its graph, output file and publisher."""

    id: str
    title: str
    publisher: str
    homepage: str
    package_property: str  # local name of the mlo: property naming the package
    rights: str = ("Package metadata as published by each package's authors; "
                   "only licence identifiers and package names are taken.")

    @property
    def graph(self) -> URIRef:
        """The named graph of the licence facts taken from this registry."""
        from .landscape_rdf import GRAPH_BASE

        return URIRef(GRAPH_BASE + self.id)

    @property
    def output(self) -> str:
        """The generated file, ``<id>.ttl`` (named by the source, as the catalogues' are)."""
        return f"{self.id}.ttl"


REGISTRIES = (
    RegistryInfo("pypi", "Python Package Index (PyPI) JSON API", "Python Software Foundation",
                 "https://pypi.org", "pypiPackage"),
    RegistryInfo("npm", "npm registry", "npm, Inc. (GitHub)", "https://www.npmjs.com", "npmPackage"),
    RegistryInfo("debian", "Debian archive (source packages' debian/copyright)", "The Debian Project",
                 "https://www.debian.org", "debianPackage",
                 rights="Debian archive indices and each package's debian/copyright (DEP-5) as published by "
                        "its Debian maintainers, stating the upstream licence; only the licence identifier "
                        "of the Files: * stanza and package names are taken."),
)
REGISTRY_BY_ID = {info.id: info for info in REGISTRIES}


@dataclass(frozen=True)
class Package:
    """One row of the metadata file."""

    registry: str
    package: str
    version: str | None
    fetched: str
    license: str | None
    license_expression: str | None
    classifiers: tuple[str, ...]
    urls: tuple[str, ...]
    line: int = 0
    suite: str | None = None

    @property
    def repositories(self) -> frozenset:
        """The code repositories the package's metadata points to, normalised."""
        return package_repositories({"urls": self.urls})

    @property
    def licences(self) -> tuple[str, ...]:
        """The SPDX ids of the package's licence (see :func:`package_licences`; for Debian,
        :func:`dep5_licences`)."""
        if self.registry == "debian":
            return dep5_licences(self.license)
        return package_licences(self.license_expression, self.license, self.classifiers)


def package_repositories(row: dict) -> frozenset:
    """Normalised repositories among a metadata row's ``urls`` (sub-pages such as ``/issues``
    count as their repository).

    Examples
    --------
    >>> sorted(package_repositories({"urls": ["git+https://github.com/Org/Tool.git", "https://tool.dev"]}))
    ['https://github.com/org/tool']
    """
    found = set()
    for url in row.get("urls") or ():
        repository = normalise_repository(re.sub(r"^git\+", "", str(url)))
        if repository:
            found.add(repository)
    return frozenset(found)


# ------------------------------------------------------------------------------ licences

#: Trove "License ::" classifiers (their last segment) that name one SPDX licence. Classifiers
#: that do not fix a version or variant ("BSD License", "GNU General Public License (GPL)")
#: are left out: they cannot name one SPDX id.
CLASSIFIERS = {
    "Apache Software License": "Apache-2.0",
    "MIT License": "MIT",
    "MIT No Attribution License (MIT-0)": "MIT-0",
    "ISC License (ISCL)": "ISC",
    "The Unlicense (Unlicense)": "Unlicense",
    "Boost Software License 1.0 (BSL-1.0)": "BSL-1.0",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0",
    "GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
    "GNU Lesser General Public License v2 (LGPLv2)": "LGPL-2.0-only",
    "GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "GNU Affero General Public License v3": "AGPL-3.0-only",
    "GNU Affero General Public License v3 or later (AGPLv3+)": "AGPL-3.0-or-later",
    "Python Software Foundation License": "PSF-2.0",
    "Universal Permissive License (UPL)": "UPL-1.0",
    "Zero-Clause BSD (0BSD)": "0BSD",
    "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication": "CC0-1.0",
}

#: Values that say the licence is not an open one or not given (npm's "UNLICENSED" means
#: proprietary, not the Unlicense).
_NOT_A_LICENCE = {"unlicensed", "see license", "see license file", "proprietary", "commercial", "dual"}
_OPERATORS = re.compile(r"\s+(?:OR|AND|or|and|/)\s+|\s*[()]\s*|\s*/\s*")


def spdx_expression(text: str | None) -> tuple[str, ...]:
    """The SPDX ids an SPDX licence expression (or a plain licence name) names, in order.

    Examples
    --------
    >>> spdx_expression("(Apache-2.0 OR MIT)")
    ('Apache-2.0', 'MIT')
    >>> spdx_expression("GPL-2.0-or-later WITH Classpath-exception-2.0")
    ('GPL-2.0-or-later',)
    >>> spdx_expression("Apache License 2.0"), spdx_expression("UNLICENSED"), spdx_expression("LicenseRef-Foo")
    (('Apache-2.0',), (), ())
    """
    if not text:
        return ()
    given = " ".join(str(text).split())
    if given.lower().rstrip(".") in _NOT_A_LICENCE or given.upper().startswith("SEE LICENSE"):
        return ()
    whole = spdx_licence(given)
    if whole:
        return (whole,)
    ids = []
    for part in _OPERATORS.split(given):
        part = part.split(" WITH ")[0].split(" with ")[0].strip()
        if not part or part.startswith("LicenseRef-"):
            continue
        found = spdx_licence(part)
        if found is None:
            return ()  # an expression with a part we cannot read names nothing for sure
        if found not in ids:
            ids.append(found)
    return tuple(ids)


#: How licence texts and common short names begin (lower-cased, spaces collapsed), for a
#: ``license`` field that holds the licence's text or a loose name rather than an SPDX id.
#: Only forms that name one licence and version are read; "BSD" or "Apache" alone are not.
_TITLES = (
    (re.compile(r"(the )?mit licen[cs]e\b|mit\b"), "MIT"),
    (re.compile(r"(the )?apache( software)? licen[cs]e,?( v| version)? ?2(\.0)?\b|apache[- ]?2(\.0)?\b"
                r"|apache software licen[cs]e \(apache 2\.0\)"), "Apache-2.0"),
    (re.compile(r"(the )?(bsd[- ]3[- ]clause|3[- ]clause bsd|bsd[- ]3\b|new bsd|modified bsd|revised bsd)"), "BSD-3-Clause"),
    (re.compile(r"(the )?(bsd[- ]2[- ]clause|2[- ]clause bsd|simplified bsd|freebsd licen[cs]e)"), "BSD-2-Clause"),
    (re.compile(r"gnu lesser general public licen[cs]e,? version 3\b"), "LGPL-3.0-only"),
    (re.compile(r"gnu lesser general public licen[cs]e,? version 2\.1\b"), "LGPL-2.1-only"),
    (re.compile(r"gnu affero general public licen[cs]e,? version 3\b"), "AGPL-3.0-only"),
    (re.compile(r"gnu general public licen[cs]e,? version 3\b"), "GPL-3.0-only"),
    (re.compile(r"gnu general public licen[cs]e,? version 2\b"), "GPL-2.0-only"),
    (re.compile(r"mozilla public licen[cs]e,?( version)? 2\.0\b"), "MPL-2.0"),
    (re.compile(r"elastic licen[cs]e 2\.0\b"), "Elastic-2.0"),
)
_LICENCE_URL = re.compile(r"https?://(?:www\.)?opensource\.org/licen[cs]es?/([A-Za-z0-9.-]+?)(?:\.php|\.html)?/?$")


def licence_from_title(text: str | None) -> str | None:
    """The SPDX id a licence text or loose licence name begins with, when it names one.

    Examples
    --------
    >>> licence_from_title("BSD 3-Clause License Copyright (c) 2019, Somebody")
    'BSD-3-Clause'
    >>> licence_from_title("Apache License Version 2.0, January 2004")
    'Apache-2.0'
    >>> licence_from_title("https://opensource.org/license/mit/")
    'MIT'
    >>> licence_from_title("BSD") is None and licence_from_title("Copyright 2020 Somebody") is None
    True
    """
    if not text:
        return None
    given = " ".join(str(text).split())
    url = _LICENCE_URL.match(given)
    if url:
        slug = url.group(1)
        return spdx_licence(slug) or spdx_licence(re.sub(r"-(\d)-(\d)$", r"-\1.\2", slug))
    head = given.lower()[:120]
    for pattern, spdx in _TITLES:
        if pattern.match(head):
            return spdx
    return None


def classifier_licence(classifier: str) -> str | None:
    """The SPDX id of a "License :: ..." trove classifier, when it names exactly one.

    Examples
    --------
    >>> classifier_licence("License :: OSI Approved :: Apache Software License")
    'Apache-2.0'
    >>> classifier_licence("License :: OSI Approved :: BSD License") is None
    True
    """
    return CLASSIFIERS.get(classifier.rsplit("::", 1)[-1].strip())


def package_licences(expression, licence, classifiers=()) -> tuple[str, ...]:
    """The SPDX ids of a package: its ``license_expression``, else its ``license`` field,
    else its classifiers when they agree on one id (several different ids: each is kept,
    as an expression's are).

    Examples
    --------
    >>> package_licences(None, "Apache 2.0", ["License :: OSI Approved :: MIT License"])
    ('Apache-2.0',)
    >>> package_licences(None, "", ["License :: OSI Approved :: MIT License"])
    ('MIT',)
    """
    for text in (expression, licence):
        ids = spdx_expression(text)
        if ids:
            return ids
    titled = licence_from_title(licence)
    if titled:
        return (titled,)
    ids = []
    for classifier in classifiers or ():
        found = classifier_licence(classifier)
        if found and found not in ids:
            ids.append(found)
    return tuple(ids)


#: DEP-5 short names (Debian copyright format 1.0) that are not SPDX ids, lower-cased.
DEP5 = {
    "expat": "MIT", "bsd-2": "BSD-2-Clause", "bsd-2-clause": "BSD-2-Clause", "bsd-3": "BSD-3-Clause",
    "bsd-3-clause": "BSD-3-Clause", "bsd-4-clause": "BSD-4-Clause",
    "gpl-2": "GPL-2.0-only", "gpl-2+": "GPL-2.0-or-later", "gpl-3": "GPL-3.0-only", "gpl-3+": "GPL-3.0-or-later",
    "lgpl-2.1": "LGPL-2.1-only", "lgpl-2.1+": "LGPL-2.1-or-later", "lgpl-3": "LGPL-3.0-only",
    "lgpl-3+": "LGPL-3.0-or-later", "agpl-3": "AGPL-3.0-only", "agpl-3+": "AGPL-3.0-or-later",
    "apache-2.0": "Apache-2.0", "mpl-2.0": "MPL-2.0", "isc": "ISC", "zlib": "Zlib", "postgresql": "PostgreSQL",
    "psf-2": "PSF-2.0", "cc0-1.0": "CC0-1.0", "boost-1.0": "BSL-1.0", "epl-2.0": "EPL-2.0", "mit": "MIT",
}


def dep5_licences(text: str | None) -> tuple[str, ...]:
    """The SPDX ids of a DEP-5 ``License:`` short name or expression (``and`` / ``or``), or
    none when any part is not a known name (``public-domain``, ``other``, custom names).

    Examples
    --------
    >>> dep5_licences("Expat"), dep5_licences("GPL-2+"), dep5_licences("BSD-3-clause or Apache-2.0")
    (('MIT',), ('GPL-2.0-or-later',), ('BSD-3-Clause', 'Apache-2.0'))
    >>> dep5_licences("public-domain"), dep5_licences("Apache-2.0 and other")
    ((), ())
    """
    if not text:
        return ()
    ids = []
    for part in re.split(r",?\s+(?:and|or)\s+", " ".join(text.split()), flags=re.IGNORECASE):
        part = re.sub(r"\s+with\s+.*$", "", part, flags=re.IGNORECASE).strip()
        found = DEP5.get(part.lower())
        if found is None:
            return ()
        if found not in ids:
            ids.append(found)
    return tuple(ids)


# ------------------------------------------------------------------------------- reading

def metadata_path(folder=None) -> Path:
    """The metadata file to read: ``folder/registry-metadata.jsonl`` when a ``--from`` folder
    holds one, else the committed ``graph/landscape/upstream/registry-metadata.jsonl``."""
    if folder is not None and (Path(folder) / METADATA_FILE).is_file():
        return Path(folder) / METADATA_FILE
    from ..model.resources import data_dir

    return data_dir("graph") / "landscape" / "upstream" / METADATA_FILE


def read_metadata(path) -> list[Package]:
    """The packages of a metadata file, sorted by registry and name.

    Raises :class:`~mlops_kg.sources.catalogue.CatalogueError` naming the line when a line is
    not a JSON object with the expected fields.
    """
    text = read_text(path, expected="registry metadata (JSON Lines)", error=CatalogueError)
    packages = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CatalogueError(f"{path}:{number}: not JSON ({exc.msg}); one JSON object a line") from None
        if not isinstance(row, dict) or row.get("registry") not in REGISTRY_BY_ID or not row.get("package") \
                or not isinstance(row.get("urls", []), list):
            raise CatalogueError(f"{path}:{number}: expected an object with registry (pypi, npm or debian), "
                                 "package, fetched, license, urls")
        packages.append(Package(
            registry=row["registry"], package=str(row["package"]), version=row.get("version"),
            fetched=str(row.get("fetched") or ""), license=row.get("license"),
            license_expression=row.get("license_expression"),
            classifiers=tuple(row.get("classifiers") or ()), urls=tuple(row.get("urls") or ()), line=number,
            suite=row.get("suite")))
    return sorted(packages, key=lambda p: (p.registry, p.package.lower()))


# ------------------------------------------------------------------------------ matching

def _entity_repositories(entity) -> set:
    found = {entity.repository} if entity.repository else set()
    for record in entity.records:
        if record.repository:
            found.add(record.repository)
        found.update(record.former_repositories)
    return found


def _entity_names(entity) -> set:
    names = {normalize_name(n) for r in entity.records for n in (r.name, *r.aliases, r.pypi or "") if n}
    if entity.repository:
        names.add(normalize_name(entity.repository.rsplit("/", 1)[-1]))
    return names


def match_packages(entities, packages) -> dict:
    """Entity key → ``{registry: [Package, ...]}``, preferred package first.

    Only a package whose metadata points to the entity's repository matches (see the module
    docstring); one pointing to several catalogue repositories matches the one it is named
    after, or none.
    """
    by_repository = defaultdict(list)
    for entity in entities:
        for repository in _entity_repositories(entity):
            by_repository[repository].append(entity)
    matches = defaultdict(lambda: defaultdict(list))
    for package in packages:
        owners = {e.key: e for repository in package.repositories for e in by_repository.get(repository, ())}
        if len(owners) > 1:
            named = normalize_name(package.package.split("/")[-1])
            owners = {k: e for k, e in owners.items() if named in _entity_names(e)}
            if len(owners) != 1:
                continue
        for entity in owners.values():
            matches[entity.key][package.registry].append(package)
    by_key = {entity.key: entity for entity in entities}
    return {key: {registry: sorted(found, key=_preference(by_key[key])) for registry, found in registries.items()}
            for key, registries in sorted(matches.items())}


def _preference(entity):
    """Sort key of an entity's packages: named like the repository, then like a catalogue
    PyPI id, then like the entity, then by name."""
    repo_name = normalize_name(entity.repository.rsplit("/", 1)[-1]) if entity.repository else ""
    pypi_ids = {normalize_name(r.pypi) for r in entity.records if r.pypi}
    names = _entity_names(entity)

    def rank(package):
        name = normalize_name(package.package.split("/")[-1])
        return (name != repo_name, name not in pypi_ids, name not in names, package.package.lower())
    return rank


def registry_licences(entities, packages) -> dict:
    """Entity key → ``{registry: (Package, (spdx id, ...))}``: the preferred package with a
    licence, per registry."""
    found = {}
    for key, registries in match_packages(entities, packages).items():
        for registry, candidates in sorted(registries.items()):
            for package in candidates:
                if package.licences:
                    found.setdefault(key, {})[registry] = (package, package.licences)
                    break
    return found


# ------------------------------------------------------------------------------ curated

def curated_path() -> Path:
    """The committed curated licences, ``graph/landscape/curated-licences.ttl``."""
    from ..model.resources import data_dir

    return data_dir("graph") / "landscape" / CURATED_FILE


def curated_licences(path=None) -> dict:
    """Node → sorted SPDX ids that ``curated-licences.ttl`` states (read from each project's
    LICENSE file; the ``# source:`` comment above each fact names the file and commit)."""
    from rdflib import Graph

    from ..model.namespaces import SCHEMA
    from .landscape_rdf import SPDX

    path = curated_path() if path is None else Path(path)
    if not path.is_file():
        return {}
    graph = Graph().parse(path, format="turtle")
    found = defaultdict(set)
    for node, licence in graph.subject_objects(SCHEMA.license):
        if str(licence).startswith(SPDX):
            found[node].add(str(licence)[len(SPDX):])
    return {node: sorted(ids) for node, ids in sorted(found.items())}


# ------------------------------------------------------------------------------- graphs

@dataclass
class LicenceGraphs:
    """What the registries and the curated LICENSE facts add to a landscape snapshot.

    Attributes
    ----------
    files : dict
        File name → Turtle text (one graph per registry).
    datasets : list
        ``dcat:Dataset`` triples describing each registry graph (for ``datasets.ttl``).
    licences : set
        SPDX ids used (for ``licences.ttl``).
    licensed : dict
        Entity key → where a licence beyond the catalogues' comes from (``"pypi"``, ``"npm"``,
        ``"debian"``, ``"curated"``; the first of these that has one; ``"node"`` when another entity of
        the same node, a moved repository, has one).
    conflicts : list
        Report lines: entities whose catalogue licence and registry licence share no id.
    """

    files: dict
    datasets: list
    licences: set
    licensed: dict
    conflicts: list


_HEADER = """Generated by `mlops-kg landscape refresh` from {title} metadata ({path}); do not edit.
Named graph: <{graph}>. Facts only: the licence (SPDX ids) and the package name of each matched
package; a package matches a node only when its metadata points to the node's code repository.
Source: {homepage}. {rights}"""


def licence_graphs(placements, folder=None, *, packages=None, curated=None) -> LicenceGraphs:
    """Registry and curated licence facts for the placed entities of a snapshot.

    Parameters
    ----------
    placements : iterable of Placement
        The resolved entities (:func:`mlops_kg.sources.landscape_rdf.resolve`).
    folder : path, optional
        A ``--from`` folder; its ``registry-metadata.jsonl`` replaces the committed one.
    packages : list of Package, optional
        Packages to use instead of reading the metadata file (tests).
    curated : dict, optional
        Node → SPDX ids, instead of reading ``curated-licences.ttl``.
    """
    from ..model.namespaces import SCHEMA
    from .landscape_rdf import MLO_NS, licence_iri, to_turtle

    placements = list(placements)
    path = metadata_path(folder)
    if packages is None:
        packages = read_metadata(path) if path.is_file() else []
    curated = curated_licences() if curated is None else curated
    found = registry_licences([p.entity for p in placements], packages)
    files, datasets, licences, licensed, conflicts = {}, [], set(), {}, []
    term = Namespace(MLO_NS)
    for info in REGISTRIES:
        triples = []
        for placement in placements:
            hit = found.get(placement.entity.key, {}).get(info.id)
            if not hit:
                continue
            package, ids = hit
            for spdx in ids:
                triples.append((placement.node, SCHEMA.license, licence_iri(spdx)))
            triples.append((placement.node, term[info.package_property], Literal(package.package)))
            licences |= set(ids)
            given = {r.licence for r in placement.entity.records if r.licence}
            if given and not given & set(ids):
                conflicts.append(f"{placement.entity.key} licence: catalogues {', '.join(sorted(given))}; "
                                 f"{info.id} {package.package} {' OR '.join(ids)}")
            if not given and placement.entity.repository:
                licensed.setdefault(placement.entity.key, info.id)
        used = [p for p in packages if p.registry == info.id]
        header = _HEADER.format(title=info.title, path=f"upstream/{METADATA_FILE}", graph=info.graph,
                                homepage=info.homepage, rights=info.rights)
        files[info.output] = to_turtle(triples, header)
        datasets += registry_dataset_triples(info, used, path, len(set(triples)),
                                             len({s for s, _, _ in triples}))
    for placement in placements:
        ids = curated.get(placement.node)
        if ids:
            licences |= set(ids)
            if placement.entity.repository and not any(r.licence for r in placement.entity.records):
                licensed.setdefault(placement.entity.key, "curated")
    # An entity joined to another's node (the same project under a moved repository) has the
    # licence that node has, from whichever entity states it.
    licensed_nodes = {p.node for p in placements
                      if p.entity.key in licensed or any(r.licence for r in p.entity.records)}
    for placement in placements:
        if placement.entity.repository and placement.node in licensed_nodes \
                and not any(r.licence for r in placement.entity.records):
            licensed.setdefault(placement.entity.key, "node")
    return LicenceGraphs(files, datasets, licences, licensed, sorted(set(conflicts)))


def registry_dataset_triples(info: RegistryInfo, packages, path, triple_count: int, entity_count: int) -> list:
    """DCAT/VoID/PROV description of a registry graph: publisher, rights, fetched dates, counts
    and the metadata file (identified by the SHA-256 of its bytes) it was generated from."""
    import hashlib

    from ..model.iris import mint_iri
    from .landscape_rdf import DCAT, VOID

    dataset = info.graph
    triples = [(dataset, RDF.type, DCAT.Dataset), (dataset, RDF.type, VOID.Dataset),
               (dataset, DCTERMS.title, Literal(f"{info.title}: licence facts taken by mlops-kg")),
               (dataset, DCTERMS.source, URIRef(info.homepage)),
               (dataset, DCTERMS.publisher, Literal(info.publisher)),
               (dataset, DCTERMS.rights, Literal(info.rights)),
               (dataset, VOID.triples, Literal(triple_count)),
               (dataset, VOID.entities, Literal(entity_count))]
    dates = sorted({p.fetched for p in packages if re.fullmatch(r"\d{4}-\d{2}-\d{2}", p.fetched)})
    if dates:
        triples.append((dataset, DCTERMS.issued, Literal(dates[-1], datatype=XSD.date)))
    if Path(path).is_file():
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        entity = mint_iri("source", f"{info.id} {METADATA_FILE}")
        triples += [(dataset, PROV.wasDerivedFrom, entity), (entity, RDF.type, PROV.Entity),
                    (entity, DCTERMS.identifier, Literal(METADATA_FILE)),
                    (entity, DCTERMS.hasVersion, Literal(f"sha256:{digest}")),
                    *([(entity, DCTERMS.temporal, Literal(f"{dates[0]}/{dates[-1]}"))] if dates else [])]
    return triples
