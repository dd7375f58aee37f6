"""The curated landscape files (graph/landscape/*.ttl) parse and keep the rules of the landscape:
one kind, one preferred label, capabilities and a delivery model per technology; one provider per
cloud service; a dated, referenced sunset; IRIs minted from labels; enough commercial products.

The test reads them beside the shipped guide and curated graphs, without the catalogue graphs.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SKOS

from mlops_kg.model import resources
from mlops_kg.model.iris import iri_kind, mint_iri, slugify
from mlops_kg.model.namespaces import ID, MLO, SCHEMA

ROOT = Path(__file__).resolve().parents[1]
# curated-repositories.ttl only names repositories of shipped nodes, curated-licences.ttl only
# licences of catalogue nodes, curated-capabilities.ttl only adds capabilities to catalogue nodes;
# the rules below are for the technologies the other curated files describe.
LANDSCAPE = sorted(p for p in (ROOT / "graph" / "landscape").glob("curated-*.ttl")
                   if p.name not in ("curated-repositories.ttl", "curated-licences.ttl",
                                     "curated-capabilities.ttl"))
#: The generated catalogue graphs, which curated facts may point into (Ray Serve is part of Ray).
CATALOGUES = [ROOT / "graph" / "landscape" / f"{source}.ttl" for source in resources.LANDSCAPE_SOURCES]

KIND = Namespace(str(ID) + "kind/")
STATUS = Namespace(str(ID) + "status/")
CAP = Namespace(str(ID) + "capability/")
ORG = Namespace(str(ID) + "organization/")
# Plain IRIs: pytest's collection probes module globals, and rdflib's closed XSD namespace warns.
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
XSD_GYEAR = URIRef("http://www.w3.org/2001/XMLSchema#gYear")
# The landscape terms (ontology/landscape.ttl), by name.
PROPOSED_TERMS = {name: URIRef(str(MLO) + name) for name in (
    "kind", "primaryCapability", "status", "statusDate", "statusReference", "successor",
    "acquiredBy", "acquisitionDate", "vendor")}
DELIVERY_MODELS = {MLO.OpenSource, MLO.Commercial, MLO.ManagedService}
TECHNOLOGY_CLASSES = {MLO.Tool, MLO.CloudService, MLO.Platform}
# Old names of renamed products: nodes of their own, so that mlo:successor can point onward; the
# shipped graph no longer gives them as aliases of the successor.
RENAMED = {"kfserving", "googleaiplatform", "allegrotrains"}


@pytest.fixture(scope="module")
def landscape() -> Graph:
    assert LANDSCAPE, "graph/landscape/curated-*.ttl is missing"
    graph = Graph()
    for path in LANDSCAPE:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def data(landscape) -> Graph:
    """The shipped guide and curated graphs and the landscape: instance data only."""
    graph = Graph()
    for path in (p for paths in resources.graph_files().values() for p in paths):
        graph.parse(path, format="turtle")
    for triple in landscape:
        graph.add(triple)
    return graph


@pytest.fixture(scope="module")
def union(data) -> Graph:
    """The data with the ontology (kinds, statuses included) and the catalogue graphs."""
    graph = Graph()
    for path in [*resources.ontology_files(), *CATALOGUES]:
        graph.parse(path, format="turtle")
    for triple in data:
        graph.add(triple)
    return graph


@pytest.fixture(scope="module")
def technologies(landscape, union) -> list[URIRef]:
    """Every technology the landscape files say something about."""
    nodes = {s for s in landscape.subjects() if isinstance(s, URIRef)}
    found = sorted(n for n in nodes if TECHNOLOGY_CLASSES & set(union.objects(n, RDF.type)))
    assert found
    return found


def test_each_file_parses_on_its_own():
    for path in LANDSCAPE:
        assert len(Graph().parse(path, format="turtle")) > 0, path.name


def test_every_technology_has_one_kind_from_the_scheme(union, technologies):
    kinds = set(union.subjects(SKOS.inScheme, KIND.scheme))
    for node in technologies:
        values = list(union.objects(node, PROPOSED_TERMS["kind"]))
        assert len(values) == 1, f"{node} has kinds {values}"
        assert values[0] in kinds, f"{node}: {values[0]} is not in the kind scheme"


def test_every_technology_has_one_preferred_label(union, technologies):
    for node in technologies:
        labels = list(union.objects(node, SKOS.prefLabel))
        assert len(labels) == 1, f"{node} has preferred labels {labels}"


def test_every_technology_has_known_capabilities_and_one_primary(union, technologies):
    scheme = set(union.subjects(SKOS.inScheme, CAP.scheme))
    for node in technologies:
        capabilities = set(union.objects(node, MLO.hasCapability))
        primary = list(union.objects(node, PROPOSED_TERMS["primaryCapability"]))
        assert capabilities, f"{node} has no capability"
        assert capabilities <= scheme, f"{node}: unknown capabilities {capabilities - scheme}"
        assert len(primary) <= 1, f"{node} has primary capabilities {primary}"
        assert set(primary) <= capabilities, f"{node}: the primary capability is not one of its capabilities"


def test_every_technology_has_a_delivery_model(union, technologies):
    for node in technologies:
        models = set(union.objects(node, MLO.deliveryModel))
        assert models and models <= DELIVERY_MODELS, f"{node} has delivery models {models}"


def test_every_cloud_service_is_offered_by_one_provider(union, technologies):
    for node in technologies:
        if (node, RDF.type, MLO.CloudService) not in union:
            continue
        providers = list(union.objects(node, MLO.offeredBy))
        assert len(providers) == 1, f"{node} is offered by {providers}"
        assert (providers[0], RDF.type, MLO.CloudProvider) in union, providers[0]


def test_commercial_products_name_their_vendor(union, technologies):
    for node in technologies:
        if (node, RDF.type, MLO.CloudService) in union or (node, MLO.deliveryModel, MLO.Commercial) not in union:
            continue
        vendors = list(union.objects(node, PROPOSED_TERMS["vendor"]))
        assert len(vendors) == 1, f"{node} has vendors {vendors}"
        assert (vendors[0], RDF.type, SCHEMA.Organization) in union, vendors[0]


def test_status_is_from_the_scheme_and_sunset_is_dated_and_referenced(union, technologies):
    statuses = {STATUS.active, STATUS.inactive, STATUS.archived, STATUS.sunset}
    for node in technologies:
        values = list(union.objects(node, PROPOSED_TERMS["status"]))
        assert len(values) <= 1 and set(values) <= statuses, f"{node} has statuses {values}"
        references = list(union.objects(node, PROPOSED_TERMS["statusReference"]))
        assert all(isinstance(r, URIRef) and str(r).startswith("https://") for r in references), references
        dates = list(union.objects(node, PROPOSED_TERMS["statusDate"]))
        assert all(isinstance(d, Literal) and d.datatype == XSD_DATE for d in dates), dates
        if values and values[0] in (STATUS.sunset, STATUS.archived, STATUS.inactive):
            assert references, f"{node} is {values[0]} without a reference"
        if values == [STATUS.sunset]:
            assert len(dates) == 1, f"{node} is sunset without one date"


def test_sunset_facts_that_the_issue_names(union):
    status, date = PROPOSED_TERMS["status"], PROPOSED_TERMS["statusDate"]
    neptune = ID["tool/neptune-ai"]
    assert (neptune, status, STATUS.sunset) in union
    assert (neptune, date, Literal("2026-03-05", datatype=XSD_DATE)) in union
    for old, new in [("tool/kfserving", "tool/kserve"), ("service/google-ai-platform", "tool/vertex-ai"),
                     ("tool/allegro-trains", "tool/clearml")]:
        assert (ID[old], PROPOSED_TERMS["successor"], ID[new]) in union


def test_successors_and_acquisitions_point_at_known_nodes(union, landscape):
    for old, new in landscape.subject_objects(PROPOSED_TERMS["successor"]):
        assert old != new
        assert union.value(new, SKOS.prefLabel) is not None, f"successor {new} is unknown"
    for node, buyer in landscape.subject_objects(PROPOSED_TERMS["acquiredBy"]):
        assert (buyer, RDF.type, SCHEMA.Organization) in union, buyer
        years = list(union.objects(node, PROPOSED_TERMS["acquisitionDate"]))
        assert len(years) == 1 and years[0].datatype == XSD_GYEAR, f"{node}: acquisition dates {years}"
    for node, target in landscape.subject_objects(MLO.partOf):
        assert union.value(target, SKOS.prefLabel) is not None, f"{node} is part of unknown {target}"


def test_iris_are_minted_from_their_labels(union, landscape):
    """One label, one IRI: each node's IRI is what mint_iri makes of its preferred label, so the
    same real-world thing (and only it) keeps the IRI the rest of the graph already uses."""
    for node in {s for s in landscape.subjects() if isinstance(s, URIRef) and str(s).startswith(str(ID))}:
        if str(node).startswith(str(ORG)):
            names = list(union.objects(node, SCHEMA.name))
            assert len(names) == 1, f"{node} has names {names}"
            assert node == ORG[slugify(str(names[0]))], f"{node} is not minted from {names[0]!r}"
        elif iri_kind(node) in ("tool", "service", "language"):
            labels = list(union.objects(node, SKOS.prefLabel))
            assert len(labels) == 1, f"{node} has preferred labels {labels}"
            assert node == mint_iri(iri_kind(node), str(labels[0])), f"{node} is not minted from {labels[0]!r}"


def test_no_name_means_two_nodes_and_renamed_products_have_their_own(data):
    """The build's own name check, over the instance data: the renamed products' old names
    name their own nodes only."""
    from mlops_kg.model.names import normalize_name
    from mlops_kg.model.validate import label_collisions

    assert label_collisions(data) == []
    owners = {}
    for node, label in [*data.subject_objects(SKOS.prefLabel), *data.subject_objects(SKOS.altLabel)]:
        owners.setdefault(normalize_name(str(label)), set()).add(node)
    assert all(len(owners[name]) == 1 for name in RENAMED)


def test_at_least_forty_commercial_or_managed_products(union, technologies):
    sold = [n for n in technologies
            if {MLO.Commercial, MLO.ManagedService} & set(union.objects(n, MLO.deliveryModel))]
    assert len(sold) >= 40, len(sold)
