"""SHACL validation (pySHACL) with a report a person can read.

Besides the shapes in ``ontology/shapes.ttl``, two checks run in Python because SPARQL would
be quadratic on large graphs: two different nodes whose labels normalise to the same name
(see :func:`mlops_kg.model.names.normalize_name`) are one real thing described twice, or an alias
that would make name lookups ambiguous; two nodes with one code repository are one project.

SPARQL-based constraints of node shapes are not left to pySHACL: it parses and runs a
constraint's query once per focus node, which made a build's cost grow with the nodes times
the query parser. Here each such query is run once over the whole graph with ``$this``
unbound, on Oxigraph (rdflib's SPARQL engine took seconds on the landscape), and its rows are
kept for the shape's focus nodes. For a query whose
``$this`` appears in its top-level patterns (as in ours) that gives the rows that pre-binding
``$this`` to each focus node would give, so the report is the same.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import OWL, SH, SKOS

from . import resources
from ..errors import MlopsKgError
from .load import parse_into
from .names import normalize_name
from .namespaces import bind_prefixes
from .terms import ox_to_rdflib


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
        """The violation on one line, ``node · property · rule: message``, for terminals and logs.

        The value is appended only when the message does not already quote it.

        Examples
        --------
        >>> Result("tool/x", "mlo:licence", "MinCount", "needs a licence").line()
        'tool/x · mlo:licence · MinCount: needs a licence'
        """
        value = f" (value: {self.value})" if self.value and self.value not in self.message else ""
        return f"{self.focus} · {self.path} · {self.rule}: {self.message}{value}"


@dataclass
class ValidationReport:
    """Every SHACL result of one validation run, sorted, with the texts the CLI prints.

    Parameters
    ----------
    results : list of Result
        Violations and lesser findings (warnings, infos); only violations break conformance.
    """

    results: list[Result] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        """True when no result has severity ``Violation`` (warnings do not fail a build)."""
        return not any(r.severity == "Violation" for r in self.results)

    def summary(self) -> str:
        """One line for an error message: conformance, the violation count and the first one."""
        if self.conforms:
            return "data conforms to the shapes"
        n = sum(r.severity == "Violation" for r in self.results)
        first = self.results[0].line()
        return f"data violates the shapes ({n} violation{'s' if n != 1 else ''}); first: {first}"

    def text(self) -> str:
        """The full report, one result per line, as ``mlops-kg validate`` prints it."""
        if not self.results:
            return "Validation: the data conforms to the shapes."
        lines = [f"Validation: {len(self.results)} problem(s) (node · property · rule: message)"]
        lines += [f"  - {r.line()}" for r in self.results]
        return "\n".join(lines)


_shapes_cache: dict[str, Graph] = {}
_split_cache: dict[int, tuple[Graph, Graph, list]] = {}


def load_shapes(path=None) -> Graph:
    """The SHACL shapes graph (cached per path)."""
    path = str(path or resources.shapes_file())
    if path not in _shapes_cache:
        _shapes_cache[path] = parse_into(Graph(), path)
    return _shapes_cache[path]


@dataclass(frozen=True)
class SparqlCheck:
    """A SPARQL-based constraint of a node shape, run once over the whole graph."""

    shape: object
    targets: tuple          # ((target predicate, term), ...) of the shape
    query: str              # the SELECT with its prefixes, ``$this`` left unbound
    message: str
    severity: str


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def _prefix_header(shapes: Graph, constraint) -> str:
    lines = []
    for prefixes in shapes.objects(constraint, SH.prefixes):
        for decl in shapes.objects(prefixes, SH.declare):
            prefix, namespace = shapes.value(decl, SH.prefix), shapes.value(decl, SH.namespace)
            lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines))) + "\n"


def _drop(graph: Graph, node) -> None:
    """Remove ``node``'s description and that of the blank nodes it leads to."""
    for _, p, o in list(graph.triples((node, None, None))):
        graph.remove((node, p, o))
        if not isinstance(o, (URIRef, Literal)) and not any(graph.triples((None, None, o))):
            _drop(graph, o)


