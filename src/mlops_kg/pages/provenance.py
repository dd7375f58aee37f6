"""Where a fact comes from: the named graph of a Dataset that holds it.

Every fact of a build lives in a named graph of one origin (see :class:`mlops_kg.model.namespaces.GRAPHS`):
what the guide states, what maintainers curated, what the build inferred, or an imported guide.
The ontology and the analysis results are not facts about the landscape and have no origin here.

>>> from mlops_kg.build.pipeline import build_dataset
>>> node_origins(build_dataset())["https://w3id.org/mlops-kg/id/tool/mlflow"]
('guide', 'curated', 'inferred')
"""
from __future__ import annotations

from ..model.namespaces import GRAPHS, MLO

#: Origins in the order they are listed; imported guides come between curated and inferred.
ORIGIN_ORDER = ("guide", "curated", "imported", "inferred")


def origin_of(graph_name) -> str | None:
    """``"guide"``, ``"curated"``, ``"inferred"``, ``"imported:<slug>"`` or None (ontology, analysis)."""
    name = str(graph_name)
    if name == str(GRAPHS.GUIDE):
        return "guide"
    if name == str(GRAPHS.CURATED):
        return "curated"
    if name == str(GRAPHS.INFERRED):
        return "inferred"
    if name.startswith(GRAPHS.IMPORTED):
        return "imported:" + name[len(GRAPHS.IMPORTED):]
    return None


def _order(origin: str) -> tuple:
    base = origin.split(":", 1)[0]
    return (ORIGIN_ORDER.index(base) if base in ORIGIN_ORDER else len(ORIGIN_ORDER), origin)


def sort_origins(origins) -> tuple[str, ...]:
    """Origins without repeats, guide first, then curated, imported, inferred."""
    return tuple(sorted(set(origins), key=_order))


def describe_origin(origin: str) -> str:
    """Words for an origin: "stated by the guide", "curated", "imported from <slug>", "inferred by the build"."""
    if origin == "guide":
        return "stated by the guide"
    if origin == "inferred":
        return "inferred by the build"
    if origin.startswith("imported:"):
        return "imported from " + origin.split(":", 1)[1]
    return origin


def fact_origins(ds) -> dict[tuple, tuple[str, ...]]:
    """``{(s, p, o): origins}`` for every triple of ``ds`` held by a graph with an origin."""
    found: dict[tuple, set] = {}
    for graph in ds.graphs():
        origin = origin_of(graph.identifier)
        if origin is None:
            continue
        for triple in graph:
            found.setdefault(triple, set()).add(origin)
    return {triple: sort_origins(origins) for triple, origins in found.items()}


def imported_descriptions(facts: dict) -> dict[str, tuple[str, str]]:
    """``{node IRI: (text, origin)}``: how an imported guide describes a node (the importer
    writes ``mlo:guideDescription``, keeping the guide's words apart from ``dcterms:description``),
    from the :func:`fact_origins` ``facts``; where several guides do, the first by origin."""
    found: dict[str, list] = {}
    for (subject, predicate, text), origins in facts.items():
        if predicate == MLO.guideDescription:
            for origin in origins:
                if origin.startswith("imported:"):
                    found.setdefault(str(subject), []).append((origin, str(text)))
    return {node: (min(pairs)[1], min(pairs)[0]) for node, pairs in found.items()}


def node_origins(ds=None, *, facts: dict | None = None) -> dict[str, tuple[str, ...]]:
    """``{node IRI: origins}``: the origins of the facts whose subject is the node. Pass the
    :func:`fact_origins` already made as ``facts`` to skip a second walk over ``ds``."""
    found: dict[str, set] = {}
    for (subject, _p, _o), origins in (fact_origins(ds) if facts is None else facts).items():
        found.setdefault(str(subject), set()).update(origins)
    return {node: sort_origins(origins) for node, origins in found.items()}
