"""The shipped graph carries the guide's facts, resolves aliases, and keeps provenance apart."""
import subprocess
import sys

import pytest
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import SKOS

from mlops_kg.model.iris import iri_kind, mint_iri
from mlops_kg.model.names import normalize_name
from mlops_kg.model.namespaces import GRAPHS, ID, MLO, SCHEMA, sparql_prologue

from .conftest import SEED_CHECKS


def node(union, name):
    """The single node whose preferred or alternative label matches ``name`` (normalised)."""
    key = normalize_name(name)
    hits = {s for p in (SKOS.prefLabel, SKOS.altLabel) for s, o in union.subject_objects(p)
            if normalize_name(str(o)) == key}
    assert len(hits) == 1, f"{name!r} names {len(hits)} nodes: {sorted(hits)}"
    return hits.pop()


def ask(union, query, **bindings):
    return bool(union.query(sparql_prologue() + query, initBindings=bindings).askAnswer)


ALTERNATIVES = {
    "MLflow": ["Weights and Biases", "DVC", "SageMaker Experiments"],
    "Kubeflow": ["TFX", "Azure ML Pipelines", "MLflow"],
    "TFX": ["Kubeflow Pipelines", "MLflow", "Airflow"],
    "Apache Airflow": ["Luigi", "Prefect", "Argo Workflows"],
    "DVC": ["MLflow", "Git-LFS"],
    # The guide's KFServing and Google AI Platform: the statements are on their successors (KServe,
    # Vertex AI); the old names name nodes of their own in the landscape (test_landscape_curated).
    "Seldon": ["KServe", "BentoML", "Cortex"],
    "Kedro": ["Metaflow", "Prefect", "Dagster"],
    "Pachyderm": ["DVC", "MLflow", "Delta Lake"],
    "W&B": ["MLflow", "Comet", "Neptune.ai"],
    "Polyaxon": ["MLflow", "Kubeflow", "Metaflow"],
}
CLOUD = {
    "MLflow": ["AWS SageMaker", "Azure ML", "Vertex AI"],
    "Kubeflow": ["Google Kubernetes Engine", "Azure ML", "AKS", "EKS"],
    "TFX": ["Vertex AI", "AWS SageMaker Pipelines", "Azure ML Pipelines"],
    "Apache Airflow": ["Google Cloud Composer", "AWS Managed Airflow", "Azure Data Factory"],
    "DVC": ["AWS S3", "Azure Blob Storage", "Google Cloud Storage"],
    "Seldon": ["AWS SageMaker", "Azure ML Deployment Services", "Vertex AI"],
    "Pachyderm": ["AWS S3", "Azure Blob Storage", "Google Cloud Storage"],
    "W&B": ["SageMaker Experiments", "Azure ML Tracking", "Google AI Hub"],
    "Polyaxon": ["AWS SageMaker", "Vertex AI", "Azure ML"],
}
LANGUAGES = {
    "MLflow": ["Python", "R"], "Kubeflow": ["Python", "YAML"], "TFX": ["Python"],
    "Apache Airflow": ["Python"], "DVC": ["Python", "Shell Scripting"], "Seldon": ["Python", "YAML"],
    "Kedro": ["Python"], "Pachyderm": ["Python", "Shell Scripting", "YAML"], "W&B": ["Python"],
    "Polyaxon": ["Python", "YAML"],
}
FRAMEWORKS = {"TFX": ["TensorFlow"], "W&B": ["TensorFlow", "PyTorch"]}


@pytest.mark.parametrize("tool,alts", ALTERNATIVES.items())
def test_stated_alternatives_in_the_guide_graph(dataset, union, tool, alts):
    guide = dataset.graph(GRAPHS.GUIDE)
    for alt in alts:
        assert (node(union, tool), MLO.statedAlternative, node(union, alt)) in guide, f"{tool} -> {alt}"


