"""Resolving what people type ("mlflow", "W&B", "google ai platform") to one node.

Matching is forgiving in steps, stopping at the first step that finds something:

1. the normalised name equals a preferred label or an alias (case, spaces, punctuation and
   accents ignored; ``&`` = "and");
2. the same after dropping a vendor prefix on either side ("Apache Airflow" = "Airflow",
   "Google Vertex AI" = "Vertex AI") or splitting a parenthetical ("KServe (formerly KFServing)");
3. otherwise the name is unknown, and close names are suggested.

A name matching several nodes is an error that lists them, never a silent pick.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import AmbiguousNameError, MlopsKgError, UnknownNameError
from ..model.names import normalize_name

_O = "https://w3id.org/mlops-kg/ontology#"
_ID = "https://w3id.org/mlops-kg/id/"
#: Kind of value → classes (in our ontology) whose instances qualify; ``node`` = anything.
#: Subclasses are listed too, so lookups work on graphs without inferred superclasses.
KIND_CLASSES = {
    "tool": {_O + c for c in ("Technology", "Tool", "CloudService", "Platform")},
    "service": {_O + "CloudService"},
    "capability": {_O + "Capability"},
    "industry": {_O + "Industry"},
    "language": {_O + c for c in ("Language", "ProgrammingLanguage", "ConfigurationLanguage", "ShellLanguage")},
    "framework": {_O + "Framework"},
    "provider": {_O + "CloudProvider"},
    "usecase": {_O + "IndustryUseCase"},
    "node": None,
}

#: Vendor names a product may be written with or without ("NVIDIA NeMo" = "NeMo"). Matched on the
#: normalised key's start, so a vendor whose name begins other words is left out ("meta": Metaflow).
VENDOR_PREFIXES = ("apache", "amazon web services", "amazon", "aws", "microsoft azure", "microsoft",
                   "azure", "google cloud platform", "google cloud", "google", "gcp", "ibm", "nvidia",
                   "facebook")

#: Plain scans (faster than one query joining them on large graphs). Classes of our own nodes
#: follow from the kind in their IRI (see KIND_OF_IRI); the only extra type read up front is
#: "also a cloud service" (a managed platform in the tool list); the classes of foreign nodes
#: (IRIs not minted by us) are asked for when a lookup meets one (FOREIGN_TYPES_QUERY).
INDEX_QUERIES = (
    "SELECT ?node ?label WHERE { ?node skos:prefLabel ?label }",
    "SELECT ?node ?label WHERE { ?node skos:altLabel ?label }",
    "SELECT ?node ?class WHERE { VALUES ?class { mlo:CloudService } ?node a ?class }",
)
FOREIGN_TYPES_QUERY = ('SELECT ?node ?class WHERE {{ VALUES ?node {{ {nodes} }} ?node a ?class '
                       'FILTER(STRSTARTS(STR(?class), "https://w3id.org/mlops-kg/ontology#")) }}')
#: IRI kind segment → the classes such a node has (our IRIs are minted from their kind).
KIND_OF_IRI = {
    "tool": {_O + "Tool", _O + "Technology"}, "service": {_O + "CloudService", _O + "Technology"},
    "platform": {_O + "Platform", _O + "Technology"}, "provider": {_O + "CloudProvider"},
    "language": {_O + "Language"}, "framework": {_O + "Framework"}, "industry": {_O + "Industry"},
    "use-case": {_O + "IndustryUseCase"}, "capability": {_O + "Capability"},
}


_VENDOR_KEYS = tuple(normalize_name(p) for p in VENDOR_PREFIXES)


def _strip_vendor(key: str) -> str:
    if key.startswith(_VENDOR_KEYS):
        for p in _VENDOR_KEYS:
            if key.startswith(p) and len(key) > len(p) + 1:
                return key[len(p):]
    return key


#: How many keys :meth:`Resolver.suggest` compares with difflib at most (see there).
SUGGEST_POOL = 300


def _bigrams(key: str) -> set[str]:
    """Two-letter pieces of a key, with its ends marked so first and last letters count.
    (Three-letter pieces miss the commonest short typo: "YMAL" shares none with "YAML".)"""
    padded = f"^{key}$"
    return {padded[i:i + 2] for i in range(len(padded) - 1)}


def _variants(name: str) -> list[str]:
    """Alternative readings of a name: parenthetical parts, "formerly" names."""
    out = [name]
    match = re.match(r"^(.*?)\s*\((.*)\)\s*$", name)
    if match:
        outer, inner = match.groups()
        inner = re.sub(r"^(formerly|previously|aka|now|was)\s+", "", inner.strip(), flags=re.I)
        out += [outer, inner]
    return [v for v in out if v.strip()]


@dataclass
class Entry:
    """One node of the index: its label, every name it answers to, and its classes."""

    iri: str
    label: str
    names: set = field(default_factory=set)
    classes: set = field(default_factory=set)


class Resolver:
    """Name → node lookups for one graph. Build with :meth:`for_store` or :meth:`from_entries`."""

    def __init__(self, entries: dict[str, Entry] | None = None, *, rows: tuple | None = None, store=None):
        """From ``entries``, or from ``rows`` = (prefLabel pairs, altLabel pairs, type pairs) of
        ``store``: then the per-node entries are only made if someone asks for them (a name
        lookup needs the keys, labels and classes, which are cheap to index)."""
        from ..model.names import normalize_names

        self._by_key: dict[str, set[str]] = {}
        self._stripped: dict[str, set[str]] | None = None
        self._grams: dict[str, set[str]] | None = None  # two-letter piece → keys, made by the first suggest
        self._short: set[str] = set()
        if rows is None:
            entries = entries or {}
            self._entries: dict[str, Entry] | None = entries
            self._labels = {iri: e.label for iri, e in entries.items()}
            self._types = {iri: e.classes for iri, e in entries.items()}
            pairs = [(iri, name) for iri, e in entries.items() for name in e.names]
        else:
            prefs, alts, types = rows
            self._entries, self._rows = None, rows
            self._labels = dict(prefs)
            self._types = {}
            for node, klass in types:
                self._types.setdefault(node, set()).add(klass)
            self._foreign_types(store, (node for node in self._labels if not node.startswith(_ID)))
            pairs = prefs + [(node, name) for node, name in alts if node in self._labels]
        by_key = self._by_key
        for (iri, _name), key in zip(pairs, normalize_names([name for _iri, name in pairs])):
            hits = by_key.get(key)
            if hits is None:
                by_key[key] = {iri}
            else:
                hits.add(iri)

    def _foreign_types(self, store, nodes) -> None:
        """Read the classes of nodes whose IRIs are not ours (few: the ontology's individuals,
        or a merged catalogue's own nodes), in batches."""
        nodes = sorted(n for n in nodes if ":" in n)  # IRIs (the store gives blank nodes as bare ids)
        for start in range(0, len(nodes), 500):
            batch = " ".join(f"<{node}>" for node in nodes[start:start + 500])
            for node, klass in store.select_strings(FOREIGN_TYPES_QUERY.format(nodes=batch)):
                self._types.setdefault(node, set()).add(klass)

    @property
    def entries(self) -> dict[str, Entry]:
        """Every indexed node as an :class:`Entry` (label, names, classes)."""
        if self._entries is None:
            prefs, alts, _types = self._rows
            entries = {node: Entry(node, label, {label}, self._classes(node)) for node, label in prefs}
            for node, name in alts:
                if node in entries:
                    entries[node].names.add(name)
            self._entries = entries
        return self._entries

    def _classes(self, iri: str) -> set:
        """Its classes: those its IRI's kind implies (our IRIs are minted by kind) and its types."""
        if self._entries is not None:
            return self._entries[iri].classes
        classes = set()
        if iri.startswith(_ID):
            start = len(_ID)
            classes.update(KIND_OF_IRI.get(iri[start:iri.find("/", start)], ()))
        classes.update(self._types.get(iri, ()))
        return classes

    @property
    def _by_stripped(self) -> dict[str, set[str]]:
        """Keys without a vendor prefix; made on first use (only unmatched product names need it)."""
        if self._stripped is None:
            self._stripped = {}
            for key, iris in self._by_key.items():
                self._stripped.setdefault(_strip_vendor(key), set()).update(iris)
        return self._stripped

    # --- construction ---------------------------------------------------------------------
    @classmethod
    def for_store(cls, store) -> "Resolver":
        """The resolver of an embedded store, built once and kept on the store.

        Indexing a large graph takes seconds; every later lookup on the same store reuses it.
        """
        cached = getattr(store, "_resolver", None)
        if cached is None:
            from ..bulk import paused_gc

            with paused_gc():  # hundreds of thousands of small tuples and sets, none cyclic
                cached = cls(rows=tuple(store.select_strings(q) for q in INDEX_QUERIES), store=store)
            store._resolver = cached
        return cached

    @classmethod
    def from_graph(cls, graph) -> "Resolver":
        """Index every node of an rdflib graph that has a preferred label."""
        from rdflib import RDF
        from rdflib.namespace import SKOS

        ours = "https://w3id.org/mlops-kg/ontology#"
        entries = {}
        for node, pref in graph.subject_objects(SKOS.prefLabel):
            entry = entries.setdefault(str(node), Entry(str(node), str(pref)))
            entry.names.add(str(pref))
            entry.names.update(str(a) for a in graph.objects(node, SKOS.altLabel))
            entry.classes.update(str(c) for c in graph.objects(node, RDF.type) if str(c).startswith(ours))
        return cls(entries)

    @classmethod
    def from_json(cls, data: dict) -> "Resolver":
        """Rebuild a resolver from :meth:`to_json` output, without reading the graph again."""
        return cls({iri: Entry(iri, e["label"], set(e["names"]), set(e["classes"]))
                    for iri, e in data.items()})

    def to_json(self) -> dict:
        """The index as JSON-ready data, sorted (names and classes as sorted lists) so it is stable."""
        return {iri: {"label": e.label, "names": sorted(e.names), "classes": sorted(e.classes)}
                for iri, e in sorted(self.entries.items())}

    def add(self, iri: str, label: str, names=(), classes=()) -> None:
        """Index one more node (a node an importer has just minted) without indexing the others again."""
        entry = Entry(iri, label, {label, *names}, set(classes))
        self.entries[iri] = entry
        self._labels[iri] = label
        self._types[iri] = entry.classes
        for name in entry.names:
            key = normalize_name(name)
            if key not in self._by_key and self._grams is not None:
                self._index_grams(key)
            self._by_key.setdefault(key, set()).add(iri)
            if self._stripped is not None:
                self._stripped.setdefault(_strip_vendor(key), set()).add(iri)

    # --- lookups ---------------------------------------------------------------------------
    def _of_kind(self, iris, kind):
        classes = KIND_CLASSES.get(kind)
        return {i for i in iris if classes is None or classes & self._classes(i)}

    def candidates(self, name: str, kind: str = "tool") -> list[str]:
        """IRIs matching ``name`` (see the module docstring), sorted by label."""
        if kind not in KIND_CLASSES:
            raise MlopsKgError(f"unknown kind {kind!r}; use one of {', '.join(KIND_CLASSES)}")
        if name is None or not name.strip():
            example = {"provider": "azure", "language": "python", "industry": "healthcare", "framework": "pytorch",
                       "capability": "model serving", "service": "sagemaker"}.get(kind, "mlflow")
            raise MlopsKgError(f"empty {kind} name; give a name such as {example!r}")
        text = name.strip()
        if re.fullmatch(r"<?https?://[^\s<>]+>?", text):
            iri = text.strip("<>")
            return [iri] if iri in self._labels and self._of_kind([iri], kind) else []
        prefixed = re.fullmatch(r"([A-Za-z][\w-]*):([\w.~-][\w./~-]*)", text)
        if prefixed:  # a compact IRI as tables print it, e.g. tool:mlflow
            from ..model.namespaces import PREFIXES  # only for this form: it imports rdflib

            if prefixed[1] in PREFIXES:
                iri = str(PREFIXES[prefixed[1]]) + prefixed[2]
                if iri in self._labels and self._of_kind([iri], kind):
                    return [iri]
        for variant in _variants(text):
            hits = self._of_kind(self._by_key.get(normalize_name(variant), ()), kind)
            if hits:
                return sorted(hits, key=lambda i: self._labels[i].lower())
        if kind not in ("tool", "service", "node"):
            return []  # vendor prefixes only make sense for products ("IBM Cloud" is not "Google Cloud")
        for variant in _variants(text):
            stripped = _strip_vendor(normalize_name(variant))
            hits = self._of_kind(self._by_key.get(stripped, set()) | self._by_stripped.get(stripped, set()), kind)
            if hits:
                return sorted(hits, key=lambda i: self._labels[i].lower())
        return []

    def resolve(self, name: str, kind: str = "tool"):
        """The one node ``name`` means, as an rdflib URIRef; errors suggest close names."""
        from rdflib import URIRef

        return URIRef(self.resolve_iri(name, kind))

    def resolve_iri(self, name: str, kind: str = "tool") -> str:
        """Like :meth:`resolve`, as a plain string (no rdflib import: the fast path uses it)."""
        hits = self.candidates(name, kind)
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise AmbiguousNameError(name.strip(), [self._labels[i] for i in hits])
        if kind != "node":
            other = self.candidates(name, "node")
            if len(other) == 1:  # the name exists, as something else: say what it is
                what = self._kind_words(other[0])
                raise UnknownNameError(name.strip(), kind, [], f": it is the {what} {self.label(other[0])!r}, "
                                                             f"not a {kind}")
        if kind not in ("tool", "service", "node"):
            known = sorted({label for iri, label in self._labels.items() if self._of_kind([iri], kind)}, key=str.lower)
            if 0 < len(known) <= 12:
                kinds = kind[:-1] + "ies" if kind.endswith("y") else kind + "s"
                raise UnknownNameError(name.strip(), kind, [], f"; known {kinds}: {', '.join(known)}")
        raise UnknownNameError(name.strip(), kind, self.suggest(name, kind))

    def _kind_words(self, iri: str) -> str:
        for kind in ("language", "framework", "industry", "provider", "capability", "usecase", "service", "tool"):
            if self._of_kind([iri], kind):
                return {"usecase": "use case", "provider": "cloud provider"}.get(kind, kind)
        return "node"

    def suggest(self, name: str, kind: str = "tool", n: int = 3) -> list[str]:
        """Up to ``n`` labels close to ``name``: difflib's close matches, then names that contain
        it or that it contains.

        difflib compares only a pool: the :data:`SUGGEST_POOL` keys that share the most
        two-letter pieces with the name, and every key under three letters (a name can contain
        "go" without sharing a piece of "^go$" with it). So one unknown name no longer costs a
        difflib comparison with every name of the graph (over a second at 50,000 tools). A close
        match nearly always shares pieces with the name, so on graphs with fewer keys than the
        pool the suggestions are those of comparing every key (a test checks it on typos of
        every label of the shipped graph); on larger graphs a name sharing fewer pieces than
        the pool's last is not compared.
        """
        import difflib

        key = normalize_name(name)
        pool = self._suggestion_pool(key, kind)
        close = difflib.get_close_matches(key, pool, n=n * 2, cutoff=0.6)
        close += sorted(k for k in pool if len(key) >= 3 and (key in k or k in key) and k not in close)
        labels = []
        for k in close:
            for iri in sorted(self._by_key[k]):
                label = self._labels[iri]
                if label not in labels:
                    labels.append(label)
        return labels[:n]

    def _suggestion_pool(self, key: str, kind: str) -> list[str]:
        """Keys of nodes of ``kind`` worth comparing with ``key``: those sharing the most
        two-letter pieces with it (ties by key, so the pool is the same every run), and the short keys."""
        if self._grams is None:
            self._grams, self._short = {}, set()
            for k in self._by_key:
                self._index_grams(k)
        shared: dict[str, int] = {}
        for gram in _bigrams(key):
            for k in self._grams.get(gram, ()):
                shared[k] = shared.get(k, 0) + 1
        pool = []
        for k in sorted(shared, key=lambda k: (-shared[k], k)):
            if self._of_kind(self._by_key[k], kind):
                pool.append(k)
                if len(pool) == SUGGEST_POOL:
                    break
        return pool + sorted(k for k in self._short if k not in shared and self._of_kind(self._by_key[k], kind))

    def _index_grams(self, key: str) -> None:
        if len(key) < 3:
            self._short.add(key)
        for gram in _bigrams(key):
            self._grams.setdefault(gram, set()).add(key)

    def label(self, iri) -> str:
        """The preferred label of ``iri``, or the IRI itself when the graph gives none."""
        return self._labels.get(str(iri), str(iri))
