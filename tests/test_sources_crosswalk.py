"""The curated crosswalk from catalogue categories to our capability scheme."""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from mlops_kg.model.resources import ontology_files
from mlops_kg.sources import (CatalogueError, read_awesome_list, read_best_of, read_landscape,
                              read_llmops)
from mlops_kg.sources.catalogue import Record
from mlops_kg.sources.crosswalk import (CAPABILITY, OUT_OF_SCOPE, category_iri, crosswalk_file,
                                        load_crosswalk)

from .conftest import DATA

FIXTURES = DATA / "landscape"


@pytest.fixture(scope="module")
def crosswalk():
    return load_crosswalk()


@pytest.fixture(scope="module")
def graphs():
    crosswalk_graph = Graph().parse(crosswalk_file(), format="turtle")
    ontology = Graph()
    for path in ontology_files():
        ontology.parse(path, format="turtle")
    return crosswalk_graph, ontology


def fixture_records():
    return (read_landscape(FIXTURES / "lfai-small.yml")
            + read_landscape(FIXTURES / "lfai-small.yml", source="cncf")
            + read_best_of(FIXTURES / "best-of-small.csv")
            + read_best_of(FIXTURES / "best-of-small.yaml")
            + read_awesome_list(FIXTURES / "awesome-small.md")
            + read_llmops(FIXTURES / "llmops-small.md"))


def test_every_fixture_category_is_mapped_or_out_of_scope(crosswalk):
    # The real snapshots: tests/test_sources_snapshots.py.
    records = [r for r in fixture_records() if r.source != "cncf"]
    assert crosswalk.unmapped(records) == []


def test_an_unknown_category_is_reported(crosswalk):
    record = Record(source="lfai", key="x", name="x", file="f", line=1,
                    categories=(("Model", "Inference"), ("Made Up", "New Area")))
    assert crosswalk.unmapped([record]) == [("lfai", ("Made Up", "New Area"))]
    assert crosswalk.status("lfai", ("Model", "Inference")) == "mapped"
    assert crosswalk.status("lfai", ("LF AI & Data Member Company", "Premier")) == "out of scope"


def test_mappings_reach_capabilities_of_our_scheme(graphs, crosswalk):
    crosswalk_graph, ontology = graphs
    scheme = URIRef(CAPABILITY + "scheme")
    ours = {str(c) for g in (crosswalk_graph, ontology) for c in g.subjects(SKOS.inScheme, scheme)}
    targets = {target for pairs in crosswalk.mappings.values() for _, target in pairs}
    assert targets and targets <= ours, sorted(targets - ours)
    # A category is mapped or out of scope, never both.
    assert not set(crosswalk.mappings) & set(crosswalk.excluded)


def test_new_capabilities_hang_under_existing_ones(graphs):
    crosswalk_graph, ontology = graphs
    existing = {str(c) for c in ontology.subjects(SKOS.inScheme, URIRef(CAPABILITY + "scheme"))}
    new = {str(c) for c in crosswalk_graph.subjects(SKOS.inScheme, URIRef(CAPABILITY + "scheme"))}
    assert not new & existing, "a capability is defined twice"
    for capability in sorted(new):
        node = URIRef(capability)
        assert len(list(crosswalk_graph.objects(node, SKOS.prefLabel))) == 1, capability
        assert list(crosswalk_graph.objects(node, SKOS.definition)), capability
        # Follow skos:broader up to a capability of ontology/mlops.ttl.
        seen = set()
        while str(node) not in existing:
            assert node not in seen, f"skos:broader cycle at {node}"
            seen.add(node)
            broader = list(crosswalk_graph.objects(node, SKOS.broader))
            assert len(broader) == 1, f"{capability}: needs one skos:broader"
            node = broader[0]
    labels = [str(label).lower() for c in new | existing
              for label in (crosswalk_graph + ontology).objects(URIRef(c), SKOS.prefLabel)]
    assert len(labels) == len(set(labels)), "two capabilities share a label"


def test_out_of_scope_collections_are_described(graphs, crosswalk):
    crosswalk_graph, _ = graphs
    collections = {str(c) for c in crosswalk_graph.subjects(RDF.type, SKOS.Collection)}
    assert collections == set(crosswalk.excluded.values())
    assert all(c.startswith(OUT_OF_SCOPE) for c in collections)
    for collection in collections:
        assert list(crosswalk_graph.objects(URIRef(collection), SKOS.definition)), collection


def test_every_concept_is_labelled_in_its_scheme(graphs):
    crosswalk_graph, _ = graphs
    for concept in crosswalk_graph.subjects(RDF.type, SKOS.Concept):
        if str(concept).startswith(CAPABILITY):
            continue
        scheme = crosswalk_graph.value(concept, SKOS.inScheme)
        assert scheme is not None and str(concept).startswith(str(scheme) + "/"), concept
        assert (scheme, RDF.type, SKOS.ConceptScheme) in crosswalk_graph
        assert crosswalk_graph.value(concept, SKOS.prefLabel) is not None, concept


def test_category_iri_is_stable():
    assert category_iri("cncf", ("Wasm", "AI/Machine Learning")) == \
        "https://w3id.org/mlops-kg/id/catalogue/cncf/wasm/ai-machine-learning"
    # Two spellings of one CNCF category ("&" and "and") are one concept.
    assert category_iri("cncf", ("AI Native Infra", "Governance, Policy & Security")) == \
        category_iri("cncf", ("AI Native Infra", "Governance, Policy and Security"))


def test_scope(crosswalk):
    records = {(r.source, r.name): r for r in fixture_records()}
    assert crosswalk.in_scope(records[("lfai", "Servo")])
    assert not crosswalk.in_scope(records[("lfai", "Example Corp (KCSP)")])  # a member company
    assert crosswalk.in_scope(records[("best-of-ml-python", "Loose")])  # catch-all "others"
    assert not crosswalk.in_scope(records[("awesome-production-ml", "Awesome Elsewhere")])
    flagged = Record(source="cncf", key="k", name="k", file="f", line=1, labels=("ai",),
                     categories=(("Observability and Analysis", "Observability"),))
    assert crosswalk.in_scope(flagged)
    assert crosswalk.capabilities_of(records[("lfai", "Servo")]) == (
        ("exact", CAPABILITY + "model-serving"), ("exact", CAPABILITY + "data-versioning"))


def test_a_broken_crosswalk_is_one_line(tmp_path):
    path = tmp_path / "crosswalk.ttl"
    path.write_text("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n<a> skos:exactMatch", "utf-8")
    with pytest.raises(CatalogueError, match="not valid Turtle") as caught:
        load_crosswalk(path)
    assert "\n" not in str(caught.value)
    with pytest.raises(CatalogueError, match="file not found"):
        load_crosswalk(Path(tmp_path / "missing.ttl"))
