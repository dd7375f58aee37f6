"""The static site: an index of every tool, one page per tool, the whole graph and the clusters.

Pages are plain HTML that open from ``file://`` with the network off: every script and style
sheet lives in one ``assets/`` folder beside the pages (vis-network, our ``graph.js``,
``index.js`` and ``site.css``), linked by relative paths. Every piece of data is escaped with
:func:`html.escape` or travels as JSON read with ``JSON.parse`` (see :mod:`mlops_kg.pages.viz`).

Layout of a site folder::

    index.html              every technology: sortable, filterable by capability, provider, language
    graph.html              the whole graph (typed view)
    clusters.html           the substitutability graph coloured by cluster, and each cluster's members
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
from ..model.namespaces import GRAPHS, MLO, SCHEMA, bind_prefixes
from .provenance import describe_origin, fact_origins, imported_descriptions, node_origins
from .viz import (GRAPH_SCRIPTS, assets, escape, full_view, graph_block, html_page, kind_title,
                  neighbourhood_view, relation_words, substitutes_view)

SITE_MARKER = "site.json"
TOP_SUBSTITUTES = 10
#: Predicates not listed among a tool's facts (the page shows them in its own way or they are noise).
_HIDDEN_FACTS = {RDF.type}


# --- loading a build -------------------------------------------------------------------------

def load_built(build_dir):
    """``(dataset, analysis)`` of the build in ``build_dir``, read from its N-Quads (no validation;
    never builds: see :mod:`mlops_kg.build.locate`).

    The analysis is recomputed from the data graphs (it is seeded and takes a fraction of a
    second), so it equals the one the build wrote.
    """
    from ..analysis.result import analyze
    from ..model.layout import STEM, damaged_build
    from ..model.load import new_dataset

    path = Path(build_dir) / f"{STEM}.nq"
    ds = new_dataset()
    try:
        ds.parse(path, format="nquads")
    except Exception:  # noqa: BLE001 - any failure means the build must be redone
        raise damaged_build(path) from None
    data = bind_prefixes(Graph())
    triples = set()
    for graph in ds.graphs():
        if graph.identifier != GRAPHS.ANALYSIS:
            triples.update(graph)
    for triple in sorted(triples):
        data.add(triple)
    return ds, analyze(data)


def graph_view_for(build_dir, *, view: str = "full", tool: str | None = None, hops: int = 1):
    """The :class:`mlops_kg.pages.viz.GraphView` that ``mlops-kg viz`` draws, from the build in ``build_dir``.

    ``view`` is ``"full"`` or ``"substitutes"``; with ``tool`` (any name or alias, resolved like
    ``mlops-kg substitutes``), only the nodes within ``hops`` links of that tool.
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
    """Give each node of the projection ``full`` that has no description the one an imported
    guide gives it, with that guide as its origin: the projection reads only
    ``dcterms:description``, so graph tooltips showed nothing for imported tools."""
    for node, (text, origin) in imported_descriptions(facts).items():
        if node in full and not full.nodes[node].get("description"):
            full.nodes[node]["description"] = text
            full.nodes[node]["description_origin"] = origin


# --- names and links -------------------------------------------------------------------------

def page_paths(analysis) -> dict[str, str]:
    """Technology IRI → page path inside the site (``tool/mlflow.html``); unique and file-safe."""
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


def _nav(root: str, current: str) -> str:
    items = (("index.html", "Tools"), ("graph.html", "Whole graph"), ("clusters.html", "Clusters"))
    links = "".join(f'<a href="{escape(root + href)}"' + (' aria-current="page"' if href == current else "")
                    + f">{escape(text)}</a>" for href, text in items)
    return f'<nav class="site-nav" aria-label="Site">{links}</nav>'


_FOOTER = ('<footer class="muted">Made by mlops-kg from the MLOps guide and curated data. Origin of a fact: '
           '<span class="origin origin-guide">guide</span> stated by the guide · '
           '<span class="origin origin-curated">curated</span> added by maintainers · '
           '<span class="origin origin-inferred">inferred</span> derived by the build. '
           'Works offline: no page loads anything from the network.</footer>')


