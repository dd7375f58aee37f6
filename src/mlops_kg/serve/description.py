"""The SPARQL 1.1 Service Description of the endpoint (``GET /sparql`` without a query)."""
from __future__ import annotations

from .negotiate import FORMATS


def service_description(endpoint_url: str, graph_names, *, timeout: float, max_rows: int,
                        fmt: str = "ttl") -> str:
    """A SPARQL 1.1 Service Description of the endpoint at ``endpoint_url`` holding
    ``graph_names``, with its result formats and limits, in ``fmt`` (a graph format key of
    :data:`mlops_kg.serve.negotiate.FORMATS`; Turtle by default)."""
    from rdflib import BNode, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import RDF, RDFS

    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    formats = Namespace("http://www.w3.org/ns/formats/")
    g = Graph()
    g.bind("sd", sd)
    g.bind("formats", formats)
    # labelled blank nodes and sorted output: the same endpoint describes itself in the same bytes
    service, dataset, default = BNode("service"), BNode("dataset"), BNode("defaultGraph")
    g.add((service, RDF.type, sd.Service))
    g.add((service, sd.endpoint, URIRef(endpoint_url)))
    g.add((service, sd.supportedLanguage, sd.SPARQL11Query))
    g.add((service, sd.feature, sd.UnionDefaultGraph))
    for _kind, _types, name in FORMATS.values():
        g.add((service, sd.resultFormat, formats[name]))
    g.add((service, RDFS.comment, Literal(
        f"mlops-kg knowledge graph, read-only: no SPARQL Update, SERVICE or loading of other graphs; "
        f"each query is stopped after {timeout:g} s and returns at most {max_rows} rows")))
    g.add((service, sd.defaultDataset, dataset))
    g.add((dataset, RDF.type, sd.Dataset))
    g.add((dataset, sd.defaultGraph, default))
    g.add((default, RDF.type, sd.Graph))
    for number, name in enumerate(sorted(graph_names)):
        node = BNode(f"namedGraph{number}")
        g.add((dataset, sd.namedGraph, node))
        g.add((node, RDF.type, sd.NamedGraph))
        g.add((node, sd.name, URIRef(name)))
    rdflib_format = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdfxml": "xml"}[fmt]
    if fmt in ("nt", "rdfxml"):  # rdflib writes these in its store's order, which varies: sort
        lines = "".join(sorted(g.serialize(format="nt").splitlines(keepends=True)))
        if fmt == "nt":
            return lines
        import pyoxigraph

        triples = pyoxigraph.parse(lines.encode("utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
        return pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.RDF_XML,
                                    prefixes={"sd": str(sd), "formats": str(formats)}).decode("utf-8")
    if fmt == "jsonld":
        from ..query.formats import stable_json

        return stable_json(g.serialize(format="json-ld"))
    return g.serialize(format=rdflib_format)
