"""Compare tools side by side: what each is, does, lacks, costs in freedom, and whether it is alive.

:func:`compare_build` answers ``mlops-kg compare A B [C …]``: the names are resolved as
``substitutes`` resolves them (aliases, any case; an unknown name is one error with suggestions),
from the build's ``index.json``; the facts come from one SPARQL query on the embedded Oxigraph
store, so no rdflib graph is built. :func:`compare_facts` makes the comparison from facts with
their origins and is what the site's compare page uses too (it holds the facts in memory already).

Every fact carries the origins that state it, as the site's pages name them: ``guide``,
``curated``, ``inferred``, ``imported:<slug>``, ``catalogue:<source>``.

>>> from rdflib import URIRef
>>> a, b = "urn:t:a", "urn:t:b"
>>> cap = "https://w3id.org/mlops-kg/id/capability/x"
>>> quads = [(URIRef(a), URIRef(MLO + "hasCapability"), URIRef(cap), "guide")]
>>> result = compare_facts([a, b], quads, labels={a: "A", b: "B", cap: "X"})
>>> result["tools"][1]["lacks"]
[{'label': 'X', 'iri': 'https://w3id.org/mlops-kg/id/capability/x', 'had_by': ['A']}]
"""
from __future__ import annotations

import textwrap

from ..errors import MlopsKgError
from ..model.origins import origin_of, sort_origins

# rdflib is imported where facts are read, not here: a wrong name fails before it loads

BASE = "https://w3id.org/mlops-kg/"
MLO = BASE + "ontology#"
SCHEMA = "https://schema.org/"
DCTERMS = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"

#: The predicates a comparison reads about each tool, by the field they fill.
TOOL_PREDICATES = {
    "kind": MLO + "kind", "primary_capability": MLO + "primaryCapability", "capabilities": MLO + "hasCapability",
    "licences": SCHEMA + "license", "status": MLO + "status", "status_date": MLO + "statusDate",
    "successors": MLO + "successor", "archived": MLO + "archived", "languages": MLO + "usesLanguage",
    "frameworks": MLO + "supportsFramework", "offered_by": MLO + "offeredBy",
    "cloud_equivalents": MLO + "cloudEquivalent", "delivery": MLO + "deliveryModel", "stars": MLO + "starCount",
    "latest_release": MLO + "latestReleaseDate", "last_commit": MLO + "lastCommitDate",
    "categories": DCTERMS + "subject", "label": SKOS + "prefLabel",
}
#: The predicates read about the nodes a tool's facts point to (labels, licence ids, providers).
NODE_PREDICATES = (SKOS + "prefLabel", RDFS + "label", DCTERMS + "identifier", MLO + "osiApproved",
                   MLO + "offeredBy", DCTERMS + "title")
_FIELD_OF = {p: name for name, p in TOOL_PREDICATES.items()}
#: The rows of the text table, in order: (field, row title).
TABLE_ROWS = (("kind", "kind"), ("primary_capability", "primary capability"), ("licences", "licence"),
              ("status", "status"), ("successors", "successor"), ("delivery", "delivery"),
              ("languages", "languages"), ("frameworks", "frameworks"), ("offered_by", "offered by"),
              ("cloud_equivalents", "cloud equivalents"), ("stars", "GitHub stars"),
              ("latest_release", "latest release"), ("last_commit", "last commit"), ("catalogues", "catalogues"))
#: The table's text for a fact not recorded.
UNKNOWN = "—"
#: Short marks for origins in the text table.
ORIGIN_MARKS = {"guide": "g", "curated": "c", "imported": "m", "catalogue": "k", "inferred": "i"}


def _listed(origins) -> list[str]:
    return list(sort_origins(origins))


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def resolve_tools(index: dict, names) -> list[str]:
    """The technology IRIs that ``names`` name, in the order given.

    Names resolve as in ``substitutes`` (any alias, any case). Raises
    :class:`mlops_kg.errors.MlopsKgError` (exit 2) for an unknown name (with suggestions), a name
    that is not a technology, fewer than two names, or two names of the same tool.
    """
    from .substitutes import resolver_of

    names = list(names)
    if len(names) < 2:
        raise MlopsKgError("compare needs at least two tools, e.g. `mlops-kg compare mlflow wandb`")
    resolver = resolver_of(index)
    techs = index["technologies"]
    found: dict[str, str] = {}
    for name in names:
        iri = resolver.resolve_iri(name, "tool")
        if iri not in techs:
            raise MlopsKgError(f"{resolver.label(iri)!r} is not a tool, service or platform")
        if iri in found:
            raise MlopsKgError(f"{found[iri]!r} and {name!r} both name {resolver.label(iri)}; give different tools")
        found[iri] = name
    return list(found)


