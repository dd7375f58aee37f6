"""The inference the model needs, and no more; results go to the ``inferred`` named graph.

* ``mlo:statedAlternative`` is read in both directions as ``mlo:isAlternativeTo``
  (the ontology declares it symmetric and a super-property of the stated relation);
* ``mlo:usedInIndustry`` follows from use cases (tool ← use case → industry);
* a cloud equivalent that is part of a larger cloud service makes that service an equivalent
  too (W&B's equivalent "Azure ML Tracking" is a feature of Azure Machine Learning);
* instances of our subclasses also get our superclasses (``mlo:Tool`` → ``mlo:Technology``),
  so queries and shapes can ask for a Technology without a property path;
* what the public catalogues imply (:mod:`mlops_kg.model.landscape`): each catalogue entity is
  a technology with capabilities from the category crosswalk, a primary capability and a
  status, unless curated;
* the kind of a catalogue entity (:func:`infer_kinds`), unless curated: the default kind
  (``mlo:defaultKind``, graph/landscape/curated-kinds.ttl) most of its categories agree on.
"""
from __future__ import annotations

from rdflib import RDF, RDFS, Graph

from .namespaces import GRAPHS, MLO


def infer(ds) -> Graph:
    """Add inferred triples to the ``inferred`` graph of ``ds`` and return that graph.

    Idempotent: running it twice gives the same dataset.
    """
    from .landscape import infer_landscape

    inferred = ds.graph(GRAPHS.INFERRED)
    infer_landscape(ds, inferred)
    infer_kinds(ds, inferred)
    for a, b in ds.subject_objects(MLO.statedAlternative):
        if a != b:
            inferred.add((a, MLO.isAlternativeTo, b))
            inferred.add((b, MLO.isAlternativeTo, a))
    for use_case, tool in ds.subject_objects(MLO.useCaseOf):
        for industry in ds.objects(use_case, MLO.inIndustry):
            inferred.add((tool, MLO.usedInIndustry, industry))
    for tech, service in list(ds.subject_objects(MLO.cloudEquivalent)):
        for whole in ds.objects(service, MLO.partOf):
            if (whole, RDF.type, MLO.CloudService) in ds and whole != tech:
                inferred.add((tech, MLO.cloudEquivalent, whole))
    for node, cls in list(ds.subject_objects(RDF.type)):
        for parent in _our_superclasses(ds, cls):
            if (node, RDF.type, parent) not in ds:
                inferred.add((node, RDF.type, parent))
    return inferred


def infer_kinds(ds, inferred) -> None:
    """An ``mlo:kind`` for every catalogue technology without a curated one (issue 16's rule).

    The kind most of its in-scope categories agree on, each category the entity is filed
    under counted once (``kind:other`` counts like any kind); a tie goes to the kind of its
    category in the first source of :data:`mlops_kg.model.resources.LANDSCAPE_SOURCES`
    (then by category IRI); an entity with no category of a default kind gets ``kind:other``.
    """
    from collections import Counter

    from rdflib import URIRef
    from rdflib.namespace import DCTERMS

    from .landscape import source_graphs
    from .namespaces import ID, SCHEMA

    default = dict(ds.subject_objects(MLO.defaultKind))
    if not default:
        return
    technology = (MLO.Technology, MLO.Tool, MLO.CloudService, MLO.Platform)
    filed: dict = {}  # entity -> [(source rank, category IRI, kind)]
    for rank, graph in enumerate(source_graphs(ds)):
        for node in graph.subjects(RDF.type, SCHEMA.SoftwareApplication):
            filed.setdefault(node, [])
        for node, category in graph.subject_objects(DCTERMS.subject):
            if category in default:
                filed.setdefault(node, []).append((rank, str(category), default[category]))
    other = URIRef(ID["kind/other"])
    for node in sorted(filed):
        if ds.value(node, MLO.kind) is not None or not any((node, RDF.type, t) in ds for t in technology):
            continue
        categories = sorted(set(filed[node]))
        if not categories:
            inferred.add((node, MLO.kind, other))
            continue
        votes = Counter(kind for _rank, _category, kind in categories)
        most = max(votes.values())
        kind = next(kind for _rank, _category, kind in categories if votes[kind] == most)
        inferred.add((node, MLO.kind, kind))


def _our_superclasses(ds, cls, _seen=None):
    seen = _seen if _seen is not None else set()
    for parent in ds.objects(cls, RDFS.subClassOf):
        if parent not in seen and str(parent).startswith(str(MLO._NS)):
            seen.add(parent)
            _our_superclasses(ds, parent, seen)
    return seen
