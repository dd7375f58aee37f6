"""The static site: an index of every tool, one page per tool, the whole graph and the clusters.

Pages are plain HTML that open from ``file://`` with the network off: every script and style
sheet lives in one ``assets/`` folder beside the pages (vis-network, our ``graph.js``,
``index.js`` and ``site.css``), linked by relative paths. Each page is rendered from a Jinja2
template in ``templates/`` with autoescaping (:mod:`mlops_kg.pages.markup`); data travels as
text the template escapes or as JSON read with ``JSON.parse`` (see :mod:`mlops_kg.pages.viz`).
The site draws the analysis the build stored (:func:`load_built`); it never analyses again.

Layout of a site folder::

    index.html              every technology: sortable, filterable by capability, provider, language
    graph.html              the whole graph (typed view)
    clusters.html           the substitutability graph coloured by cluster, and each cluster's members
    compare.html            two to four tools side by side (pages/comparison.py)
    tool/<slug>.html        one page per technology (also service/… and platform/…)
    assets/                 scripts and styles
    site.json               the list of pages (marks the folder as a mlops-kg site)

:func:`site_pages` returns the pages as data; :func:`write_site` writes them into a staging
folder and swaps it into place only when it is complete.
"""
from __future__ import annotations

import errno
import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from ..errors import MlopsKgError, OutputError
from ..files import scratch_dir
from ..model.namespaces import GRAPHS, ID, MLO, SCHEMA, bind_prefixes
from .comparison import compare_data, compare_link, tool_token
from .facts import FactIndex, summarise, what_it_is
from .provenance import describe_origin, fact_origins, imported_descriptions, node_origins, origin_of
from .markup import environment, render
from .viz import (GRAPH_SCRIPTS, assets, capability_overview, cluster_overview, full_view, kind_title,
                  needs_overview, neighbourhood_view, page_frame, relation_words, substitutes_view, view_block)

SITE_MARKER = "site.json"
TOP_SUBSTITUTES = 10
#: Predicates not listed among a tool's facts (the page shows them in its own way or they are noise).
_HIDDEN_FACTS = {RDF.type}


# --- loading a build -------------------------------------------------------------------------

def load_built(build_dir):
    """The dataset and the stored analysis of the build in ``build_dir``.

    Nothing is validated or analysed again, and nothing is built (see :mod:`mlops_kg.build.locate`):
    the data and the analysis named graph come from the build's N-Quads, the ranked substitutes
    from its ``index.json`` (see :func:`stored_analysis`).

    Parameters
    ----------
    build_dir : str or Path
        A build folder (``mlops-kg build --out DIR``).

    Returns
    -------
    tuple
        ``(dataset, analysis)``: an rdflib Dataset with the build's named graphs and a
        :class:`mlops_kg.analysis.result.Analysis` read from the stored results.
    """
    from ..analysis.substitutes import load_index
    from ..model.layout import STEM, damaged_build
    from ..model.load import new_dataset

    path = Path(build_dir) / f"{STEM}.nq"
    ds = new_dataset()
    try:
        ds.parse(path, format="nquads")
    except Exception:  # noqa: BLE001 - any failure means the build must be redone
        raise damaged_build(path) from None
    if (None, RDF.type, MLO.AnalysisRun) not in ds.graph(GRAPHS.ANALYSIS):
        raise damaged_build(path, "it holds no analysis")
    return ds, stored_analysis(ds, load_index(build_dir))