def store_facts(store, iris) -> tuple[list, dict, dict]:
    """The facts a comparison needs, read from an embedded store (:mod:`mlops_kg.query.store`).

    Returns
    -------
    tuple
        ``(quads, nodes, labels)``: ``quads`` are ``(s, p, o, origin)`` about the tools;
        ``nodes`` maps each node a tool's facts point to → ``{predicate: [objects]}``;
        ``labels`` maps IRIs (tools, and every node named) → a preferred label.
    """
    from rdflib import URIRef

    # the IRIs come from the build's own index, never from user text: written into VALUES as IRIs
    def values(terms) -> str:
        return " ".join(f"<{t}>" for t in sorted(terms))

    preds = values(TOOL_PREDICATES.values())
    rows = store.query(f"SELECT ?t ?p ?o ?g WHERE {{ VALUES ?t {{ {values(iris)} }} VALUES ?p {{ {preds} }} "
                       f"GRAPH ?g {{ ?t ?p ?o }} }}").rows
    quads = []
    for t, p, o, g in rows:
        origin = origin_of(g)
        if origin is not None:
            quads.append((t, p, o, origin))
    nodes: dict = {}
    pending = {o for _, _, o, _ in quads if isinstance(o, URIRef)} | {URIRef(i) for i in iris}
    pending |= {URIRef(BASE + "graph/source/" + origin.split(":", 1)[1])  # the catalogues, for their titles
                for *_, origin in quads if origin.startswith("catalogue:")}
    seen: set = set()
    while pending:  # two rounds: the tools' nodes, then the providers of their cloud equivalents
        seen |= pending
        node_preds = values(NODE_PREDICATES)
        found = store.query(f"SELECT ?x ?p ?o WHERE {{ VALUES ?x {{ {values(pending)} }} "
                            f"VALUES ?p {{ {node_preds} }} ?x ?p ?o }}").rows
        pending = set()
        for x, p, o in found:
            nodes.setdefault(str(x), {}).setdefault(str(p), []).append(o)
            if str(p) == MLO + "offeredBy" and o not in seen:
                pending.add(o)
    labels = {}
    for node, facts in nodes.items():
        names = facts.get(SKOS + "prefLabel") or facts.get(RDFS + "label")
        if names:
            labels[node] = str(min(names, key=lambda n: (n.language not in (None, "en"), str(n))))
    return quads, nodes, labels


def _entry(iri, origins, labels) -> dict:
    return {"label": labels.get(str(iri)) or _local(str(iri)), "iri": str(iri), "sources": _listed(origins)}


def _licence(iri, origins, nodes) -> dict:
    from rdflib import Literal

    facts = nodes.get(str(iri), {})
    identifier = facts.get(DCTERMS + "identifier")
    approved = facts.get(MLO + "osiApproved")
    osi = bool(approved[0].toPython()) if approved and isinstance(approved[0], Literal) else None
    return {"spdx": str(min(identifier)) if identifier else _local(str(iri)), "iri": str(iri),
            "osi_approved": osi, "sources": _listed(origins)}


def _catalogue_title(source: str, nodes: dict) -> str:
    titles = nodes.get(BASE + "graph/source/" + source, {}).get(DCTERMS + "title")
    return str(min(titles)).split(":", 1)[0] if titles else source


