"""Louvain communities of the substitutability graph, named by what they hold: their dominant
capability, and where several share one, their most central member (stable IRIs)."""
from __future__ import annotations

from collections import Counter

import networkx as nx

from .projection import SEED
from .substitutability import PAIRWISE_LIMIT, Profile


#: Louvain resolution: above 1 favours smaller clusters. 1.8 separates managed platforms from
#: model servers and data pipelines from ML pipelines on the shipped graph (see README).
RESOLUTION = 1.8


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
    """Louvain communities of the substitutability graph, found in each connected component
    separately (:func:`communities_of`), each named by what it holds (networkx's Louvain;
    igraph's for components above :data:`PAIRWISE_LIMIT` technologies).

    Returns ``[{"id", "name", "capability", "members": [iri, ...]}]`` sorted by size then
    name; members sorted by label; ``id`` is the position in that order (for page anchors and
    colours); the name says what :func:`cluster_slugs` says, which names the cluster's IRI
    (:func:`slugs_of`). Stable across runs and hash seeds (sorted input, fixed seed).
    """
    communities = []
    for component in sorted(nx.connected_components(subst), key=min):
        communities += communities_of(subst, component, seed=seed, resolution=resolution)
    found = []
    for community in communities:
        members = sorted(community, key=lambda i: (profs[i].label.lower(), i))
        counts = Counter(c for m in members for c in profs[m].capabilities)
        capability = min(counts, key=lambda c: (-counts[c], labels.get(c, c).lower())) if counts else None
        found.append({"capability": capability, "members": members, "central": central_member(subst, members, profs)})
    found.sort(key=lambda c: (-len(c["members"]), labels.get(c["capability"], "").lower(), c["members"][0]))
    slugs = cluster_slugs(found, labels)
    for index, (cluster, slug) in enumerate(zip(found, slugs), 1):
        base = labels.get(cluster["capability"], "Unclassified") if cluster["capability"] else "Unclassified"
        # the name says what the slug says: the capability, and for a second cluster of it, its centre
        cluster["name"] = base if "--" not in slug else f"{base} ({profs[cluster['central']].label})"
        cluster["id"] = index
    return [{"id": c["id"], "name": c["name"], "capability": c["capability"], "members": c["members"]}
            for c in found]


def slugs_of(found: list[dict], subst: nx.Graph, profs: dict[str, Profile], labels: dict[str, str]) -> list[str]:
    """The last IRI segment of each cluster :func:`clusters` gave (``found``, in its order):
    :func:`cluster_slugs` of their capabilities and most central members."""
    return cluster_slugs([{"capability": c["capability"], "central": central_member(subst, c["members"], profs)}
                          for c in found], labels)


def communities_of(subst: nx.Graph, component: set, *, seed: int = SEED, resolution: float = RESOLUTION) -> list[set]:
    """Louvain communities of one connected component of ``subst``, found on that component
    alone (nodes and edges in sorted order, the seed as given): modularity weighs a split
    against the whole graph's weight, so on the whole graph, tools added elsewhere (another
    component) would move the communities here and rename them; per component they cannot.
    A component that Louvain would split into single technologies only stays whole."""
    if len(component) == 1:
        return [set(component)]
    part = nx.Graph()
    part.add_nodes_from(sorted(component))
    part.add_weighted_edges_from(sorted((min(a, b), max(a, b), w) for a, b, w in
                                        subst.subgraph(component).edges(data="weight")))
    if len(component) > PAIRWISE_LIMIT:
        found = louvain_igraph(part, seed=seed, resolution=resolution)
    else:
        found = nx.community.louvain_communities(part, weight="weight", seed=seed, resolution=resolution)
    # A resolution above 1 shatters a small, evenly linked group (three tools that all share
    # one capability) into single tools: no structure inside it, so it is one cluster.
    return found if any(len(c) > 1 for c in found) else [set(component)]


def central_member(subst: nx.Graph, members: list[str], profs: dict[str, Profile]) -> str:
    """The member most strongly tied to the others (the largest sum of substitutability
    weights to members of the same cluster); ties by label, then IRI."""
    inside = set(members)

    def strength(m):
        return sum(d["weight"] for other, d in subst[m].items() if other in inside)

    return min(members, key=lambda m: (-round(strength(m), 6), profs[m].label.lower(), m))


def _slug(label: str) -> str:
    from ..model.iris import slugify

    return slugify(label)


def cluster_slugs(found: list[dict], labels: dict[str, str]) -> list[str]:
    """The last IRI segment of each cluster (``found`` in size order), from its content only,
    so that a cluster keeps its IRI when a rebuild adds data that does not change it:

    * its dominant capability's slug (``model-serving``), ``unclassified`` without one;
    * when several clusters share that capability, the largest keeps the plain slug and each
      other one adds its most central member's (``model-serving--bentoml``): never a number.

    Examples
    --------
    >>> found = [{"capability": "cap/serving", "central": "tool/seldon-core"},
    ...          {"capability": "cap/serving", "central": "tool/bentoml"}, {"capability": None, "central": "tool/x"}]
    >>> cluster_slugs(found, {"cap/serving": "Model serving"})
    ['model-serving', 'model-serving--bentoml', 'unclassified']
    """
    import hashlib

    out, used = [], set()
    for cluster in found:
        capability = cluster["capability"]
        base = _slug(labels.get(capability, capability.rsplit("/", 1)[-1])) if capability else "unclassified"
        central = cluster["central"]
        for slug in (base, f"{base}--{_slug(central.rsplit('/', 1)[-1])}",
                     f"{base}--{_slug('-'.join(central.rsplit('/', 2)[-2:]))}",
                     f"{base}--{hashlib.sha256(central.encode()).hexdigest()[:12]}"):
            if slug not in used:
                break
        used.add(slug)
        out.append(slug)
    return out