def stored_analysis(ds, index: dict):
    """The :class:`mlops_kg.analysis.result.Analysis` a build stored, for the pages.

    What the build computed is read, not computed again: PageRank and the clusters from the
    analysis named graph of ``ds``, the substitutability links (each technology's ranked
    substitutes, at most :data:`mlops_kg.analysis.substitutes.MAX_PER_TOOL`) from the index.
    The projection, labels and profiles are read off the data graphs: they are the facts the
    pages draw, not results.

    Parameters
    ----------
    ds : rdflib.Dataset
        A build's dataset, with its ``analysis`` named graph.
    index : dict
        The build's ``index.json`` (:func:`mlops_kg.analysis.substitutes.load_index`).

    Returns
    -------
    mlops_kg.analysis.result.Analysis
        With ``scores`` holding PageRank only, as the pages use no other measure.
    """
    import networkx as nx

    from ..analysis.projection import _source, project
    from ..analysis.result import Analysis
    from ..analysis.substitutability import profiles

    data = bind_prefixes(Graph())
    triples = set()
    for graph in ds.graphs():
        if graph.identifier != GRAPHS.ANALYSIS:
            triples.update(graph)
    for triple in sorted(triples):
        data.add(triple)
    source = _source(data)
    labels = dict(source.pairs(str(SKOS.prefLabel)))
    profs = profiles(source)
    stored = ds.graph(GRAPHS.ANALYSIS)
    pagerank = {str(s): float(o) for s, o in stored.subject_objects(MLO.pageRank)}
    subst = nx.Graph()
    for iri in sorted(profs):
        subst.add_node(iri, label=profs[iri].label, kind=profs[iri].kind)
    ranked, reasons = {}, {}
    for iri, rows in sorted(index.get("substitutes", {}).items()):
        ranked[iri] = [(other, weight) for other, weight, _reasons in rows if iri in profs and other in profs]
        reasons.update(((iri, other), list(why)) for other, _weight, why in rows)
    subst.add_weighted_edges_from(_undirected(ranked))
    return Analysis(project(source), {"pagerank": pagerank}, profs, labels, subst,
                    stored_clusters(stored, profs, labels), ranked=ranked, reasons=reasons)


def _undirected(ranked: dict) -> list[tuple]:
    """``[(a, b, weight)]``, ``a < b``, sorted: one edge per pair of ranked technologies, weighted by
    the stronger of the two directional scores (the same whichever end is read first)."""
    best: dict = {}
    for iri, rows in ranked.items():
        for other, weight in rows:
            key = (min(iri, other), max(iri, other))
            best[key] = max(best.get(key, weight), weight)
    return sorted((a, b, w) for (a, b), w in best.items())


def as_stored(analysis):
    """``analysis`` as a build stores it, so a site drawn right after the analysis and one drawn
    later from the stored results are the same bytes.

    Only what the build keeps is kept: each technology's
    :data:`mlops_kg.analysis.substitutes.MAX_PER_TOOL` strongest substitutability links (those
    of ``index.json``) and PageRank at the six decimals of the analysis graph. An analysis read
    with :func:`stored_analysis` comes back unchanged.

    Parameters
    ----------
    analysis : mlops_kg.analysis.result.Analysis
        A fresh or a stored analysis.

    Returns
    -------
    mlops_kg.analysis.result.Analysis
        A copy with the trimmed substitutability graph and rounded scores (the projection,
        profiles, labels and clusters are shared, not copied).
    """
    import dataclasses

    import networkx as nx

    from ..analysis.substitutes import MAX_PER_TOOL

    subst = nx.Graph()
    subst.add_nodes_from(analysis.subst.nodes(data=True))
    ranked, reasons = {}, {}
    for iri in analysis.subst.nodes:
        rows = analysis.substitutes(iri, MAX_PER_TOOL)  # directional: kept per technology
        ranked[iri] = [(other, weight) for other, weight, _why in rows]
        reasons.update(((iri, other), list(why)) for other, _weight, why in rows)
    subst.add_weighted_edges_from(_undirected(ranked))
    pagerank = {node: float(f"{value:.6f}") for node, value in analysis.scores.get("pagerank", {}).items()}
    return dataclasses.replace(analysis, subst=subst, scores={"pagerank": pagerank}, ranked=ranked, reasons=reasons)


def stored_clusters(stored, profs: dict, labels: dict) -> list[dict]:
    """The clusters of the analysis graph ``stored``, in the shape and order
    :func:`mlops_kg.analysis.clusters.clusters` gives them.

    Each ``mlo:Cluster`` is labelled "NAME cluster", names its ``mlo:dominantCapability`` and is
    named by its members' ``mlo:inCluster``; clusters are numbered by size, then capability
    label, then first member, members sorted by label.

    Parameters
    ----------
    stored : rdflib.Graph
        The analysis named graph of a build.
    profs : dict
        Technology IRI → :class:`mlops_kg.analysis.substitutability.Profile` (for member labels).
    labels : dict
        Node IRI → preferred label.

    Returns
    -------
    list of dict
        ``[{"id", "name", "capability", "members"}]``.
    """
    found = []
    for cluster in set(stored.subjects(RDF.type, MLO.Cluster)):
        name = str(stored.value(cluster, RDFS.label) or "").removesuffix(" cluster")
        capability = stored.value(cluster, MLO.dominantCapability)
        members = sorted((str(m) for m in stored.subjects(MLO.inCluster, cluster)),
                         key=lambda i: (profs[i].label.lower() if i in profs else labels.get(i, i).lower(), i))
        if members:
            found.append({"name": name, "capability": str(capability) if capability else None, "members": members})
    found.sort(key=lambda c: (-len(c["members"]), labels.get(c["capability"], "").lower(), c["members"][0]))
    return [{"id": n, "name": c["name"], "capability": c["capability"], "members": c["members"]}
            for n, c in enumerate(found, 1)]


