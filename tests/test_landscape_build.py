"""The default build holds the whole landscape: every catalogue in its own graph, every catalogue
entity a technology with capabilities from the scheme, one node per real thing, and the guide's
facts still found; a build can leave any catalogue out."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from mlops_kg.model.namespaces import CAP, GRAPHS, ID, MLO, SCHEMA
from mlops_kg.model.resources import LANDSCAPE_SOURCES, REGISTRY_SOURCES

from .conftest import SEED_CHECKS

SEED_NAMES = ("feast", "ray serve", "zenml", "lakefs", "evidently", "great expectations")


@pytest.fixture(scope="module")
def store(landscape_built):
    from mlops_kg.query.store import open_store

    return open_store(landscape_built)


def ask(store, query: str) -> list:
    from mlops_kg.model.namespaces import sparql_prologue

    return list(store.query(sparql_prologue() + query).rows)


def test_each_catalogue_has_its_own_graph_and_the_manifest_names_them(landscape_built):
    manifest = json.loads((landscape_built / "manifest.json").read_text())
    assert manifest["sources"] == ["guide", "curated", *sorted(LANDSCAPE_SOURCES + REGISTRY_SOURCES)]
    assert manifest["without"] == []
    for source in LANDSCAPE_SOURCES:
        assert manifest["graphs"].get(GRAPHS.SOURCE + source, 0) > 500, source
    for source in REGISTRY_SOURCES:
        assert manifest["graphs"].get(GRAPHS.SOURCE + source, 0) > 20, source
    for graph in (GRAPHS.DATASETS, GRAPHS.REFERENCE, GRAPHS.CURATED, GRAPHS.GUIDE, GRAPHS.INFERRED):
        assert manifest["graphs"][str(graph)] > 0, graph
    assert any(key.startswith("landscape/") for key in manifest["inputs"])


def test_at_least_1500_technologies_each_with_capabilities_and_one_primary(store):
    rows = ask(store, """SELECT ?t (COUNT(DISTINCT ?c) AS ?caps) (COUNT(DISTINCT ?p) AS ?primary) WHERE {
        ?t a mlo:Technology . OPTIONAL { ?t mlo:hasCapability ?c } OPTIONAL { ?t mlo:primaryCapability ?p }
    } GROUP BY ?t""")
    assert len(rows) >= 1500
    assert [str(t) for t, caps, _ in rows if int(caps) == 0] == []
    assert {int(primary) for _, _, primary in rows} == {1}


def test_no_two_nodes_share_a_repository(store):
    assert ask(store, """SELECT ?a ?b WHERE { ?a schema:codeRepository ?r . ?b schema:codeRepository ?r
                         FILTER (STR(?a) < STR(?b)) }""") == []


def test_the_guides_facts_are_all_still_found(landscape_built):
    script = SEED_CHECKS / "seed_recall.py"
    if not script.is_file():
        pytest.skip(f"{script} is not there")
    result = subprocess.run([sys.executable, str(script), str(SEED_CHECKS / "seed_facts.json"),
                             str(landscape_built / "mlops-kg.ttl")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "132/132" in result.stdout


@pytest.mark.parametrize("name", SEED_NAMES)
def test_tools_users_ask_about_resolve(landscape_built, name):
    from mlops_kg.analysis.substitutes import find_substitutes, load_index

    answer = find_substitutes(load_index(landscape_built), name, top=3)
    assert answer["tool"]["label"]


def test_feature_stores_include_the_open_and_the_cloud_ones(store):
    from mlops_kg.query.named import run_query

    rows = run_query(store, "tools-with-capability", {"capability": "feature store"})[1].rows
    labels = {str(row[1]) for row in rows}
    assert {"Feast", "Hopsworks", "Tecton", "Amazon SageMaker Feature Store", "Vertex AI Feature Store",
            "Azure Machine Learning Managed Feature Store", "Databricks"} <= labels


def test_renamed_products_are_their_own_nodes_with_successors(store):
    rows = ask(store, """SELECT ?old ?new WHERE { ?old mlo:successor ?new }""")
    found = {(str(o), str(n)) for o, n in rows}
    for old, new in [("tool/kfserving", "tool/kserve"), ("service/google-ai-platform", "tool/vertex-ai"),
                     ("tool/allegro-trains", "tool/clearml")]:
        assert (str(ID[old]), str(ID[new])) in found
    sunset = {str(t) for (t,) in ask(store, "SELECT ?t WHERE { ?t mlo:status status:sunset }")}
    assert {str(ID["tool/kfserving"]), str(ID["service/google-ai-platform"])} <= sunset


# ------------------------------------------------------------------ loading and inference, no build

@pytest.fixture(scope="module")
def landscape_dataset():
    from mlops_kg.model.inference import infer
    from mlops_kg.model.load import load_sources

    ds = load_sources()
    infer(ds)
    return ds


def test_catalogue_entities_become_tools_with_derived_capabilities_and_status(landscape_dataset):
    ds = landscape_dataset
    inferred = ds.graph(GRAPHS.INFERRED)
    tool = ID["tool/1chipml"]  # LF AI lists it, archived, under Machine Learning / Library
    assert (tool, RDF.type, MLO.Tool) in inferred
    assert (tool, MLO.hasCapability, CAP["ml-frameworks"]) in inferred
    assert (tool, MLO.status, ID["status/archived"]) in inferred
    # Curated statuses stand: Cortex is sunset by curation, not re-derived.
    assert (ID["tool/cortex"], MLO.status, None) not in inferred
    # A platform or framework of the shipped graph keeps its class.
    assert (ID["platform/kubernetes"], RDF.type, MLO.Tool) not in inferred


def test_a_category_with_a_firm_mapping_gives_no_narrower_capabilities(landscape_dataset):
    from mlops_kg.model.landscape import crosswalk_capabilities

    mapping = crosswalk_capabilities(landscape_dataset)
    feature_engineering = URIRef("https://w3id.org/mlops-kg/id/catalogue/lfai/data/feature-engineering")
    assert mapping[feature_engineering] == {CAP["feature-engineering"]}  # not also feature store
    union_category = URIRef("https://w3id.org/mlops-kg/id/catalogue/awesome-production-ml/evaluation-and-monitoring")
    assert mapping[union_category] == {CAP["model-evaluation"], CAP["model-monitoring"]}


def test_a_build_without_a_catalogue_leaves_its_graph_and_description_out():
    from mlops_kg.model.inference import infer
    from mlops_kg.model.load import load_sources, union_graph
    from mlops_kg.model.validate import validate_graph

    ds = load_sources(without=("best-of-ml-python",))
    graphs = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert GRAPHS.SOURCE + "best-of-ml-python" not in graphs and GRAPHS.SOURCE + "lfai" in graphs
    dataset = URIRef(GRAPHS.SOURCE + "best-of-ml-python")
    assert (dataset, None, None) not in ds.graph(GRAPHS.DATASETS)
    infer(ds)
    report = validate_graph(union_graph(ds))
    assert report.conforms, report.text()[:2000]


def test_an_unknown_source_to_leave_out_is_one_clear_error():
    from mlops_kg.errors import DataFileError
    from mlops_kg.model.load import load_sources

    with pytest.raises(DataFileError, match="unknown source 'nope'.*best-of-ml-python"):
        load_sources(without=("nope",))


def test_inference_is_the_same_whatever_the_hash_seed(tmp_path):
    script = ("import hashlib; from mlops_kg.model.inference import infer; "
              "from mlops_kg.model.load import load_sources; from mlops_kg.model.namespaces import GRAPHS; "
              "ds = load_sources(); infer(ds); "
              "print(hashlib.sha256('\\n'.join(sorted(t.n3() for tr in ds.graph(GRAPHS.INFERRED) for t in "
              "[tr[0], tr[1], tr[2]])).encode()).hexdigest(), len(ds.graph(GRAPHS.INFERRED)))")
    runs = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "4242")}
    assert len(runs) == 1


# ------------------------------------------------------------------------------ the name checks

def test_names_are_unique_within_a_concept_scheme_not_across_schemes():
    from mlops_kg.model.validate import label_collisions

    graph = Graph()
    kind, cap, other_cap = ID["kind/feature-store"], CAP["feature-store"], CAP["feature-stores"]
    graph.add((kind, SKOS.inScheme, ID["kind/scheme"]))
    graph.add((kind, SKOS.prefLabel, Literal("Feature store")))
    graph.add((cap, SKOS.inScheme, CAP.scheme))
    graph.add((cap, SKOS.prefLabel, Literal("Feature store")))
    assert label_collisions(graph) == []
    graph.add((other_cap, SKOS.inScheme, CAP.scheme))
    graph.add((other_cap, SKOS.altLabel, Literal("feature store")))
    assert {r.focus for r in label_collisions(graph)} == {"cap:feature-store", "cap:feature-stores"}


def test_two_nodes_with_one_repository_fail_validation(landscape_dataset):
    from mlops_kg.model.validate import repository_collisions

    graph = Graph()
    for node in (ID["tool/a"], ID["tool/b"]):
        graph.add((node, SCHEMA.codeRepository, URIRef("https://github.com/Org/Repo")))
    graph.add((ID["tool/b"], SCHEMA.codeRepository, URIRef("https://github.com/org/repo/")))
    results = repository_collisions(graph)
    assert [r.rule for r in results] == ["UniqueRepository", "UniqueRepository"]
    assert "github.com/org/repo" in results[0].message


def test_the_shapes_catch_bad_landscape_facts():
    from mlops_kg.model import resources
    from mlops_kg.model.validate import validate_graph

    graph = Graph()
    for path in resources.ontology_files():
        graph.parse(path)
    tool = ID["tool/bad"]
    xsd = "http://www.w3.org/2001/XMLSchema#"
    for triple in [(tool, RDF.type, MLO.Tool), (tool, SKOS.prefLabel, Literal("Bad")),
                   (tool, MLO.hasCapability, CAP["model-serving"]),
                   (tool, MLO.starCount, Literal("many")),
                   (tool, MLO.lastCommitDate, Literal("2024-01-01", datatype=URIRef(xsd + "dateTime"))),
                   (tool, MLO.status, ID["status/active"]), (tool, MLO.status, ID["status/archived"]),
                   (tool, SCHEMA.license, URIRef("https://spdx.org/licenses/Not-A-Licence"))]:
        graph.add(triple)
    lines = validate_graph(graph).text()
    assert "mlo:starCount must be a literal of type xsd:integer" in lines
    assert "mlo:lastCommitDate must be a literal of type xsd:date" in lines
    assert "has more than one mlo:status" in lines
    assert "the value of schema:license must be a dcterms:LicenseDocument" in lines
