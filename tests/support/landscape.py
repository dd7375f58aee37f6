"""A synthetic landscape of ~2,000 technologies, shaped like the catalogue integration (issue 15).

The shipped graph (ontology, capability scheme, the guide's 51 technologies) plus ``n`` tools
with the facts the six catalogues give: an SPDX licence (most), a status, a GitHub star count
(most open-source ones), catalogue categories, capabilities from the scheme, a kind, languages,
a repository and a homepage; a few have a curated description, most have none. Each catalogue's
facts sit in its own ``graph/source/<name>`` named graph, kinds and statuses in the curated graph,
as the integration plans. Deterministic for a seed; no SHACL, no inference beyond the
``mlo:Technology`` typing the analyses need, so a test can build 2,000 tools in seconds.

Some names look like markup, so escaping is exercised at scale too.
"""
from __future__ import annotations

import random
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

BASE = "https://w3id.org/mlops-kg/"
ID = BASE + "id/"
MLO = BASE + "ontology#"
SCHEMA = "https://schema.org/"
SPDX = "https://spdx.org/licenses/"
ROOT = Path(__file__).resolve().parents[2]
PROPOSED = ROOT / "ontology" / "landscape.ttl"

SOURCES = ("lfai", "cncf", "best-of-ml-python", "awesome-production-ml", "awesome-llmops")
CAPABILITIES = ("experiment-tracking", "hyperparameter-tuning", "distributed-training", "notebooks", "automl",
                "workflow-orchestration", "ml-pipelines", "data-pipelines", "data-versioning", "data-lineage",
                "feature-store", "data-validation", "object-storage", "model-registry", "model-serving",
                "model-monitoring", "model-governance", "end-to-end-platform", "container-orchestration")
KINDS = ("experiment-tracker", "workflow-orchestrator", "ml-pipeline-framework", "end-to-end-platform",
         "model-server", "llm-inference-engine", "feature-store", "data-versioning-tool", "data-validation-tool",
         "model-monitoring-tool", "labelling-tool", "hyperparameter-tuner", "training-framework", "ml-library",
         "vector-database", "notebook-environment", "llm-application-framework", "data-catalog")
LICENCES = (("Apache-2.0", True, 40), ("MIT", True, 30), ("BSD-3-Clause", True, 10), ("GPL-3.0-only", True, 4),
            ("AGPL-3.0-only", True, 3), ("MPL-2.0", True, 3), ("BUSL-1.1", False, 2), ("SSPL-1.0", False, 1),
            ("Elastic-2.0", False, 1))
STATUSES = (("active", 70), ("inactive", 20), ("archived", 8), ("sunset", 2))
LANGUAGES = ("python", "go", "rust", "java", "scala", "c-plus-plus", "typescript", "julia")
SYLLABLES = ("ka", "lo", "mi", "ra", "ve", "to", "zen", "flux", "dag", "ops", "ml", "ai", "nex", "qua", "sor",
             "bel", "tri", "vox", "lum", "pix")
WORDS = ("Serve", "Flow", "Track", "Store", "Hub", "Lab", "Forge", "Pipe", "Guard", "Scope", "Vector", "Tune")
HOSTILE = ("<script>alert('x')</script>Boom", "\"onmouseover=\"alert(1)\" Quote", "<img src=x onerror=alert(2)>")


def _weighted(rng: random.Random, table):
    return rng.choices([row[0] for row in table], weights=[row[-1] for row in table])[0]


def _name(rng: random.Random, i: int) -> str:
    if i < len(HOSTILE):
        return HOSTILE[i]
    stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
    return f"{stem} {rng.choice(WORDS)} {i}"


