"""Graph pages: views of the knowledge graph drawn with vis-network, written as offline HTML.

A *view* (:class:`GraphView`) is plain data: vis-network nodes and edges with precomputed,
seeded positions, the network options, and a legend. :func:`graph_page` renders a view into one
self-contained HTML file (``templates/graph_page.html``); :mod:`mlops_kg.pages.site` embeds views in
the pages of the static site with the same ``graph_block`` macro (``templates/macros.html``).

Why the pages are not pyvis's (see DESIGN.md, "Known pitfalls"): pyvis 0.3.2 links Bootstrap and
vis-network from CDNs even in ``in_line`` mode, copies ``lib/`` into the current folder, renders
every tooltip as raw HTML once one title contains ``href``, and its Jinja templates do not
autoescape. So the only part of pyvis used is the vis-network build it ships
(``vis-network.min.js``, found on disk without importing pyvis, which would import IPython). Our
templates autoescape (:mod:`mlops_kg.pages.markup`). Data enters a page only (1) as JSON inside
``<script type="application/json">`` with ``<``, ``>`` and ``&`` written as ``\\u003c``,
``\\u003e``, ``\\u0026``, read with ``JSON.parse``; (2) as text the template escapes. Tooltips are
plain strings, which vis-network 9 shows with ``innerText``; canvas labels are text by nature. A
Content-Security-Policy allows only our own scripts (by hash when inlined) and no network
requests at all.

Positions are computed in Python with a fixed seed, so the same graph gives the same file.
Above :data:`PHYSICS_LIMIT` nodes, physics is off: the page shows the precomputed layout at once.

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("a", kind="tool", label="A", description="")
>>> g.add_node("b", kind="language", label="B", description="")
>>> _ = g.add_edge("a", "b", relation="usesLanguage")
>>> view = full_view(g)
>>> len(view.nodes), len(view.edges), view.edges[0]["label"]
(2, 1, 'uses language')
"""
from __future__ import annotations

import base64
import functools
import hashlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from ..errors import MlopsKgError, OutputError

SEED = 42
#: Above this many nodes a page opens with physics off (the precomputed layout is final); at or
#: below it, vis-network runs a short stabilisation from the precomputed positions, then stops.
PHYSICS_LIMIT = 300
#: Up to this many nodes positions come from ``networkx.spring_layout``; above it from
#: :func:`grid_spring_layout` (NetworkX's layouts take ~10 s for 2,000 nodes; this takes <1 s).
LAYOUT_LIMIT = 500
#: Pixels between neighbouring nodes, roughly.
SPACING = 110
DESCRIPTION_CHARS = 280

#: Node kind → (title, colour, vis-network shape). Colour and shape both tell the kind apart.
KINDS = {
    "tool": ("Tool", "#4e79a7", "dot"),
    "service": ("Cloud service", "#f28e2b", "square"),
    "platform": ("Platform", "#9c755f", "triangleDown"),
    "provider": ("Cloud provider", "#e15759", "star"),
    "language": ("Language", "#59a14f", "diamond"),
    "framework": ("Framework", "#b07aa1", "triangle"),
    "industry": ("Industry", "#edc948", "hexagon"),
    "use-case": ("Industry use case", "#76b7b2", "ellipse"),
    "capability": ("Capability", "#d4cbc5", "box"),
    "cluster": ("Cluster", "#1f77b4", "dot"),
}
OTHER_KIND = ("Other", "#bab0ac", "dot")
#: Cluster colours of the substitutes view (cycled when there are more clusters).
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd")
VIEWS = ("full", "substitutes")
#: Above this many technologies the whole graph and the substitutes view are drawn as overviews
#: (:func:`capability_overview`, :func:`cluster_overview`): 2,000 overlapping labels read as nothing.
OVERVIEW_LIMIT = 300
#: An overview shows at most this many clusters; the smaller ones become one node.
OVERVIEW_CLUSTERS = 60
#: Each node of an overview keeps its strongest few edges (the others would hide the structure).
OVERVIEW_EDGES_PER_NODE = 6


def kind_title(kind: str) -> str:
    """The reader-facing name of a node kind; unknown kinds read "Other" rather than failing.

    Examples
    --------
    >>> kind_title("service"), kind_title("no-such-kind")
    ('Cloud service', 'Other')
    """
    return KINDS.get(kind, OTHER_KIND)[0]


def relation_words(relation: str) -> str:
    """A relation's local name as words, as the ontology's labels read.

    Parameters
    ----------
    relation : str
        A camel-case local name.

    Returns
    -------
    str

    Examples
    --------
    >>> relation_words("statedAlternative")
    'stated alternative'
    """
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: " " + m.group(1).lower(), relation)


