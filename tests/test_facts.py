"""What a technology is, from its facts (pages/facts.py): the summary a tool page and the index
show when catalogues disagree or say nothing, and the sentence for a tool without a description."""
from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from mlops_kg.model.namespaces import MLO, SCHEMA
from mlops_kg.pages.facts import (ARCHIVED, KIND, OSI_APPROVED, STAR_COUNT, STATUS, STATUS_DATE, SUCCESSOR, FactIndex,
                                  Summary, summarise, what_it_is)

T = URIRef("https://w3id.org/mlops-kg/id/tool/x")
SPDX = "https://spdx.org/licenses/"
LABELS = {str(T): "X", "https://w3id.org/mlops-kg/id/kind/experiment-tracker": "Experiment tracker",
          "https://w3id.org/mlops-kg/id/status/sunset": "sunset",
          "https://w3id.org/mlops-kg/id/capability/model-registry": "Model registry",
          "https://w3id.org/mlops-kg/id/capability/experiment-tracking": "Experiment tracking",
          "https://w3id.org/mlops-kg/id/language/python": "Python", "https://w3id.org/mlops-kg/id/tool/y": "Y"}


def _facts(*extra):
    return FactIndex([
        (T, KIND, URIRef("https://w3id.org/mlops-kg/id/kind/experiment-tracker")),
        (T, MLO.hasCapability, URIRef("https://w3id.org/mlops-kg/id/capability/model-registry")),
        (T, MLO.hasCapability, URIRef("https://w3id.org/mlops-kg/id/capability/experiment-tracking")),
        (T, MLO.usesLanguage, URIRef("https://w3id.org/mlops-kg/id/language/python")),
        (URIRef(SPDX + "SSPL-1.0"), DCTERMS.identifier, Literal("SSPL-1.0")),
        (URIRef(SPDX + "SSPL-1.0"), OSI_APPROVED, Literal(False)),
        (URIRef(SPDX + "Apache-2.0"), OSI_APPROVED, Literal(True)),
        *extra])


def test_catalogues_that_disagree_keep_every_licence_and_the_highest_star_count():
    facts = _facts((T, SCHEMA.license, URIRef(SPDX + "SSPL-1.0")), (T, SCHEMA.license, URIRef(SPDX + "Apache-2.0")),
                   (T, STAR_COUNT, Literal(120)), (T, STAR_COUNT, Literal(95)),
                   (T, DCTERMS.subject, URIRef("https://w3id.org/mlops-kg/id/catalogue/lfai/b")),
                   (T, DCTERMS.subject, URIRef("https://w3id.org/mlops-kg/id/catalogue/cncf/a")))
    summary = summarise(facts, LABELS, str(T))
    assert [(lic.name, lic.osi) for lic in summary.licences] == [("Apache-2.0", True), ("SSPL-1.0", False)]
    assert summary.stars == 120
    assert summary.kind == "Experiment tracker" and summary.capabilities == ["Experiment tracking", "Model registry"]
    assert summary.categories == ["a", "b"]  # no label: the IRI's last segment, never nothing


def test_the_sentence_says_what_the_facts_say_and_nothing_else():
    facts = _facts((T, SCHEMA.license, URIRef(SPDX + "SSPL-1.0")), (T, STAR_COUNT, Literal(1234)),
                   (T, STATUS, URIRef("https://w3id.org/mlops-kg/id/status/sunset")),
                   (T, STATUS_DATE, Literal("2026-03-05", datatype=XSD.date)),
                   (T, SUCCESSOR, URIRef("https://w3id.org/mlops-kg/id/tool/y")))
    assert what_it_is(summarise(facts, LABELS, str(T))) == (
        "X is an experiment tracker for model registry, written in Python, under SSPL-1.0 (not OSI-approved). "
        "Status: sunset (2026-03-05). Succeeded by Y. 1,234 stars on GitHub.")


def test_archived_without_a_status_reads_archived_and_missing_facts_stay_missing():
    summary = summarise(FactIndex([(T, ARCHIVED, Literal(True))]), LABELS, str(T), type_title="Platform")
    assert summary.status == "archived"
    assert (summary.kind, summary.stars, summary.licences, summary.repository) == (None, None, [], None)
    assert what_it_is(summary) == "X is a platform. Status: archived."
    assert what_it_is(Summary(label="Z", type_title="Tool")) == "Z is a tool."
