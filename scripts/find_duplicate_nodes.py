"""List technologies of a build that may be one real thing under two nodes (curation time only).

Three checks over ``<build>/mlops-kg.nq``, each printed as its own section, sorted:

(a) preferred labels that match after dropping vendor prefixes (Apache, NVIDIA, Google, AWS,
    Azure, Microsoft, Meta, Facebook, ...), generic suffixes (Toolkit, Library, Framework,
    Platform, AI, ...), ``.ai``-style endings and a trailing ``(ACRONYM)``;
(b) nodes whose repositories have the same name under different owners (a moved or renamed
    repository: GitHub redirects the old id);
(c) preferred labels that look like package or repository names while a catalogue gives the
    node another name.

Each hit is a lead for a curator, not a verdict: graph/landscape/curated-names.ttl records the
ones that are one project (and its header the pairs that are not).

    .venv/bin/python scripts/find_duplicate_nodes.py [build]
"""
from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

from mlops_kg.model.names import normalize_name

PREFIXES = ("apache", "nvidia", "google cloud", "google", "aws", "amazon", "azure", "microsoft", "meta",
            "facebook", "ibm", "intel", "hugging face", "huggingface", "salesforce", "uber", "linkedin",
            "databricks", "alibaba", "baidu", "tencent", "netflix", "lf ai", "project")
SUFFIXES = ("toolkit", "library", "framework", "platform", "ai", "ml", "io", "feature store", "server",
            "sdk", "python", "py", "open source", "project", "core", "lib", "tool", "tools")
QUERIES = {
    "label": "SELECT ?n ?v WHERE { ?n a mlo:Technology ; skos:prefLabel ?v }",
    "name": "SELECT ?n ?v WHERE { ?n a mlo:Technology . { ?n schema:name ?v } UNION { ?n skos:altLabel ?v } }",
    "repository": "SELECT ?n ?v WHERE { ?n a mlo:Technology ; schema:codeRepository ?v }",
    "pypi": "SELECT ?n ?v WHERE { ?n a mlo:Technology ; mlo:pypiPackage ?v }",
}
PREFIX_DECLARATIONS = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
                       "PREFIX mlo: <https://w3id.org/mlops-kg/ontology#> PREFIX schema: <https://schema.org/> ")
_PACKAGE_LIKE = re.compile(r"[a-z0-9]+(?:[_-][a-z0-9]+)+")


def read(build: Path) -> dict[str, dict[str, set[str]]]:
    """Query name → node → values, over the union of the build's named graphs."""
    store = ox.Store()
    store.bulk_load(path=str(build / "mlops-kg.nq"), format=ox.RdfFormat.N_QUADS)
    found = {}
    for name, query in QUERIES.items():
        values = defaultdict(set)
        for row in store.query(PREFIX_DECLARATIONS + query, use_default_graph_as_union=True):
            values[row[0].value].add(row[1].value)
        found[name] = values
    return found


def stripped_keys(label: str) -> set[str]:
    """The comparison keys of a label once vendor prefixes and generic suffixes are dropped."""
    variants = [label]
    match = re.match(r"^(.*?)\s*\(([^()]*)\)\s*$", label)
    if match:
        variants += [match.group(1), match.group(2)]
    keys = set()
    for text in variants:
        text = re.sub(r"\.(ai|io|ml|js)\b", "", text.lower().replace("_", " ").replace("-", " "))
        for _ in range(3):
            for prefix in PREFIXES:
                if text.startswith(prefix + " ") and len(text) > len(prefix) + 3:
                    text = text[len(prefix) + 1:]
            for suffix in SUFFIXES:
                if text.endswith(" " + suffix) and len(text) > len(suffix) + 3:
                    text = text[:-len(suffix) - 1]
        key = normalize_name(text)
        if len(key) >= 3:
            keys.add(key)
    return keys


def report(found) -> list[str]:
    label = {node: min(values) for node, values in found["label"].items()}
    short = {node: node.rsplit("/id/", 1)[-1] for node in label}
    lines = ["(a) labels alike once vendor prefixes and generic suffixes are dropped"]
    by_key = defaultdict(set)
    for node, text in label.items():
        for key in stripped_keys(text):
            by_key[key].add(node)
    groups = sorted({tuple(sorted(nodes)) for nodes in by_key.values() if len(nodes) > 1})
    lines += ["  " + " | ".join(f"{label[n]} <{short[n]}>" for n in group) for group in groups]
    lines.append("(b) one repository name under several owners")
    by_name = defaultdict(set)
    for node, repositories in found["repository"].items():
        for repository in repositories:
            by_name[repository.lower().rstrip("/").rsplit("/", 1)[-1]].add(node)
    for name in sorted(by_name):
        if len(by_name[name]) > 1:
            lines.append(f"  {name}: " + " | ".join(
                f"{label.get(n, n)} {sorted(found['repository'][n])}" for n in sorted(by_name[name])))
    lines.append("(c) package-like labels where a catalogue gives another name")
    for node in sorted(label):
        text = label[node]
        others = sorted(v for v in found["name"].get(node, ()) if v != text)
        if others and (_PACKAGE_LIKE.fullmatch(text) or text in found["pypi"].get(node, ())):
            lines.append(f"  {text} <{short[node]}>: {', '.join(others)}")
    return lines


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    build = Path(argv[0] if argv else "build")
    if not (build / "mlops-kg.nq").is_file():
        print(f"error: {build / 'mlops-kg.nq'} not found; run `mlops-kg build --out {build}` first",
              file=sys.stderr)
        return 2
    print("\n".join(report(read(build))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