def graph_view_for(build_dir, *, view: str = "full", tool: str | None = None, hops: int = 1):
    """The :class:`mlops_kg.pages.viz.GraphView` that ``mlops-kg viz`` draws, from the build in ``build_dir``.

    Parameters
    ----------
    build_dir : str or Path
        A build folder; its stored analysis is read (:func:`load_built`).
    view : {"full", "substitutes"}
        ``full``: every node, typed; ``substitutes``: technologies coloured by cluster. Above
        :data:`mlops_kg.pages.viz.OVERVIEW_LIMIT` technologies (and without ``tool``), their
        overviews: by capability and by cluster.
    tool : str, optional
        Any name or alias, resolved as ``mlops-kg substitutes`` resolves it: only the nodes within
        ``hops`` links of that tool.
    hops : int
        How far from ``tool`` to go.

    Returns
    -------
    GraphView

    Raises
    ------
    MlopsKgError
        An unknown view, an unknown name, or a name that is not a technology.
    """
    from ..model.load import union_graph
    from ..sources.resolve import Resolver
    from .viz import VIEWS

    if view not in VIEWS:
        raise MlopsKgError(f"unknown view {view!r}; use one of: {', '.join(VIEWS)}")
    ds, analysis = load_built(build_dir)
    facts = fact_origins(ds)
    describe_imported(analysis.full, facts)
    origins = node_origins(facts=facts)
    scores = analysis.scores.get("pagerank")
    if tool is None:
        if needs_overview(analysis):
            return cluster_overview(analysis) if view == "substitutes" else capability_overview(analysis)
        if view == "substitutes":
            return substitutes_view(analysis, origins=origins)
        return full_view(analysis.full, origins=origins, scores=scores)
    iri = Resolver.from_graph(union_graph(ds)).resolve_iri(tool, "tool")
    if iri not in analysis.full:
        raise MlopsKgError(f"{analysis.labels.get(iri, iri)!r} is not a tool, service or platform")
    if view == "substitutes":
        return substitutes_view(analysis, center=iri, hops=hops, origins=origins)
    return neighbourhood_view(analysis.full, iri, hops=hops, origins=origins, scores=scores)


def describe_imported(full, facts) -> None:
    """Give each node of ``full`` without a description the one an imported guide gives it.

    The projection reads only ``dcterms:description``, so graph tooltips showed nothing for
    imported tools; the text keeps the imported guide as its origin.

    Parameters
    ----------
    full : networkx.MultiDiGraph
        The projection; its node attributes ``description`` and ``description_origin`` are set.
    facts : dict
        :func:`mlops_kg.pages.provenance.fact_origins` of the dataset.
    """
    for node, (text, origin) in imported_descriptions(facts).items():
        if node in full and not full.nodes[node].get("description"):
            full.nodes[node]["description"] = text
            full.nodes[node]["description_origin"] = origin


# --- names and links -------------------------------------------------------------------------

def page_paths(analysis) -> dict[str, str]:
    """Technology IRI → page path inside the site (``tool/mlflow.html``); unique and file-safe.

    Parameters
    ----------
    analysis : mlops_kg.analysis.result.Analysis
        Its ``profiles`` name the technologies and their kind (the folder).

    Returns
    -------
    dict
        Sorted by IRI; a slug that repeats gets ``-2``, ``-3``, ….
    """
    paths, used = {}, set()
    for iri in sorted(analysis.profiles):
        kind = analysis.profiles[iri].kind or "tool"
        slug = re.sub(r"[^a-z0-9-]+", "-", iri.rstrip("/").rsplit("/", 1)[-1].lower()).strip("-")[:80] or "page"
        path, n = f"{kind}/{slug}.html", 1
        while path in used:
            n += 1
            path = f"{kind}/{slug}-{n}.html"
        used.add(path)
        paths[iri] = path
    return paths