def synthetic_landscape(n: int = 2000, *, seed: int = 11, base=None):
    """The shipped dataset plus ``n`` synthetic catalogue tools: an rdflib Dataset.

    ``base`` is a dataset to copy (the session's ``dataset`` fixture), else the shipped graph is
    built. Returns a new Dataset; ``base`` is not changed.
    """
    from mlops_kg.model.load import new_dataset
    from mlops_kg.model.namespaces import GRAPHS

    if base is None:
        from mlops_kg.build.pipeline import build_dataset

        base = build_dataset()
    ds = new_dataset()
    for graph in base.graphs():
        if graph.identifier == GRAPHS.ANALYSIS:
            continue  # recomputed by the caller
        target = ds.graph(graph.identifier)
        for triple in graph:
            target.add(triple)
    ontology = ds.graph(GRAPHS.ONTOLOGY)
    ontology.parse(PROPOSED, format="turtle")
    curated, inferred = ds.graph(GRAPHS.CURATED), ds.graph(GRAPHS.INFERRED)
    sources = {s: ds.graph(URIRef(BASE + "graph/source/" + s)) for s in SOURCES}
    mlo = lambda name: URIRef(MLO + name)  # noqa: E731
    schema = lambda name: URIRef(SCHEMA + name)  # noqa: E731

    for spdx_id, osi, _weight in LICENCES:
        licence = URIRef(SPDX + spdx_id)
        curated.add((licence, RDF.type, DCTERMS.LicenseDocument))
        curated.add((licence, DCTERMS.identifier, Literal(spdx_id)))
        curated.add((licence, mlo("osiApproved"), Literal(osi)))
    for language in LANGUAGES:
        iri = URIRef(ID + "language/" + language)
        if (iri, SKOS.prefLabel, None) not in ds:
            curated.add((iri, RDF.type, mlo("ProgrammingLanguage")))
            curated.add((iri, SKOS.prefLabel, Literal(language.replace("c-plus-plus", "C++").title()
                                                      if language != "c-plus-plus" else "C++")))
    categories = {}
    for source in SOURCES:
        scheme = URIRef(ID + "catalogue/" + source)
        for j in range(12):
            concept = URIRef(f"{ID}catalogue/{source}/category-{j}")
            curated.add((concept, RDF.type, SKOS.Concept))
            curated.add((concept, SKOS.inScheme, scheme))
            curated.add((concept, SKOS.prefLabel, Literal(f"{source} / {rng_word(j)}")))
            categories.setdefault(source, []).append(concept)

    rng = random.Random(seed)
    for i in range(n):
        tool = URIRef(f"{ID}tool/synthetic-{i:05d}")
        name = _name(rng, i)
        curated.add((tool, RDF.type, mlo("Tool")))
        curated.add((tool, SKOS.prefLabel, Literal(name)))
        inferred.add((tool, RDF.type, mlo("Technology")))
        family = rng.randrange(len(CAPABILITIES))
        for cap in {CAPABILITIES[family]} | {rng.choice(CAPABILITIES) for _ in range(rng.randint(0, 2))}:
            curated.add((tool, mlo("hasCapability"), URIRef(ID + "capability/" + cap)))
        curated.add((tool, mlo("kind"), URIRef(ID + "kind/" + KINDS[family % len(KINDS)])))
        status = _weighted(rng, STATUSES)
        curated.add((tool, mlo("status"), URIRef(ID + "status/" + status)))
        if status == "sunset":
            curated.add((tool, mlo("statusDate"), Literal("2025-03-05", datatype=XSD.date)))
        if rng.random() < 0.25:
            curated.add((tool, DCTERMS.description, Literal(f"Our own words about {name}, a synthetic tool.")))
        listed = rng.sample(SOURCES, rng.randint(1, 3))
        commercial = rng.random() < 0.06
        repo = None if commercial else URIRef(f"https://github.com/org{i % 97}/tool-{i}")
        licence = None if commercial or rng.random() < 0.08 else URIRef(SPDX + _weighted(rng, LICENCES))
        stars = None if commercial else int(rng.lognormvariate(6, 1.8))
        languages = {"python"} if rng.random() < 0.8 else set()
        languages |= {rng.choice(LANGUAGES) for _ in range(rng.randint(0, 2))}
        for k, source in enumerate(listed):
            graph = sources[source]
            graph.add((tool, schema("name"), Literal(name)))
            graph.add((tool, DCTERMS.subject, rng.choice(categories[source])))
            if repo is not None:
                graph.add((tool, schema("codeRepository"), repo))
                graph.add((tool, schema("url"), repo))
            if licence is not None and k == 0:
                graph.add((tool, schema("license"), licence))
            if stars is not None:
                graph.add((tool, mlo("starCount"), Literal(stars + k * 3)))
                graph.add((tool, mlo("starCountDate"), Literal(f"2025-06-{10 + k:02d}", datatype=XSD.date)))
            for language in sorted(languages):
                graph.add((tool, mlo("usesLanguage"), URIRef(ID + "language/" + language)))
        if commercial:
            curated.add((tool, schema("url"), URIRef(f"https://product-{i}.example.com/")))
    return ds


def rng_word(j: int) -> str:
    """A category name for index ``j`` (stable, readable)."""
    return ("Model Serving", "Experiment Tracking", "Data Versioning", "Feature Stores", "Orchestration",
            "Monitoring", "Vector Databases", "LLM Frameworks", "Training", "Labelling", "AutoML",
            "Notebooks")[j % 12]