def split_shapes(shapes: Graph) -> tuple[Graph, list[SparqlCheck]]:
    """``(core, checks)``: the shapes without the SPARQL constraints of node shapes, for
    pySHACL, and those constraints as :class:`SparqlCheck` objects (Oxigraph runs them, see
    :func:`sparql_results`). Property shapes keep theirs (pySHACL runs them); none of ours has one."""
    import pyoxigraph as ox

    key = id(shapes)
    cached = _split_cache.get(key)
    if cached is not None and cached[0] is shapes:
        return cached[1], cached[2]
    core = Graph()
    for triple in shapes:
        core.add(triple)
    checks = []
    for shape, constraint in sorted(shapes.subject_objects(SH.sparql)):
        if shapes.value(shape, SH.path) is not None:
            continue
        core.remove((shape, SH.sparql, constraint))
        _drop(core, constraint)
        if shapes.value(shape, SH.deactivated) == Literal(True) or \
                shapes.value(constraint, SH.deactivated) == Literal(True):
            continue
        text = _prefix_header(shapes, constraint) + str(shapes.value(constraint, SH.select))
        try:
            selected = {v.value for v in ox.Store().query(text).variables}
        except SyntaxError as exc:
            raise MlopsKgError(f"the SPARQL constraint of shape {shape} does not parse: {exc}") from None
        if "this" not in selected:
            raise MlopsKgError(f"the SPARQL constraint of shape {shape} must select $this; add it to the SELECT")
        messages = sorted(str(m) for m in shapes.objects(constraint, SH.message)) or \
            sorted(str(m) for m in shapes.objects(shape, SH.message))
        severity = shapes.value(shape, SH.severity) or SH.Violation
        checks.append(SparqlCheck(
            shape=shape,
            targets=tuple(sorted({(p, o) for p in _TARGETS for o in shapes.objects(shape, p)}
                                 | {(SH.targetClass, shape) for kind in (RDFS.Class, OWL.Class)
                                    if (shape, RDF.type, kind) in shapes})),  # an implicit class target
            query=text,
            message=messages[0] if messages else "violates the shape",
            severity=str(severity).rsplit("#", 1)[-1],
        ))
    _split_cache[key] = (shapes, core, checks)
    return core, checks


def focus_nodes(data: Graph, targets) -> set:
    """The nodes that SHACL targets ``((predicate, term), ...)`` select in ``data``."""
    nodes = set()
    for kind, term in targets:
        if kind == SH.targetNode:
            nodes.add(term)
        elif kind == SH.targetSubjectsOf:
            nodes.update(data.subjects(term, None))
        elif kind == SH.targetObjectsOf:
            nodes.update(data.objects(None, term))
        elif kind == SH.targetClass:
            for cls in data.transitive_subjects(RDFS.subClassOf, term):
                nodes.update(data.subjects(RDF.type, cls))
    return nodes


def _fill(message: str, bindings: dict) -> str:
    """A message's ``{?var}`` / ``{$var}`` replaced by the row's values (as pySHACL does)."""
    return re.sub(r"\{[?$](\w+)\}",
                  lambda m: str(bindings[m.group(1)]) if m.group(1) in bindings else m.group(0), message)


def sparql_results(data: Graph, checks) -> list[Result]:
    """Run each :class:`SparqlCheck` once over ``data``; a row is a violation of its ``$this``
    when that is a focus node of the shape. Path, value and message follow SHACL: ``?path``
    and ``?value`` when the query binds them, else no path and the focus node as the value.

    The queries run on Oxigraph, over a copy of ``data`` made from its N-Triples lines (a
    fraction of a second): rdflib's SPARQL engine took seconds over the landscape's graph."""
    names = bind_prefixes(Graph())
    out = []
    store = None
    for check in checks:
        targets = focus_nodes(data, check.targets)
        if not targets:
            continue
        if store is None:
            store = _ox_store(data)
        solutions = store.query(check.query)
        variables = [v.value for v in solutions.variables]
        for row in solutions:
            bindings = {name: ox_to_rdflib(term) for name, term in zip(variables, row) if term is not None}
            focus = bindings.get("this")
            if focus not in targets:
                continue
            path = bindings.get("path")
            bindings["value"] = value = bindings.get("value", focus)
            out.append(Result(
                focus=_short(names, focus),
                path=_short(names, path) if path is not None else "-",
                rule="SPARQL",
                message=_shorten_iris(names, _fill(check.message, bindings)),
                value=_short(names, value),
                severity=check.severity,
            ))
    return out


