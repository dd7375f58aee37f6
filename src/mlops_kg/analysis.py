"""Graph analyses: RDF → NetworkX projection, centrality, the substitutability graph, clusters.

Everything here is deterministic: nodes are added in sorted order, random algorithms take a
``seed``, and floats are rounded before they are written anywhere.

>>> from mlops_kg.build import build_dataset
>>> from mlops_kg.load import union_graph
>>> g = project(union_graph(build_dataset()))
>>> g.nodes["https://w3id.org/mlops-kg/id/tool/mlflow"]["label"]
'MLflow'
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import networkx as nx
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDFS, SKOS, XSD

from .iris import iri_kind, slugify
from .namespaces import GRAPHS, ID, MLO

SEED = 42
#: Louvain resolution: above 1 favours smaller clusters. 1.8 separates managed platforms from
#: model servers and data pipelines from ML pipelines on the shipped graph (see README).
RESOLUTION = 1.8
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
#: Shortest-path work budgets (edges visited). Betweenness (vectorised Brandes, below) uses as
#: many BFS pivots as fit in BETWEENNESS_BUDGET (all nodes = exact), at least
#: BETWEENNESS_SAMPLE; closeness (networkx, pure Python) runs only while n·m ≤ PATH_BUDGET.
PATH_BUDGET = 3_000_000
BETWEENNESS_BUDGET = 60_000_000
BETWEENNESS_SAMPLE = 16


def betweenness_pivots(n: int, m: int) -> int:
    """How many seeded BFS pivots betweenness uses for a graph of ``n`` nodes, ``m`` edges."""
    return min(n, max(BETWEENNESS_SAMPLE, BETWEENNESS_BUDGET // max(m, 1)))


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
    :class:`mlops_kg.store.Store` (for large graphs). Node attributes: ``kind`` (tool, service,
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

def centrality(full: nx.MultiDiGraph, *, seed: int = SEED) -> dict[str, dict[str, float]]:
    """Degree, betweenness, PageRank and closeness of every node of ``full`` (undirected).

    Betweenness is exact while a BFS from every node fits :data:`BETWEENNESS_BUDGET`, else
    estimated from seeded pivots (:func:`betweenness_pivots`: as many as fit, at least 16), so its cost
    stays bounded; closeness is skipped on graphs too large for it (n·m > the budget).
    """
    simple = nx.Graph()
    simple.add_nodes_from(sorted(full.nodes))
    simple.add_edges_from(sorted((s, o) for s, o in full.edges() if s != o))
    n, m = simple.number_of_nodes(), simple.number_of_edges()
    pivots = betweenness_pivots(n, m)
    out = {
        "degree": nx.degree_centrality(simple) if n > 1 else {v: 0.0 for v in simple},
        "betweenness": betweenness_centrality(simple, k=None if pivots >= n else pivots, seed=seed),
        # tol is per node (networkx stops below n·tol): on a small graph 100 steps of a 0.85
        # contraction do not reach it, so allow more (convergence is geometric: ~150 suffice)
        "pagerank": nx.pagerank(simple, alpha=0.85, tol=1e-10, max_iter=1000) if n else {},
    }
    if n * max(m, 1) <= PATH_BUDGET:
        out["closeness"] = nx.closeness_centrality(simple)
    return {m: {v: round(float(x), 6) for v, x in scores.items()} for m, scores in out.items()}


def _neighbours(indptr, indices, nodes):
    """The CSR rows of ``nodes`` flattened: ``(position in nodes, neighbour)`` arrays."""
    import numpy as np

    starts = indptr[nodes]
    counts = indptr[nodes + 1] - starts
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    owner = np.repeat(np.arange(len(nodes)), counts)
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts) + np.repeat(starts, counts)
    return owner, indices[offsets]


def betweenness_centrality(simple: nx.Graph, k: int | None = None, seed: int = SEED) -> dict[str, float]:
    """Normalised betweenness of an undirected graph: Brandes' algorithm with each BFS level
    done as numpy array operations (about 10x networkx's pure-Python loop on large graphs).

    Same definition, scaling and seeded pivot choice as ``nx.betweenness_centrality(simple,
    k=k, seed=seed)`` (endpoints excluded), so the numbers agree with networkx (a test checks).
    """
    import math
    import random

    import numpy as np
    import scipy.sparse as sparse

    nodes = list(simple.nodes())
    n = len(nodes)
    index = {v: i for i, v in enumerate(nodes)}
    sources = nodes if k is None else random.Random(seed).sample(nodes, k)
    ends = np.array([(index[u], index[v]) for u, v in simple.edges() if u != v], dtype=np.int64).reshape(-1, 2)
    rows = np.concatenate([ends[:, 0], ends[:, 1]])
    cols = np.concatenate([ends[:, 1], ends[:, 0]])
    adjacency = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    indptr, indices = adjacency.indptr.astype(np.int64), adjacency.indices.astype(np.int64)
    total = np.zeros(n)
    dist, sigma, delta = np.full(n, -1, np.int64), np.zeros(n), np.zeros(n)
    for source in sources:
        s = index[source]
        dist.fill(-1)
        sigma.fill(0.0)
        delta.fill(0.0)
        dist[s], sigma[s] = 0, 1.0
        levels = [np.array([s], np.int64)]
        while True:  # BFS, one level at a time: count shortest paths into the next level
            frontier = levels[-1]
            owner, nb = _neighbours(indptr, indices, frontier)
            fresh = dist[nb] == -1
            if not fresh.any():
                break
            paths = np.bincount(nb[fresh], weights=sigma[frontier][owner[fresh]], minlength=n)
            reached = np.flatnonzero(paths)
            dist[reached] = len(levels)
            sigma[reached] = paths[reached]
            levels.append(reached)
        for depth in range(len(levels) - 2, -1, -1):  # dependencies, deepest level first
            level = levels[depth]
            owner, nb = _neighbours(indptr, indices, level)
            down = dist[nb] == depth + 1
            share = (1.0 + delta[nb[down]]) / sigma[nb[down]]
            delta[level] = sigma[level] * np.bincount(owner[down], weights=share, minlength=len(level))
        delta[s] = 0.0
        total += delta
    if n - 1 < 2:
        return dict(zip(nodes, total.tolist()))
    pairs = n - 2
    if k is None:
        total /= (n - 1) * pairs
    else:  # networkx's scaling for sampled sources (a source cannot lie on its own paths)
        is_source = np.zeros(n, bool)
        is_source[[index[v] for v in sources]] = True
        total = np.where(is_source, total / ((k - 1) * pairs) if k > 1 else math.nan, total / (k * pairs))
    return dict(zip(nodes, total.tolist()))


def ranked(full, scores: dict[str, dict[str, float]], *, top: int = 10) -> dict:
    """``{kind: {measure: [(label, iri, score), ...]}}``, best first, ties by label."""
    out = {}
    for kind in PROJECTED_KINDS:
        members = [v for v, k in full.nodes(data="kind") if k == kind]
        if not members:
            continue
        out[kind] = {}
        for measure, values in scores.items():
            rows = sorted(((full.nodes[v]["label"], v, values.get(v, 0.0)) for v in members),
                          key=lambda r: (-r[2], r[0].lower(), r[1]))
            out[kind][measure] = rows[:top]
    return out


# --- substitutability ------------------------------------------------------------------------

#: Weight of each kind of evidence. Capabilities dominate so that clusters group tools by the
#: job they do; a direct statement (stated alternative, cloud equivalent) is strong evidence
#: on its own; languages and industries are shared so widely that they only break ties.
WEIGHTS = {
    "stated_alternative": 2.0,      # the guide names one as an alternative of the other
    "cloud_equivalent": 1.5,        # one is a stated cloud equivalent of the other (the guide
                                    # uses "equivalent" loosely: SageMaker is everyone's)
    "capabilities": 4.0,            # × Jaccard similarity of capability sets
    "shared_equivalents": 1.0,      # × Jaccard similarity of their cloud equivalents
    "co_alternatives": 0.75,        # per third tool naming both as alternatives (capped at 2)
    "languages": 0.3,               # × Jaccard similarity of languages and frameworks
    "industries": 0.3,              # × Jaccard similarity of industries
}


@dataclass
class Profile:
    """What a technology is, as sets of node IRIs."""

    iri: str
    label: str
    kind: str
    capabilities: set = field(default_factory=set)
    equivalents: set = field(default_factory=set)      # its cloud equivalents
    equivalent_of: set = field(default_factory=set)    # technologies it is the equivalent of
    alternatives: set = field(default_factory=set)     # stated, either direction
    alternative_of: set = field(default_factory=set)   # X such that X states this one
    languages: set = field(default_factory=set)
    industries: set = field(default_factory=set)
    delivery: set = field(default_factory=set)
    providers: set = field(default_factory=set)        # offered by, or equivalents offered by


def profiles(graph) -> dict[str, Profile]:
    """A :class:`Profile` of every technology in ``graph`` (an rdflib Graph with inferences, or
    an embedded store)."""
    src = _source(graph)

    def index(predicate, reverse=False):
        out: dict[str, set] = {}
        for s, o in src.pairs(predicate):
            out.setdefault(o if reverse else s, set()).add(s if reverse else o)
        return out

    labels = dict(src.pairs(str(SKOS.prefLabel)))
    caps, equivalents = index(str(MLO.hasCapability)), index(str(MLO.cloudEquivalent))
    equivalent_of = index(str(MLO.cloudEquivalent), reverse=True)
    stated, stated_by = index(str(MLO.statedAlternative)), index(str(MLO.statedAlternative), reverse=True)
    symmetric = index(str(MLO.isAlternativeTo))
    languages, frameworks = index(str(MLO.usesLanguage)), index(str(MLO.supportsFramework))
    industries, delivery, offered = index(str(MLO.usedInIndustry)), index(str(MLO.deliveryModel)), \
        index(str(MLO.offeredBy))
    out = {}
    for iri in sorted(set(src.typed(str(MLO.Technology)))):
        if iri_kind(iri) not in TECHNOLOGY_KINDS:
            continue
        get = lambda table: table.get(iri, set())  # noqa: E731
        out[iri] = Profile(
            iri, labels.get(iri, iri), iri_kind(iri),
            capabilities=set(get(caps)), equivalents=set(get(equivalents)),
            equivalent_of=set(get(equivalent_of)),
            alternatives=get(symmetric) | get(stated) | get(stated_by), alternative_of=set(get(stated_by)),
            languages=get(languages) | get(frameworks), industries=set(get(industries)),
            delivery={d.rsplit("#", 1)[-1] for d in get(delivery)},
            providers=get(offered) | {p for e in get(equivalents) for p in offered.get(e, ())})
    return out


def _lower_first(text: str) -> str:
    """"Model serving" → "model serving", but "ML pipelines" and "AutoML" stay as they are."""
    return text if any(c.isupper() for c in text[1:]) else text[:1].lower() + text[1:]


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def weight_of(a: Profile, b: Profile, weights=WEIGHTS) -> float:
    """Substitutability weight of ``a`` and ``b``: symmetric, 0 when nothing is shared."""
    total = 0.0
    if b.iri in a.alternatives or a.iri in b.alternatives:
        total += weights["stated_alternative"]
    if b.iri in a.equivalents or a.iri in b.equivalents:
        total += weights["cloud_equivalent"]
    total += weights["capabilities"] * _jaccard(a.capabilities, b.capabilities)
    total += weights["shared_equivalents"] * _jaccard(a.equivalents, b.equivalents)
    total += weights["co_alternatives"] * min(len(a.alternative_of & b.alternative_of), 2)
    total += weights["languages"] * _jaccard(a.languages, b.languages)
    total += weights["industries"] * _jaccard(a.industries, b.industries)
    return round(total, 6)


def reasons_of(a: Profile, b: Profile, labels: dict[str, str]) -> list[str]:
    """The evidence behind :func:`weight_of`, as short phrases, strongest first."""
    def name(iris, limit=4):
        items = sorted((labels.get(i, i) for i in iris), key=str.lower)
        if len(items) > limit:
            items = items[:limit - 1] + [f"{len(items) - limit + 1} more"]
        return ", ".join(items)

    lower = lambda text: ", ".join(_lower_first(t) for t in text.split(", "))  # noqa: E731
    reasons = []
    if b.iri in a.alternatives or a.iri in b.alternatives:
        reasons.append("stated alternative")  # by the seed guide or an imported one
    if b.iri in a.equivalents or a.iri in b.equivalents:
        reasons.append("stated cloud equivalent")
    for shared, text in ((a.capabilities & b.capabilities, lambda x: "shares " + lower(name(x))),
                         (a.equivalents & b.equivalents, lambda x: "both have cloud equivalent " + name(x)),
                         (a.alternative_of & b.alternative_of, lambda x: "both named as alternatives of " + name(x)),
                         (a.languages & b.languages, lambda x: "both use " + name(x)),
                         (a.industries & b.industries, lambda x: "both used in " + name(x))):
        if shared:
            reasons.append(text(shared))
    return reasons


def substitutability(a: Profile, b: Profile, labels: dict[str, str], weights=WEIGHTS):
    """Weight and evidence for replacing ``a`` with ``b`` (symmetric: same for ``b``, ``a``).

    Returns ``(weight, reasons)``; ``reasons`` are short phrases, strongest first.
    """
    return weight_of(a, b, weights), reasons_of(a, b, labels)


#: Above this many technologies, candidate pairs are sampled (see substitutability_graph).
PAIRWISE_LIMIT = 1000
WINDOW = 4      # on large graphs: neighbours compared on each side within a big feature group
TOP_K = 10      # on large graphs: edges kept per technology


def candidate_pairs(profs: dict[str, Profile], *, window: int | None = None) -> set[tuple[str, str]]:
    """Pairs worth comparing: they share a capability set or a capability, a cloud equivalent,
    a tool naming both, or one is directly related to the other.

    With ``window``, a feature group larger than ``2 * window + 1`` contributes only pairs of
    members at most ``window`` apart in IRI order (a deterministic sample that keeps the work
    linear); without it every pair of a group is compared (groups over 2,000 are skipped).
    """
    by_feature: dict[tuple, list[str]] = {}
    for iri, p in profs.items():
        features = [("s", frozenset(p.capabilities))] if p.capabilities else []
        features += [("e", v) for v in p.equivalents] + [("o", v) for v in p.alternative_of]
        if window is None:
            features += [("c", v) for v in p.capabilities]
        for feature in features:
            by_feature.setdefault(feature, []).append(iri)
    # direct relations: the two technologies themselves are linked (not merely a shared neighbour)
    pairs = {tuple(sorted((iri, v))) for iri, p in profs.items()
             for v in p.alternatives | p.equivalents | p.equivalent_of if v in profs and v != iri}
    for members in by_feature.values():
        if len(members) < 2:
            continue
        members.sort()
        if window is None or len(members) <= 2 * window + 1:
            if window is None and len(members) > 2000:
                continue
            pairs.update((a, b) for i, a in enumerate(members) for b in members[i + 1:])
        else:
            pairs.update((members[i], members[j]) for i in range(len(members))
                         for j in range(i + 1, min(i + 1 + window, len(members))))
    return pairs


def substitutability_graph(profs: dict[str, Profile], labels: dict[str, str], weights=WEIGHTS) -> nx.Graph:
    """Weighted, undirected technology graph; an edge for every compared pair with positive weight.

    Edge attribute: ``weight`` (reasons come from :func:`reasons_of` when asked for). Only pairs
    with direct evidence (a capability, a cloud equivalent, a stated relation or a third tool
    naming both) are compared: sharing only a language or an industry makes nearly everything
    "similar" and is no reason to swap tools. Up to :data:`PAIRWISE_LIMIT` technologies every
    such pair is compared; above it, big feature groups are sampled with a window of
    :data:`WINDOW` and each technology keeps its :data:`TOP_K` strongest edges.
    """
    large = len(profs) > PAIRWISE_LIMIT
    g = nx.Graph()
    for iri in sorted(profs):
        g.add_node(iri, label=profs[iri].label, kind=profs[iri].kind)
    weighted = []
    for a, b in sorted(candidate_pairs(profs, window=WINDOW if large else None)):
        weight = weight_of(profs[a], profs[b], weights)
        if weight > 0:
            weighted.append((a, b, weight))
    if large:
        best: dict[str, list] = {}
        for a, b, w in weighted:
            best.setdefault(a, []).append((-w, b))
            best.setdefault(b, []).append((-w, a))
        keep = {tuple(sorted((a, b))) for a, rows in best.items() for _w, b in sorted(rows)[:TOP_K]}
        weighted = [row for row in weighted if (row[0], row[1]) in keep]
    g.add_weighted_edges_from(weighted)
    return g


def louvain_igraph(subst: nx.Graph, *, seed: int = SEED, resolution: float = RESOLUTION) -> list[set]:
    """Louvain communities by igraph's C implementation (multilevel), for graphs above
    :data:`PAIRWISE_LIMIT` technologies: the same objective (weighted modularity at
    ``resolution``) as networkx's, about 20x faster at 50,000 nodes. Deterministic: nodes
    are numbered in sorted order and igraph draws from a ``random.Random(seed)``.
    """
    import random

    import igraph

    nodes = sorted(subst.nodes)
    number = {v: i for i, v in enumerate(nodes)}
    edges = sorted((min(number[u], number[v]), max(number[u], number[v]), d["weight"])
                   for u, v, d in subst.edges(data=True))
    g = igraph.Graph(n=len(nodes), edges=[(a, b) for a, b, _w in edges])
    igraph.set_random_number_generator(random.Random(seed))
    try:
        found = g.community_multilevel(weights=[w for _a, _b, w in edges], resolution=resolution)
    finally:
        igraph.set_random_number_generator(random)
    return [{nodes[i] for i in community} for community in found]


def clusters(subst: nx.Graph, profs: dict[str, Profile], labels: dict[str, str], *, seed: int = SEED,
             resolution: float = RESOLUTION) -> list[dict]:
    """Louvain communities of the substitutability graph, each named by its dominant capability
    (networkx's Louvain; igraph's above :data:`PAIRWISE_LIMIT` technologies).

    Returns ``[{"id", "name", "capability", "members": [iri, ...]}]`` sorted by size then name;
    members sorted by label. Stable across runs and hash seeds (sorted input, fixed seed).
    """
    if subst.number_of_nodes() > PAIRWISE_LIMIT:
        communities = louvain_igraph(subst, seed=seed, resolution=resolution)
    else:
        communities = nx.community.louvain_communities(subst, weight="weight", seed=seed, resolution=resolution)
    found = []
    for community in communities:
        members = sorted(community, key=lambda i: (profs[i].label.lower(), i))
        counts = Counter(c for m in members for c in profs[m].capabilities)
        capability = min(counts, key=lambda c: (-counts[c], labels.get(c, c).lower())) if counts else None
        found.append({"capability": capability, "members": members})
    found.sort(key=lambda c: (-len(c["members"]), labels.get(c["capability"], "").lower(), c["members"][0]))
    seen = Counter()
    for index, cluster in enumerate(found, 1):
        base = labels.get(cluster["capability"], "Unclassified") if cluster["capability"] else "Unclassified"
        seen[base] += 1
        cluster["name"] = base if seen[base] == 1 else f"{base} ({seen[base]})"
        cluster["id"] = index
    return [{"id": c["id"], "name": c["name"], "capability": c["capability"], "members": c["members"]}
            for c in found]


# --- one call for the build ------------------------------------------------------------------

@dataclass
class Analysis:
    full: nx.MultiDiGraph
    scores: dict
    profiles: dict
    labels: dict
    subst: nx.Graph
    clusters: list
    seed: int = SEED
    #: node IRI → how many technologies have it as a neighbour (:data:`NEIGHBOUR_RELATIONS`)
    neighbour_counts: dict = field(default_factory=dict)

    def cluster_of(self) -> dict[str, dict]:
        return {m: c for c in self.clusters for m in c["members"]}

    def ranked_substitutes(self, iri: str, top: int | None = None) -> list[tuple[str, float]]:
        """``[(iri, weight)]`` for ``iri``, best first; ties by label then IRI."""
        rows = [(other, data["weight"]) for other, data in self.subst[iri].items()]
        rows.sort(key=lambda r: (-r[1], self.labels.get(r[0], r[0]).lower(), r[0]))
        return rows[:top] if top else rows

    def substitutes(self, iri: str, top: int | None = None) -> list[tuple[str, float, list[str]]]:
        """``[(iri, weight, reasons)]`` for ``iri``, best first; ties by label then IRI."""
        return [(other, w, reasons_of(self.profiles[iri], self.profiles[other], self.labels))
                for other, w in self.ranked_substitutes(iri, top)]

    def summary(self, top: int = 10) -> dict:
        """The JSON shape of ``mlops-kg analyze --format json``."""
        rank = ranked(self.full, self.scores, top=top)
        return {
            "centrality": {kind: {m: [{"label": l, "iri": i, "score": s} for l, i, s in rows]
                                  for m, rows in by_measure.items()} for kind, by_measure in rank.items()},
            "clusters": [{"id": c["id"], "name": c["name"],
                          "capability": self.labels.get(c["capability"], None) if c["capability"] else None,
                          "members": [self.labels[m] for m in c["members"]]} for c in self.clusters],
            "method": method_text(self.seed),
        }


def method_text(seed: int = SEED) -> str:
    weights = ", ".join(f"{k}={v}" for k, v in WEIGHTS.items())
    return (f"networkx {nx.__version__}: degree, betweenness (exact while n·m ≤ {BETWEENNESS_BUDGET:,}, "
            f"else that budget of seeded pivots, at least {BETWEENNESS_SAMPLE}), PageRank "
            f"(alpha 0.85) and closeness centrality on the undirected projection; substitutability "
            f"weights {weights}; Louvain communities (seed {seed}, resolution {RESOLUTION}; networkx up to "
            f"{PAIRWISE_LIMIT:,} technologies, igraph's multilevel above)")


def analyze(graph, *, seed: int = SEED) -> Analysis:
    """Run every analysis on ``graph``: the union graph of a build (with inferences), or an
    embedded store holding it (the fast path for large graphs)."""
    from .bulk import paused_gc

    with paused_gc():  # millions of small graph objects, none cyclic (see mlops_kg.bulk)
        source = _source(graph)  # one fetch of every relation serves all the steps below
        full = project(source)
        labels = dict(source.pairs(str(SKOS.prefLabel)))
        profs = profiles(source)
        subst = substitutability_graph(profs, labels)
        return Analysis(full, centrality(full, seed=seed), profs, labels, subst,
                        clusters(subst, profs, labels, seed=seed), seed, neighbour_counts(source, profs))


def neighbour_counts(source, technologies) -> dict[str, int]:
    """How many of ``technologies`` have each node as a neighbour through
    :data:`NEIGHBOUR_RELATIONS` (inferred links included, as the queries see them)."""
    users: dict[str, set] = {}
    for predicate in NEIGHBOUR_RELATIONS:
        for s, o in _source(source).pairs(str(predicate)):
            if s in technologies:
                users.setdefault(o, set()).add(s)
    return {node: len(who) for node, who in users.items()}


def _decimal(value: float) -> Literal:
    """A canonical xsd:decimal with 6 decimals, so the lexical form survives any round trip."""
    text = f"{value:.6f}".rstrip("0")
    return Literal(text + "0" if text.endswith(".") else text, datatype=XSD.decimal)


def write_ntriples(result: Analysis, out, *, links_per_tool: int = 10) -> int:
    """Write :func:`statements` as N-Triples to the binary file ``out``, straight from the
    statements and in batches (no rdflib graph, no whole text in memory: at 50,000 tools the
    analysis holds millions of triples). Returns the number of triples written."""
    batch, written = [], 0
    for s, p, o in statements(result, links_per_tool=links_per_tool):
        batch.append(f"{s.n3()} {p.n3()} {o.n3()} .\n")
        if len(batch) == 50_000:
            out.write("".join(batch).encode("utf-8"))
            written += len(batch)
            batch = []
    out.write("".join(batch).encode("utf-8"))
    return written + len(batch)


def statements(result: Analysis, *, links_per_tool: int = 10):
    """The analysis as RDF for the ``analysis`` named graph: scores on each node, clusters,
    the strongest substitutability links of each technology, and the run with its method.
    Yields the triples (rdflib terms), each once."""
    run = ID["analysis/run"]
    yield run, RDF.type, MLO.AnalysisRun
    yield run, RDFS.label, Literal("mlops-kg graph analysis")
    yield run, MLO.method, Literal(method_text(result.seed))
    yield run, MLO.randomSeed, Literal(result.seed, datatype=XSD.integer)
    for graph_name in (GRAPHS.GUIDE, GRAPHS.CURATED, GRAPHS.INFERRED):
        yield run, PROV.used, graph_name
    yield run, MLO.technologyTotal, Literal(len(result.profiles), datatype=XSD.integer)
    for node, count in sorted(result.neighbour_counts.items()):
        yield URIRef(node), MLO.technologyCount, Literal(count, datatype=XSD.integer)
    props = {"degree": MLO.degreeCentrality, "betweenness": MLO.betweennessCentrality,
             "pagerank": MLO.pageRank, "closeness": MLO.closenessCentrality}
    for measure, values in result.scores.items():
        for node, value in values.items():
            yield URIRef(node), props[measure], _decimal(value)
    for node in result.subst.nodes:
        strength = sum(d["weight"] for _o, d in result.subst[node].items())
        yield URIRef(node), MLO.substitutabilityStrength, _decimal(strength)
    for node, profile in result.profiles.items():
        if profile.alternative_of:
            yield URIRef(node), MLO.timesNamedAsAlternative, Literal(len(profile.alternative_of),
                                                                     datatype=XSD.integer)
    for cluster in result.clusters:
        iri = ID[f"cluster/{cluster['id']}-{slugify(cluster['name'])}"]
        yield iri, RDF.type, MLO.Cluster
        yield iri, RDFS.label, Literal(f"{cluster['name']} cluster")
        yield iri, MLO.clusterSize, Literal(len(cluster["members"]), datatype=XSD.integer)
        yield iri, PROV.wasGeneratedBy, run
        if cluster["capability"]:
            yield iri, MLO.dominantCapability, URIRef(cluster["capability"])
        for member in cluster["members"]:
            yield URIRef(member), MLO.inCluster, iri
    done = set()
    for node in result.subst.nodes:
        for other, weight in result.ranked_substitutes(node, links_per_tool):
            a, b = sorted((node, other))
            if (a, b) in done:
                continue  # the link is already there, from the other end
            done.add((a, b))
            link = ID[f"link/{a.rsplit('/', 1)[-1]}--{b.rsplit('/', 1)[-1]}"]
            yield link, RDF.type, MLO.SubstitutabilityLink
            yield link, MLO.linksTechnology, URIRef(a)
            yield link, MLO.linksTechnology, URIRef(b)
            yield link, MLO.weight, _decimal(weight)
            yield link, PROV.wasGeneratedBy, run
            for reason in reasons_of(result.profiles[node], result.profiles[other], result.labels):
                yield link, MLO.reason, Literal(reason)