class _Site:
    """The data every page draws on, computed once."""

    def __init__(self, ds, analysis):
        self.analysis = analysis
        self.origins = fact_origins(ds)
        self.node_origins = node_origins(facts=self.origins)
        describe_imported(analysis.full, self.origins)
        triples = set(self.origins)  # the facts of the graphs with an origin, walked once already
        for graph in ds.graphs():
            if graph.identifier not in (GRAPHS.ANALYSIS, GRAPHS.ONTOLOGY) and origin_of(graph.identifier) is None:
                triples.update(graph)
        self.facts = FactIndex(sorted(triples))
        self.labels = dict(analysis.labels)
        self.catalogues = any(o.startswith("catalogue:") for origins in self.origins.values() for o in origins)
        self.paths = page_paths(analysis)
        self.urls_from_subfolder = {k: "../" + v for k, v in self.paths.items()}
        self.predicate_labels = {str(s): str(o) for s, o in ds.graph(GRAPHS.ONTOLOGY).subject_objects(RDFS.label)}
        self.scores = analysis.scores.get("pagerank")
        self.cluster_of = analysis.cluster_of()
        self.macros = environment().get_template("macros.html").module
        self._badges: dict = {}

    def label(self, term) -> str:
        return self.labels.get(str(term), str(term))

    def predicate(self, p) -> str:
        text = self.predicate_labels.get(str(p))
        if text:
            return text
        local = str(p).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        return {"prefLabel": "preferred label", "altLabel": "also known as", "url": "homepage",
                "description": "description", "license": "licence"}.get(local, relation_words(local))

    def origins_of(self, triple):
        """The origin badges of a fact as markup (``templates/macros.html``'s ``badges``), made
        once per combination of origins: there are a handful, and a site shows thousands."""
        origins = self.origins.get(triple, ())
        badges = self._badges.get(origins)
        if badges is None:
            badges = self._badges[origins] = self.macros.badges(
                [{"kind": o.split(":", 1)[0], "title": describe_origin(o),
                  "name": o.split(":", 1)[1] if o.startswith("catalogue:") else o.split(":", 1)[0]} for o in origins])
        return badges

    def ref(self, term, root: str) -> dict:
        """A node for the ``link`` macro: its page if it has one, else its label; literals as text;
        an http(s) IRI links out."""
        if isinstance(term, Literal):
            return {"text": str(term), "href": None}
        iri = str(term)
        if iri in self.paths:
            return {"text": self.label(iri), "href": root + self.paths[iri], "external": False}
        if iri in self.labels:
            return {"text": self.label(iri), "href": None}
        if iri.startswith(str(MLO._NS)):
            return {"text": iri.rsplit("#", 1)[-1], "href": None}
        if urlparse(iri).scheme in ("http", "https"):
            return {"text": iri, "href": iri, "external": True}
        return {"text": iri, "href": None}

    def sorted_objects(self, s, p):
        return sorted(self.facts.objects(s, p), key=lambda o: (self.label(o).lower(), str(o)))

    def sorted_subjects(self, p, o):
        return sorted(self.facts.subjects(p, o), key=lambda s: (self.label(s).lower(), str(s)))

    def frame(self, scripts, root: str) -> dict:
        """The page frame's template variables for a page ``root`` away from the site's top."""
        return page_frame(scripts=scripts, asset_prefix=root + "assets/")


# --- pages -----------------------------------------------------------------------------------