def shorten(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    """Collapse whitespace and cut ``text`` at a word boundary to at most ``limit`` characters.

    Tooltips stay readable; a cut text ends in "…" without a dangling comma or full stop.

    Parameters
    ----------
    text : str
        Any text; non-strings are converted with ``str``.
    limit : int
        The most characters kept before the ellipsis.

    Returns
    -------
    str
        ``text`` unchanged (whitespace aside) when it fits, else its shortened form.

    Examples
    --------
    >>> shorten("Track   experiments,  models and runs.", limit=22)
    'Track experiments…'
    """
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + "…"


# --- layout ----------------------------------------------------------------------------------

def _simple(graph) -> nx.Graph:
    """An undirected simple copy with nodes and edges in sorted order (layouts follow order)."""
    simple = nx.Graph()
    simple.add_nodes_from(sorted(graph.nodes))
    weights: dict[tuple, float] = {}
    for a, b, data in graph.edges(data=True):
        if a != b:
            key = (a, b) if a < b else (b, a)
            weights[key] = max(weights.get(key, 0.0), float(data.get("weight", 1.0)))
    simple.add_weighted_edges_from((a, b, w) for (a, b), w in sorted(weights.items()))
    return simple


def grid_spring_layout(graph: nx.Graph, *, seed: int = SEED, iterations: int = 80) -> dict:
    """Fruchterman–Reingold with the authors' grid variant: nodes repel only within a radius.

    Repulsion between near pairs comes from a KD-tree, so each step is about linear in the
    number of nodes and edges (NetworkX's spring layout compares every pair).

    Parameters
    ----------
    graph : networkx.Graph
        Positions follow its node and edge order.
    seed : int
        Seed of the random start.
    iterations : int
        Steps of the simulation; the temperature falls linearly to zero.

    Returns
    -------
    dict
        ``{node: (x, y)}`` in layout units; the same for the same graph and seed.
    """
    import numpy as np
    from scipy.spatial import cKDTree

    nodes = list(graph.nodes)
    n = len(nodes)
    index = {v: i for i, v in enumerate(nodes)}
    edges = np.array([(index[a], index[b]) for a, b in graph.edges() if a != b], dtype=np.intp).reshape(-1, 2)
    rng = np.random.default_rng(seed)
    side = math.sqrt(n)
    pos = rng.random((n, 2)) * side
    radius = 2.0
    temperature = side / 8
    cooling = temperature / (iterations + 1)

    def accumulate(i, j, force, disp):
        for axis in (0, 1):
            disp[:, axis] += np.bincount(i, weights=force[:, axis], minlength=n)
            disp[:, axis] -= np.bincount(j, weights=force[:, axis], minlength=n)

    for _ in range(iterations):
        disp = np.zeros((n, 2))
        pairs = cKDTree(pos).query_pairs(radius, output_type="ndarray")
        if len(pairs):
            delta = pos[pairs[:, 0]] - pos[pairs[:, 1]]
            dist2 = np.maximum((delta ** 2).sum(axis=1), 1e-4)
            accumulate(pairs[:, 0], pairs[:, 1], delta / dist2[:, None], disp)  # k²/d along delta/d
        if len(edges):
            delta = pos[edges[:, 0]] - pos[edges[:, 1]]
            dist = np.sqrt(np.maximum((delta ** 2).sum(axis=1), 1e-4))
            accumulate(edges[:, 0], edges[:, 1], -delta * dist[:, None], disp)  # d²/k along -delta/d
        length = np.sqrt(np.maximum((disp ** 2).sum(axis=1), 1e-9))
        pos += disp / length[:, None] * np.minimum(length, temperature)[:, None]
        temperature -= cooling
    return {v: (float(pos[i, 0]), float(pos[i, 1])) for i, v in enumerate(nodes)}


def layout(graph, *, seed: int = SEED) -> dict[str, tuple[int, int]]:
    """Seeded positions in pixels for the nodes of ``graph``.

    ``networkx.spring_layout`` up to :data:`LAYOUT_LIMIT` nodes (edge ``weight`` pulls harder),
    :func:`grid_spring_layout` above. Coordinates are rounded to whole pixels so the output does
    not depend on the last bits of floating-point arithmetic.

    Parameters
    ----------
    graph : networkx.Graph or networkx.MultiDiGraph
        Any NetworkX graph; it is read as undirected and simple.
    seed : int
        The layout's seed.

    Returns
    -------
    dict
        ``{node: (x, y)}``, centred on the origin, about :data:`SPACING` pixels between neighbours.

    Examples
    --------
    >>> import networkx as nx
    >>> layout(nx.path_graph(1)), len(layout(nx.path_graph(3)))
    ({0: (0, 0)}, 3)
    """
    simple = _simple(graph)
    n = simple.number_of_nodes()
    if n == 0:
        return {}
    if n == 1:
        return {next(iter(simple)): (0, 0)}
    if n <= LAYOUT_LIMIT:
        raw = nx.spring_layout(simple, seed=seed, weight="weight")
    else:
        raw = grid_spring_layout(simple, seed=seed)
    xs = [p[0] for p in raw.values()]
    ys = [p[1] for p in raw.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    extent = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    size = SPACING * math.sqrt(n)
    return {v: (round((x - cx) / extent * size), round((y - cy) / extent * size)) for v, (x, y) in raw.items()}


def radial_layout(graph, center, members) -> dict[str, tuple[int, int]]:
    """Positions in pixels with ``center`` in the middle and the other ``members`` on rings.

    Ring ``k`` holds the members ``k`` links from ``center``, ordered by kind and then by node,
    so one kind sits together; a ring is wide enough for its nodes to stand about
    :data:`SPACING` pixels apart. Linear in the members, no simulation (a page with physics on
    relaxes it in the browser).

    Parameters
    ----------
    graph : networkx.Graph
        Any graph holding the members (an undirected view is read for distances).
    center : str
        The node in the middle.
    members : set
        The nodes to place; ``center`` among them.

    Returns
    -------
    dict
        ``{node: (x, y)}``, whole pixels.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.star_graph(4)
    >>> positions = radial_layout(g, 0, set(g))
    >>> positions[0], len({abs(x) + abs(y) > 0 for n, (x, y) in positions.items() if n})
    ((0, 0), 1)
    """
    distance = nx.single_source_shortest_path_length(graph.subgraph(members), center)
    rings: dict[int, list] = {}
    for node in members:
        if node != center:
            rings.setdefault(distance.get(node, max(distance.values(), default=0) + 1), []).append(node)
    kind = lambda n: str(graph.nodes[n].get("kind", "")) if n in graph.nodes else ""  # noqa: E731
    positions = {center: (0, 0)}
    radius = 0.0
    for _k, nodes in sorted(rings.items()):
        nodes.sort(key=lambda n: (kind(n), str(n)))
        radius = max(radius + SPACING * 1.6, len(nodes) * SPACING / (2 * math.pi))
        for i, node in enumerate(nodes):
            angle = 2 * math.pi * i / len(nodes)
            positions[node] = (round(radius * math.cos(angle)), round(radius * math.sin(angle)))
    return positions


# --- views -----------------------------------------------------------------------------------

@dataclass
class GraphView:
    """What a graph page shows: vis-network nodes and edges, options, legend. Plain data."""

    title: str
    nodes: list[dict]
    edges: list[dict]
    physics: bool
    legend: list[dict] = field(default_factory=list)     # {"label", "color", "shape"}
    clusters: list[dict] = field(default_factory=list)   # {"label", "color", "size"} (substitutes view)
    center: str | None = None
    #: What the view leaves out and how to see it (overviews), shown above the graph.
    note: str = ""

    @property
    def kinds(self) -> list[str]:
        """The node kinds present, in the legend's order (known kinds first, then the rest sorted)."""
        present = {n["kind"] for n in self.nodes}
        return [k for k in KINDS if k in present] + sorted(present - set(KINDS))

    def options(self) -> dict:
        """The vis-network options for this view (see :func:`vis_options`)."""
        return vis_options(len(self.nodes), self.physics)

    def data(self) -> dict:
        """Everything the page script needs, as JSON-ready data."""
        return {"nodes": self.nodes, "edges": self.edges, "options": self.options(), "center": self.center,
                "kinds": [[k, kind_title(k)] for k in self.kinds]}


def vis_options(n_nodes: int, physics: bool) -> dict:
    """The vis-network options for a graph of ``n_nodes`` nodes.

    Parameters
    ----------
    n_nodes : int
        Above :data:`PHYSICS_LIMIT` nodes, edges are hidden while dragging or zooming so the page
        stays responsive.
    physics : bool
        Whether the browser keeps simulating forces; off, the precomputed positions are final.

    Returns
    -------
    dict
        JSON-ready options; the layout seed is fixed, so the same graph looks the same each time.
    """
    big = n_nodes > PHYSICS_LIMIT
    options = {
        "autoResize": True,
        "width": "100%",
        "height": "100%",
        "layout": {"improvedLayout": False, "randomSeed": SEED},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": big, "hideEdgesOnZoom": big,
                        "navigationButtons": False, "keyboard": False},
        "nodes": {"borderWidth": 1, "font": {"size": 14, "face": "system-ui, sans-serif", "color": "#1d2330"}},
        "edges": {"smooth": False, "selectionWidth": 2,
                  "color": {"color": "#a3abb8", "highlight": "#1d2330", "hover": "#1d2330", "inherit": False},
                  "font": {"size": 10, "color": "#4b5363", "strokeWidth": 3, "align": "middle"},
                  "arrows": {"to": {"scaleFactor": 0.5}, "from": {"scaleFactor": 0.5}}},
        "physics": {"enabled": False},
    }
    if physics:
        options["physics"] = {
            "enabled": True, "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -80, "springLength": 110, "avoidOverlap": 0.3},
            "stabilization": {"enabled": True, "iterations": 150, "updateInterval": 50, "fit": True},
        }
    return options


def _origins_text(origins) -> str:
    from .provenance import describe_origin

    return "; ".join(describe_origin(o) for o in origins)


def _node(iri: str, attrs: dict, pos, *, origins=None, url=None, color=None, size=None) -> dict:
    kind = attrs.get("kind") or "other"
    title, kind_color, shape = KINDS.get(kind, OTHER_KIND)
    node = {"id": iri, "label": attrs.get("label") or iri, "kind": kind, "type": title, "shape": shape,
            "color": color or kind_color, "x": pos[0], "y": pos[1],
            "description": shorten(attrs.get("description") or "")}
    if node["description"] and attrs.get("description_origin"):  # not the node's own data: say whose words
        node["description"] += f" ({_origins_text([attrs['description_origin']])})"
    if origins:
        node["source"] = _origins_text(origins)
    if url:
        node["url"] = url
    if size is not None and shape not in ("box", "ellipse"):
        node["size"] = size
    return node


def _sizes(nodes, scores: dict | None) -> dict[str, float]:
    """Node size in pixels from a score (PageRank): 10 to 30, by square root."""
    if not scores:
        return {}
    top = max((scores.get(n, 0.0) for n in nodes), default=0.0) or 1.0
    return {n: round(10 + 20 * math.sqrt(max(scores.get(n, 0.0), 0.0) / top), 1) for n in nodes}


def _relation_edges(full, nodes) -> list[dict]:
    """One vis edge per linked pair of ``nodes``: arrows show direction, the label names the relations."""
    labels = {n: full.nodes[n].get("label", n) for n in nodes}
    pairs: dict[tuple, list] = {}
    # every edge is the out-edge of one node: walking the members' out-edges finds each edge among
    # them once, without a pass over the whole graph per page
    edges = full.edges(data=True) if len(nodes) == len(full) else full.out_edges(sorted(nodes), data=True)
    for s, o, data in edges:
        if s == o or s not in nodes or o not in nodes:
            continue
        key = (s, o) if s < o else (o, s)
        pairs.setdefault(key, []).append((s, o, data.get("relation") or str(data.get("predicate", ""))))
    edges = []
    for i, ((a, b), facts) in enumerate(sorted(pairs.items())):
        facts = sorted(set(facts))
        arrows = [name for name, present in (("to", any(s == a for s, _o, _r in facts)),
                                             ("from", any(s == b for s, _o, _r in facts))) if present]
        words = sorted({relation_words(r) for _s, _o, r in facts})
        title = "\n".join(f"{labels[s]} → {relation_words(r)} → {labels[o]}" for s, o, r in facts)
        edges.append({"id": f"e{i}", "from": a, "to": b, "arrows": ", ".join(arrows), "label": ", ".join(words),
                      "title": title})
    return edges


def full_view(full: nx.MultiDiGraph, *, origins: dict | None = None, urls: dict | None = None,
              scores: dict | None = None, seed: int = SEED, title: str = "MLOps knowledge graph") -> GraphView:
    """Every node of the projection, coloured and shaped by type.

    Parameters
    ----------
    full : networkx.MultiDiGraph
        The projection (:func:`mlops_kg.analysis.projection.project`).
    origins : dict, optional
        Node IRI → the origins of its facts (:func:`mlops_kg.pages.provenance.node_origins`).
    urls : dict, optional
        Node IRI → its page (site pages); double-click opens it.
    scores : dict, optional
        Node IRI → a number that sizes the node (PageRank).
    seed : int
        The layout's seed.
    title : str
        The view's title.

    Returns
    -------
    GraphView
    """
    return _typed_view(full, set(full.nodes), origins=origins, urls=urls, scores=scores, seed=seed, title=title)


def _typed_view(full, members: set, *, origins, urls, scores, seed, title, center=None,
                positions=None) -> GraphView:
    positions = positions or layout(full.subgraph(members), seed=seed)
    sizes = _sizes(members, scores)
    nodes = []
    for iri in sorted(members):
        node = _node(iri, full.nodes[iri], positions[iri], origins=(origins or {}).get(iri),
                     url=(urls or {}).get(iri), size=sizes.get(iri))
        if iri == center:
            node.update({"borderWidth": 4, "size": max(node.get("size", 20), 26), "font": {"size": 18}})
        nodes.append(node)
    edges = _relation_edges(full, members)
    legend = [{"label": KINDS[k][0], "color": KINDS[k][1], "shape": KINDS[k][2]}
              for k in KINDS if any(n["kind"] == k for n in nodes)]
    return GraphView(title, nodes, edges, len(nodes) <= PHYSICS_LIMIT, legend, center=center)


#: A neighbourhood page shows at most this many nodes: the nearest, best-connected first.
MAX_NEIGHBOURHOOD = 2000


def _nearest(graph, center: str, hops: int, degree=None) -> tuple[set, int]:
    """Nodes within ``hops`` of ``center``, capped at :data:`MAX_NEIGHBOURHOOD` (nearest first,
    then most connected, then by IRI); also the uncapped count. ``degree`` (a degree view) is
    how connected a node is; by default ``graph``'s (slow on an undirected view of a big graph)."""
    distance = nx.single_source_shortest_path_length(graph, center, cutoff=hops)
    if len(distance) <= MAX_NEIGHBOURHOOD:
        return set(distance), len(distance)
    degree = degree if degree is not None else graph.degree
    ranked = sorted(distance, key=lambda n: (distance[n], -degree[n], n))
    return set(ranked[:MAX_NEIGHBOURHOOD]), len(distance)


_UNDIRECTED: dict = {}


def _undirected(full):
    """An undirected view of ``full``, made once per graph (a site asks for it on every page)."""
    cached = _UNDIRECTED.get(id(full))
    if cached is None or cached[0] is not full:
        _UNDIRECTED.clear()
        cached = _UNDIRECTED[id(full)] = (full, full.to_undirected(as_view=True))
    return cached[1]


def _capped_note(members: set, total: int) -> str:
    return f" — the nearest {len(members):,} of {total:,} nodes" if len(members) < total else ""


def neighbourhood_view(full: nx.MultiDiGraph, center: str, *, hops: int = 1, origins: dict | None = None,
                       urls: dict | None = None, scores: dict | None = None, seed: int = SEED,
                       title: str | None = None, radial: bool = False) -> GraphView:
    """``center`` and every node within ``hops`` links of it (either direction), typed as in :func:`full_view`.

    At most :data:`MAX_NEIGHBOURHOOD` nodes: the nearest, then the best connected.

    Parameters
    ----------
    full : networkx.MultiDiGraph
        The projection.
    center : str
        The IRI of the node in the middle; it is drawn larger, with a thick border.
    hops : int
        How many links away to go (0: the node alone).
    origins, urls, scores, seed
        As for :func:`full_view`.
    title : str, optional
        By default "LABEL: neighbourhood (N hops)", saying when the view was cut.
    radial : bool
        Place the nodes on rings around ``center`` (:func:`radial_layout`) instead of a spring
        layout: no simulation, so a site writes thousands of these pages quickly.

    Returns
    -------
    GraphView

    Raises
    ------
    MlopsKgError
        ``center`` is not in the graph, or ``hops`` is negative.
    """
    if center not in full:
        raise MlopsKgError(f"{center} is not a node of the graph")
    if hops < 0:
        raise MlopsKgError(f"--hops must be 0 or more, got {hops}")
    undirected = _undirected(full)
    members, total = _nearest(undirected, center, hops, degree=full.degree)  # links in or out
    label = full.nodes[center].get("label", center)
    title = title or f"{label}: neighbourhood ({hops} hop{'s' if hops != 1 else ''})" + _capped_note(members, total)
    positions = radial_layout(undirected, center, members) if radial else None
    return _typed_view(full, members, origins=origins, urls=urls, scores=scores, seed=seed, title=title,
                       center=center, positions=positions)


def _reasons(analysis, a: str, b: str) -> list[str]:
    from ..analysis.substitutability import reasons_of

    said = getattr(analysis, "reasons", None)
    if said:  # the reasons the build stored (with their sources), from either end
        if (a, b) in said or (b, a) in said:
            return said.get((a, b)) or said.get((b, a)) or []
    profiles = getattr(analysis, "profiles", {}) or {}
    if a in profiles and b in profiles:
        return reasons_of(profiles[a], profiles[b], analysis.labels, getattr(analysis, "ctx", None))
    return []


def substitutes_view(analysis, *, center: str | None = None, hops: int = 1, origins: dict | None = None,
                     urls: dict | None = None, seed: int = SEED, title: str | None = None) -> GraphView:
    """Technologies only, coloured by cluster, edge width by substitutability weight.

    Parameters
    ----------
    analysis : mlops_kg.analysis.result.Analysis
        Its ``subst`` graph, clusters, labels and profiles (for each edge's reasons).
    center : str, optional
        With a technology IRI, only the technologies within ``hops`` links of it in the
        substitutability graph.
    hops : int
        How far from ``center`` to go.
    origins, urls, seed
        As for :func:`full_view`.
    title : str, optional
        By default "Substitutable technologies" or "LABEL: substitutes (N hops)".

    Returns
    -------
    GraphView

    Raises
    ------
    MlopsKgError
        ``center`` is not a technology.
    """
    subst = analysis.subst
    if center is not None:
        if center not in subst:
            raise MlopsKgError(f"{analysis.labels.get(center, center)!r} is not a tool, service or platform")
        members, total = _nearest(subst, center, hops)
        graph = subst.subgraph(members)
    else:
        graph = subst
    cluster_of = analysis.cluster_of()
    colors = {c["id"]: PALETTE[(c["id"] - 1) % len(PALETTE)] for c in analysis.clusters}
    positions = layout(graph, seed=seed)
    full = analysis.full
    nodes = []
    for iri in sorted(graph.nodes):
        attrs = dict(full.nodes[iri]) if iri in full else {"label": analysis.labels.get(iri, iri),
                                                            "kind": subst.nodes[iri].get("kind")}
        cluster = cluster_of.get(iri)
        node = _node(iri, attrs, positions[iri], origins=(origins or {}).get(iri), url=(urls or {}).get(iri),
                     color=colors.get(cluster["id"]) if cluster else None)
        if cluster:
            node["cluster"] = cluster["name"]
        if iri == center:
            node.update({"borderWidth": 4, "size": 26, "font": {"size": 18}})
        nodes.append(node)
    weights = [d["weight"] for _a, _b, d in graph.edges(data=True)]
    top = max(weights, default=1.0) or 1.0
    edges = []
    for i, (a, b) in enumerate(sorted((min(a, b), max(a, b)) for a, b in graph.edges())):
        data = graph.edges[a, b]
        la, lb = analysis.labels.get(a, a), analysis.labels.get(b, b)
        reasons = "\n".join("• " + r for r in _reasons(analysis, a, b))
        edges.append({"id": f"e{i}", "from": a, "to": b, "width": round(1 + 7 * data["weight"] / top, 2),
                      "weight": data["weight"],
                      "title": f"{la} ↔ {lb}\nsubstitutability {data['weight']:.2f}\n{reasons}".rstrip()})
    present = {n["kind"] for n in nodes}
    legend = [{"label": KINDS[k][0], "color": "#ffffff", "shape": KINDS[k][2]} for k in KINDS if k in present]
    members = set(graph.nodes)
    cluster_legend = [{"label": c["name"], "color": colors[c["id"]], "size": sum(m in members for m in c["members"])}
                      for c in analysis.clusters if any(m in members for m in c["members"])]
    if title is None:
        title = "Substitutable technologies" if center is None else \
            f"{analysis.labels.get(center, center)}: substitutes ({hops} hop{'s' if hops != 1 else ''})" \
            + _capped_note(members, total)
    return GraphView(title, nodes, edges, len(nodes) <= PHYSICS_LIMIT, legend, cluster_legend, center)


# --- overviews (large graphs) ----------------------------------------------------------------

def needs_overview(analysis) -> bool:
    """Whether ``analysis`` has more technologies than a page can draw one by one
    (:data:`OVERVIEW_LIMIT`).

    Parameters
    ----------
    analysis : mlops_kg.analysis.result.Analysis
        Its ``profiles`` are the technologies.

    Returns
    -------
    bool
    """
    return len(analysis.profiles) > OVERVIEW_LIMIT


def _strongest(pairs: dict, per_node: int) -> list[tuple]:
    """``[(a, b, weight)]`` of ``pairs`` (``{(a, b): weight}``) kept when the edge is among the
    ``per_node`` strongest of either end; sorted."""
    by_node: dict = {}
    for (a, b), w in pairs.items():
        by_node.setdefault(a, []).append((-w, b, a))
        by_node.setdefault(b, []).append((-w, a, b))
    keep = set()
    for rows in by_node.values():
        for _w, x, y in sorted(rows)[:per_node]:
            keep.add((min(x, y), max(x, y)))
    return sorted((a, b, pairs[(a, b)]) for a, b in keep)


def _overview(title: str, groups: list[dict], pairs: dict, kind: str, note: str, seed: int,
              edge_word: str) -> GraphView:
    """A view with one node per group (``{"id", "label", "members", "description", "url", "color"}``),
    sized by members, and an edge per strong pair, width by weight."""
    kept = _strongest(pairs, OVERVIEW_EDGES_PER_NODE)
    graph = nx.Graph()
    graph.add_nodes_from(g["id"] for g in groups)
    graph.add_weighted_edges_from(kept)
    positions = layout(graph, seed=seed)
    top = max((g["members"] for g in groups), default=1) or 1
    label_of = {g["id"]: g["label"] for g in groups}
    title_kind, kind_color, shape = KINDS[kind]
    nodes = []
    for g in sorted(groups, key=lambda g: g["id"]):
        node = {"id": g["id"], "label": f"{g['label']} ({g['members']:,})", "kind": kind, "type": title_kind,
                "shape": shape, "color": g.get("color") or kind_color, "x": positions[g["id"]][0],
                "y": positions[g["id"]][1], "description": g["description"],
                "size": round(10 + 30 * math.sqrt(g["members"] / top), 1)}
        if g.get("url"):
            node["url"] = g["url"]
            node["linkText"] = g.get("link_text", "Open")
        nodes.append(node)
    heaviest = max((w for _a, _b, w in kept), default=1) or 1
    edges = [{"id": f"e{i}", "from": a, "to": b, "width": round(1 + 7 * w / heaviest, 2), "weight": w,
              "title": f"{label_of[a]} — {label_of[b]}\n{w:,} {edge_word}"}
             for i, (a, b, w) in enumerate(kept)]
    legend = [{"label": title_kind, "color": kind_color, "shape": shape}]
    return GraphView(title, nodes, edges, len(nodes) <= PHYSICS_LIMIT, legend, note=note)


def capability_overview(analysis, *, urls: dict | None = None, seed: int = SEED,
                        title: str = "MLOps knowledge graph: capabilities") -> GraphView:
    """The whole graph as an overview: one node per capability, sized by the technologies that
    have it, an edge between two capabilities that technologies share (width: how many).

    Parameters
    ----------
    analysis : mlops_kg.analysis.result.Analysis
        Its profiles (capabilities per technology), labels and PageRank (the most central
        members named in each tooltip).
    urls : dict, optional
        Capability IRI → a page listing its technologies (the site's index, filtered).
    seed : int
        The layout's seed.
    title : str
        The view's title.

    Returns
    -------
    GraphView
        With a ``note`` saying how to see one tool's neighbourhood.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> profs = {t: NS(capabilities=caps) for t, caps in
    ...          {"t1": {"c1", "c2"}, "t2": {"c1"}, "t3": {"c1", "c2"}}.items()}
    >>> view = capability_overview(NS(profiles=profs, labels={"c1": "Serving", "c2": "Tracking"}, scores={}))
    >>> [n["label"] for n in view.nodes], view.edges[0]["weight"]
    (['Serving (3)', 'Tracking (2)'], 2)
    """
    members: dict[str, list] = {}
    pairs: dict[tuple, int] = {}
    for iri, profile in analysis.profiles.items():
        caps = sorted(profile.capabilities)
        for c in caps:
            members.setdefault(c, []).append(iri)
        for i, a in enumerate(caps):
            for b in caps[i + 1:]:
                pairs[(a, b)] = pairs.get((a, b), 0) + 1
    pagerank = (analysis.scores or {}).get("pagerank", {})
    labels = analysis.labels
    groups = []
    for cap, techs in members.items():
        central = sorted(techs, key=lambda t: (-pagerank.get(t, 0.0), labels.get(t, t).lower(), t))[:5]
        groups.append({"id": cap, "label": labels.get(cap, cap), "members": len(techs),
                       "description": f"{len(techs):,} technologies have this capability; the most central: "
                                      + ", ".join(labels.get(t, t) for t in central) + ".",
                       "url": (urls or {}).get(cap), "link_text": "List the technologies with"})
    n = len(analysis.profiles)
    note = (f"{n:,} technologies are too many to draw one by one, so each node is a capability, sized by how "
            "many technologies have it; an edge joins two capabilities that technologies share (width: how "
            "many). To see a tool with its neighbours: mlops-kg viz --tool NAME, or the tool's page.")
    return _overview(title, groups, pairs, "capability", note, seed, "technologies have both")


def cluster_overview(analysis, *, urls: dict | None = None, seed: int = SEED,
                     title: str = "Clusters of substitutable tools") -> GraphView:
    """The substitutes view as an overview: one node per cluster, sized by members, an edge
    between two clusters with substitutability links between their members (width: how many).

    At most :data:`OVERVIEW_CLUSTERS` clusters are drawn, the largest; the others are one
    node, "N smaller clusters".

    Parameters
    ----------
    analysis : mlops_kg.analysis.result.Analysis
        Its clusters and substitutability graph.
    urls : dict, optional
        Cluster id (int) → a page about the cluster.
    seed : int
        The layout's seed.
    title : str
        The view's title.

    Returns
    -------
    GraphView
    """
    clusters = sorted(analysis.clusters, key=lambda c: c["id"])
    shown, rest = clusters[:OVERVIEW_CLUSTERS], clusters[OVERVIEW_CLUSTERS:]
    group_of = {m: f"cluster/{c['id']}" for c in shown for m in c["members"]}
    group_of.update({m: "cluster/rest" for c in rest for m in c["members"]})
    labels = analysis.labels
    groups = []
    for c in shown:
        names = ", ".join(labels.get(m, m) for m in c["members"][:6]) + (", …" if len(c["members"]) > 6 else "")
        groups.append({"id": f"cluster/{c['id']}", "label": c["name"], "members": len(c["members"]),
                       "description": f"{len(c['members']):,} technologies: {names}",
                       "color": PALETTE[(c["id"] - 1) % len(PALETTE)], "url": (urls or {}).get(c["id"]),
                       "link_text": "List the members of"})
    if rest:
        size = sum(len(c["members"]) for c in rest)
        groups.append({"id": "cluster/rest", "label": f"{len(rest):,} smaller clusters", "members": size,
                       "description": f"{size:,} technologies in clusters of at most {len(rest[0]['members'])}.",
                       "color": "#bab0ac"})
    pairs: dict[tuple, int] = {}
    for a, b in analysis.subst.edges():
        ga, gb = group_of.get(a), group_of.get(b)
        if ga and gb and ga != gb:
            key = (min(ga, gb), max(ga, gb))
            pairs[key] = pairs.get(key, 0) + 1
    n = len(analysis.profiles)
    note = (f"{n:,} technologies are too many to draw one by one, so each node is a cluster of substitutable "
            "technologies, sized by its members; an edge joins clusters whose members can replace one another "
            "(width: how many such links). To see a tool's substitutes: mlops-kg viz --view substitutes --tool NAME.")
    view = _overview(title, groups, pairs, "cluster", note, seed, "substitutability links")
    view.clusters = [{"label": g["label"], "color": g["color"], "size": g["members"]} for g in groups]
    view.legend = []
    return view


# --- HTML ------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def vis_network_js() -> str:
    """The vis-network build that pyvis ships, read from disk (pyvis itself is not imported)."""
    import importlib.util

    spec = importlib.util.find_spec("pyvis")
    roots = [Path(p) for p in (spec.submodule_search_locations or [])] if spec else []
    for root in roots:
        for rel in ("templates/lib/vis-9.1.2/vis-network.min.js", "lib/vis-9.1.2/vis-network.min.js"):
            if (root / rel).is_file():
                return (root / rel).read_text(encoding="utf-8")
        found = sorted(root.glob("**/vis-network.min.js"))
        if found:
            return found[-1].read_text(encoding="utf-8")
    raise MlopsKgError("vis-network.min.js not found in the installed pyvis; reinstall it: pip install 'pyvis>=0.3.2'")


_ASSET_DIR = Path(__file__).with_name("assets")


@functools.lru_cache(maxsize=None)
def asset_text(name: str) -> str:
    """The text of one of our page assets, shipped in ``assets/`` beside this module.

    Parameters
    ----------
    name : str
        ``graph.js``, ``index.js`` or ``site.css``.

    Returns
    -------
    str
    """
    return (_ASSET_DIR / name).read_text(encoding="utf-8")


def assets() -> dict[str, str]:
    """File name → text of every asset a site copies into its ``assets/`` folder."""
    return {"vis-network.min.js": vis_network_js(), "graph.js": asset_text("graph.js"),
            "index.js": asset_text("index.js"), "compare.js": asset_text("compare.js"),
            "site.css": asset_text("site.css")}


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def page_frame(*, scripts=(), asset_prefix: str | None = None) -> dict:
    """The template variables of the page frame (``templates/base.html``): policy, style, scripts.

    Parameters
    ----------
    scripts : sequence of str
        Asset file names of the scripts the page runs, in order (e.g. :data:`GRAPH_SCRIPTS`).
    asset_prefix : str or None
        With a prefix (e.g. ``"../assets/"``) the stylesheet and scripts are linked from that
        folder; without one they are inlined, so the file stands alone.

    Returns
    -------
    dict
        ``policy`` (a Content-Security-Policy that allows no network request and no script but
        ours: by hash when inlined), ``css``, ``scripts`` (texts when inlined, else file names)
        and ``asset_prefix``.
    """
    from .markup import markup

    css = asset_text("site.css")
    if asset_prefix is None:
        texts = [vis_network_js() if s == "vis-network.min.js" else asset_text(s) for s in scripts]
        script_src = " ".join(_sha256(t) for t in texts) or "'none'"
        policy = (f"default-src 'none'; script-src {script_src}; style-src {_sha256(css)}; img-src data:; "
                  "base-uri 'none'; form-action 'none'")
        return {"policy": policy, "css": markup(css), "scripts": [markup(t) for t in texts], "asset_prefix": None}
    policy = ("default-src 'none'; script-src 'self' file:; style-src 'self' file:; "
              "img-src 'self' file: data:; base-uri 'none'; form-action 'none'")
    return {"policy": policy, "css": "", "scripts": list(scripts), "asset_prefix": asset_prefix}


def _safe_color(color) -> str:
    return color if re.fullmatch(r"#[0-9a-fA-F]{6}", color or "") else "#999999"


def view_block(view: GraphView) -> dict:
    """What ``templates/macros.html``'s ``graph_block`` draws for ``view``: controls, legend, data.

    The legend repeats each kind's colour and shape (colour alone does not tell kinds apart);
    the view's data travels as JSON (:func:`mlops_kg.pages.markup.script_json`).

    Parameters
    ----------
    view : GraphView
        The view to draw.

    Returns
    -------
    dict
        Template variables: ``kinds``, ``node_count``, ``edge_count``, ``legend``, ``clusters``,
        ``edge_note``, ``note`` (what an overview leaves out), ``links`` (whether double-click
        opens a page) and ``data``.
    """
    edge_note = ("Edge width: substitutability weight." if view.clusters
                 else "Edges name the relation; arrows point from subject to object.")
    return {
        "kinds": [(k, kind_title(k)) for k in view.kinds],
        "node_count": len(view.nodes), "edge_count": len(view.edges),
        "legend": [dict(item, color=_safe_color(item["color"])) for item in view.legend],
        "clusters": [dict(item, color=_safe_color(item["color"])) for item in view.clusters],
        "edge_note": edge_note, "note": view.note,
        "links": any("url" in n for n in view.nodes),
        "data": view.data(),
    }


GRAPH_SCRIPTS = ("vis-network.min.js", "graph.js")


def graph_page(view: GraphView, *, subtitle: str = "") -> str:
    """A self-contained HTML page for ``view``: every script and style inlined, no link to the network.

    Parameters
    ----------
    view : GraphView
        What to draw.
    subtitle : str
        A line under the title (omitted when empty).

    Returns
    -------
    str
        The page, rendered from ``templates/graph_page.html``.
    """
    from .markup import render

    return render("graph_page.html", title=view.title, subtitle=subtitle, block=view_block(view),
                  **page_frame(scripts=GRAPH_SCRIPTS))


def check_output(path) -> Path:
    """``path`` as a Path if a page can be written there, else an error saying why.

    Parameters
    ----------
    path : str or Path
        A file in a folder that exists and is writable.

    Returns
    -------
    Path

    Raises
    ------
    OutputError
        ``path`` is a folder, or its folder is missing or not writable.
    """
    import os

    path = Path(path)
    parent = path.parent
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a folder; give a file name such as graph.html")
    if not parent.is_dir():
        raise OutputError(f"cannot write {path}: folder {parent} does not exist; create it first")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {path}: folder {parent} is not writable; choose a writable folder")
    return path


def write_page(text: str, path) -> Path:
    """Write ``text`` to ``path`` atomically (UTF-8); nothing else is written anywhere.

    Parameters
    ----------
    text : str
        The page.
    path : str or Path
        Checked with :func:`check_output`.

    Returns
    -------
    Path
    """
    from ..files import write_text

    path = check_output(path)
    try:
        return write_text(path, text)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror}; choose a writable folder") from None
