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
#: Louvain resolution: above 1 favours smaller clusters. 1.3 separates managed platforms from
#: model servers and data pipelines from ML pipelines on the shipped graph (see README).
RESOLUTION = 1.3
#: Node kinds that take part in the full projection (guide sections and the like do not).
PROJECTED_KINDS = ("tool", "service", "platform", "provider", "language", "framework", "industry",
                   "use-case", "capability")
TECHNOLOGY_KINDS = ("tool", "service", "platform")
#: Derived relations left out of the projection: they repeat what other edges already say
#: (isAlternativeTo mirrors statedAlternative; usedInIndustry shortcuts the use-case nodes).
DERIVED = {MLO.isAlternativeTo, MLO.usedInIndustry}
EXACT_LIMIT = 5000  # above this many nodes, betweenness is sampled and closeness skipped


# --- projection ------------------------------------------------------------------------------

def project(graph: Graph) -> nx.MultiDiGraph:
    """The full typed graph: one node per described instance, one edge per relation.

    Node attributes: ``kind`` (tool, service, platform, provider, language, framework, industry,
    use-case, capability — the IRI's kind segment), ``label`` (skos:prefLabel), ``description``.
    Edge attributes: ``predicate`` (IRI) and ``relation`` (its local name). Only relations of our
    ontology (and ``skos:broader`` between capabilities) become edges; literals become node
    attributes; ontology (schema) triples, rdf:type, guide sections, delivery models and the
    derived relations in :data:`DERIVED` are left out.
    """
    g = nx.MultiDiGraph()
    nodes = sorted({s for s in graph.subjects(SKOS.prefLabel, None)
                    if isinstance(s, URIRef) and iri_kind(s) in PROJECTED_KINDS
                    and (s, RDF.type, SKOS.ConceptScheme) not in graph})
    for node in nodes:
        g.add_node(str(node), kind=iri_kind(node), label=str(graph.value(node, SKOS.prefLabel)),
                   description=str(graph.value(node, DCTERMS.description) or ""))
    members = set(g.nodes)
    edges = []
    for s, p, o in graph:
        if p in DERIVED or p == RDF.type or not isinstance(o, URIRef):
            continue
        if not (str(p).startswith(str(MLO._NS)) or p == SKOS.broader):
            continue
        if str(s) in members and str(o) in members:
            edges.append((str(s), str(o), str(p)))
    for s, o, p in sorted(edges):
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

MEASURES = ("degree", "betweenness", "pagerank", "closeness")


def centrality(full: nx.MultiDiGraph, *, seed: int = SEED) -> dict[str, dict[str, float]]:
    """Degree, betweenness, PageRank and closeness of every node of ``full`` (undirected).

    Betweenness is exact up to :data:`EXACT_LIMIT` nodes, then estimated from a seeded sample
    of 500 pivots; closeness is skipped above that size (it needs all shortest paths).
    """
    simple = nx.Graph()
    simple.add_nodes_from(sorted(full.nodes))
    simple.add_edges_from(sorted((s, o) for s, o in full.edges() if s != o))
    n = simple.number_of_nodes()
    out = {
        "degree": nx.degree_centrality(simple) if n > 1 else {v: 0.0 for v in simple},
        "betweenness": nx.betweenness_centrality(simple, k=None if n <= EXACT_LIMIT else 500, seed=seed),
        "pagerank": nx.pagerank(simple, alpha=0.85, tol=1e-10) if n else {},
    }
    if n <= EXACT_LIMIT:
        out["closeness"] = nx.closeness_centrality(simple)
    return {m: {v: round(float(x), 6) for v, x in scores.items()} for m, scores in out.items()}


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


def profiles(graph: Graph) -> dict[str, Profile]:
    """A :class:`Profile` of every technology in ``graph`` (which must include inferences)."""
    out = {}
    for tech in sorted(set(graph.subjects(RDF.type, MLO.Technology))):
        if not isinstance(tech, URIRef) or iri_kind(tech) not in TECHNOLOGY_KINDS:
            continue
        iri = str(tech)
        objects = lambda p: {str(o) for o in graph.objects(tech, p)}  # noqa: E731
        profile = Profile(iri, str(graph.value(tech, SKOS.prefLabel) or iri), iri_kind(tech))
        profile.capabilities = objects(MLO.hasCapability)
        profile.equivalents = objects(MLO.cloudEquivalent)
        profile.equivalent_of = {str(s) for s in graph.subjects(MLO.cloudEquivalent, tech)}
        profile.alternatives = objects(MLO.isAlternativeTo) | objects(MLO.statedAlternative) | \
            {str(s) for s in graph.subjects(MLO.statedAlternative, tech)}
        profile.alternative_of = {str(s) for s in graph.subjects(MLO.statedAlternative, tech)}
        profile.languages = objects(MLO.usesLanguage) | objects(MLO.supportsFramework)
        profile.industries = objects(MLO.usedInIndustry)
        profile.delivery = {str(o).rsplit("#", 1)[-1] for o in graph.objects(tech, MLO.deliveryModel)}
        profile.providers = objects(MLO.offeredBy) | {
            str(p) for e in graph.objects(tech, MLO.cloudEquivalent) for p in graph.objects(e, MLO.offeredBy)}
        out[iri] = profile
    return out