def _tool_page(site: _Site, iri: str) -> str:
    a = site.analysis
    root = "../"
    t = URIRef(iri)
    label = site.label(iri)

    def items(p, *, subject=t):
        return [{"ref": site.ref(o, root), "text": site.label(o), "origins": site.origins_of((subject, p, o))}
                for o in site.sorted_objects(subject, p)]

    aliases = [{"text": str(x), "origins": site.origins_of((t, SKOS.altLabel, x))}
               for x in site.sorted_objects(t, SKOS.altLabel)]
    descriptions = [{"text": str(d), "origins": site.origins_of((t, p, d))}  # guideDescription: an imported guide's words
                    for p in (DCTERMS.description, MLO.guideDescription) for d in site.sorted_objects(t, p)]
    summary = summarise(site.facts, site.labels, iri, type_title=kind_title(a.profiles[iri].kind))
    glance = _glance(summary)
    shown_apart = (SCHEMA.url, MLO.deliveryModel) if glance else (SCHEMA.url, SCHEMA.license, MLO.deliveryModel)
    extras = [dict(item, name=site.predicate(p)) for p in shown_apart for item in items(p)]
    alternatives = [dict(item, reverse=False) for item in items(MLO.statedAlternative)]
    alternatives += [{"ref": site.ref(s, root), "reverse": True, "origins": site.origins_of((s, MLO.statedAlternative, t))}
                     for s in site.sorted_subjects(MLO.statedAlternative, t)]
    substitutes = [{"rank": rank, "ref": site.ref(URIRef(other), root), "score": f"{weight:.2f}",
                    "why": "; ".join(reasons)}
                   for rank, (other, weight, reasons) in enumerate(a.substitutes(iri, TOP_SUBSTITUTES), 1)]
    by_provider: dict[str, list] = {}
    for item, o in zip(items(MLO.cloudEquivalent), site.sorted_objects(t, MLO.cloudEquivalent)):
        for provider in sorted({site.label(p) for p in site.facts.objects(o, MLO.offeredBy)}) or ["other"]:
            by_provider.setdefault(provider, []).append(item)
    equivalent_of = [{"ref": site.ref(s, root), "origins": site.origins_of((s, MLO.cloudEquivalent, t))}
                     for s in site.sorted_subjects(MLO.cloudEquivalent, t)]
    languages = [dict(item, relation=site.predicate(p)) for p in (MLO.usesLanguage, MLO.supportsFramework)
                 for item in items(p)]
    cases = [{"label": site.label(uc), "industries": [site.label(i) for i in site.sorted_objects(uc, MLO.inIndustry)],
              "origins": site.origins_of((uc, MLO.useCaseOf, t)),
              "texts": [str(d) for d in site.sorted_objects(uc, DCTERMS.description)]}
             for uc in site.sorted_subjects(MLO.useCaseOf, t)]
    facts = sorted(((p, o) for p, o in site.facts.predicate_objects(t) if p not in _HIDDEN_FACTS),
                   key=lambda po: (site.predicate(po[0]).lower(), site.label(po[1]).lower(), str(po[1])))
    view = neighbourhood_view(a.full, iri, hops=1, origins=site.node_origins, urls=site.urls_from_subfolder,
                              scores=site.scores, title=f"{label}: neighbourhood", radial=True)
    return render(
        "tool.html", title=f"{label} · mlops-kg", root=root, label=label, iri=iri,
        kind=kind_title(a.profiles[iri].kind), aliases=aliases, descriptions=descriptions, extras=extras,
        cluster=site.cluster_of.get(iri), capabilities=items(MLO.hasCapability), alternatives=alternatives,
        substitutes=substitutes, equivalents=sorted(by_provider.items(), key=lambda kv: kv[0].lower()),
        equivalent_of=equivalent_of, languages=languages, cases=cases, glance=glance,
        compare_href=compare_link([iri] + [other for other, _, _ in a.substitutes(iri, 3)], root),
        sentence=what_it_is(summary) if not descriptions else "", catalogues=site.catalogues,
        facts=[{"relation": site.predicate(p), "ref": site.ref(o, root), "origins": site.origins_of((t, p, o))}
               for p, o in facts],
        block=view_block(view), **site.frame(GRAPH_SCRIPTS, root))


