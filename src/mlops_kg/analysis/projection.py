"""RDF → NetworkX: the projection every analysis starts from, read from an rdflib Graph or an
embedded store (large graphs). Deterministic: nodes are added in sorted order.

>>> from mlops_kg.build.pipeline import build_dataset
>>> from mlops_kg.model.load import union_graph
>>> g = project(union_graph(build_dataset(without=("landscape",))))  # the guide-only graph: quick
>>> g.nodes["https://w3id.org/mlops-kg/id/tool/mlflow"]["label"]
'MLflow'
"""
from __future__ import annotations

import networkx as nx
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import DCTERMS, SKOS

from ..model.iris import iri_kind
from ..model.namespaces import MLO

#: Seed of every random algorithm of the analyses.
SEED = 42
#: Node kinds that take part in the full projection (guide sections and the like do not).
PROJECTED_KINDS = ("tool", "service", "platform", "provider", "language", "framework", "industry",
                   "use-case", "capability")
TECHNOLOGY_KINDS = ("tool", "service", "platform")
#: Derived relations left out of the projection: they repeat what other edges already say
#: (isAlternativeTo mirrors statedAlternative; usedInIndustry shortcuts the use-case nodes).
DERIVED = {MLO.isAlternativeTo, MLO.usedInIndustry}
#: The relations through which a technology has a neighbour, as `shared-neighbours` counts them
#: (queries/shared-neighbours.rq); the analysis stores how many technologies share each neighbour.
NEIGHBOUR_RELATIONS = (MLO.hasCapability, MLO.usesLanguage, MLO.supportsFramework, MLO.usedInIndustry,
                       MLO.cloudEquivalent, MLO.runsOn, MLO.isAlternativeTo, MLO.integratesWith)

# --- reading the graph: an rdflib Graph, or an embedded store for large graphs -----------------

_MLO = str(MLO._NS)
_SKOS = str(SKOS._NS) if hasattr(SKOS, "_NS") else "http://www.w3.org/2004/02/skos/core#"


class _GraphSource:
    """Reads what the analyses need from an rdflib Graph (small graphs, the build)."""

    def __init__(self, graph: Graph):
        self.graph = graph

    def pairs(self, predicate: str):
        return ((str(s), str(o)) for s, o in self.graph.subject_objects(URIRef(predicate)))

    def relations(self):
        for s, p, o in self.graph:
            if isinstance(o, URIRef) and p != RDF.type and (str(p).startswith(_MLO) or p == SKOS.broader):
                yield str(s), str(p), str(o)

    def typed(self, cls: str):
        return (str(s) for s in self.graph.subjects(RDF.type, URIRef(cls)))

    def schemes(self):
        return {str(s) for s in self.graph.subjects(RDF.type, SKOS.ConceptScheme)}


class _StoreSource:
    """Reads the same from an embedded store with SPARQL (fast on large graphs)."""

    def __init__(self, store):
        self.store = store

    def pairs(self, predicate: str):
        return self.store.select_strings(f"SELECT ?s ?o WHERE {{ ?s <{predicate}> ?o }}")

    def relations(self):
        return self.store.select_strings(
            f'SELECT ?s ?p ?o WHERE {{ ?s ?p ?o FILTER(isIRI(?o) && ?p != rdf:type && '
            f'(STRSTARTS(STR(?p), "{_MLO}") || ?p = skos:broader)) }}')

    def typed(self, cls: str):
        return (row[0] for row in self.store.select_strings(f"SELECT ?s WHERE {{ ?s a <{cls}> }}"))

    def schemes(self):
        return set(self.typed(str(SKOS.ConceptScheme)))


class _CachedSource:
    """Fetches every relation once and serves both the projection and the profiles from it."""

    def __init__(self, inner):
        self.inner = inner
        self._relations = None
        self._pairs: dict[str, list] = {}

    def relations(self):
        if self._relations is None:
            self._relations = list(self.inner.relations())
            for s, p, o in self._relations:
                self._pairs.setdefault(p, []).append((s, o))
        return self._relations

    def pairs(self, predicate: str):
        if predicate.startswith(_MLO):
            self.relations()
            return self._pairs.get(predicate, [])
        if predicate not in self._pairs:
            self._pairs[predicate] = list(self.inner.pairs(predicate))
        return self._pairs[predicate]

    def typed(self, cls: str):
        return self.inner.typed(cls)

    def schemes(self):
        return self.inner.schemes()


def _source(graph_or_store):
    if isinstance(graph_or_store, _CachedSource):
        return graph_or_store
    inner = _GraphSource(graph_or_store) if isinstance(graph_or_store, Graph) else _StoreSource(graph_or_store)
    return _CachedSource(inner)


# --- projection ------------------------------------------------------------------------------

def project(graph) -> nx.MultiDiGraph:
    """The full typed graph: one node per described instance, one edge per relation.

    ``graph`` is an rdflib Graph (the union graph of a build) or an embedded
    :class:`mlops_kg.query.store.Store` (for large graphs). Node attributes: ``kind`` (tool, service,
    platform, provider, language, framework, industry, use-case, capability — the IRI's kind
    segment), ``label`` (skos:prefLabel), ``description``. Edge attributes: ``predicate`` (IRI)
    and ``relation`` (its local name). Only relations of our ontology (and ``skos:broader``
    between capabilities) become edges; literals become node attributes; ontology (schema)
    triples, rdf:type, guide sections, delivery models and the derived relations in
    :data:`DERIVED` are left out.
    """
    src = _source(graph)
    schemes = src.schemes()
    labels = dict(src.pairs(str(SKOS.prefLabel)))
    descriptions = dict(src.pairs(str(DCTERMS.description)))
    g = nx.MultiDiGraph()
    for node in sorted(n for n in labels if iri_kind(n) in PROJECTED_KINDS and n not in schemes):
        g.add_node(node, kind=iri_kind(node), label=labels[node], description=descriptions.get(node, ""))
    derived = {str(p) for p in DERIVED}
    edges = sorted((s, o, p) for s, p, o in src.relations() if p not in derived and s in g and o in g)
    for s, o, p in edges:
        g.add_edge(s, o, key=p, predicate=p, relation=p.rsplit("#", 1)[-1].rsplit("/", 1)[-1])
    return g


def tool_graph(full: nx.MultiDiGraph) -> nx.Graph:
    """Technologies only (tools, cloud services, platforms), linked when the full graph links
    them directly (alternative, cloud equivalent, part of, integrates with, runs on)."""
    g = nx.Graph()
    techs = sorted(n for n, k in full.nodes(data="kind") if k in TECHNOLOGY_KINDS)
    g.add_nodes_from((n, full.nodes[n]) for n in techs)
    for s, o, data in full.edges(data=True):
        if s in g and o in g and s != o:
            relations = g.edges[s, o]["relations"] if g.has_edge(s, o) else []
            g.add_edge(s, o, relations=sorted(set(relations) | {data["relation"]}))
    return g


# --- centrality ------------------------------------------------------------------------------
