"""Where a fact comes from: the named graph of a Dataset that holds it.

Every fact of a build lives in a named graph of one origin (see :class:`mlops_kg.model.namespaces.GRAPHS`):
what the guide states, what maintainers curated, what the build inferred, or an imported guide.
The ontology and the analysis results are not facts about the landscape and have no origin here.

>>> from mlops_kg.build.pipeline import build_dataset
>>> node_origins(build_dataset(without=("landscape",)))["https://w3id.org/mlops-kg/id/tool/mlflow"]
('guide', 'curated', 'inferred')
"""
from __future__ import annotations

from ..model.namespaces import MLO
from ..model.origins import CATALOGUES, ORIGIN_ORDER, origin_of, sort_origins  # noqa: F401 - part of this module's API

def describe_origin(origin: str) -> str:
    """Words for an origin, as pages show it in a tooltip.

    Parameters
    ----------
    origin : str
        As :func:`origin_of` gives it.

    Returns
    -------
    str
        "stated by the guide", "curated", "imported from <slug>", "stated by the catalogue <source>"
        or "inferred by the build".

    Examples
    --------
    >>> describe_origin("imported:my-guide")
    'imported from my-guide'
    """
    if origin == "guide":
        return "stated by the guide"
    if origin == "inferred":
        return "inferred by the build"
    if origin.startswith("imported:"):
        return "imported from " + origin.split(":", 1)[1]
    if origin.startswith("catalogue:"):
        return "stated by the catalogue " + origin.split(":", 1)[1]
    return origin


def fact_origins(ds) -> dict[tuple, tuple[str, ...]]:
    """Every fact of ``ds`` with the origins of the graphs that hold it.

    Parameters
    ----------
    ds : rdflib.Dataset
        A build's named graphs.

    Returns
    -------
    dict
        ``{(s, p, o): origins}`` for every triple held by a graph with an origin
        (:func:`origin_of`), origins sorted by :func:`sort_origins`.
    """
    found: dict[tuple, set] = {}
    for graph in ds.graphs():
        origin = origin_of(graph.identifier)
        if origin is None:
            continue
        for triple in graph:
            found.setdefault(triple, set()).add(origin)
    return {triple: sort_origins(origins) for triple, origins in found.items()}


def imported_descriptions(facts: dict) -> dict[str, tuple[str, str]]:
    """How an imported guide describes each node.

    The importer writes ``mlo:guideDescription``, keeping the guide's words apart from
    ``dcterms:description``; where several guides describe a node, the first by origin wins.

    Parameters
    ----------
    facts : dict
        :func:`fact_origins` of a dataset.

    Returns
    -------
    dict
        ``{node IRI: (text, origin)}``.
    """
    found: dict[str, list] = {}
    for (subject, predicate, text), origins in facts.items():
        if predicate == MLO.guideDescription:
            for origin in origins:
                if origin.startswith("imported:"):
                    found.setdefault(str(subject), []).append((origin, str(text)))
    return {node: (min(pairs)[1], min(pairs)[0]) for node, pairs in found.items()}


def node_origins(ds=None, *, facts: dict | None = None) -> dict[str, tuple[str, ...]]:
    """The origins of the facts whose subject is each node.

    Parameters
    ----------
    ds : rdflib.Dataset, optional
        A build's named graphs; not needed when ``facts`` is given.
    facts : dict, optional
        :func:`fact_origins` already made, to skip a second walk over ``ds``.

    Returns
    -------
    dict
        ``{node IRI: origins}``, origins sorted by :func:`sort_origins`.
    """
    found: dict[str, set] = {}
    for (subject, _p, _o), origins in (fact_origins(ds) if facts is None else facts).items():
        found.setdefault(str(subject), set()).update(origins)
    return {node: sort_origins(origins) for node, origins in found.items()}
