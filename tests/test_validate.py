from pathlib import Path

import pytest

from mlops_kg.build.pipeline import validate_files

DATA = Path(__file__).parent / "data"


def test_shipped_graph_conforms(dataset):
    from mlops_kg.model.load import union_graph
    from mlops_kg.model.validate import validate_graph

    report = validate_graph(union_graph(dataset))
    assert report.conforms, report.text()


def test_small_fixture_conforms():
    report = validate_files([DATA / "small.ttl"])
    assert report.conforms, report.text()


@pytest.fixture(scope="module")
def broken_report():
    return validate_files([DATA / "broken.ttl"])


def lines_about(report, focus):
    return [r.line() for r in report.results if r.focus == focus]


@pytest.mark.parametrize("focus,path,rule,words", [
    ("tool:nolabel", "skos:prefLabel", "MinCount", "preferred label"),
    ("tool:nocap", "mlo:hasCapability", "MinCount", "capability"),
    ("tool:wrongtype", "mlo:usesLanguage", "Class", "must point to a language"),
    ("tool:ghost", "rdf:type", "MinCount", "referenced but never described"),
    ("tool:twin-a", "-", "SPARQL", 'also the preferred label of tool:twin-b'),
    ("tool:aliased", "skos:altLabel", "UniqueName", "tool:dangling"),
    ("uc:orphan", "mlo:useCaseOf", "MinCount", "exactly one tool"),
    ("uc:orphan", "mlo:inIndustry", "MinCount", "at least one industry"),
])
def test_broken_graph_reports_node_property_and_rule(broken_report, focus, path, rule, words):
    assert not broken_report.conforms
    hits = [r for r in broken_report.results if r.focus == focus and r.path == path and r.rule == rule]
    assert hits, f"no {rule} on {focus} {path}; got:\n" + "\n".join(lines_about(broken_report, focus))
    assert any(words in r.message for r in hits), [r.message for r in hits]


def test_report_text_is_readable(broken_report):
    text = broken_report.text()
    assert "tool:nocap · mlo:hasCapability · MinCount" in text
    assert "Traceback" not in text


def test_valid_nodes_are_not_reported(broken_report):
    assert not lines_about(broken_report, "fw:tensorflow")


# Data for the SPARQL-based constraints, which run once over the whole graph rather than once
# per focus node inside pySHACL: a self-named alternative and three tools sharing one label
# (with a message placeholder in it: only the template's own placeholders are filled).
SPARQL_CASES = """
@prefix mlo:  <https://w3id.org/mlops-kg/ontology#> .
@prefix tool: <https://w3id.org/mlops-kg/id/tool/> .
@prefix cap:  <https://w3id.org/mlops-kg/id/capability/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
tool:narcissus a mlo:Tool ; skos:prefLabel "Narcissus" ; mlo:hasCapability cap:ml-pipelines ;
    mlo:statedAlternative tool:narcissus .
tool:twin-a a mlo:Tool ; skos:prefLabel "Twin {?other}" ; mlo:hasCapability cap:ml-pipelines .
tool:twin-b a mlo:Tool ; skos:prefLabel "Twin {?other}" ; mlo:hasCapability cap:ml-pipelines .
tool:twin-c a mlo:Tool ; skos:prefLabel "Twin {?other}" ; mlo:hasCapability cap:ml-pipelines .
"""


def _with_ontology(turtle: str):
    from mlops_kg.model import resources
    from mlops_kg.model.load import default_graph, new_dataset, parse_into, union_graph

    ds = new_dataset()
    for path in resources.ontology_files():
        parse_into(default_graph(ds), path)
    default_graph(ds).parse(data=turtle, format="turtle")
    return union_graph(ds)


def _pyshacl_alone(data, shapes=None):
    """What pySHACL itself reports with every shape, SPARQL ones included (the reference)."""
    import pyshacl
    from rdflib import RDF, Graph
    from rdflib.namespace import SH

    from mlops_kg.model import validate as v
    from mlops_kg.model.namespaces import bind_prefixes

    _, results, _ = pyshacl.validate(data, shacl_graph=shapes or v.load_shapes(), inference="none", advanced=False,
                                     allow_warnings=True, abort_on_first=False)
    names, out = bind_prefixes(Graph()), []
    for res in results.subjects(RDF.type, SH.ValidationResult):
        get = lambda p: results.value(res, p)  # noqa: E731
        out.append(v.Result(
            focus=v._short(names, get(SH.focusNode)),
            path=v._short(names, get(SH.resultPath)) if get(SH.resultPath) is not None else "-",
            rule=v._rule_name(get(SH.sourceConstraintComponent)),
            message=v._shorten_iris(names, str(get(SH.resultMessage))),
            value=v._short(names, get(SH.value)) if get(SH.value) is not None else "",
            severity=str(get(SH.resultSeverity)).rsplit("#", 1)[-1]))
    return sorted(set(out + v.label_collisions(data)))