class _Site:
    """The data every page draws on, computed once."""

    def __init__(self, ds, analysis):
        self.analysis = analysis
        self.origins = fact_origins(ds)
        self.node_origins = node_origins(facts=self.origins)
        describe_imported(analysis.full, self.origins)
        self.facts = Graph()
        for triple in sorted(self.origins):
            self.facts.add(triple)
        self.labels = dict(analysis.labels)
        self.paths = page_paths(analysis)
        self.predicate_labels = {str(s): str(o) for s, o in ds.graph(GRAPHS.ONTOLOGY).subject_objects(RDFS.label)}
        self.scores = analysis.scores.get("pagerank")
        self.cluster_of = analysis.cluster_of()

    def label(self, term) -> str:
        return self.labels.get(str(term), str(term))

    def predicate(self, p) -> str:
        text = self.predicate_labels.get(str(p))
        if text:
            return text
        local = str(p).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        return {"prefLabel": "preferred label", "altLabel": "also known as", "url": "homepage",
                "description": "description", "license": "licence"}.get(local, relation_words(local))

    def badges(self, triple) -> str:
        return "".join(f'<span class="origin origin-{escape(o.split(":", 1)[0])}" title="{escape(describe_origin(o))}">'
                       f'{escape(o.split(":", 1)[0])}</span>' for o in self.origins.get(triple, ()))

    def link(self, term, root: str) -> str:
        """A node as HTML: a link to its page if it has one, else its label; literals as text."""
        if isinstance(term, Literal):
            return escape(str(term))
        iri = str(term)
        if iri in self.paths:
            return f'<a href="{escape(root + self.paths[iri])}">{escape(self.label(iri))}</a>'
        if iri in self.labels:
            return escape(self.label(iri))
        if iri.startswith(str(MLO._NS)):
            return escape(iri.rsplit("#", 1)[-1])
        if urlparse(iri).scheme in ("http", "https"):
            return f'<a href="{escape(iri)}" rel="noopener noreferrer">{escape(iri)}</a>'
        return escape(iri)

    def sorted_objects(self, s, p):
        return sorted(self.facts.objects(s, p), key=lambda o: (self.label(o).lower(), str(o)))

    def sorted_subjects(self, p, o):
        return sorted(self.facts.subjects(p, o), key=lambda s: (self.label(s).lower(), str(s)))


# --- pages -----------------------------------------------------------------------------------

