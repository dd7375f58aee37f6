"""SHACL validation (pySHACL) with a report a person can read.

Besides the shapes in ``ontology/shapes.ttl``, one check runs in Python because SPARQL would
be quadratic on large graphs: two different nodes whose labels normalise to the same name
(see :func:`mlops_kg.names.normalize_name`) are one real thing described twice, or an alias
that would make name lookups ambiguous.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import SH, SKOS

from . import resources
from .load import parse_into
from .names import normalize_name
from .namespaces import bind_prefixes


@dataclass(frozen=True, order=True)
class Result:
    """One violation: which node, which property, which rule, and what to do."""

    focus: str
    path: str
    rule: str
    message: str
    value: str = ""
    severity: str = "Violation"

    def line(self) -> str:
        value = f" (value: {self.value})" if self.value and self.value not in self.message else ""
        return f"{self.focus} · {self.path} · {self.rule}: {self.message}{value}"


@dataclass
class ValidationReport:
    results: list[Result] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not any(r.severity == "Violation" for r in self.results)

    def summary(self) -> str:
        if self.conforms:
            return "data conforms to the shapes"
        n = sum(r.severity == "Violation" for r in self.results)
        first = self.results[0].line()
        return f"data violates the shapes ({n} violation{'s' if n != 1 else ''}); first: {first}"

    def text(self) -> str:
        if not self.results:
            return "Validation: the data conforms to the shapes."
        lines = [f"Validation: {len(self.results)} problem(s) (node · property · rule: message)"]
        lines += [f"  - {r.line()}" for r in self.results]
        return "\n".join(lines)


_shapes_cache: dict[str, Graph] = {}


def load_shapes(path=None) -> Graph:
    """The SHACL shapes graph (cached per path)."""
    path = str(path or resources.shapes_file())
    if path not in _shapes_cache:
        _shapes_cache[path] = parse_into(Graph(), path)
    return _shapes_cache[path]


def _short(graph: Graph, term) -> str:
    if term is None:
        return "-"
    if isinstance(term, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(term)
        except Exception:  # noqa: BLE001 - fall back to the full IRI
            return f"<{term}>"
    if isinstance(term, Literal):
        return f'"{term}"'
    return "(blank node)"


def _shorten_iris(graph: Graph, text: str) -> str:
    """Write full IRIs that SPARQL constraints put into messages as prefixed names."""
    return re.sub(r"<?(https?://[^\s>;,]+)>?", lambda m: _short(graph, URIRef(m.group(1))), text)


def _rule_name(component) -> str:
    name = str(component).rsplit("#", 1)[-1]
    return name.removesuffix("ConstraintComponent") or name


def shacl_results(data: Graph, shapes: Graph | None = None) -> list[Result]:
    """Run pySHACL on ``data`` and turn its results graph into :class:`Result` objects."""
    import pyshacl

    shapes = shapes if shapes is not None else load_shapes()
    _conforms, results_graph, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True,
        abort_on_first=False,
    )
    names = bind_prefixes(Graph())
    out = []
    for res in results_graph.subjects(RDF.type, SH.ValidationResult):
        get = lambda p: results_graph.value(res, p)  # noqa: E731
        path = get(SH.resultPath)
        out.append(Result(
            focus=_short(names, get(SH.focusNode)),
            path=_short(names, path) if path is not None else "-",
            rule=_rule_name(get(SH.sourceConstraintComponent)),
            message=_shorten_iris(names, str(get(SH.resultMessage) or "violates the shape")),
            value=_short(names, get(SH.value)) if get(SH.value) is not None else "",
            severity=str(get(SH.resultSeverity)).rsplit("#", 1)[-1],
        ))
    return out


def label_collisions(data: Graph) -> list[Result]:
    """Different nodes whose preferred or alternative labels normalise to the same name."""
    names = bind_prefixes(Graph())
    owners: dict[str, dict] = {}
    for prop in (SKOS.prefLabel, SKOS.altLabel):
        for node, label in data.subject_objects(prop):
            owners.setdefault(normalize_name(str(label)), {}).setdefault(node, (prop, label))
    out = []
    for key, nodes in owners.items():
        if len(nodes) < 2:
            continue
        ordered = sorted(nodes.items(), key=lambda kv: str(kv[0]))
        for node, (prop, label) in ordered:
            others = ", ".join(_short(names, o) for o, _ in ordered if o != node)
            out.append(Result(
                focus=_short(names, node), path=_short(names, prop), rule="UniqueName",
                message=f'label "{label}" names {others} too; one name must mean one node '
                        "(merge the nodes or drop the alias)",
            ))
    return out


def validate_graph(data: Graph, shapes: Graph | None = None) -> ValidationReport:
    """Validate ``data`` (a Graph, the union of ontology and data) against the shapes."""
    results = shacl_results(data, shapes) + label_collisions(data)
    return ValidationReport(sorted(set(results)))
