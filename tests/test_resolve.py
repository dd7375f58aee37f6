"""Resolving names: suggestions for unknown names stay the same on the shipped graph and cost
little on a large one."""
import difflib

import pytest

from mlops_kg.model.names import normalize_name
from mlops_kg.sources.resolve import Entry, Resolver

TOOL = "https://w3id.org/mlops-kg/ontology#Tool"


@pytest.fixture(scope="module")
def shipped(union):
    return Resolver.from_graph(union)


def every_key_suggestions(resolver, name, kind, n=3):
    """What ``suggest`` answered before it compared a pool: difflib against every key."""
    key = normalize_name(name)
    keys = {k: iris for k, iris in resolver._by_key.items() if resolver._of_kind(iris, kind)}
    close = difflib.get_close_matches(key, list(keys), n=n * 2, cutoff=0.6)
    close += sorted(k for k in keys if len(key) >= 3 and (key in k or k in key) and k not in close)
    labels = []
    for k in close:
        for iri in sorted(keys[k]):
            if resolver.label(iri) not in labels:
                labels.append(resolver.label(iri))
    return labels[:n]


def typos(label):
    """A few misspellings of a label: a letter dropped, two swapped, one doubled, the end cut off."""
    middle = len(label) // 2
    out = {label[:middle] + label[middle + 1:], label + label[-1], label[: max(3, len(label) - 3)]}
    if len(label) > 3:
        out.add(label[:middle - 1] + label[middle] + label[middle - 1] + label[middle + 1:])
    return sorted(t for t in out if t.strip())


def test_suggestions_on_the_shipped_graph_are_those_of_comparing_every_name(shipped):
    differ = []
    for iri, entry in sorted(shipped.entries.items()):
        kind = "tool" if shipped._of_kind([iri], "tool") else "node"
        for name in typos(entry.label):
            if shipped.suggest(name, kind) != every_key_suggestions(shipped, name, kind):
                differ.append((name, kind))
    assert not differ, differ


def big_resolver(n):
    entries = {f"urn:t{i}": Entry(f"urn:t{i}", f"Synth Tool {i:05d}", {f"Synth Tool {i:05d}"}, {TOOL})
               for i in range(n)}
    entries["urn:mlflow"] = Entry("urn:mlflow", "MLflow", {"MLflow", "mlFlow"}, {TOOL})
    return Resolver(entries)


def test_a_suggestion_compares_a_bounded_pool_on_a_large_graph(monkeypatch):
    """difflib compared an unknown name with every name: over a second per name at 50,000
    tools, for every unknown name of an imported guide."""
    from mlops_kg.sources.resolve import SUGGEST_POOL

    resolver = big_resolver(50_000)
    compared = []
    real = difflib.get_close_matches

    def counting(word, possibilities, *args, **kwargs):
        compared.append(len(possibilities))
        return real(word, possibilities, *args, **kwargs)

    monkeypatch.setattr(difflib, "get_close_matches", counting)
    found = [resolver.suggest(name) for name in ("mlfow", "Synth Tol 01234", "zzz unknown")]
    assert found[0] == ["MLflow"] and "Synth Tool 01234" in found[1] and found[2] == []
    assert compared and max(compared) <= SUGGEST_POOL + 5, compared


def test_added_nodes_are_found_and_suggested():
    resolver = big_resolver(10)
    resolver.suggest("warm")  # the index of pieces exists before the node is added
    resolver.add("urn:new", "Quillstream", {"Quill Stream"}, {TOOL})
    assert resolver.candidates("quill stream") == ["urn:new"]
    assert resolver.candidates("AWS Quillstream") == ["urn:new"]
    assert resolver.suggest("Quilstream") == ["Quillstream"]


def test_nvidia_and_facebook_are_vendor_prefixes_but_meta_is_not():
    """"NVIDIA Triton Inference Server" finds "Triton Inference Server"; "meta" is no prefix, as
    it begins names of its own (Metaflow is not "flow")."""
    entries = {iri: Entry(iri, label, {label}, {TOOL}) for iri, label in (
        ("urn:triton", "Triton Inference Server"), ("urn:flow", "Flow"), ("urn:metaflow", "Metaflow"))}
    resolver = Resolver(entries)
    assert resolver.candidates("NVIDIA Triton Inference Server") == ["urn:triton"]
    assert resolver.candidates("Facebook Flow") == ["urn:flow"]
    assert resolver.candidates("Metaflow") == ["urn:metaflow"]
    assert resolver.candidates("Meta Flow") == ["urn:metaflow"]  # the same normalised name, not "Flow"
