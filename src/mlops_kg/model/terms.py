"""RDF terms between the two libraries: pyoxigraph's (the store, the fast parser) and rdflib's
(the graphs the model, validation and result formats work on)."""
from __future__ import annotations

from ..errors import QueryError

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def ox_to_rdflib(term):
    """The rdflib term for a pyoxigraph term (None stays None); ``xsd:string`` literals become
    plain ones, as rdflib reads them from files.

    >>> import pyoxigraph
    >>> ox_to_rdflib(pyoxigraph.Literal("MLflow"))
    rdflib.term.Literal('MLflow')
    """
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise QueryError(f"unsupported RDF term in a result: {term!r}")