def tool_records(iris, quads, *, labels: dict, nodes: dict | None = None) -> list[dict]:
    """One record per technology of ``iris`` (in that order) with its facts and their origins;
    the parameters are those of :func:`compare_facts`, the records its ``"tools"`` without ``"lacks"``."""
    from rdflib import Literal

    nodes = nodes or {}
    wanted = {str(i): {} for i in iris}
    for s, p, o, origin in quads:
        field = _FIELD_OF.get(str(p))
        if field is None or str(s) not in wanted:
            continue
        wanted[str(s)].setdefault(field, {}).setdefault(o, set()).add(origin)
    tools = []
    for iri in iris:
        facts = wanted[str(iri)]

        def entries(field, facts=facts):
            return sorted((_entry(o, origins, labels) for o, origins in facts.get(field, {}).items()),
                          key=lambda e: (e["label"].lower(), e["iri"]))

        def single(field, facts=facts):
            found = entries(field, facts)
            return found[0] if found else None

        def latest(field, facts=facts, number=False):
            values = {v: os for v, os in facts.get(field, {}).items() if not number or str(v).isdigit()}
            if not values:
                return None

            def value(v):
                return int(v) if number else str(v)
            best = max(value(v) for v in values)  # equal values stated with different datatypes share it
            return {"value": best, "sources": _listed(o for v, os in values.items() if value(v) == best for o in os)}

        primary = single("primary_capability")
        status = single("status")
        if status is None and any(o.toPython() is True for o in facts.get("archived", {}) if isinstance(o, Literal)):
            status = {"label": "archived", "iri": None,
                      "sources": _listed(o for v, os in facts["archived"].items() for o in os)}
        if status is not None:
            dates = facts.get("status_date", {})
            status["date"] = str(max(dates, key=str)) if dates else None
        equivalents = entries("cloud_equivalents")
        for e in equivalents:
            e["providers"] = sorted({labels.get(str(p)) or _local(str(p))
                                     for p in nodes.get(e["iri"], {}).get(MLO + "offeredBy", [])}, key=str.lower)
        catalogues: dict = {}
        for category, origins in facts.get("categories", {}).items():
            for origin in origins:
                if origin.startswith("catalogue:"):
                    catalogues.setdefault(origin.split(":", 1)[1], set()).add(labels.get(str(category)) or _local(str(category)))
        for field in ("label", "capabilities", "stars", "latest_release", "last_commit"):
            for origins in facts.get(field, {}).values():
                for origin in origins:
                    if origin.startswith("catalogue:"):
                        catalogues.setdefault(origin.split(":", 1)[1], set())
        capabilities = entries("capabilities")
        if primary is not None and all(c["iri"] != primary["iri"] for c in capabilities):
            # mlo:primaryCapability is a sub-property of mlo:hasCapability: the primary one is had
            capabilities = sorted(capabilities + [dict(primary)], key=lambda c: (c["label"].lower(), c["iri"]))
        for c in capabilities:
            c["primary"] = primary is not None and c["iri"] == primary["iri"]
        tools.append({
            "label": labels.get(str(iri)) or _local(str(iri)), "iri": str(iri),
            "kind": single("kind"), "primary_capability": primary, "capabilities": capabilities,
            "licences": sorted((_licence(o, origins, nodes) for o, origins in facts.get("licences", {}).items()),
                               key=lambda e: (e["spdx"].lower(), e["iri"])),
            "status": status, "successors": entries("successors"),
            "languages": entries("languages"), "frameworks": entries("frameworks"),
            "offered_by": entries("offered_by"), "cloud_equivalents": equivalents,
            "delivery": entries("delivery"),
            "stars": latest("stars", number=True), "latest_release": latest("latest_release"),
            "last_commit": latest("last_commit"),
            "catalogues": [{"id": source, "title": _catalogue_title(source, nodes),
                            "categories": sorted(cats, key=str.lower)} for source, cats in sorted(catalogues.items())],
        })
    return tools


def compare_facts(iris, quads, *, labels: dict, nodes: dict | None = None) -> dict:
    """The comparison of the technologies ``iris`` from their facts.

    Parameters
    ----------
    iris : list of str
        The technologies, in the order to show them.
    quads : iterable of tuple
        ``(subject, predicate, object, origin)`` with rdflib terms and an origin string; facts
        about other subjects and predicates are ignored.
    labels : dict
        IRI → preferred label (tools and the nodes their facts name).
    nodes : dict, optional
        Node IRI → ``{predicate IRI: [objects]}`` for the nodes the facts point to: licence ids and
        OSI approval, a cloud equivalent's provider, a catalogue's title.

    Returns
    -------
    dict
        ``{"tools": [...], "capabilities": {...}, "legend": {...}}``; see the README's "Compare".
    """
    tools = tool_records(iris, quads, labels=labels, nodes=nodes)
    # what each lacks that another has: the point of a comparison
    union: dict[str, str] = {}
    for t in tools:
        for c in t["capabilities"]:
            union.setdefault(c["iri"], c["label"])
    order = sorted(union, key=lambda i: (union[i].lower(), i))
    matrix = {}
    for cap in order:
        has = [t["label"] for t in tools if any(c["iri"] == cap for c in t["capabilities"])]
        matrix[union[cap]] = {"iri": cap, "has": has, "lacks": [t["label"] for t in tools if t["label"] not in has]}
    for t in tools:
        own = {c["iri"] for c in t["capabilities"]}
        t["lacks"] = [{"label": union[cap], "iri": cap, "had_by": matrix[union[cap]]["has"]}
                      for cap in order if cap not in own]
    return {"tools": tools, "capabilities": matrix,
            "shared": [label for label, row in matrix.items() if not row["lacks"]]}