@pytest.mark.parametrize("source", ["broken.ttl", "sparql cases"])
def test_report_is_the_one_pyshacl_gives_with_every_shape(source):
    from mlops_kg.model.validate import validate_graph

    turtle = SPARQL_CASES if source == "sparql cases" else (DATA / source).read_text(encoding="utf-8")
    data = _with_ontology(turtle)
    report = validate_graph(data)
    assert report.results == _pyshacl_alone(data)
    assert any(r.rule == "SPARQL" for r in report.results)


def test_sparql_constraints_name_node_and_rule():
    from mlops_kg.model.validate import validate_graph

    # A backslash makes pySHACL's own message filling fail (it is a regex replacement).
    lines = validate_graph(_with_ontology(SPARQL_CASES.replace('"Twin', '"Twin \\\\1'))).text().splitlines()
    assert ("  - tool:narcissus · - · SPARQL: is named as its own alternative; remove the self-reference "
            "(value: tool:narcissus)") in lines
    assert ('  - tool:twin-a · - · SPARQL: preferred label "Twin \\1 {?other}" is also the preferred label of '
            "tool:twin-c; merge the two nodes or rename one") in lines


def test_sparql_constraints_follow_every_kind_of_target():
    """Implicit class targets (with subclasses), sh:targetNode and sh:targetObjectsOf select the
    same focus nodes as in pySHACL; rows about other nodes are not violations."""
    from rdflib import Graph

    from mlops_kg.model.validate import validate_graph

    shapes = Graph().parse(format="turtle", data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        ex:Thing a rdfs:Class, sh:NodeShape ;
            sh:sparql [ sh:message "{$this} loops to itself" ;
                        sh:select "SELECT $this WHERE { $this <http://example.org/p> $this }" ] .
        ex:Named a sh:NodeShape ; sh:targetNode ex:c ; sh:targetObjectsOf ex:q ;
            sh:sparql [ sh:message "points at {?value}" ;
                        sh:select "SELECT $this ?value WHERE { $this <http://example.org/p> ?value }" ] .
        """)
    data = Graph().parse(format="turtle", data="""
        @prefix ex: <http://example.org/> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        ex:Sub rdfs:subClassOf ex:Thing .
        ex:a a ex:Sub ; ex:p ex:a . ex:b ex:p ex:b . ex:c ex:p ex:d . ex:e ex:q ex:f . ex:f ex:p ex:g .
        """)
    report = validate_graph(data, shapes)
    assert report.results == _pyshacl_alone(data, shapes)
    assert {r.focus for r in report.results} == {"<http://example.org/a>", "<http://example.org/c>",
                                                 "<http://example.org/f>"}


def _tools(n: int) -> str:
    return "\n".join(
        f'<https://w3id.org/mlops-kg/id/tool/t{i}> a <https://w3id.org/mlops-kg/ontology#Tool> ; '
        f'<http://www.w3.org/2004/02/skos/core#prefLabel> "T{i}" ; '
        f'<https://w3id.org/mlops-kg/ontology#statedAlternative> <https://w3id.org/mlops-kg/id/tool/t{(i + 1) % n}> ; '
        f'<https://w3id.org/mlops-kg/ontology#hasCapability> <https://w3id.org/mlops-kg/id/capability/ml-pipelines> .'
        for i in range(n))


def test_sparql_queries_are_parsed_once_whatever_the_number_of_nodes(monkeypatch):
    """Validation time must grow with the data, not with the data times the query parser
    (pySHACL parses a SPARQL constraint's query again for each focus node)."""
    from rdflib import Graph
    from rdflib.plugins.sparql import parser

    from mlops_kg.model import resources
    from mlops_kg.model.load import parse_into
    from mlops_kg.model.validate import validate_graph

    parses = []
    expand = parser.expandUnicodeEscapes  # every SPARQL parse starts with it
    monkeypatch.setattr(parser, "expandUnicodeEscapes", lambda q: parses.append(1) or expand(q))
    counts = []
    for n in (5, 50):
        data = _with_ontology(_tools(n))
        parses.clear()
        report = validate_graph(data, parse_into(Graph(), resources.shapes_file()))  # fresh: nothing cached
        assert report.conforms, report.text()
        counts.append(len(parses))
    selects = resources.shapes_file().read_text(encoding="utf-8").count("sh:select")
    assert counts[0] == counts[1] <= selects, counts