def _lower_first(text: str) -> str:
    """"Model serving" → "model serving", but "ML pipelines" and "AutoML" stay as they are."""
    return text if any(c.isupper() for c in text[1:]) else text[:1].lower() + text[1:]


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def substitutability(a: Profile, b: Profile, labels: dict[str, str], weights=WEIGHTS):
    """Weight and evidence for replacing ``a`` with ``b`` (symmetric: same for ``b``, ``a``).

    Returns ``(weight, reasons)``; ``reasons`` are short phrases, strongest first.
    """
    parts, reasons = [], []
    def name(iris, limit=4):
        items = sorted((labels.get(i, i) for i in iris), key=str.lower)
        if len(items) > limit:
            items = items[:limit - 1] + [f"{len(items) - limit + 1} more"]
        return ", ".join(items)

    lower = lambda text: ", ".join(_lower_first(t) for t in text.split(", "))  # noqa: E731
    if b.iri in a.alternatives or a.iri in b.alternatives:
        parts.append(weights["stated_alternative"])
        reasons.append("stated alternative in the guide")
    if b.iri in a.equivalents or a.iri in b.equivalents:
        parts.append(weights["cloud_equivalent"])
        reasons.append("stated cloud equivalent")
    shared = a.capabilities & b.capabilities
    if shared:
        parts.append(weights["capabilities"] * _jaccard(a.capabilities, b.capabilities))
        reasons.append("shares " + lower(name(shared)))
    shared = a.equivalents & b.equivalents
    if shared:
        parts.append(weights["shared_equivalents"] * _jaccard(a.equivalents, b.equivalents))
        reasons.append("both have cloud equivalent " + name(shared))
    shared = a.alternative_of & b.alternative_of
    if shared:
        parts.append(weights["co_alternatives"] * min(len(shared), 2))
        reasons.append("both named as alternatives of " + name(shared))
    shared = a.languages & b.languages
    if shared:
        parts.append(weights["languages"] * _jaccard(a.languages, b.languages))
        reasons.append("both use " + name(shared))
    shared = a.industries & b.industries
    if shared:
        parts.append(weights["industries"] * _jaccard(a.industries, b.industries))
        reasons.append("both used in " + name(shared))
    return round(sum(parts), 6), reasons


def substitutability_graph(profs: dict[str, Profile], labels: dict[str, str], weights=WEIGHTS) -> nx.Graph:
    """Weighted, undirected technology graph; an edge for every pair with positive weight.

    Edge attributes: ``weight`` and ``reasons``. Only pairs with direct evidence (a capability,
    a cloud equivalent, a stated relation or a third tool naming both) are compared: sharing
    only a language or an industry makes nearly everything "similar" and is no reason to swap
    tools. Indexing by shared feature also avoids comparing every pair on large graphs.
    """
    g = nx.Graph()
    for iri in sorted(profs):
        g.add_node(iri, label=profs[iri].label, kind=profs[iri].kind)
    by_feature: dict[tuple, list[str]] = {}
    for iri, p in profs.items():
        for group, values in (("c", p.capabilities), ("e", p.equivalents), ("o", p.alternative_of),
                              ("a", p.alternatives | p.equivalents | p.equivalent_of | {iri})):
            for v in values:
                by_feature.setdefault((group, v), []).append(iri)
    pairs = set()
    for members in by_feature.values():
        if len(members) > 2000:  # a feature shared by thousands says little; skip its quadratic pairs
            continue
        members = sorted(members)
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                pairs.add((a, b))
    for a, b in sorted(pairs):
        weight, reasons = substitutability(profs[a], profs[b], labels, weights)
        if weight > 0:
            g.add_edge(a, b, weight=weight, reasons=reasons)
    return g


