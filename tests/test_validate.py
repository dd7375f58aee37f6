from pathlib import Path

import pytest

from mlops_kg.build import validate_files

DATA = Path(__file__).parent / "data"


def test_shipped_graph_conforms(dataset):
    from mlops_kg.load import union_graph
    from mlops_kg.validate import validate_graph

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