@pytest.mark.parametrize("tool,alts", ALTERNATIVES.items())
def test_alternatives_read_in_both_directions(union, tool, alts):
    for alt in alts:
        assert ask(union, "ASK { ?a mlo:isAlternativeTo ?b . ?b mlo:isAlternativeTo ?a }",
                   a=node(union, tool), b=node(union, alt)), f"{tool} <-> {alt}"


def test_stated_alternative_count_matches_the_guide(dataset):
    assert len(list(dataset.graph(GRAPHS.GUIDE).triples((None, MLO.statedAlternative, None)))) == 29


@pytest.mark.parametrize("tool,services", CLOUD.items())
def test_cloud_equivalents(union, tool, services):
    for service in services:
        assert (node(union, tool), MLO.cloudEquivalent, node(union, service)) in union, f"{tool} ~ {service}"


def test_kedro_storage_is_an_integration_not_an_equivalent(union):
    kedro = node(union, "Kedro")
    assert not list(union.objects(kedro, MLO.cloudEquivalent))
    assert {node(union, n) for n in ("AWS S3", "Azure Blob", "Google Cloud Storage")} <= set(
        union.objects(kedro, MLO.integratesWith))


@pytest.mark.parametrize("tool,languages", LANGUAGES.items())
def test_languages(union, tool, languages):
    for language in languages:
        lang = node(union, language)
        assert (node(union, tool), MLO.usesLanguage, lang) in union
        assert ask(union, "ASK { ?l a/rdfs:subClassOf* mlo:Language }", l=lang)


@pytest.mark.parametrize("tool,frameworks", FRAMEWORKS.items())
def test_frameworks_are_frameworks_not_languages(union, tool, frameworks):
    for name in frameworks:
        fw = node(union, name)
        assert (fw, RDF.type, MLO.Framework) in union
        assert (node(union, tool), MLO.supportsFramework, fw) in union
        assert not list(union.subjects(MLO.usesLanguage, fw))


def test_non_languages_typed_as_what_they_are(union):
    assert (node(union, "YAML"), RDF.type, MLO.ConfigurationLanguage) in union
    assert (node(union, "Shell Scripting"), RDF.type, MLO.ShellLanguage) in union
    assert (node(union, "R"), RDF.type, MLO.ProgrammingLanguage) in union


@pytest.mark.parametrize("tool", ALTERNATIVES)
def test_industry_use_cases_are_nodes(union, tool):
    rows = union.query(sparql_prologue() + """
        SELECT ?industry ?description WHERE {
            ?uc a mlo:IndustryUseCase ; mlo:useCaseOf ?tool ; mlo:inIndustry/skos:prefLabel ?industry ;
                dcterms:description ?description ; prov:wasDerivedFrom ?section .
            ?tool mlo:describedIn ?section .
        }""", initBindings={"tool": node(union, tool)})
    industries = {str(r.industry) for r in rows}
    assert industries == {"Healthcare", "Finance", "Supply Chain", "Retail"}
    assert all(len(str(r.description)) > 20 for r in rows)
    assert ask(union, "ASK { ?t mlo:usedInIndustry ?i }", t=node(union, tool), i=node(union, "Healthcare"))


def test_insurance_is_an_industry_without_use_cases(union):
    insurance = node(union, "Insurance")
    assert (insurance, RDF.type, MLO.Industry) in union
    assert not list(union.subjects(MLO.inIndustry, insurance))


@pytest.mark.parametrize("alias,iri", [
    ("mlFlow", "tool/mlflow"), ("MLflow", "tool/mlflow"), ("W&B", "tool/weights-and-biases"),
    ("Weights and Biases", "tool/weights-and-biases"), ("Comet.ml", "tool/comet"), ("Comet", "tool/comet"),
    ("AWS SageMaker", "tool/amazon-sagemaker"), ("SageMaker", "tool/amazon-sagemaker"),
    ("Azure ML", "tool/azure-machine-learning"), ("Azure Machine Learning", "tool/azure-machine-learning"),
    ("AWS Managed Airflow", "service/amazon-managed-workflows-for-apache-airflow"),
    ("Airflow", "tool/apache-airflow"), ("Data Version Control", "tool/dvc"),
    ("TensorFlow Extended", "tool/tfx"), ("Seldon", "tool/seldon-core"), ("Git-LFS", "tool/git-lfs"),
    ("Azure Blob", "service/azure-blob-storage"), ("AKS", "service/azure-kubernetes-service"),
    ("Spark", "platform/apache-spark"),
])
def test_aliases_resolve_to_one_node(union, alias, iri):
    assert node(union, alias) == ID[iri]


