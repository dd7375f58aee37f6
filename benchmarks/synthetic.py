"""Synthetic graphs shaped like ours, at any size, deterministic from a seed.

Tools have capabilities from the real scheme, stated alternatives (preferential attachment, so
a few tools are named often, as MLflow is), cloud equivalents among services of three
providers, languages, frameworks, a delivery model, a description and homepage, a place in a
guide's tool list (every tool) and a detailed section (two in five), and industry use cases.
About 20 triples per tool: 50,000 tools ≈ 1M triples.

With ``--base`` the synthetic catalogue is merged into a built graph (normally the shipped
``mlops-kg.nq``), as users merge ours with their catalogues: the base brings the ontology and
the labelled vocabularies (capabilities, languages, industries, providers) that the named
queries join on, so their timings are those of a real merged graph. The base's own
``analysis`` graph is left out (it would be stale); the benchmark recomputes it.

    python benchmarks/synthetic.py 10000 -o /tmp/synthetic.nq [--seed 7] [--base build/mlops-kg.nq]
"""
from __future__ import annotations

import argparse
import os
import random
import sys
from pathlib import Path

ID = "https://w3id.org/mlops-kg/id/"
MLO = "https://w3id.org/mlops-kg/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DCT = "http://purl.org/dc/terms/"
GUIDE = "https://w3id.org/mlops-kg/graph/guide"
CURATED = "https://w3id.org/mlops-kg/graph/curated"
INFERRED = "https://w3id.org/mlops-kg/graph/inferred"
ANALYSIS = "https://w3id.org/mlops-kg/graph/analysis"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
SCHEMA_URL = "https://schema.org/url"
SECTION_SIZE = 10  # tools detailed per synthetic guide section

CAPABILITIES = ["experiment-tracking", "workflow-orchestration", "ml-pipelines", "data-pipelines",
                "data-versioning", "model-registry", "model-serving", "model-monitoring", "feature-store",
                "end-to-end-platform", "distributed-training", "hyperparameter-tuning", "notebooks",
                "automl", "data-validation", "object-storage", "reproducibility", "model-governance"]
LANGUAGES = ["python", "r", "yaml", "shell"]
FRAMEWORKS = ["tensorflow", "pytorch"]
INDUSTRIES = ["healthcare", "finance", "supply-chain", "retail", "insurance"]
PROVIDERS = ["amazon-web-services", "microsoft-azure", "google-cloud"]
TRIPLES_PER_TOOL = 27
#: Peak memory of a benchmark child per triple (store, analysis, its results in the store, the
#: substitutes index): 2.5 GB for 1.35M triples at 50,000 tools, rounded up.
BYTES_PER_TRIPLE_IN_MEMORY = 2000


def _iri(x):
    return f"<{x}>"


