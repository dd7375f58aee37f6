"""What the build derives from the public catalogues (``graph/landscape/``), into the inferred graph.

Catalogue graphs (``GRAPHS.SOURCE + <id>``) state facts of ``schema:SoftwareApplication``
nodes; the crosswalk (curated) maps each catalogue category to capabilities of our scheme.
From these, for every catalogue entity:

* **a technology**: typed ``mlo:Tool`` unless one of our classes already types it (a shipped
  platform, framework or cloud service keeps its class);
* **capabilities**: a category's ``skos:exactMatch`` and ``skos:broadMatch`` capabilities
  (``A broadMatch B``: B is broader, so everything in A does B); a ``skos:narrowMatch`` only
  when the category has neither (the category is then the union of its narrower
  capabilities: "Evaluation and monitoring"), since a category that also maps exactly or
  broadly names what all its items do, while a narrower capability is what only some do;
* **a primary capability**, unless curated: the capability stated by the most origins (each
  catalogue, the guide and the curated graph count once), ties broken by the deeper concept
  of the scheme, then by IRI;
* **a status**, unless curated (:func:`mlops_kg.model.status.derive_status`): archived if a
  catalogue says so, else active or inactive by the newest last-commit date a catalogue
  states, judged at the date that catalogue's data was collected (the ``mlo:observedDate``
  or ``dcterms:issued`` of its files in the datasets graph, the earliest of them);
* **a preferred label** when the catalogue that gave the name was left out of the build
  (``--without``): the name of the first remaining catalogue, in the order of
  :data:`mlops_kg.model.resources.LANDSCAPE_SOURCES`.
"""
from __future__ import annotations

from collections import defaultdict

from rdflib import RDF, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from .names import normalize_name
from .namespaces import CAP, GRAPHS, ID, MLO, SCHEMA
from .resources import LANDSCAPE_SOURCES
from .status import derive_status

_TECHNOLOGY = {MLO.Technology, MLO.Tool, MLO.CloudService, MLO.Platform}
_OURS = str(MLO._NS)
_SCHEME = CAP.scheme
#: Catalogue category schemes: ``CATALOGUE + <source id>`` (see mlops_kg.sources.crosswalk).
CATALOGUE = ID["catalogue/"]
#: Origins that count towards a primary capability besides the catalogues.
_STATING = (GRAPHS.GUIDE, GRAPHS.CURATED)


def source_graphs(ds) -> list:
    """The catalogue graphs of ``ds``, in the order of their priority for names."""
    graphs = [g for g in ds.graphs() if str(g.identifier).startswith(GRAPHS.SOURCE) and len(g)]
    rank = {GRAPHS.SOURCE + s: i for i, s in enumerate(LANDSCAPE_SOURCES)}
    return sorted(graphs, key=lambda g: (rank.get(str(g.identifier), len(rank)), str(g.identifier)))


def crosswalk_capabilities(ds) -> dict:
    """Category concept → the capabilities its items get (see the module docstring)."""
    in_scheme = set(ds.subjects(SKOS.inScheme, _SCHEME))
    mapping = {}
    schemes = {URIRef(CATALOGUE + str(g.identifier)[len(GRAPHS.SOURCE):]) for g in ds.graphs()}
    for category in set(ds.subjects(SKOS.exactMatch, None)) | set(ds.subjects(SKOS.broadMatch, None)) \
            | set(ds.subjects(SKOS.narrowMatch, None)):
        firm = {c for p in (SKOS.exactMatch, SKOS.broadMatch) for c in ds.objects(category, p)} & in_scheme
        caps = firm or (set(ds.objects(category, SKOS.narrowMatch)) & in_scheme)
        if caps and category not in schemes:
            mapping[category] = caps
    return mapping


def _depths(ds) -> dict:
    depth = {}

    def of(cap, seen=()):
        if cap not in depth:
            parents = [p for p in ds.objects(cap, SKOS.broader) if p not in seen]
            depth[cap] = 1 + max((of(p, seen + (cap,)) for p in parents), default=0)
        return depth[cap]

    for cap in ds.subjects(SKOS.inScheme, _SCHEME):
        of(cap)
    return depth


def _as_of(ds, source: URIRef) -> str | None:
    """When a catalogue's data was collected: the earliest observed or issued date of its files."""
    dates = []
    for file in ds.objects(source, PROV.wasDerivedFrom):
        when = ds.value(file, MLO.observedDate) or ds.value(file, DCTERMS.issued)
        if when is not None:
            dates.append(str(when))
    if not dates and ds.value(source, DCTERMS.issued) is not None:
        dates.append(str(ds.value(source, DCTERMS.issued)))
    return min(dates) if dates else None


