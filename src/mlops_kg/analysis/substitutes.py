"""Find substitutes for a tool: ranked, explained, filtered.

The build precomputes a compact index (``build/index.json``): every name and alias, a profile
of each technology (delivery model, languages, industries, providers) and its substitutes
ranked by the substitutability weight of :mod:`mlops_kg.analysis.substitutability`, with the evidence. The
``substitutes`` command only reads that index: no Turtle parsing, no inference, no rdflib, so
it answers in about the time Python takes to start. The CLI rebuilds the index (with
:func:`mlops_kg.build.locate.ensure_build`) when any input file has changed; this module only reads.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..errors import AmbiguousNameError, MlopsKgError
from ..model.layout import INDEX, INDEX_VERSION, damaged_build
from ..sources.resolve import Resolver

MAX_PER_TOOL = 50
MLO = "https://w3id.org/mlops-kg/ontology#"
_NAMED_KINDS = ("tool", "service", "platform", "language", "framework", "industry", "provider", "capability")


def make_index(graph, analysis) -> dict:
    """The substitutes index for a build (see module docstring); ``graph`` is the union rdflib
    Graph of the build or an embedded store holding it."""
    from ..model.iris import iri_kind

    resolver = Resolver.from_graph(graph) if hasattr(graph, "subject_objects") else Resolver.for_store(graph)
    names = {iri: e for iri, e in resolver.to_json().items() if iri_kind(iri) in _NAMED_KINDS}
    techs = {}
    for iri, p in sorted(analysis.profiles.items()):
        techs[iri] = {"label": p.label, "kind": p.kind, "delivery": sorted(p.delivery),
                      "languages": sorted(p.languages), "industries": sorted(p.industries),
                      "providers": sorted(p.providers), "capabilities": sorted(p.capabilities)}
    ranked = {iri: [[other, weight, reasons] for other, weight, reasons in
                    analysis.substitutes(iri, MAX_PER_TOOL)] for iri in sorted(analysis.profiles)}
    cluster_of = {m: c["name"] for m, c in analysis.cluster_of().items()}
    for iri, name in cluster_of.items():
        techs[iri]["cluster"] = name
    return {"version": INDEX_VERSION, "names": names, "technologies": techs, "substitutes": ranked}


def load_index(build_dir) -> dict:
    """The index of the build in ``build_dir`` (never builds: see :mod:`mlops_kg.build.locate`)."""
    path = Path(build_dir) / INDEX
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise damaged_build(path) from None
    if not isinstance(index, dict) or index.get("version") != INDEX_VERSION:
        raise damaged_build(path, "made by another version of mlops-kg, or not an index")
    return index


def _resolve(resolver: Resolver, name: str, kinds: tuple[str, ...]) -> str:
    """Resolve ``name`` as the first of ``kinds`` that matches; errors name the first kind."""
    last_error = None
    for kind in kinds:
        try:
            return resolver.resolve_iri(name, kind)
        except AmbiguousNameError:
            raise
        except MlopsKgError as exc:
            last_error = last_error or exc
    raise last_error


def find_substitutes(index: dict, name: str, *, top: int = 5, language: str | None = None,
                     industry: str | None = None, provider: str | None = None,
                     open_source: bool = False, managed: bool = False) -> dict:
    """Ranked substitutes for the tool ``name`` (forgiving name resolution).

    Filters keep substitutes that use ``language`` (a language or framework), are used in
    ``industry``, are offered by or have a cloud equivalent on ``provider``, are open source,
    or are managed cloud services. Returns ``{"tool": {"label", "iri"}, "substitutes": [{"label",
    "iri", "score", "reasons"}], "filters": {...}}``; ties are broken by label, then IRI.
    """
    if top is None or top < 1:
        raise MlopsKgError(f"--top must be at least 1, got {top}")
    if open_source and managed:
        raise MlopsKgError("--open-source and --managed exclude each other; give one")
    resolver = index.get("_resolver")
    if resolver is None:  # built once per loaded index: repeated lookups stay fast
        resolver = index["_resolver"] = Resolver.from_json(index["names"])
    techs = index["technologies"]
    tool = _resolve(resolver, name, ("tool",))
    if tool not in techs:
        raise MlopsKgError(f"{resolver.label(tool)!r} is not a tool, service or platform")
    filters, checks = {}, []
    if language is not None:
        lang = _resolve(resolver, language, ("language", "framework"))
        filters["language"] = resolver.label(lang)
        checks.append(lambda t: lang in t["languages"])
    if industry is not None:
        ind = _resolve(resolver, industry, ("industry",))
        filters["industry"] = resolver.label(ind)
        checks.append(lambda t: ind in t["industries"])
    if provider is not None:
        prov = _resolve(resolver, provider, ("provider",))
        filters["provider"] = resolver.label(prov)
        checks.append(lambda t: prov in t["providers"])
    if open_source:
        filters["open_source"] = True
        checks.append(lambda t: "OpenSource" in t["delivery"])
    if managed:
        filters["managed"] = True
        checks.append(lambda t: "ManagedService" in t["delivery"])
    found = []
    candidates = index["substitutes"].get(tool, [])
    for other, weight, reasons in candidates:
        if all(check(techs[other]) for check in checks):
            found.append({"label": techs[other]["label"], "iri": other, "score": round(weight, 3),
                          "reasons": reasons})
        if len(found) == top:
            break
    answer = {"tool": {"label": techs[tool]["label"], "iri": tool}, "substitutes": found, "filters": filters}
    if checks and len(found) < top and len(candidates) >= MAX_PER_TOOL:
        # the index keeps each tool's strongest MAX_PER_TOOL candidates: weaker ones that pass
        # the filters exist perhaps, but were not searched
        answer["searched"] = len(candidates)
    return answer