def _glance(summary) -> list[dict]:
    """The landscape facts of a tool page's "at a glance" list (empty for a tool without them)."""
    rows = []
    if summary.kind:
        rows.append({"name": "kind", "text": summary.kind})
    if summary.status:
        rows.append({"name": "status", "text": summary.status + (f" ({summary.status_date})" if summary.status_date
                                                                 else ""), "status": summary.status})
    for licence in summary.licences:
        rows.append({"name": "licence", "text": licence.name, "href": licence.iri if licence.iri.startswith(
            ("http://", "https://")) else None,
                     "note": {True: "OSI-approved", False: "not OSI-approved", None: ""}[licence.osi]})
    if summary.stars is not None:
        rows.append({"name": "GitHub stars", "text": f"{summary.stars:,}"})
    if summary.repository:
        rows.append({"name": "repository", "text": summary.repository, "href": summary.repository})
    if summary.categories:
        rows.append({"name": "catalogue categories", "text": "; ".join(summary.categories)})
    if summary.successors:
        rows.append({"name": "successor", "text": ", ".join(summary.successors)})
    rows = [{"href": None, "note": "", "status": None, **row} for row in rows]
    return rows if any(r["name"] != "licence" for r in rows) else []


def filter_token(iri: str) -> str:
    """A short value for the index's filters: our IRIs without ``https://w3id.org/mlops-kg/id/``,
    SPDX licences as ``spdx:ID``, other IRIs whole (none holds a space).

    Examples
    --------
    >>> filter_token("https://w3id.org/mlops-kg/id/capability/model-serving"), filter_token("https://spdx.org/licenses/MIT")
    ('capability/model-serving', 'spdx:MIT')
    """
    if iri.startswith(str(ID)):
        return iri[len(str(ID)):]
    if iri.startswith(SPDX):
        return "spdx:" + iri[len(SPDX):]
    return iri


SPDX = "https://spdx.org/licenses/"
#: Status order on the index (sorting by status puts live tools first).
STATUS_ORDER = ("active", "inactive", "archived", "sunset")


def _index_page(site: _Site) -> str:
    a = site.analysis
    techs = sorted(a.profiles.values(), key=lambda p: (p.label.lower(), p.iri))
    summaries = {p.iri: summarise(site.facts, site.labels, p.iri, type_title=kind_title(p.kind)) for p in techs}

    def options(values) -> list[tuple[str, str]]:
        return [(filter_token(v), site.label(v)) for v in sorted(values, key=lambda v: (site.label(v).lower(), v))]

    def names(values) -> list[str]:
        return [site.label(v) for v in sorted(values, key=lambda v: site.label(v).lower())]

    def tokens(values) -> str:
        return " ".join(sorted(filter_token(v) for v in values))

    licences = {lic.iri: lic.name for s in summaries.values() for lic in s.licences}
    statuses = {s.status for s in summaries.values() if s.status}
    filters = [
        {"name": "kind", "title": "Type", "options": [(k, kind_title(k)) for k in sorted({p.kind for p in techs})]},
        {"name": "tkind", "title": "Kind",
         "options": options({s.kind_iri for s in summaries.values() if s.kind_iri})},
        {"name": "capability", "title": "Capability", "options": options({c for p in techs for c in p.capabilities})},
        {"name": "licence", "title": "Licence",
         "options": [(filter_token(k), v) for k, v in sorted(licences.items(), key=lambda kv: (kv[1].lower(), kv[0]))]},
        {"name": "status", "title": "Status",
         "options": [(s, s) for s in sorted(statuses, key=lambda s: (STATUS_ORDER + (s,)).index(s))]},
        {"name": "provider", "title": "Cloud provider", "options": options({c for p in techs for c in p.providers})},
        {"name": "language", "title": "Language", "options": options({c for p in techs for c in p.languages})},
    ]
    rows = []
    for p in techs:
        s = summaries[p.iri]
        rows.append({
            "data": [("kind", p.kind), ("tkind", filter_token(s.kind_iri) if s.kind_iri else ""),
                     ("capability", tokens(p.capabilities)), ("licence", tokens(lic.iri for lic in s.licences)),
                     ("status", s.status or ""), ("provider", tokens(p.providers)), ("language", tokens(p.languages)),
                     ("tool", tool_token(p.iri))],
            "sort": p.label.lower(), "href": site.paths[p.iri], "label": p.label, "kind": s.kind or kind_title(p.kind),
            "capabilities": names(p.capabilities),
            "licences": [{"name": lic.name, "osi": lic.osi} for lic in s.licences],
            "status": s.status or "",
            "status_sort": str((STATUS_ORDER + (s.status,)).index(s.status)) if s.status else "",
            "stars": "" if s.stars is None else s.stars, "stars_text": "" if s.stars is None else f"{s.stars:,}",
            "categories": s.categories, "languages": names(p.languages), "providers": names(p.providers),
            "cluster": site.cluster_of.get(p.iri)})
    # their widths are fixed in site.css (table-layout: fixed): showing 2,000 rows again then costs
    # one pass, not a measure of every cell. A landscape column no row has a value for is left out.
    present = {"licence": any(r["licences"] for r in rows), "status": any(r["status"] for r in rows),
               "stars": any(r["stars"] != "" for r in rows), "categories": any(r["categories"] for r in rows),
               "providers": any(r["providers"] for r in rows)}
    headers = [(key, title, kind) for key, title, kind in (
        ("name", "Name", "text"), ("kind", "Kind", "text"), ("capabilities", "Capabilities", "text"),
        ("licence", "Licence", "text"), ("status", "Status", "number"), ("stars", "Stars", "number"),
        ("categories", "Categories", "text"), ("languages", "Languages and frameworks", "text"),
        ("providers", "Cloud providers", "text"), ("cluster", "Cluster", "text")) if present.get(key, True)]
    return render("index.html", title="MLOps tools · mlops-kg", filters=[f for f in filters if f["options"]],
                  headers=headers, rows=rows, catalogues=site.catalogues, id_base=str(ID),
                  **site.frame(("index.js",), ""))