def infer_landscape(ds, inferred) -> None:
    """Add what the catalogues imply to ``inferred`` (a graph of ``ds``); see the module docstring."""
    sources = source_graphs(ds)
    if not sources:
        return
    entities = sorted({n for g in sources for n in g.subjects(RDF.type, SCHEMA.SoftwareApplication)})
    technologies = []
    for node in entities:
        types = set(ds.objects(node, RDF.type))
        ours = {t for t in types if str(t).startswith(_OURS)}
        if not ours:
            inferred.add((node, RDF.type, MLO.Tool))
            technologies.append(node)
        elif ours & _TECHNOLOGY:
            technologies.append(node)
    _capabilities(ds, inferred, sources, technologies)
    _statuses(ds, inferred, sources, technologies)
    _labels(ds, inferred, sources, entities)


def _capabilities(ds, inferred, sources, technologies) -> None:
    technologies = set(technologies)
    mapping = crosswalk_capabilities(ds)
    for graph in sources:
        for node, category in graph.subject_objects(DCTERMS.subject):
            for cap in mapping.get(category, ()):
                if (node, MLO.hasCapability, cap) not in ds and node in technologies:
                    inferred.add((node, MLO.hasCapability, cap))
    # An item none of whose categories maps (a catch-all such as best-of's "Others") gets what
    # the crosswalk says every item of its catalogue does (the catalogue scheme's broadMatch).
    in_scheme = set(ds.subjects(SKOS.inScheme, _SCHEME))
    for graph in sources:
        scheme = URIRef(CATALOGUE + str(graph.identifier)[len(GRAPHS.SOURCE):])
        fallback = set(ds.objects(scheme, SKOS.broadMatch)) & in_scheme
        for node in sorted(set(graph.subjects(DCTERMS.subject, None))):
            if node in technologies and ds.value(node, MLO.hasCapability) is None:
                for cap in fallback:
                    inferred.add((node, MLO.hasCapability, cap))
    depth = _depths(ds)
    stating = [ds.graph(g) for g in _STATING] + sources
    for node in sorted(set(ds.subjects(RDF.type, None))):
        if ds.value(node, MLO.primaryCapability) is not None or not _is_technology(ds, node):
            continue
        support = defaultdict(int)
        for graph in stating:
            caps = set(graph.objects(node, MLO.hasCapability))
            for category in graph.objects(node, DCTERMS.subject):
                caps |= mapping.get(category, set())
            for cap in caps:
                support[cap] += 1
        for cap in ds.objects(node, MLO.hasCapability):  # inferred ones count too, once
            support.setdefault(cap, 0)
        if support:
            best = min(support, key=lambda c: (-support[c], -depth.get(c, 0), str(c)))
            inferred.add((node, MLO.primaryCapability, best))


def _is_technology(ds, node) -> bool:
    return any((node, RDF.type, t) in ds for t in _TECHNOLOGY) or \
        any(str(t).startswith(_OURS) and (t, None, None) in ds and _subclass_of_technology(ds, t)
            for t in ds.objects(node, RDF.type))


def _subclass_of_technology(ds, cls, seen=None) -> bool:
    seen = seen or set()
    for parent in ds.objects(cls, URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf")):
        if parent in _TECHNOLOGY:
            return True
        if parent not in seen:
            seen.add(parent)
            if _subclass_of_technology(ds, parent, seen):
                return True
    return False


def _statuses(ds, inferred, sources, technologies) -> None:
    as_of = {g.identifier: _as_of(ds, g.identifier) for g in sources}
    for node in technologies:
        if ds.value(node, MLO.status) is not None:
            continue  # curated
        archived = any(g.value(node, MLO.archived) == Literal(True) for g in sources)
        dated = [(str(d), as_of[g.identifier]) for g in sources for d in g.objects(node, MLO.lastCommitDate)
                 if as_of[g.identifier]]
        last_commit, when = max(dated) if dated else (None, None)
        status = derive_status(archived=archived, last_commit=last_commit, as_of=when)
        if status:
            inferred.add((node, MLO.status, ID[f"status/{status}"]))


def _labels(ds, inferred, sources, entities) -> None:
    """A preferred label for catalogue nodes whose naming catalogue was left out."""
    unnamed = [n for n in entities if ds.value(n, SKOS.prefLabel) is None]
    if not unnamed:
        return
    taken = {normalize_name(str(label)) for p in (SKOS.prefLabel, SKOS.altLabel) for label in ds.objects(None, p)}
    for node in unnamed:
        aliases = {str(a) for a in ds.objects(node, SKOS.altLabel)}
        names = [str(n) for g in sources for n in sorted(g.objects(node, SCHEMA.name))]
        if not names:
            continue
        free = [n for n in names if n not in aliases and normalize_name(n) not in taken]
        label = free[0] if free else f"{names[0]} ({_repository_path(ds, node) or 'catalogue'})"
        taken.add(normalize_name(label))
        inferred.add((node, SKOS.prefLabel, Literal(label)))


def _repository_path(ds, node) -> str | None:
    repository = min((str(r) for r in ds.objects(node, SCHEMA.codeRepository)), default=None)
    return "/".join(repository.rstrip("/").split("/")[-2:]) if repository else None
