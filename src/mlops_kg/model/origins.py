"""Where a fact comes from: the origin each named graph gives its facts, and the order origins
are listed in (shared by the compare command and the pages)."""
from __future__ import annotations

from .namespaces import BASE, GRAPHS

#: Origins in the order they are listed; imported guides and then catalogues come between
#: curated and inferred.
ORIGIN_ORDER = ("guide", "curated", "imported", "catalogue", "inferred")
#: Prefix of the named graphs of the landscape's catalogues: ``CATALOGUES + source``.
CATALOGUES = BASE + "graph/source/"


def origin_of(graph_name) -> str | None:
    """The origin a named graph gives its facts.

    Parameters
    ----------
    graph_name : str or rdflib.URIRef
        A graph IRI of :class:`mlops_kg.model.namespaces.GRAPHS`.

    Returns
    -------
    str or None
        ``"guide"``, ``"curated"``, ``"inferred"``, ``"imported:<slug>"``, or None for graphs
        that hold no facts about the landscape (ontology, analysis).

    Examples
    --------
    >>> origin_of(GRAPHS.GUIDE), origin_of(GRAPHS.ONTOLOGY)
    ('guide', None)
    """
    name = str(graph_name)
    if name == str(GRAPHS.GUIDE):
        return "guide"
    if name == str(GRAPHS.CURATED):
        return "curated"
    if name == str(GRAPHS.INFERRED):
        return "inferred"
    if name.startswith(GRAPHS.IMPORTED):
        return "imported:" + name[len(GRAPHS.IMPORTED):]
    if name.startswith(CATALOGUES):
        return "catalogue:" + name[len(CATALOGUES):]
    return None


def _order(origin: str) -> tuple:
    base = origin.split(":", 1)[0]
    return (ORIGIN_ORDER.index(base) if base in ORIGIN_ORDER else len(ORIGIN_ORDER), origin)


def sort_origins(origins) -> tuple[str, ...]:
    """Origins without repeats, guide first, then curated, imported, inferred.

    Parameters
    ----------
    origins : iterable of str
        Origins as :func:`origin_of` gives them.

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> sort_origins(["inferred", "guide", "imported:b", "guide"])
    ('guide', 'imported:b', 'inferred')
    """
    return tuple(sorted(set(origins), key=_order))
