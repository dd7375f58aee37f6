"""The expert's curated data of issue 16 keeps its rules.

Files: graph/curated/kinds.ttl (kind and primary capability per technology),
graph/curated/alternative-types.ttl (the type of each alternative the guide states),
graph/curated/corrections.ttl (licences, capabilities, statuses) and
graph/landscape/curated-kinds.ttl (a default kind per catalogue category).

The kind scheme and the new capabilities are read from wherever they are defined (the proposed
terms, the ontology, the crosswalk), so the test holds before and after the landscape integration.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from mlops_kg.model import resources
from mlops_kg.model.namespaces import ID, MLO, SCHEMA

ROOT = Path(__file__).resolve().parents[1]
CURATED = ROOT / "graph" / "curated"
LANDSCAPE = ROOT / "graph" / "landscape"
KINDS = CURATED / "kinds.ttl"
TYPES = CURATED / "alternative-types.ttl"
CORRECTIONS = CURATED / "corrections.ttl"
DEFAULT_KINDS = LANDSCAPE / "curated-kinds.ttl"
OURS = (KINDS, TYPES, CORRECTIONS, DEFAULT_KINDS)

KIND, PRIMARY, DEFAULT_KIND, STATUS, OSI = MLO.kind, MLO.primaryCapability, MLO.defaultKind, MLO.status, MLO.osiApproved
TYPE_PROPERTIES = {MLO.statedSubstitute, MLO.statedComplement, MLO.statedRunsOn, MLO.statedHostOf}
KIND_SCHEME = URIRef(str(ID) + "kind/scheme")
CAP_SCHEME = URIRef(str(ID) + "capability/scheme")
TECHNOLOGY_CLASSES = (MLO.Tool, MLO.CloudService, MLO.Platform, MLO.Framework)
SPDX = "https://spdx.org/licenses/"


def parse(*paths) -> Graph:
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def shipped() -> Graph:
    """The guide and curated graphs the build loads (our graph/curated files included)."""
    return parse(*(p for paths in resources.graph_files().values() for p in paths))


@pytest.fixture(scope="module")
def curated_landscape() -> Graph:
    return parse(*sorted(LANDSCAPE.glob("curated-*.ttl")))


@pytest.fixture(scope="module")
def terms() -> Graph:
    """Every file that may define kinds and capabilities: the ontology and the crosswalk."""
    paths = [*resources.ontology_files(), *sorted((ROOT / "ontology").glob("*.ttl")), LANDSCAPE / "crosswalk.ttl"]
    return parse(*dict.fromkeys(p for p in paths if p.exists()))


@pytest.fixture(scope="module")
def technologies(shipped) -> list:
    found = {s for cls in TECHNOLOGY_CLASSES for s in shipped.subjects(RDF.type, cls)}
    assert len(found) >= 53, len(found)
    return sorted(found)


def test_each_file_parses_on_its_own():
    for path in OURS:
        assert len(parse(path)) > 0, path.name


def test_every_shipped_technology_has_one_kind_and_one_primary_capability(
        shipped, curated_landscape, technologies):
    both = shipped + curated_landscape
    for node in technologies:
        kinds = set(both.objects(node, KIND))
        primaries = set(both.objects(node, PRIMARY))
        assert len(kinds) == 1, f"{node} has kinds {kinds}"
        assert len(primaries) == 1, f"{node} has primary capabilities {primaries}"


def test_kinds_and_default_kinds_are_in_the_kind_scheme(terms):
    scheme = set(terms.subjects(SKOS.inScheme, KIND_SCHEME))
    assert len(scheme) >= 30
    ours = parse(*OURS)
    used = set(ours.objects(None, KIND)) | set(ours.objects(None, DEFAULT_KIND))
    assert used and used <= scheme, sorted(used - scheme)


def test_primary_capabilities_are_in_the_capability_scheme(terms):
    scheme = set(terms.subjects(SKOS.inScheme, CAP_SCHEME))
    used = set(parse(KINDS).objects(None, PRIMARY))
    assert used and used <= scheme, sorted(used - scheme)


def test_a_primary_capability_is_a_capability_by_the_proposed_terms(shipped, technologies, terms):
    """mlo:primaryCapability is a sub-property of mlo:hasCapability, so a primary capability is one
    of the node's capabilities; the few primaries not also stated with mlo:hasCapability are known."""
    assert (PRIMARY, RDFS.subPropertyOf, MLO.hasCapability) in terms
    implied_only = {node for node in technologies for primary in shipped.objects(node, PRIMARY)
                    if (node, MLO.hasCapability, primary) not in shipped}
    assert implied_only == {ID[n] for n in ("tool/kubeflow", "platform/apache-spark", "service/google-ai-hub",
                                            "framework/tensorflow", "framework/pytorch")}, implied_only


def test_every_kind_is_given_to_a_node_that_exists(shipped):
    """No invented IRIs: a node given a kind is shipped or defined by a catalogue graph."""
    catalogue_nodes = set()
    for path in LANDSCAPE.glob("*.ttl"):
        if not path.name.startswith("curated-") and path.name != "crosswalk.ttl":
            catalogue_nodes |= {s for s in parse(path).subjects(RDF.type, None)}
    shipped_nodes = {s for s in shipped.subjects(RDF.type, None)}
    for node in parse(KINDS).subjects(KIND, None):
        assert node in shipped_nodes or node in catalogue_nodes, node