def _lit(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _int(n):
    return f'"{n}"^^<{XSD_INTEGER}>'


def base_lines(path):
    """The N-Quads of a built graph, without its analysis graph (recomputed for the merge)."""
    tail = f" <{ANALYSIS}> .\n"
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.endswith(tail):
                yield line if line.endswith("\n") else line + "\n"


def generate(n_tools: int, seed: int = 7, base=None):
    """Yield N-Quads lines for a graph of ``n_tools`` tools (merged into the graph at ``base``)."""
    if n_tools < 1:
        raise ValueError("n_tools must be at least 1")
    rng = random.Random(seed)
    n_services = max(3, n_tools // 20)

    def q(s, p, o, g):
        return f"{s} {p} {o} {_iri(g)} .\n"

    if base is not None:
        yield from base_lines(base)  # brings the providers, vocabularies and ontology
    else:
        for i, provider in enumerate(PROVIDERS):
            s = _iri(ID + "provider/" + provider)
            yield q(s, _iri(RDF_TYPE), _iri(MLO + "CloudProvider"), CURATED)
            yield q(s, _iri(SKOS + "prefLabel"), _lit(f"Provider {i}"), CURATED)
    guide = _iri(ID + "source/synthetic-guide")
    tool_list = _iri(ID + "source/synthetic-guide-tool-list")
    yield q(guide, _iri(RDF_TYPE), _iri(MLO + "Guide"), GUIDE)
    yield q(guide, _iri(SKOS + "prefLabel"), _lit("Synthetic guide"), GUIDE)
    yield q(tool_list, _iri(RDF_TYPE), _iri(MLO + "GuideSection"), GUIDE)
    yield q(tool_list, _iri(SKOS + "prefLabel"), _lit("Synthetic guide: list of tools"), GUIDE)
    yield q(tool_list, _iri(DCT + "isPartOf"), guide, GUIDE)
    yield q(tool_list, _iri(MLO + "sectionNumber"), _int(0), GUIDE)
    for j in range(n_services):
        s = _iri(f"{ID}service/service-{j}")
        yield q(s, _iri(RDF_TYPE), _iri(MLO + "CloudService"), GUIDE)
        yield q(s, _iri(RDF_TYPE), _iri(MLO + "Technology"), INFERRED)
        yield q(s, _iri(SKOS + "prefLabel"), _lit(f"Service {j}"), GUIDE)
        yield q(s, _iri(MLO + "offeredBy"), _iri(ID + "provider/" + PROVIDERS[j % 3]), CURATED)
        yield q(s, _iri(MLO + "hasCapability"), _iri(ID + "capability/" + rng.choice(CAPABILITIES)), CURATED)
    weights = []  # preferential attachment for alternatives
    sections = set()
    for i in range(n_tools):
        s = _iri(f"{ID}tool/tool-{i}")
        yield q(s, _iri(RDF_TYPE), _iri(MLO + "Tool"), GUIDE)
        yield q(s, _iri(RDF_TYPE), _iri(MLO + "Technology"), INFERRED)
        yield q(s, _iri(SKOS + "prefLabel"), _lit(f"Tool {i}"), GUIDE)
        yield q(s, _iri(SKOS + "altLabel"), _lit(f"Synthetic T{i}"), GUIDE)  # not a real name ("T5" is one)
        yield q(s, _iri(DCT + "description"), _lit(f"Synthetic tool number {i}, made for benchmarks."), CURATED)
        yield q(s, _iri(SCHEMA_URL), _iri(f"https://tool-{i}.example.org/"), CURATED)
        yield q(s, _iri(MLO + "listedIn"), tool_list, GUIDE)
        yield q(s, _iri(MLO + "listPosition"), _int(i + 1), GUIDE)
        if rng.random() < .4:
            number = i // SECTION_SIZE + 1
            section = _iri(f"{ID}source/synthetic-guide-section-{number}")
            yield q(s, _iri(MLO + "describedIn"), section, GUIDE)
            if number not in sections:
                sections.add(number)
                yield q(section, _iri(RDF_TYPE), _iri(MLO + "GuideSection"), GUIDE)
                yield q(section, _iri(SKOS + "prefLabel"), _lit(f"Synthetic guide: section {number}"), GUIDE)
                yield q(section, _iri(DCT + "isPartOf"), guide, GUIDE)
                yield q(section, _iri(MLO + "sectionNumber"), _int(number), GUIDE)
        family = rng.randrange(len(CAPABILITIES))
        caps = {CAPABILITIES[family]} | {rng.choice(CAPABILITIES) for _ in range(rng.randint(0, 2))}
        for cap in sorted(caps):
            yield q(s, _iri(MLO + "hasCapability"), _iri(ID + "capability/" + cap), CURATED)
        if weights:
            for t in sorted({rng.choice(weights) for _ in range(rng.randint(1, 3))}):
                yield q(s, _iri(MLO + "statedAlternative"), _iri(f"{ID}tool/tool-{t}"), GUIDE)
                yield q(s, _iri(MLO + "isAlternativeTo"), _iri(f"{ID}tool/tool-{t}"), INFERRED)
                yield q(_iri(f"{ID}tool/tool-{t}"), _iri(MLO + "isAlternativeTo"), s, INFERRED)
                weights.append(t)
        weights.append(i)
        for j in sorted({rng.randrange(n_services) for _ in range(rng.randint(1, 3))}):
            yield q(s, _iri(MLO + "cloudEquivalent"), _iri(f"{ID}service/service-{j}"), GUIDE)
        yield q(s, _iri(MLO + "usesLanguage"), _iri(ID + "language/" + ("python" if rng.random() < .8
                                                                       else rng.choice(LANGUAGES))), GUIDE)
        if rng.random() < .3:
            yield q(s, _iri(MLO + "supportsFramework"), _iri(ID + "framework/" + rng.choice(FRAMEWORKS)), GUIDE)
        yield q(s, _iri(MLO + "deliveryModel"), _iri(MLO + ("OpenSource" if rng.random() < .6 else "Commercial")),
                CURATED)
        for industry in sorted({rng.choice(INDUSTRIES) for _ in range(rng.randint(0, 2))}):
            uc = _iri(f"{ID}use-case/tool-{i}-in-{industry}")
            yield q(uc, _iri(RDF_TYPE), _iri(MLO + "IndustryUseCase"), GUIDE)
            yield q(uc, _iri(SKOS + "prefLabel"), _lit(f"Tool {i} in {industry}"), GUIDE)
            yield q(uc, _iri(MLO + "useCaseOf"), s, GUIDE)
            yield q(uc, _iri(MLO + "inIndustry"), _iri(ID + "industry/" + industry), GUIDE)
            yield q(uc, _iri(DCT + "description"), _lit(f"Tool {i} does work in {industry}."), GUIDE)
            yield q(s, _iri(MLO + "usedInIndustry"), _iri(ID + "industry/" + industry), INFERRED)


def write(n_tools: int, path, seed: int = 7, base=None) -> int:
    """Write the graph to ``path`` (N-Quads); return the number of quads."""
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for line in generate(n_tools, seed, base):
            f.write(line)
            n += 1
    return n


MAX_TOOLS = 2_000_000


def memory_needed(n_tools: int) -> int:
    """Bytes a benchmark of ``n_tools`` synthetic tools needs at its peak (an estimate)."""
    return n_tools * TRIPLES_PER_TOOL * BYTES_PER_TRIPLE_IN_MEMORY


def physical_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def size_problem(n_tools: int) -> str | None:
    """Why ``n_tools`` is not a size to generate and benchmark here, or None if it is."""
    if n_tools < 1:
        return "the number of tools must be at least 1"
    need, have = memory_needed(n_tools), physical_memory()
    triples = f"about {n_tools * TRIPLES_PER_TOOL:,} triples, ~{need / 2**30:,.1f} GiB to load and analyse"
    if n_tools > MAX_TOOLS:
        return f"{n_tools:,} tools is too large ({triples}); use at most {MAX_TOOLS:,}"
    if have is not None and need > have:
        return (f"{n_tools:,} tools is too large for this machine ({triples}; it has "
                f"{have / 2**30:,.1f} GiB); use at most {int(have / (TRIPLES_PER_TOOL * BYTES_PER_TRIPLE_IN_MEMORY)):,}")
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tools", type=int)
    parser.add_argument("-o", "--out", required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--base", help="a built graph (N-Quads, e.g. build/mlops-kg.nq) to merge the tools into")
    args = parser.parse_args(argv)
    if args.base and not Path(args.base).is_file():
        sys.exit(f"error: the base graph {args.base} does not exist; run `mlops-kg build` and pass "
                 "build/mlops-kg.nq")
    problem = size_problem(args.tools)
    if problem:
        sys.exit(f"error: {problem}")
    n = write(args.tools, Path(args.out), args.seed, args.base)
    print(f"wrote {n} quads for {args.tools} tools to {args.out}")


if __name__ == "__main__":
    main()