def _compare_page(site: _Site) -> str:
    """``compare.html``: pick tools and see them side by side (:mod:`mlops_kg.pages.comparison`)."""
    techs = sorted(site.analysis.profiles.values(), key=lambda p: (p.label.lower(), p.iri))
    data = compare_data([p.iri for p in techs], site.origins, site.facts,
                        {**site.predicate_labels, **site.labels}, site.paths)
    return render("compare.html", title="Compare tools · mlops-kg", data=data, catalogues=site.catalogues,
                  **site.frame(("compare.js",), ""))


def _graph_page(site: _Site) -> str:
    a = site.analysis
    if needs_overview(a):
        view = capability_overview(a, urls={c: f"index.html#capability={filter_token(c)}"
                                            for p in a.profiles.values() for c in p.capabilities},
                                   title="The whole graph, by capability")
        intro = (f"{len(a.profiles):,} technologies, drawn by capability: double-click a capability to list its "
                 "technologies; each technology's page shows its neighbourhood.")
    else:
        view = full_view(a.full, origins=site.node_origins, urls=site.paths, scores=site.scores,
                         title="The whole graph")
        intro = ("Every tool, service, platform, provider, language, framework, industry, use case and capability, "
                 "and the relations between them.")
    return render("graph.html", title="The whole graph · mlops-kg", heading=view.title, intro=intro,
                  block=view_block(view), catalogues=site.catalogues, **site.frame(GRAPH_SCRIPTS, ""))


def _clusters_page(site: _Site) -> str:
    a = site.analysis
    if needs_overview(a):
        view = cluster_overview(a, urls={c["id"]: f"clusters.html#cluster-{c['id']}" for c in a.clusters})
    else:
        view = substitutes_view(a, origins=site.node_origins, urls=site.paths,
                                title="Clusters of substitutable tools")
    clusters = [{"id": c["id"], "name": c["name"],
                 "capability": site.label(c["capability"]) if c["capability"] else "none",
                 "members": [site.ref(URIRef(m), "") for m in c["members"]]} for c in a.clusters]
    return render("clusters.html", title="Clusters · mlops-kg", heading=view.title, block=view_block(view),
                  clusters=clusters, catalogues=site.catalogues, **site.frame(GRAPH_SCRIPTS, ""))


def site_pages(ds, analysis) -> dict[str, str]:
    """Every file of the site: relative path → text. Deterministic for one dataset.

    Parameters
    ----------
    ds : rdflib.Dataset
        The build's named graphs (facts with their origins).
    analysis : mlops_kg.analysis.result.Analysis
        Fresh from the build or read back with :func:`load_built`; either way the pages draw it as
        stored (:func:`as_stored`).

    Returns
    -------
    dict
        ``index.html``, ``graph.html``, ``clusters.html``, one page per technology, the assets
        and ``site.json``.
    """
    site = _Site(ds, as_stored(analysis))
    pages = {"index.html": _index_page(site), "graph.html": _graph_page(site), "clusters.html": _clusters_page(site),
             "compare.html": _compare_page(site)}
    for iri, path in sorted(site.paths.items()):
        pages[path] = _tool_page(site, iri)
    pages.update({f"assets/{name}": text for name, text in sorted(assets().items())})
    pages[SITE_MARKER] = json.dumps({"generator": "mlops-kg", "pages": sorted(p for p in pages if p.endswith(".html"))},
                                    indent=1) + "\n"
    return pages


