"""The analysis written back as RDF (the ``analysis`` named graph): scores, clusters, links."""
from __future__ import annotations

from rdflib import RDF, Literal, URIRef
from rdflib.namespace import PROV, RDFS, XSD

from ..model.namespaces import GRAPHS, ID, MLO
from .clusters import slugs_of
from .result import Analysis, method_text


def _decimal(value: float) -> Literal:
    """A canonical xsd:decimal with 6 decimals, so the lexical form survives any round trip.

    Trailing zeros go, but one digit always follows the point (the canonical form).

    Examples
    --------
    >>> str(_decimal(0.25)), str(_decimal(2)), str(_decimal(1 / 3))
    ('0.25', '2.0', '0.333333')
    """
    text = f"{value:.6f}".rstrip("0")
    return Literal(text + "0" if text.endswith(".") else text, datatype=XSD.decimal)


def write_ntriples(result: Analysis, out, *, links_per_tool: int = 10) -> int:
    """Write :func:`statements` as N-Triples to the binary file ``out``, straight from the
    statements and in batches (no rdflib graph, no whole text in memory: at 50,000 tools the
    analysis holds millions of triples). Returns the number of triples written."""
    batch, written = [], 0
    for line in _lines(result, links_per_tool):
        batch.append(line)
        if len(batch) == 50_000:
            out.write("".join(batch).encode("utf-8"))
            written += len(batch)
            batch = []
    out.write("".join(batch).encode("utf-8"))
    return written + len(batch)


def statement_lines(result: Analysis, *, links_per_tool: int = 10) -> list[str]:
    """:func:`statements` as N-Triples lines (each with its newline), in the order made: what a
    build writes for the analysis graph without holding it in an rdflib graph."""
    return list(_lines(result, links_per_tool))


def _lines(result: Analysis, links_per_tool: int):
    from ..model.ntriples import term  # escapes what splits a line (U+2028, NEL, ...), unlike .n3()

    written: dict = {}  # a term repeats (the predicates, each tool, the run): written once

    def text(node) -> str:
        try:
            return written[node]
        except KeyError:
            written[node] = out = term(node)
            return out

    for s, p, o in statements(result, links_per_tool=links_per_tool):
        yield f"{text(s)} {text(p)} {text(o)} .\n"


def statements(result: Analysis, *, links_per_tool: int = 10):
    """The analysis as RDF for the ``analysis`` named graph: scores on each node, clusters,
    the strongest substitutability links of each technology (with the reasons the index and the
    site give), and the run with its method, which generated the graph (``prov:wasGeneratedBy``
    on the graph's IRI). Yields the triples (rdflib terms), each once."""
    run = ID["analysis/run"]
    yield run, RDF.type, MLO.AnalysisRun
    yield run, RDFS.label, Literal("mlops-kg graph analysis")
    yield run, MLO.method, Literal(method_text(result.seed))
    yield run, MLO.randomSeed, Literal(result.seed, datatype=XSD.integer)
    for graph_name in (GRAPHS.GUIDE, GRAPHS.CURATED, GRAPHS.INFERRED):
        yield run, PROV.used, graph_name
    # The run made the whole graph: said once, not on each of its thousands of links.
    yield GRAPHS.ANALYSIS, PROV.wasGeneratedBy, run
    yield run, MLO.technologyTotal, Literal(len(result.profiles), datatype=XSD.integer)
    for node, count in sorted(result.neighbour_counts.items()):
        yield URIRef(node), MLO.technologyCount, Literal(count, datatype=XSD.integer)
    props = {"degree": MLO.degreeCentrality, "betweenness": MLO.betweennessCentrality,
             "pagerank": MLO.pageRank, "closeness": MLO.closenessCentrality}
    for measure, values in result.scores.items():
        for node, value in values.items():
            yield URIRef(node), props[measure], _decimal(value)
    for node in result.subst.nodes:
        strength = sum(d["weight"] for _o, d in result.subst[node].items())
        yield URIRef(node), MLO.substitutabilityStrength, _decimal(strength)
    for node, profile in result.profiles.items():
        if profile.alternative_of:
            yield URIRef(node), MLO.timesNamedAsAlternative, Literal(len(profile.alternative_of),
                                                                     datatype=XSD.integer)
    for cluster, slug in zip(result.clusters, slugs_of(result.clusters, result.subst, result.profiles, result.labels)):
        iri = ID[f"cluster/{slug}"]  # named by its content: stable across rebuilds
        yield iri, RDF.type, MLO.Cluster
        yield iri, RDFS.label, Literal(f"{cluster['name']} cluster")
        yield iri, MLO.clusterSize, Literal(len(cluster["members"]), datatype=XSD.integer)
        yield iri, PROV.wasGeneratedBy, run
        if cluster["capability"]:
            yield iri, MLO.dominantCapability, URIRef(cluster["capability"])
        for member in cluster["members"]:
            yield URIRef(member), MLO.inCluster, iri
    done = set()
    texts: dict[str, Literal] = {}  # reasons repeat ("same kind: experiment tracker"): one Literal each
    for node in result.subst.nodes:
        for other, weight in result.ranked_substitutes(node, links_per_tool):
            a, b = sorted((node, other))
            if (a, b) in done:
                continue  # the link is already there, from the other end
            done.add((a, b))
            link = ID[f"link/{a.rsplit('/', 1)[-1]}--{b.rsplit('/', 1)[-1]}"]
            yield link, RDF.type, MLO.SubstitutabilityLink
            yield link, MLO.linksTechnology, URIRef(a)
            yield link, MLO.linksTechnology, URIRef(b)
            yield link, MLO.weight, _decimal(weight)
            for reason in result.reasons_for(node, other):
                yield link, MLO.reason, texts.get(reason) or texts.setdefault(reason, Literal(reason))
