"""The site's compare page (``compare.html``): pick two to four tools and see them side by side.

The page shows what ``mlops-kg compare`` prints (:mod:`mlops_kg.analysis.compare`): one column per
tool, a row per fact with marks saying where it comes from, the capabilities as ✓/✗ rows and what
each tool lacks that another has. Every tool's record travels once, as JSON the page's script
(``assets/compare.js``) reads; the script builds the table with DOM text nodes only. The tools to
show come from the address: ``compare.html#tools=tool/mlflow,tool/weights-and-biases``.
"""
from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import RDFS, SKOS

from ..analysis.compare import (NODE_PREDICATES, TABLE_ROWS, TOOL_PREDICATES, UNKNOWN, cell_text, marks,
                                tool_records)
from ..model.namespaces import ID, MLO

#: Prefix of the catalogues' named graphs (their titles name them on the page).
BASE_SOURCE = "https://w3id.org/mlops-kg/graph/source/"
#: How many tools the page compares at most.
MAX_TOOLS = 4


def tool_token(iri: str) -> str:
    """The short name of a technology in the page's address: its IRI without the id base.

    Examples
    --------
    >>> tool_token("https://w3id.org/mlops-kg/id/tool/mlflow")
    'tool/mlflow'
    """
    return iri[len(str(ID)):] if iri.startswith(str(ID)) else iri


def compare_link(iris, root: str = "") -> str:
    """The address of the compare page showing ``iris`` (at most :data:`MAX_TOOLS`).

    Examples
    --------
    >>> compare_link(["https://w3id.org/mlops-kg/id/tool/mlflow", "https://w3id.org/mlops-kg/id/tool/dvc"], "../")
    '../compare.html#tools=tool/mlflow,tool/dvc'
    """
    return f"{root}compare.html#tools=" + ",".join(tool_token(i) for i in list(iris)[:MAX_TOOLS])


def compare_data(iris, origins: dict, facts, labels: dict, paths: dict) -> dict:
    """The JSON the compare page reads: each technology's table cells and capabilities.

    Parameters
    ----------
    iris : list of str
        The technologies, sorted as the page lists them.
    origins : dict
        ``{(s, p, o): origins}`` of the build (:func:`mlops_kg.pages.provenance.fact_origins`).
    facts : mlops_kg.pages.facts.FactIndex
        Every fact, for the nodes a tool's facts point to (licence ids, providers, catalogue titles).
    labels : dict
        IRI → preferred label (nodes without one here take their ``skos:prefLabel`` or ``rdfs:label``
        from ``facts``).
    paths : dict
        IRI → the technology's page, relative to the site's top.

    Returns
    -------
    dict
        ``{"rows": [[field, title]], "capabilities": [[iri, label]], "tools": [{"id", "label",
        "href", "cells": {field: text}, "caps": [[capability index, "✓ [g]"]]}], "max"}``; a fact
        not recorded has no cell (the page shows "—"), which keeps the page small.
    """
    wanted = {URIRef(i) for i in iris}
    tool_preds = {URIRef(p) for p in TOOL_PREDICATES.values()}
    quads = [(s, p, o, origin) for (s, p, o), found in origins.items()
             if s in wanted and p in tool_preds for origin in found]
    node_preds = [URIRef(p) for p in NODE_PREDICATES]
    pointed = {o for _, _, o, _ in quads if isinstance(o, URIRef)}
    pointed |= {p for o in list(pointed) for p in facts.objects(o, MLO.offeredBy)}  # providers of equivalents
    pointed |= {URIRef(BASE_SOURCE + origin.split(":", 1)[1]) for *_, origin in quads if origin.startswith("catalogue:")}
    nodes = {str(n): {str(p): facts.objects(n, p) for p in node_preds if facts.objects(n, p)} for n in pointed}
    names = dict(labels)
    for node, found in nodes.items():
        text = found.get(str(SKOS.prefLabel)) or found.get(str(RDFS.label))
        if node not in names and text:
            names[node] = str(min(text))
    records = tool_records(iris, quads, labels=names, nodes=nodes)
    capabilities = sorted({(c["iri"], c["label"]) for r in records for c in r["capabilities"]},
                          key=lambda c: (c[1].lower(), c[0]))
    position = {iri: i for i, (iri, _) in enumerate(capabilities)}
    tools = []
    for record in records:
        tools.append({
            "id": tool_token(record["iri"]), "label": record["label"], "href": paths.get(record["iri"], ""),
            "cells": {field: text for field, _ in TABLE_ROWS if (text := cell_text(record, field)) != UNKNOWN},
            "caps": [[position[c["iri"]], ("★ " if c["primary"] else "✓ ") + marks(c["sources"])]
                     for c in record["capabilities"]]})
    return {"rows": [list(row) for row in TABLE_ROWS], "capabilities": [list(c) for c in capabilities],
            "tools": tools, "max": MAX_TOOLS}