def compare_build(build_dir, names) -> dict:
    """Compare the tools ``names`` in the build in ``build_dir`` (never builds).

    Names resolve first (from ``index.json``), so a wrong name fails before the store loads.

    Parameters
    ----------
    build_dir : str or Path
        A build folder (see :func:`mlops_kg.build.locate.ensure_build`).
    names : list of str
        Two or more tool names or aliases.

    Returns
    -------
    dict
        As :func:`compare_facts`.
    """
    from ..query.store import open_store
    from .substitutes import load_index

    iris = resolve_tools(load_index(build_dir), names)
    quads, nodes, labels = store_facts(open_store(build_dir), iris)
    return compare_facts(iris, quads, labels=labels, nodes=nodes)


# --- text ---------------------------------------------------------------------------------

def marks(sources) -> str:
    """Origin marks for a table cell, e.g. ``[g,k]`` (see :data:`ORIGIN_MARKS`)."""
    found = dict.fromkeys(ORIGIN_MARKS.get(s.split(":", 1)[0], "?") for s in _listed(sources))
    return "[" + ",".join(found) + "]"


def cell_text(tool: dict, field: str) -> str:
    """The text of one fact of a tool record in the table (values, then origin marks; "—" unknown)."""
    value = tool[field]
    if value is None or value == []:
        return UNKNOWN
    if field == "licences":
        return "; ".join(f"{lic['spdx']} ({ {True: 'OSI', False: 'not OSI', None: 'OSI?'}[lic['osi_approved']] }) "
                         f"{marks(lic['sources'])}" for lic in value)
    if field == "status":
        return f"{value['label']}" + (f" ({value['date']})" if value.get("date") else "") + " " + marks(value["sources"])
    if field in ("stars", "latest_release", "last_commit"):
        shown = f"{value['value']:,}" if field == "stars" else value["value"]
        return f"{shown} {marks(value['sources'])}"
    if field == "catalogues":
        return ", ".join(c["id"] for c in value)
    if field == "cloud_equivalents":
        return ", ".join(e["label"] for e in value) + " " + marks({s for e in value for s in e["sources"]})
    if isinstance(value, dict):
        return f"{value['label']} {marks(value['sources'])}"
    return ", ".join(e["label"] for e in value) + " " + marks({s for e in value for s in e["sources"]})


def _grid(header: list[str], rows: list[list[str]], widths: list[int]) -> list[str]:
    lines = []
    for row in [header] + rows:
        wrapped = [textwrap.wrap(text, width) or [""] for text, width in zip(row, widths)]
        for i in range(max(len(w) for w in wrapped)):
            lines.append("  ".join((w[i] if i < len(w) else "").ljust(width)
                                   for w, width in zip(wrapped, widths)).rstrip())
        if row is header:
            lines.append("  ".join("─" * width for width in widths))
    return lines


def comparison_text(result: dict, *, width: int | None = None) -> str:
    """The comparison as a text table: one column per tool, one row per fact, then capabilities
    as ✓/✗ rows (★ the primary one) and what each tool lacks that another has.

    Marks after a value say where it comes from: g guide, c curated, m imported guide,
    k a catalogue, i inferred by the build. "—" is unknown. Columns are ``width`` characters
    wide (by default as many as fit about 120 columns, at least 18).
    """
    tools = result["tools"]
    title = 28
    if width is None:  # about 120 columns in all, whatever the terminal: the same bytes everywhere
        width = max(18, min(30, (120 - title) // max(len(tools), 1) - 2))
    widths = [title] + [width] * len(tools)
    header = [""] + [t["label"] for t in tools]
    rows = [[name] + [cell_text(t, field) for t in tools] for field, name in TABLE_ROWS]
    lines = _grid(header, rows, widths)
    lines.append("")
    caps = []
    for label, row in result["capabilities"].items():
        cells = []
        for t in tools:
            own = next((c for c in t["capabilities"] if c["iri"] == row["iri"]), None)
            cells.append("✗" if own is None else ("★ " if own["primary"] else "✓ ") + marks(own["sources"]))
        caps.append([label] + cells)
    lines += _grid(["capability"] + [t["label"] for t in tools], caps, widths)
    lines.append("")
    for t in tools:
        lacks = [c["label"] for c in t["lacks"]]
        lines += textwrap.wrap(f"{t['label']} lacks: " + (", ".join(lacks) if lacks else "nothing another one has"),
                               width=sum(widths) + 2 * len(tools), subsequent_indent="  ")
    lines.append("")
    lines.append("sources: g guide · c curated · m imported guide · k catalogue · i inferred; "
                 "★ primary capability; — unknown")
    return "\n".join(lines)
