"""Reading a build's analysis results and rendering them as Markdown tables."""
from __future__ import annotations

import json
from pathlib import Path


KIND_TITLES = {"tool": "Tools", "service": "Cloud services", "platform": "Platforms", "provider": "Cloud providers",
               "language": "Languages", "framework": "Frameworks", "industry": "Industries",
               "use-case": "Industry use cases", "capability": "Capabilities"}
MEASURE_TITLES = {"degree": "degree", "betweenness": "betweenness", "pagerank": "PageRank",
                  "closeness": "closeness"}


def load_analysis(build_dir, *, top: int = 5) -> dict:
    """``analysis.json`` of the build in ``build_dir``, each ranking cut to ``top`` rows (never
    builds: see :mod:`mlops_kg.build.locate`)."""
    from ..model.layout import ANALYSIS, damaged_build

    path = Path(build_dir) / ANALYSIS
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise damaged_build(path, "missing") from None
    except (OSError, ValueError) as exc:
        raise damaged_build(path, getattr(exc, "strerror", None) or "not JSON") from None
    if not _is_summary(data):
        raise damaged_build(path, "not an analysis summary")
    for by_measure in data["centrality"].values():
        for measure in by_measure:
            by_measure[measure] = by_measure[measure][:top]
    return data


def _is_summary(data) -> bool:
    """The shape ``analysis_markdown`` and ``--format json`` rely on."""
    try:
        rankings = [rows for by_measure in data["centrality"].values() for rows in by_measure.values()]
        return (all(data["centrality"].values()) and all(isinstance(rows, list) and all(isinstance(r["label"], str) and isinstance(r["score"], (int, float))
                                                   for r in rows) for rows in rankings)
                and all(isinstance(c["name"], str) and isinstance(c["members"], list) for c in data["clusters"])
                and isinstance(data["method"], str))
    except (AttributeError, KeyError, TypeError):
        return False


def analyze_file(path, *, top: int = 5, progress=None) -> dict:
    """Analyse an RDF file loaded straight into the embedded (Oxigraph) store."""
    from .result import analyze
    from ..errors import DataFileError
    from ..progress import SILENT
    from ..query.store import OxigraphStore

    progress = progress or SILENT
    formats = {".nq": "nq", ".nt": "nt", ".ttl": "ttl", ".trig": "trig"}
    fmt = formats.get(Path(path).suffix.lower())
    if fmt is None:
        raise DataFileError(f"{path}: use an .nq, .nt, .ttl or .trig file with --data")
    if not Path(path).is_file():
        raise DataFileError(f"{path}: file not found; check the path")
    try:
        store = OxigraphStore().load(path, fmt)
    except (SyntaxError, ValueError, OSError) as exc:
        raise DataFileError(f"{path}: cannot load: {str(exc).splitlines()[0]}") from None
    progress("loaded", len(store), "quads")
    if not store.select_strings("SELECT ?t WHERE { ?t a mlo:Technology } LIMIT 1"):
        raise DataFileError(f"{path}: no technologies to analyse (nothing typed mlo:Technology); give a built graph, "
                            "e.g. build/mlops-kg.nq, or an imported guide's .ttl")
    result = analyze(store)
    progress("analysed", result.subst.number_of_nodes(), "technologies")
    summary = result.summary(top=top)
    return summary


def analysis_markdown(summary: dict) -> str:
    """Render an analysis summary as Markdown: a ranking table per kind, then the clusters.

    Parameters
    ----------
    summary : dict
        The shape returned by :meth:`mlops_kg.analysis.result.Analysis.summary` (the JSON of
        ``mlops-kg analyze --format json``).

    Returns
    -------
    str
        Markdown with one column per centrality measure; ``|`` in labels is escaped so a tool
        name cannot break the table.
    """
    lines = ["# Centrality", ""]
    order = list(KIND_TITLES)
    for kind, by_measure in sorted(summary["centrality"].items(),
                                   key=lambda kv: order.index(kv[0]) if kv[0] in order else 99):
        measures = [m for m in MEASURE_TITLES if m in by_measure]
        lines += [f"## {KIND_TITLES.get(kind, kind)}", ""]
        lines.append("| rank | " + " | ".join(MEASURE_TITLES.get(m, m) for m in measures) + " |")
        lines.append("|---:|" + "---|" * len(measures))
        depth = max(len(rows) for rows in by_measure.values())
        for i in range(depth):
            cells = []
            for m in measures:
                rows = by_measure[m]
                cells.append(f"{rows[i]['label']} ({rows[i]['score']:.3f})" if i < len(rows) else "")
            lines.append(f"| {i + 1} | " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        lines.append("")
    lines += ["# Clusters of substitutable tools", ""]
    alone = []
    for cluster in summary["clusters"]:
        if len(cluster["members"]) == 1:
            alone += cluster["members"]
            continue
        lines.append(f"- **{cluster['name']}** ({len(cluster['members'])}): " + _names(cluster["members"]))
    if alone:  # at landscape scale, many: one line, not one cluster each
        lines.append(f"- {len(alone)} {'technology' if len(alone) == 1 else 'technologies'} in no cluster with "
                     f"others: " + _names(sorted(alone, key=str.lower)))
    lines += ["", f"_Method: {summary['method']}_", ""]
    return "\n".join(lines)


#: Members named per cluster in the Markdown report (the JSON lists them all).
MEMBERS_SHOWN = 12


def _names(labels: list[str], limit: int = MEMBERS_SHOWN) -> str:
    """``labels`` joined, at most ``limit`` of them and then how many more.

    Examples
    --------
    >>> _names(["A", "B", "C"], limit=2)
    'A, B and 1 more'
    >>> _names(["A", "B"], limit=2)
    'A, B'
    """
    if len(labels) <= limit:
        return ", ".join(labels)
    return ", ".join(labels[:limit]) + f" and {len(labels) - limit} more"