def _list(items: list[str], empty: str = "none recorded") -> str:
    if not items:
        return f'<p class="muted">{escape(empty)}</p>'
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _tool_page(site: _Site, iri: str) -> str:
    a = site.analysis
    root = "../"
    t = URIRef(iri)
    profile = a.profiles[iri]
    label = site.label(iri)
    parts = [_nav(root, ""), f'<header class="page-header"><h1>{escape(label)}</h1>',
             f'<p class="muted">{escape(kind_title(profile.kind))} · <code>{escape(iri)}</code></p></header><main>']
    aliases = site.sorted_objects(t, SKOS.altLabel)
    if aliases:
        parts.append("<p>Also known as: " + ", ".join(escape(str(x)) + site.badges((t, SKOS.altLabel, x))
                                                   for x in aliases) + "</p>")
    for p in (DCTERMS.description, MLO.guideDescription):  # the latter: an imported guide's words
        for d in site.sorted_objects(t, p):
            parts.append(f"<p>{escape(str(d))}{site.badges((t, p, d))}</p>")
    extras = []
    for p in (SCHEMA.url, SCHEMA.license, MLO.deliveryModel):
        for o in site.sorted_objects(t, p):
            extras.append(f"{escape(site.predicate(p))}: {site.link(o, root)}{site.badges((t, p, o))}")
    cluster = site.cluster_of.get(iri)
    if cluster:
        extras.append(f'cluster: <a href="{root}clusters.html#cluster-{cluster["id"]}">{escape(cluster["name"])}</a>')
    if extras:
        parts.append(_list(extras))

    parts.append("<h2>Capabilities</h2>")
    parts.append(_list([escape(site.label(o)) + site.badges((t, MLO.hasCapability, o))
                        for o in site.sorted_objects(t, MLO.hasCapability)]))

    parts.append("<h2>Stated alternatives</h2>")
    stated = [site.link(o, root) + site.badges((t, MLO.statedAlternative, o))
              for o in site.sorted_objects(t, MLO.statedAlternative)]
    stated += [site.link(s, root) + " <span class=\"muted\">(names this one as its alternative)</span>"
               + site.badges((s, MLO.statedAlternative, t)) for s in site.sorted_subjects(MLO.statedAlternative, t)]
    parts.append(_list(stated, "the guide names no alternative"))

    parts.append('<h2 id="substitutes">Ranked substitutes</h2>')
    rows = a.substitutes(iri, TOP_SUBSTITUTES)
    if rows:
        parts.append('<table class="substitutes"><thead><tr><th>#</th><th>substitute</th><th>score</th>'
                     "<th>why</th></tr></thead><tbody>")
        for rank, (other, weight, reasons) in enumerate(rows, 1):
            parts.append(f"<tr><td>{rank}</td><td>{site.link(URIRef(other), root)}</td><td>{weight:.2f}</td>"
                         f"<td>{escape('; '.join(reasons))}</td></tr>")
        parts.append("</tbody></table><p class=\"muted\">Scores combine stated alternatives, shared capabilities, "
                     "cloud equivalents and (lightly) languages and industries; all derived by the build.</p>")
    else:
        parts.append('<p class="muted">no substitutes found in the graph</p>')

    parts.append("<h2>Cloud equivalents</h2>")
    by_provider: dict[str, list[str]] = {}
    for o in site.sorted_objects(t, MLO.cloudEquivalent):
        providers = sorted({site.label(p) for p in site.facts.objects(o, MLO.offeredBy)}) or ["other"]
        for provider in providers:
            by_provider.setdefault(provider, []).append(site.link(o, root) + site.badges((t, MLO.cloudEquivalent, o)))
    if by_provider:
        parts.append("<ul>" + "".join(f"<li>{escape(p)}: {', '.join(items)}</li>"
                                      for p, items in sorted(by_provider.items(), key=lambda kv: kv[0].lower()))
                     + "</ul>")
    else:
        parts.append('<p class="muted">none stated</p>')
    equivalent_of = [site.link(s, root) + site.badges((s, MLO.cloudEquivalent, t))
                     for s in site.sorted_subjects(MLO.cloudEquivalent, t)]
    if equivalent_of:
        parts.append("<p>Named as the cloud equivalent of: " + ", ".join(equivalent_of) + "</p>")

    parts.append("<h2>Languages and frameworks</h2>")
    parts.append(_list([escape(site.label(o)) + f' <span class="muted">({escape(site.predicate(p))})</span>'
                        + site.badges((t, p, o))
                        for p in (MLO.usesLanguage, MLO.supportsFramework) for o in site.sorted_objects(t, p)]))

    parts.append("<h2>Industry use cases</h2>")
    cases = []
    for uc in site.sorted_subjects(MLO.useCaseOf, t):
        industries = ", ".join(escape(site.label(i)) for i in site.sorted_objects(uc, MLO.inIndustry))
        text = " ".join(escape(str(d)) for d in site.sorted_objects(uc, DCTERMS.description))
        cases.append(f"<strong>{escape(site.label(uc))}</strong>" + (f" ({industries})" if industries else "")
                     + site.badges((uc, MLO.useCaseOf, t)) + (f"<br>{text}" if text else ""))
    parts.append(_list(cases, "none stated"))

    parts.append("<h2>Every fact, with its origin</h2>")
    facts = sorted(((p, o) for p, o in site.facts.predicate_objects(t) if p not in _HIDDEN_FACTS),
                   key=lambda po: (site.predicate(po[0]).lower(), site.label(po[1]).lower(), str(po[1])))
    parts.append('<table class="facts"><thead><tr><th>relation</th><th>value</th><th>origin</th></tr></thead><tbody>')
    parts += [f"<tr><td>{escape(site.predicate(p))}</td><td>{site.link(o, root)}</td><td>{site.badges((t, p, o))}</td></tr>"
              for p, o in facts]
    parts.append("</tbody></table>")

    urls = {k: root + v for k, v in site.paths.items()}
    view = neighbourhood_view(a.full, iri, hops=1, origins=site.node_origins, urls=urls, scores=site.scores,
                              title=f"{label}: neighbourhood")
    parts.append('<h2>Neighbourhood</h2><div class="embedded">' + graph_block(view) + "</div>")
    parts.append("</main>" + _FOOTER)
    return html_page(f"{label} · mlops-kg", "\n".join(parts), scripts=GRAPH_SCRIPTS, asset_prefix=root + "assets/")


