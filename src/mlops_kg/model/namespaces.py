"""Vocabulary of the project: our ontology terms, instance IRIs, named graphs and prefix binding.

``MLO`` is a :class:`rdflib.namespace.DefinedNamespace`, so a misspelt term
(``MLO.hasCapabilty``) raises ``AttributeError`` instead of silently minting a new IRI.
"""
from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, DOAP, OWL, PROV, RDF, RDFS, SH, SKOS, XSD, DefinedNamespace

BASE = "https://w3id.org/mlops-kg/"

#: schema.org, with the https scheme that rdflib's ``SDO`` also uses.
SCHEMA = Namespace("https://schema.org/")
#: Instances: ``ID["tool/mlflow"]``; prefer :func:`mlops_kg.model.iris.mint_iri`.
ID = Namespace(BASE + "id/")
CAP = Namespace(BASE + "id/capability/")
#: Our SHACL shapes.
MLOS = Namespace(BASE + "shapes#")


class MLO(DefinedNamespace):
    """The mlops-kg ontology (``ontology/mlops.ttl``)."""

    _fail = True
    _NS = Namespace(BASE + "ontology#")

    # classes
    Technology: URIRef
    Tool: URIRef
    CloudService: URIRef
    Platform: URIRef
    CloudProvider: URIRef
    Language: URIRef
    ProgrammingLanguage: URIRef
    ConfigurationLanguage: URIRef
    ShellLanguage: URIRef
    Framework: URIRef
    Industry: URIRef
    IndustryUseCase: URIRef
    Capability: URIRef
    DeliveryModel: URIRef
    Guide: URIRef
    GuideSection: URIRef
    # delivery models
    OpenSource: URIRef
    Commercial: URIRef
    ManagedService: URIRef
    # relations
    isAlternativeTo: URIRef
    statedAlternative: URIRef
    cloudEquivalent: URIRef
    integratesWith: URIRef
    runsOn: URIRef
    partOf: URIRef
    offeredBy: URIRef
    usesLanguage: URIRef
    supportsFramework: URIRef
    hasCapability: URIRef
    deliveryModel: URIRef
    dataEngineeringUse: URIRef
    note: URIRef
    useCaseOf: URIRef
    inIndustry: URIRef
    usedInIndustry: URIRef
    listPosition: URIRef
    sectionNumber: URIRef
    listedIn: URIRef
    describedIn: URIRef
    mentionedIn: URIRef
    guideDescription: URIRef
    sourceLine: URIRef
    # analysis results
    AnalysisRun: URIRef
    Cluster: URIRef
    SubstitutabilityLink: URIRef
    inCluster: URIRef
    dominantCapability: URIRef
    clusterSize: URIRef
    degreeCentrality: URIRef
    betweennessCentrality: URIRef
    pageRank: URIRef
    closenessCentrality: URIRef
    substitutabilityStrength: URIRef
    timesNamedAsAlternative: URIRef
    technologyCount: URIRef
    technologyTotal: URIRef
    linksTechnology: URIRef
    weight: URIRef
    reason: URIRef
    method: URIRef
    randomSeed: URIRef
    # the landscape (ontology/landscape.ttl): catalogue facts
    starCount: URIRef
    starCountDate: URIRef
    lastCommitDate: URIRef
    latestReleaseDate: URIRef
    pypiPackage: URIRef
    npmPackage: URIRef
    debianPackage: URIRef
    condaPackage: URIRef
    archived: URIRef
    osiApproved: URIRef
    observedDate: URIRef
    differentProject: URIRef
    foundationMaturity: URIRef
    FoundationMaturity: URIRef
    # what a technology is, what it is for, whether it is alive
    Kind: URIRef
    kind: URIRef
    primaryCapability: URIRef
    canStandInFor: URIRef
    Status: URIRef
    status: URIRef
    statusDate: URIRef
    statusReference: URIRef
    successor: URIRef
    acquiredBy: URIRef
    acquisitionDate: URIRef
    vendor: URIRef
    editionOf: URIRef
    # the guide's alternatives typed (graph/curated/alternative-types.ttl), a category's usual kind
    statedSubstitute: URIRef
    statedComplement: URIRef
    statedRunsOn: URIRef
    statedHostOf: URIRef
    defaultKind: URIRef


class GRAPHS:
    """Named graphs of a built dataset; each holds facts of one origin."""

    ONTOLOGY = URIRef(BASE + "graph/ontology")
    GUIDE = URIRef(BASE + "graph/guide")
    CURATED = URIRef(BASE + "graph/curated")
    INFERRED = URIRef(BASE + "graph/inferred")
    ANALYSIS = URIRef(BASE + "graph/analysis")
    #: Prefix of graphs holding imported guides: ``IMPORTED + slug``.
    IMPORTED = BASE + "graph/import/"
    #: Prefix of graphs holding what one public catalogue states: ``SOURCE + source id``.
    SOURCE = BASE + "graph/source/"
    #: The catalogues described as datasets (VoID/DCAT): where each comes from, its licence.
    DATASETS = URIRef(BASE + "graph/datasets")
    #: Reference data the catalogues need: licences (SPDX License List), languages they name.
    REFERENCE = URIRef(BASE + "graph/reference")


PREFIXES = {
    "mlo": MLO._NS,
    "mlos": MLOS,
    "id": ID,
    "tool": ID["tool/"],
    "svc": ID["service/"],
    "provider": ID["provider/"],
    "plat": ID["platform/"],
    "lang": ID["language/"],
    "fw": ID["framework/"],
    "ind": ID["industry/"],
    "uc": ID["use-case/"],
    "cap": CAP,
    "src": ID["source/"],
    "kind": ID["kind/"],
    "status": ID["status/"],
    "org": ID["organization/"],
    "maturity": ID["maturity/"],
    "spdx": Namespace("https://spdx.org/licenses/"),
    "schema": SCHEMA,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "doap": DOAP,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "sh": SH,
}


def bind_prefixes(graph):
    """Bind the project's prefixes on ``graph`` (a Graph or Dataset) and return it."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def sparql_prologue() -> str:
    """``PREFIX`` lines for every project prefix, for queries written without them."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
