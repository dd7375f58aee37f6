"""The ontology and our DefinedNamespace agree, and every term is documented."""
import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import SKOS

from mlops_kg.model import resources
from mlops_kg.model.iris import mint_iri, slugify
from mlops_kg.model.namespaces import MLO, PREFIXES, bind_prefixes, sparql_prologue

ONTOLOGY = Graph()
for _path in resources.ontology_files():
    ONTOLOGY.parse(_path)
NS = str(MLO._NS)
TERMS = sorted({s for s in ONTOLOGY.subjects() if isinstance(s, URIRef) and str(s).startswith(NS)})


def test_every_ontology_term_is_in_the_defined_namespace_and_back():
    declared = {str(MLO._NS) + name for name in MLO.__annotations__}
    assert {str(t) for t in TERMS} == declared


@pytest.mark.parametrize("term", TERMS, ids=lambda t: str(t).rsplit("#", 1)[-1])
def test_every_term_has_a_label_and_a_one_line_definition(term):
    label = ONTOLOGY.value(term, RDFS.label) or ONTOLOGY.value(term, SKOS.prefLabel)
    definition = ONTOLOGY.value(term, SKOS.definition)
    assert label and definition, term
    assert "\n" not in str(definition) and len(str(definition)) < 240


def test_classes_and_properties_link_to_standard_vocabularies():
    linked = {str(o) for t in TERMS for p in (RDFS.subClassOf, RDFS.subPropertyOf) for o in ONTOLOGY.objects(t, p)}
    for ns in ("https://schema.org/", "http://www.w3.org/2004/02/skos/core#", "http://purl.org/dc/terms/",
               "http://www.w3.org/ns/prov#", "http://usefulinc.com/ns/doap#"):
        assert any(x.startswith(ns) for x in linked), ns
    classes = set(ONTOLOGY.subjects(RDF.type, OWL.Class))
    assert URIRef(NS + "Tool") in classes and URIRef(NS + "IndustryUseCase") in classes


def test_misspelt_term_fails_loudly():
    with pytest.raises(AttributeError):
        MLO.hasCapabilty  # noqa: B018


def test_prefixes_bind_and_prologue():
    g = bind_prefixes(Graph())
    assert dict(g.namespaces())["mlo"] == URIRef(NS)
    assert sparql_prologue().count("PREFIX") == len(PREFIXES)


@pytest.mark.parametrize("label,slug", [("Weights & Biases", "weights-and-biases"), ("Neptune.ai", "neptune-ai"),
                                        ("  Café  ML ", "cafe-ml"), ("C++", "c-plus-plus")])
def test_slugs(label, slug):
    assert slugify(label) == slug
    assert mint_iri("tool", label).endswith("/tool/" + slug)


def test_mint_iri_refuses_empty_labels_and_unknown_kinds():
    with pytest.raises(ValueError):
        mint_iri("tool", "  ")
    with pytest.raises(ValueError):
        mint_iri("gizmo", "x")
