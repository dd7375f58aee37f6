"""One call for the build: every analysis of a graph, kept together in :class:`Analysis`."""
from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
from rdflib.namespace import SKOS

from .centrality import BETWEENNESS_BUDGET, BETWEENNESS_SAMPLE, centrality, ranked
from .clusters import RESOLUTION, clusters
from .projection import NEIGHBOUR_RELATIONS, SEED, _source, project
from .substitutability import (KEEP_PER_TOOL, KIND_FACTORS, PAIRWISE_LIMIT, WEIGHTS, context, profiles, rankings,
                               reasons_of, substitutability_graph)


# --- one call for the build ------------------------------------------------------------------

@dataclass
class Analysis:
    """Everything the analyses computed for one graph, so the build, the site and the CLI share
    one run instead of each projecting the graph again.

    Attributes
    ----------
    full : networkx.MultiDiGraph
        The projection of the whole graph (see :func:`mlops_kg.analysis.projection.project`).
    scores : dict
        Centrality scores by measure, then node IRI.
    profiles : dict
        Technology IRI → the features substitutability compares.
    labels : dict
        Node IRI → preferred label.
    subst : networkx.Graph
        Substitutability: an edge, weighted, between tools that can replace one another.
    clusters : list of dict
        Louvain communities of ``subst``, each with ``id``, ``name``, ``capability`` and ``members``
        (named by their content: see :func:`mlops_kg.analysis.clusters.slugs_of`).
    seed : int
        The random seed that made the run deterministic.
    """

    full: nx.MultiDiGraph
    scores: dict
    profiles: dict
    labels: dict
    subst: nx.Graph
    clusters: list
    seed: int = SEED
    #: node IRI → how many technologies have it as a neighbour (:data:`NEIGHBOUR_RELATIONS`)
    neighbour_counts: dict = field(default_factory=dict)
    #: technology IRI → its best candidates ``[(iri, score)]``, directional (see substitutability)
    ranked: dict | None = None
    #: kind compatibility and capability ancestry (:class:`.substitutability.Context`)
    ctx: object = None
    #: (technology, candidate) → reasons, when read from a build's index rather than computed
    reasons: dict | None = None
    #: reasons computed so far (see :meth:`reasons_for`); not part of the result's value
    _reasons_made: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def cluster_of(self) -> dict[str, dict]:
        """Member IRI → its cluster; technologies in no cluster are absent."""
        return {m: c for c in self.clusters for m in c["members"]}

    def ranked_substitutes(self, iri: str, top: int | None = None) -> list[tuple[str, float]]:
        """``[(iri, weight)]`` for ``iri``, best first; ties by label then IRI."""
        if self.ranked is not None:
            rows = self.ranked.get(iri, [])
            return rows[:top] if top else list(rows)
        rows = [(other, data["weight"]) for other, data in self.subst[iri].items()]
        rows.sort(key=lambda r: (-r[1], self.labels.get(r[0], r[0]).lower(), r[0]))
        return rows[:top] if top else rows

    def substitutes(self, iri: str, top: int | None = None) -> list[tuple[str, float, list[str]]]:
        """``[(iri, weight, reasons)]`` for ``iri``, best first; ties by label then IRI."""
        if self.reasons is not None:
            return [(other, w, self.reasons.get((iri, other), [])) for other, w in self.ranked_substitutes(iri, top)]
        return [(other, w, self.reasons_for(iri, other)) for other, w in self.ranked_substitutes(iri, top)]

    def reasons_for(self, iri: str, other: str) -> list[str]:
        """The reasons for ``other`` as a substitute of ``iri`` (directional), computed once per pair:
        the index, the site and the analysis graph of a build all ask for the same pairs."""
        key = (iri, other)
        if self.reasons is not None:
            return self.reasons.get(key, [])
        try:
            return self._reasons_made[key]
        except KeyError:
            made = self._reasons_made[key] = reasons_of(self.profiles[iri], self.profiles[other], self.labels, self.ctx)
            return made

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
    """How the numbers were made, in one sentence: library version, measures, weights, seed.

    Printed under every analysis so a reader can reproduce or question a ranking.

    Parameters
    ----------
    seed : int
        The seed of the sampled betweenness and of Louvain.

    Returns
    -------
    str
        The method sentence; it names the installed networkx and igraph versions.
    """
    import igraph

    weights = ", ".join(f"{k}={v}" for k, v in WEIGHTS.items())
    weights += "; kind factors " + ", ".join(f"{k}={v}" for k, v in KIND_FACTORS.items())
    return (f"networkx {nx.__version__}, igraph {igraph.__version__}: degree, betweenness (igraph; exact while "
            f"n·m ≤ {BETWEENNESS_BUDGET:,}, else that budget of seeded pivots, at least {BETWEENNESS_SAMPLE}), "
            f"PageRank (alpha 0.85) and closeness centrality on the undirected projection; substitutability "
            f"weights {weights} (every pair compared; each technology keeps its {KEEP_PER_TOOL} best candidates); Louvain communities per connected component (seed {seed}, resolution {RESOLUTION}; "
            f"networkx up to {PAIRWISE_LIMIT:,} technologies, igraph's multilevel above)")


def analyze(graph, *, seed: int = SEED, origins: dict | None = None) -> Analysis:
    """Run every analysis on ``graph``: the union graph of a build (with inferences), or an
    embedded store holding it (the fast path for large graphs). ``origins``
    (:func:`mlops_kg.analysis.substitutability.graph_origins`) lets reasons name their sources."""
    from ..bulk import paused_gc

    with paused_gc():  # millions of small graph objects, none cyclic (see mlops_kg.bulk)
        source = _source(graph)  # one fetch of every relation serves all the steps below
        full = project(source)
        labels = dict(source.pairs(str(SKOS.prefLabel)))
        profs = profiles(source, origins)
        ctx = context(source)
        ranked, edges = rankings(profs, labels, ctx, KEEP_PER_TOOL)
        subst = substitutability_graph(profs, labels, ctx=ctx, edges=edges)
        return Analysis(full, centrality(full, seed=seed), profs, labels, subst,
                        clusters(subst, profs, labels, seed=seed), seed, neighbour_counts(source, profs),
                        ranked, ctx)


def neighbour_counts(source, technologies) -> dict[str, int]:
    """How many of ``technologies`` have each node as a neighbour through
    :data:`NEIGHBOUR_RELATIONS` (inferred links included, as the queries see them)."""
    users: dict[str, set] = {}
    for predicate in NEIGHBOUR_RELATIONS:
        for s, o in _source(source).pairs(str(predicate)):
            if s in technologies:
                users.setdefault(o, set()).add(s)
    return {node: len(who) for node, who in users.items()}