def test_every_listed_tool_is_one_node_with_its_position(union):
    positions = sorted(int(p) for p in union.objects(None, MLO.listPosition))
    assert positions == list(range(1, 23))
    listed = set(union.subjects(MLO.listPosition, None))
    assert len(listed) == 22 and all((t, RDF.type, MLO.Tool) in union for t in listed)


def test_detailed_but_unlisted_tools_are_present(union):
    for name in ("Seldon", "Weights and Biases"):
        tool = node(union, name)
        assert list(union.objects(tool, MLO.describedIn))
        assert not list(union.objects(tool, MLO.listPosition))


def test_iris_are_minted_from_preferred_labels(union):
    for subject, label in union.subject_objects(SKOS.prefLabel):
        kind = iri_kind(subject)
        if kind and kind != "source" and (subject, RDF.type, SKOS.ConceptScheme) not in union:
            assert subject == mint_iri(kind, str(label)), f"{subject} vs label {label!r}"


def test_every_technology_has_capabilities_and_curated_facts(dataset, union):
    curated = dataset.graph(GRAPHS.CURATED)
    techs = set(union.subjects(RDF.type, MLO.Technology))
    assert len(techs) >= 50
    for tech in techs:
        assert list(union.objects(tech, MLO.hasCapability)), tech
        assert list(curated.objects(tech, MLO.deliveryModel)), f"{tech} has no curated delivery model"


def test_curated_and_stated_facts_are_kept_apart(dataset):
    guide, curated = dataset.graph(GRAPHS.GUIDE), dataset.graph(GRAPHS.CURATED)
    # homepages and licences come from general knowledge, never from the guide
    assert not list(guide.triples((None, SCHEMA.url, None)))
    assert not list(guide.triples((None, SCHEMA.license, None)))
    assert len(list(curated.triples((None, SCHEMA.url, None)))) >= 30
    # alternatives are what the guide states; curation adds none
    assert not list(curated.triples((None, MLO.statedAlternative, None)))
    # a query can tell them apart
    rows = dataset.query(sparql_prologue() + """
        SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { tool:mlflow mlo:hasCapability ?c } } GROUP BY ?g""")
    by_graph = {str(r.g): int(r.n) for r in rows}
    assert by_graph.get(str(GRAPHS.GUIDE), 0) >= 1 and by_graph.get(str(GRAPHS.CURATED), 0) >= 1


def test_cloud_services_have_their_provider(union):
    rows = union.query(sparql_prologue() + """
        SELECT ?svc ?provider WHERE { ?svc a mlo:CloudService ; mlo:offeredBy/skos:prefLabel ?provider }""")
    providers = {str(r.svc).rsplit("/", 1)[-1]: str(r.provider) for r in rows}
    assert providers["amazon-sagemaker"] == "Amazon Web Services"
    assert providers["vertex-ai"] == "Google Cloud"
    assert providers["azure-kubernetes-service"] == "Microsoft Azure"


@pytest.mark.skipif(not (SEED_CHECKS / "seed_recall.py").exists(), reason="shared seed checks not present")
def test_seed_recall_finds_every_stated_fact(built):
    result = subprocess.run([sys.executable, str(SEED_CHECKS / "seed_recall.py"),
                             str(SEED_CHECKS / "seed_facts.json"), str(built / "mlops-kg.ttl")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    found, total = result.stdout.strip().rsplit(" ", 1)[-1].split("/")
    assert found == total