def _index_page(site: _Site) -> str:
    a = site.analysis
    techs = sorted(a.profiles.values(), key=lambda p: (p.label.lower(), p.iri))

    def options(values: set[str], name: str, title: str) -> str:
        opts = "".join(f'<option value="{escape(v)}">{escape(site.label(v))}</option>'
                       for v in sorted(values, key=lambda v: (site.label(v).lower(), v)))
        return (f'<label>{escape(title)} <select data-filter="{escape(name)}"><option value="">any</option>'
                f"{opts}</select></label>")

    kinds = sorted({p.kind for p in techs})
    kind_opts = "".join(f'<option value="{escape(k)}">{escape(kind_title(k))}</option>' for k in kinds)
    parts = [_nav("", "index.html"),
             '<header class="page-header"><h1>MLOps tools</h1>'
             f'<p class="muted">{len(techs)} tools, cloud services and platforms from the MLOps guide and curated '
             "data. Click a column to sort; choose a filter to narrow the list.</p></header><main>",
             '<div class="filters"><label>Text <input id="tool-filter" type="search" autocomplete="off"></label>',
             f'<label>Type <select data-filter="kind"><option value="">any</option>{kind_opts}</select></label>',
             options({c for p in techs for c in p.capabilities}, "capability", "Capability"),
             options({c for p in techs for c in p.providers}, "provider", "Cloud provider"),
             options({c for p in techs for c in p.languages}, "language", "Language"),
             '<span id="tool-count" class="muted" role="status"></span></div>',
             '<table id="tools"><thead><tr>']
    headers = ("Name", "Type", "Capabilities", "Cloud providers", "Languages and frameworks", "Cluster", "Substitutes")
    for i, h in enumerate(headers):
        numeric = ' data-numeric="true"' if h == "Substitutes" else ""
        parts.append(f'<th><button type="button" data-column="{i}"{numeric}>{escape(h)}</button></th>')
    parts.append("</tr></thead><tbody>")
    for p in techs:
        names = lambda values: ", ".join(escape(site.label(v)) for v in sorted(values, key=lambda v: site.label(v).lower()))  # noqa: E731
        attrs = {"kind": p.kind, "capability": " ".join(sorted(p.capabilities)),
                 "provider": " ".join(sorted(p.providers)), "language": " ".join(sorted(p.languages))}
        data = "".join(f' data-{k}="{escape(v)}"' for k, v in attrs.items())
        cluster = site.cluster_of.get(p.iri)
        cluster_cell = (f'<a href="clusters.html#cluster-{cluster["id"]}">{escape(cluster["name"])}</a>'
                        if cluster else "")
        count = len(a.subst[p.iri]) if p.iri in a.subst else 0
        parts.append(f'<tr{data}><td data-sort="{escape(p.label.lower())}"><a href="{escape(site.paths[p.iri])}">'
                     f"{escape(p.label)}</a></td><td>{escape(kind_title(p.kind))}</td>"
                     f"<td>{names(p.capabilities)}</td><td>{names(p.providers)}</td><td>{names(p.languages)}</td>"
                     f"<td>{cluster_cell}</td><td>{count}</td></tr>")
    parts.append("</tbody></table></main>" + _FOOTER)
    return html_page("MLOps tools · mlops-kg", "\n".join(parts), scripts=("index.js",), asset_prefix="assets/")


def _graph_page(site: _Site) -> str:
    view = full_view(site.analysis.full, origins=site.node_origins, urls=site.paths, scores=site.scores,
                     title="The whole graph")
    body = (_nav("", "graph.html") + f'<header class="page-header"><h1>{escape(view.title)}</h1>'
            '<p class="muted">Every tool, service, platform, provider, language, framework, industry, use case '
            "and capability, and the relations between them.</p></header><main>"
            + graph_block(view) + "</main>" + _FOOTER)
    return html_page("The whole graph · mlops-kg", body, scripts=GRAPH_SCRIPTS, asset_prefix="assets/")


def _clusters_page(site: _Site) -> str:
    a = site.analysis
    view = substitutes_view(a, origins=site.node_origins, urls=site.paths, title="Clusters of substitutable tools")
    parts = [_nav("", "clusters.html"), f'<header class="page-header"><h1>{escape(view.title)}</h1>'
             '<p class="muted">Technologies linked by how well one could replace the other (edge width); colours '
             "are Louvain communities of that graph, named by the capability most members share.</p></header><main>",
             graph_block(view)]
    for cluster in a.clusters:
        capability = site.label(cluster["capability"]) if cluster["capability"] else "none"
        members = "".join(f"<li>{site.link(URIRef(m), '')}</li>" for m in cluster["members"])
        parts.append(f'<section id="cluster-{cluster["id"]}"><h2>{escape(cluster["name"])} '
                     f'<span class="muted">({len(cluster["members"])})</span></h2>'
                     f'<p class="muted">Dominant capability: {escape(capability)}</p>'
                     f'<ul class="cluster-members">{members}</ul></section>')
    parts.append("</main>" + _FOOTER)
    return html_page("Clusters · mlops-kg", "\n".join(parts), scripts=GRAPH_SCRIPTS, asset_prefix="assets/")


def site_pages(ds, analysis) -> dict[str, str]:
    """Every file of the site: relative path → text. Deterministic for one dataset."""
    site = _Site(ds, analysis)
    pages = {"index.html": _index_page(site), "graph.html": _graph_page(site), "clusters.html": _clusters_page(site)}
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
    """``target`` as a Path if a site can be written there, else an :class:`OutputError` saying why."""
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
    """
    target, staging = stage_site(target, ds, analysis)
    return swap_site(target, staging)


def stage_site(target, ds, analysis) -> tuple[Path, Path]:
    """Write the pages into a staging folder beside ``target``: ``(target, staging)`` for
    :func:`swap_site`. ``target`` itself is not touched."""
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
    """Put the staged site in place of ``target`` (the old one is restored if that fails)."""
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