def _ox_store(data: Graph):
    """An Oxigraph store holding ``data`` in its default graph (lenient: the IRIs were read
    already, and one the IRI grammar refuses must not hide the shapes' findings)."""
    import pyoxigraph as ox

    from .ntriples import triple_lines

    store = ox.Store()
    store.load("".join(triple_lines(data)).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES, lenient=True)
    return store


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
    """Run the shapes on ``data``: pySHACL for the core constraints, :func:`sparql_results`
    for the SPARQL ones; every result as a :class:`Result`."""
    import pyshacl

    core, checks = split_shapes(shapes if shapes is not None else load_shapes())
    _conforms, results_graph, _text = pyshacl.validate(
        data, shacl_graph=core, inference="none", advanced=False, allow_warnings=True,
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
    return out + sparql_results(data, checks)


def label_collisions(data: Graph) -> list[Result]:
    """Different nodes whose preferred or alternative labels normalise to the same name.

    Names are unique within a name space: the concepts of one SKOS concept scheme (the
    capability scheme, the kinds, the statuses, each catalogue's categories) form one each, and
    every node in no scheme (technologies, languages, providers, industries, ...) another. So
    the kind "Feature store" (what a tool is) and the capability "Feature store" (a job it
    does) may share a name, as two catalogues' "AutoML" categories may; a tool may not share
    one with a language, nor two capabilities with each other. Lookups never mix name spaces:
    a capability is looked up among capabilities.
    """
    names = bind_prefixes(Graph())
    owners: dict[tuple, dict] = {}
    schemes: dict = {}
    for node, scheme in data.subject_objects(SKOS.inScheme):
        schemes[node] = min(str(scheme), schemes.get(node, str(scheme)))
    for prop in (SKOS.prefLabel, SKOS.altLabel):
        for node, label in data.subject_objects(prop):
            key = (schemes.get(node, ""), normalize_name(str(label)))
            owners.setdefault(key, {}).setdefault(node, (prop, label))
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


def repository_collisions(data: Graph) -> list[Result]:
    """Different nodes with the same code repository (``schema:codeRepository``, compared
    case-insensitively and without a trailing slash): one repository is one real thing.

    Examples
    --------
    >>> from rdflib import URIRef
    >>> from mlops_kg.model.namespaces import ID, SCHEMA
    >>> g = Graph()
    >>> for name in ("a", "b"):
    ...     _ = g.add((ID["tool/" + name], SCHEMA.codeRepository, URIRef("https://github.com/o/r")))
    >>> [r.focus for r in repository_collisions(g)]
    ['tool:a', 'tool:b']
    """
    from .namespaces import SCHEMA

    names = bind_prefixes(Graph())
    owners: dict[str, set] = {}
    for node, repository in data.subject_objects(SCHEMA.codeRepository):
        owners.setdefault(str(repository).lower().rstrip("/"), set()).add(node)
    out = []
    for repository, nodes in owners.items():
        if len(nodes) < 2:
            continue
        ordered = sorted(nodes, key=str)
        for node in ordered:
            others = ", ".join(_short(names, o) for o in ordered if o != node)
            out.append(Result(
                focus=_short(names, node), path="schema:codeRepository", rule="UniqueRepository",
                message=f"repository <{repository}> is {others}'s too; one repository is one node "
                        "(merge the nodes, or record a different project with mlo:differentProject)",
            ))
    return out


def validate_graph(data: Graph, shapes: Graph | None = None) -> ValidationReport:
    """Validate ``data`` (a Graph, the union of ontology and data) against the shapes, plus
    the name and repository checks (:func:`label_collisions`, :func:`repository_collisions`)."""
    results = shacl_results(data, shapes) + label_collisions(data) + repository_collisions(data)
    return ValidationReport(sorted(set(results)))
