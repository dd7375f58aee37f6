"""Centrality of the projected nodes (degree, betweenness, PageRank, closeness), seeded and
within a work budget so that large graphs stay fast."""
from __future__ import annotations

import networkx as nx

from .projection import PROJECTED_KINDS, SEED


#: Shortest-path work budgets (edges visited). Betweenness (igraph's Brandes, below) uses as
#: many BFS pivots as fit in BETWEENNESS_BUDGET (all nodes = exact), at least
#: BETWEENNESS_SAMPLE; closeness (networkx, pure Python) runs only while n·m ≤ PATH_BUDGET.
PATH_BUDGET = 3_000_000
BETWEENNESS_BUDGET = 60_000_000
BETWEENNESS_SAMPLE = 16


def betweenness_pivots(n: int, m: int) -> int:
    """How many seeded BFS pivots betweenness uses for a graph of ``n`` nodes, ``m`` edges."""
    return min(n, max(BETWEENNESS_SAMPLE, BETWEENNESS_BUDGET // max(m, 1)))


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


def betweenness_centrality(simple: nx.Graph, k: int | None = None, seed: int = SEED) -> dict[str, float]:
    """Normalised betweenness of an undirected graph, by igraph's Brandes (C): from every
    node, or (``k``) from ``k`` seeded pivots, igraph's subset betweenness from those sources to
    every node.

    Same definition, scaling and seeded pivot choice as ``nx.betweenness_centrality(simple,
    k=k, seed=seed)`` (endpoints excluded), so the numbers agree with networkx (a test checks):
    igraph counts each pair of an undirected graph once, networkx's sum over sources counts
    it from both ends, hence the factor 2.
    """
    import math
    import random

    import igraph
    import numpy as np

    nodes = list(simple.nodes())
    n = len(nodes)
    index = {v: i for i, v in enumerate(nodes)}
    sources = nodes if k is None else random.Random(seed).sample(nodes, k)
    g = igraph.Graph(n=n, edges=[(index[u], index[v]) for u, v in simple.edges() if u != v])
    if k is None:
        total = 2.0 * np.array(g.betweenness(directed=False), dtype=float)
    else:
        total = 2.0 * np.array(g.betweenness(directed=False, sources=[index[v] for v in sources]), dtype=float)
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