def test_every_stated_alternative_has_exactly_one_type(shipped):
    guide = parse(ROOT / "graph" / "guide" / "tools.ttl")
    types = parse(TYPES)
    stated = set(guide.subject_objects(MLO.statedAlternative))
    assert len(stated) == 29  # three per detailed tool, two for DVC
    for subject, obj in stated:
        found = [p for p in TYPE_PROPERTIES if (subject, p, obj) in types]
        assert len(found) == 1, f"{subject} -> {obj} has types {found}"
    for subject, prop, obj in types:
        if prop in TYPE_PROPERTIES:
            assert (subject, obj) in stated, f"{subject} {prop} {obj} repeats no statement of the guide"
    ontology = parse(ROOT / "ontology" / "landscape.ttl")
    for prop in TYPE_PROPERTIES:
        assert (prop, RDFS.subPropertyOf, MLO.statedAlternative) in ontology


def test_every_catalogue_category_has_a_default_kind_or_is_out_of_scope():
    crosswalk = parse(LANDSCAPE / "crosswalk.ttl")
    defaults = parse(DEFAULT_KINDS)
    categories = {c for c in crosswalk.subjects(RDF.type, SKOS.Concept)
                  if str(c).startswith(str(ID) + "catalogue/")}
    out_of_scope = {m for c in crosswalk.subjects(RDF.type, SKOS.Collection)
                    for m in crosswalk.objects(c, SKOS.member)}
    assert len(categories) > 200
    for category in categories:
        kinds = list(defaults.objects(category, DEFAULT_KIND))
        if category in out_of_scope:
            assert not kinds, f"{category} is out of scope but has a default kind"
        else:
            assert len(kinds) == 1, f"{category} has default kinds {kinds}"
    assert set(defaults.subjects(DEFAULT_KIND, None)) <= categories


def test_seldon_core_and_pachyderm_are_not_delivered_as_open_source(shipped):
    for name in ("seldon-core", "pachyderm"):
        node = ID["tool/" + name]
        assert (node, MLO.deliveryModel, MLO.OpenSource) not in shipped
        assert (node, MLO.deliveryModel, MLO.Commercial) in shipped
    assert (ID["tool/seldon-core"], SCHEMA.license, URIRef(SPDX + "BUSL-1.1")) in shipped
    assert (ID["tool/clearml"], SCHEMA.license, URIRef(SPDX + "SSPL-1.0")) in shipped


def test_licences_are_spdx_and_the_new_ones_say_they_are_not_osi_approved(shipped):
    """The corrected licences are SPDX licence nodes that the landscape's licences.ttl (generated
    from the SPDX License List) describes as not OSI-approved; corrections.ttl does not describe
    them a second time."""
    corrections = parse(CORRECTIONS)
    for licence in corrections.objects(None, SCHEMA.license):
        assert str(licence).startswith(SPDX), licence
    described = parse(LANDSCAPE / "licences.ttl")
    for licence in ("BUSL-1.1", "SSPL-1.0"):
        assert (URIRef(SPDX + licence), OSI, Literal(False)) in described
    assert not list(corrections.subjects(OSI, None))


def test_the_corrected_capabilities_are_there_and_the_wrong_ones_gone(shipped):
    """Capabilities the products state are curated; those the kind-blind model of today misreads are
    staged in graph/landscape/curated-kinds.ttl (loaded with the landscape), the rest are shipped."""
    cap = lambda name: URIRef(str(ID) + "capability/" + name)  # noqa: E731
    staged = parse(DEFAULT_KINDS)
    expected = {
        "tool/weights-and-biases": ["hyperparameter-tuning", "model-registry", "data-versioning"],
        "tool/dvc": ["ml-pipelines", "experiment-tracking"],
        "tool/comet": ["model-registry", "model-monitoring"],
        "tool/hopsworks": ["model-registry", "model-serving", "model-monitoring"],
        "tool/datarobot-mlops": ["model-serving", "model-registry", "model-governance"],
        "tool/kubeflow": ["notebooks", "model-registry", "end-to-end-platform"],
        "tool/mlrun": ["model-serving", "model-monitoring"],
        "tool/clearml": ["data-versioning", "model-serving", "model-registry", "hyperparameter-tuning"],
    }
    for node, capabilities in expected.items():
        for name in capabilities:
            assert (ID[node], MLO.hasCapability, cap(name)) in staged, f"{node} lacks {name}"
    assert (ID["tool/mlflow"], MLO.hasCapability, cap("experiment-visualization")) in shipped
    assert (ID["tool/kubeflow"], MLO.hasCapability, cap("distributed-training")) in shipped
    lang = lambda name: URIRef(str(ID) + "language/" + name)  # noqa: E731
    assert {(ID["tool/datarobot-mlops"], MLO.usesLanguage, lang(n)) for n in ("python", "r")} <= set(shipped)
    assert {(ID["tool/delta-lake"], MLO.usesLanguage, lang(n)) for n in ("scala", "java", "sql")} <= set(staged)
    assert (ID["service/google-ai-hub"], MLO.hasCapability, cap("model-registry")) not in shipped
    assert (ID["tool/ffdl"], MLO.hasCapability, cap("end-to-end-platform")) not in shipped
    assert (ID["service/google-ai-hub"], STATUS, URIRef(str(ID) + "status/sunset")) in shipped


def test_our_files_add_no_names_types_or_repositories_to_nodes():
    """Names, types and repositories decide how catalogue entities resolve onto shipped nodes; the
    files here describe terms and licences, and otherwise add facts to nodes defined elsewhere."""
    for path in OURS:
        graph = parse(path)
        for subject, prop in graph.subject_predicates():
            if prop in (SKOS.prefLabel, SKOS.altLabel, SCHEMA.name, RDF.type, SCHEMA.codeRepository):
                allowed = (str(MLO), SPDX, str(ID) + "organization/")  # terms, licences, a vendor
                assert str(subject).startswith(allowed), f"{path.name}: {subject} {prop}"
        assert not set(graph.objects(None, DCTERMS.subject))