def clusters(subst: nx.Graph, profs: dict[str, Profile], labels: dict[str, str], *, seed: int = SEED,
             resolution: float = RESOLUTION) -> list[dict]:
    """Louvain communities of the substitutability graph, each named by its dominant capability.

    Returns ``[{"id", "name", "capability", "members": [iri, ...]}]`` sorted by size then name;
    members sorted by label. Stable across runs and hash seeds (sorted input, fixed seed).
    """
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

    def cluster_of(self) -> dict[str, dict]:
        return {m: c for c in self.clusters for m in c["members"]}

    def substitutes(self, iri: str, top: int | None = None) -> list[tuple[str, float, list[str]]]:
        """``[(iri, weight, reasons)]`` for ``iri``, best first; ties by label then IRI."""
        rows = [(other, data["weight"], data["reasons"]) for other, data in self.subst[iri].items()]
        rows.sort(key=lambda r: (-r[1], self.labels.get(r[0], r[0]).lower(), r[0]))
        return rows[:top] if top else rows

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
    return (f"networkx {nx.__version__}: degree, betweenness (exact up to {EXACT_LIMIT} nodes), PageRank "
            f"(alpha 0.85) and closeness centrality on the undirected projection; substitutability "
            f"weights {weights}; Louvain communities (seed {seed}, resolution {RESOLUTION})")


def analyze(graph: Graph, *, seed: int = SEED) -> Analysis:
    """Run every analysis on ``graph`` (the union graph of a build, with inferences)."""
    full = project(graph)
    labels = {str(s): str(o) for s, o in graph.subject_objects(SKOS.prefLabel)}
    profs = profiles(graph)
    subst = substitutability_graph(profs, labels)
    return Analysis(full, centrality(full, seed=seed), profs, labels, subst,
                    clusters(subst, profs, labels, seed=seed), seed)


def _decimal(value: float) -> Literal:
    """A canonical xsd:decimal with 6 decimals, so the lexical form survives any round trip."""
    text = f"{value:.6f}".rstrip("0")
    return Literal(text + "0" if text.endswith(".") else text, datatype=XSD.decimal)


def to_rdf(result: Analysis, *, links_per_tool: int = 10) -> Graph:
    """The analysis as RDF for the ``analysis`` named graph: scores on each node, clusters,
    the strongest substitutability links of each technology, and the run with its method."""
    g = Graph()
    run = ID["analysis/run"]
    g.add((run, RDF.type, MLO.AnalysisRun))
    g.add((run, RDFS.label, Literal("mlops-kg graph analysis")))
    g.add((run, MLO.method, Literal(method_text(result.seed))))
    g.add((run, MLO.randomSeed, Literal(result.seed, datatype=XSD.integer)))
    for graph_name in (GRAPHS.GUIDE, GRAPHS.CURATED, GRAPHS.INFERRED):
        g.add((run, PROV.used, graph_name))
    props = {"degree": MLO.degreeCentrality, "betweenness": MLO.betweennessCentrality,
             "pagerank": MLO.pageRank, "closeness": MLO.closenessCentrality}
    for measure, values in result.scores.items():
        for node, value in values.items():
            g.add((URIRef(node), props[measure], _decimal(value)))
    for node in result.subst.nodes:
        strength = sum(d["weight"] for _o, d in result.subst[node].items())
        g.add((URIRef(node), MLO.substitutabilityStrength, _decimal(strength)))
    for cluster in result.clusters:
        iri = ID[f"cluster/{cluster['id']}-{slugify(cluster['name'])}"]
        g.add((iri, RDF.type, MLO.Cluster))
        g.add((iri, RDFS.label, Literal(f"{cluster['name']} cluster")))
        g.add((iri, MLO.clusterSize, Literal(len(cluster["members"]), datatype=XSD.integer)))
        g.add((iri, PROV.wasGeneratedBy, run))
        if cluster["capability"]:
            g.add((iri, MLO.dominantCapability, URIRef(cluster["capability"])))
        for member in cluster["members"]:
            g.add((URIRef(member), MLO.inCluster, iri))
    done = set()
    for node in result.subst.nodes:
        for other, weight, reasons in result.substitutes(node, links_per_tool):
            a, b = sorted((node, other))
            if (a, b) in done:
                continue
            done.add((a, b))
            link = ID[f"link/{a.rsplit('/', 1)[-1]}--{b.rsplit('/', 1)[-1]}"]
            g.add((link, RDF.type, MLO.SubstitutabilityLink))
            g.add((link, MLO.linksTechnology, URIRef(a)))
            g.add((link, MLO.linksTechnology, URIRef(b)))
            g.add((link, MLO.weight, _decimal(weight)))
            g.add((link, PROV.wasGeneratedBy, run))
            for reason in reasons:
                g.add((link, MLO.reason, Literal(reason)))
    return g
