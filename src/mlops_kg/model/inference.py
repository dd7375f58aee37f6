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
  status, unless curated.
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


def _our_superclasses(ds, cls, _seen=None):
    seen = _seen if _seen is not None else set()
    for parent in ds.objects(cls, RDFS.subClassOf):
        if parent not in seen and str(parent).startswith(str(MLO._NS)):
            seen.add(parent)
            _our_superclasses(ds, parent, seen)
    return seen