# --- writing ---------------------------------------------------------------------------------

def _is_replaceable(target: Path) -> bool:
    """An existing folder may be replaced only if it is empty or an earlier mlops-kg site."""
    if not target.is_dir():
        return False
    if not any(target.iterdir()):
        return True
    try:
        return json.loads((target / SITE_MARKER).read_text(encoding="utf-8")).get("generator") == "mlops-kg"
    except (OSError, ValueError, AttributeError):
        return False


def check_site_target(target) -> Path:
    """``target`` as a Path if a site can be written there, else an error saying why.

    Parameters
    ----------
    target : str or Path
        The site folder: new, empty or an earlier site, in a writable folder that exists.

    Returns
    -------
    Path

    Raises
    ------
    OutputError
        With the reason and what to do.
    """
    import os

    target = Path(target)
    parent = target.parent
    if not parent.is_dir():
        raise OutputError(f"cannot write {target}: folder {parent} does not exist; create it first")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {target}: folder {parent} is not writable; choose a writable folder")
    if target.exists() and not _is_replaceable(target):
        what = "a file" if not target.is_dir() else "a folder that is not a mlops-kg site"
        raise OutputError(f"cannot write the site into {target}: it is {what}; choose a new or empty folder")
    return target


def write_site(target, ds, analysis) -> Path:
    """Write the site into the folder ``target``; returns it.

    The pages are written into a staging folder beside ``target`` first; the old site is
    replaced only when the new one is complete, and a failure leaves it as it was. An existing
    ``target`` must be empty or an earlier site (it holds ``site.json``), so a typo cannot
    replace an unrelated folder.

    Parameters
    ----------
    target : str or Path
        The site folder.
    ds, analysis
        As for :func:`site_pages`.

    Returns
    -------
    Path
    """
    target, staging = stage_site(target, ds, analysis)
    return swap_site(target, staging)


def stage_site(target, ds, analysis) -> tuple[Path, Path]:
    """Write the pages into a staging folder beside ``target``, for :func:`swap_site`.

    ``target`` itself is not touched.

    Parameters
    ----------
    target : str or Path
        The site folder the pages are meant for (checked with :func:`check_site_target`).
    ds, analysis
        As for :func:`site_pages`.

    Returns
    -------
    tuple of Path
        ``(target, staging)``.
    """
    target = check_site_target(target)
    pages = site_pages(ds, analysis)
    try:
        staging = scratch_dir(target.parent, f".{target.name}.staging-")
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror}; choose a writable folder") from None
    try:
        for rel, text in pages.items():
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        staging.chmod(0o755)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {target}: {exc.strerror}; choose a writable folder") from None
        raise
    return target, staging


def _fill_in_place(target: Path, staging: Path) -> Path:
    """For a ``target`` that cannot be renamed (a mount point): empty it (it holds nothing or an
    earlier site, checked before) and copy the staged site into it. Not atomic, unlike a swap."""
    for child in target.iterdir():
        shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    shutil.copytree(staging, target, dirs_exist_ok=True)
    return target


def swap_site(target: Path, staging: Path) -> Path:
    """Put the staged site in place of ``target`` (the old one is restored if that fails).

    Parameters
    ----------
    target : Path
        The site folder; a mount point that cannot be renamed is emptied and filled instead.
    staging : Path
        The folder :func:`stage_site` wrote; removed afterwards.

    Returns
    -------
    Path
        ``target``.
    """
    parent, old = target.parent, None
    try:
        if target.exists():
            old = scratch_dir(parent, f".{target.name}.old-")
            try:
                target.rename(old / "site")
            except OSError as exc:
                if exc.errno not in (errno.EBUSY, errno.EXDEV):
                    raise
                return _fill_in_place(target, staging)  # a mount point (e.g. a container volume)
        try:
            staging.rename(target)
        except OSError:
            if old is not None:
                (old / "site").rename(target)
            raise
        return target
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror}; choose a writable folder") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
