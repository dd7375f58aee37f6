"""How substitutable two technologies are: a profile of each, a directional score from shared
evidence (like is compared with like: kind first, then primary capability), the reasons in
words with where each piece of evidence comes from, and the weighted graph for clustering.

The model (README "Substitutability"), for a query technology *a* and a candidate *b*::

    score(a → b) = kind_factor(a, b) × evidence(a, b) × status(b) × prominence(b)

* ``kind_factor``: 1 when both are of the same kind (``mlo:kind``), :data:`KIND_FACTORS`
  ``"stand_in"`` when *b*'s kind ``mlo:canStandInFor`` *a*'s (an end-to-end platform for an
  experiment tracker), ``"other"`` for every candidate of a query of kind *other* (or none),
  else ``"unlike"`` (a candidate of kind *other* included): a weak substitute at best. This is
  why the ranking is directional.
* ``evidence``: the sum of :data:`WEIGHTS` × each term: the same primary capability (partial
  credit through ``skos:broader``, or when *b* has *a*'s primary as a secondary capability),
  the share of *a*'s capabilities that *b* has, catalogue categories, cloud equivalents,
  co-alternatives, languages and industries, each set compared by rarity-weighted (IDF)
  similarity, so that sharing a rare thing counts more than sharing a common one; the same
  licence model (both open source or both proprietary); a stated substitute or a stated
  alternative (either direction) adds, a stated complement or runs-on/host pair subtracts.
  Pairs with no direct evidence (only a language, an industry or a licence model) score 0.
* ``status`` and :func:`prominence`: an inactive candidate counts less, one that more sources
  describe counts more (a curated proprietary product as if catalogues did, since they cannot).

Every pair is compared (dense numpy matrices: 1,850 technologies are 3.4 million pairs, a
fraction of a second); there is no sampling.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
from rdflib import RDF, URIRef
from rdflib.namespace import DCTERMS, SKOS

from ..model.iris import iri_kind
from ..model.namespaces import MLO
from .projection import TECHNOLOGY_KINDS, _source

#: Weight of each kind of evidence (tuned against benchmarks/eval/judgements.yaml).
WEIGHTS = {
    "same_primary": 3.0,            # the same primary capability
    "related_primary": 1.5,         # one primary is broader than the other (skos:broader)
    "primary_as_secondary": 1.0,    # the candidate has the query's primary among its capabilities
    "capabilities": 2.0,            # × IDF-weighted share of the query's capabilities the candidate has
    "broader_capabilities": 1.0,    # × IDF-weighted Jaccard of capabilities with their broader ones
    "categories": 1.5,              # × IDF-weighted Jaccard of catalogue categories
    "stated_substitute": 3.0,       # curated: a stated alternative that is a substitute
    "stated_alternative": 1.5,      # an alternative stated by a guide, type not curated
    "not_a_substitute": -2.0,       # curated: a stated complement, runs-on or host pair
    "cloud_equivalent": 1.0,        # one is a stated cloud equivalent of the other
    "shared_equivalents": 0.5,      # × IDF-weighted Jaccard of their cloud equivalents
    "co_alternatives": 0.5,         # × IDF-weighted Jaccard of the tools naming each as alternative
    "delivery": 0.5,                # × Jaccard of delivery models (open source, commercial, managed service)
    "licence_model": 1.0,           # both open source, or both proprietary (unknown matches nothing)
    "languages": 0.2,               # × Jaccard of languages and frameworks
    "industries": 0.2,              # × Jaccard of industries
}
#: Factor of the evidence by kind compatibility (candidate kind vs query kind); "other" is for a
#: query of kind *other* (every candidate then gets it, so evidence alone ranks them).
KIND_FACTORS = {"same": 1.0, "stand_in": 0.5, "other": 0.3, "unlike": 0.1}
#: Statuses left out of substitutes by default (``--include-inactive`` shows them); a
#: technology with a successor (renamed, bought and replaced) is left out the same way.
RETIRED_STATUSES = ("archived", "sunset")
#: Per origin describing a candidate beyond the first (guide, curated, each catalogue), its score
#: grows by this share (capped at PROMINENCE_CAP origins): a tool several sources describe is a
#: more established substitute than one a single list mentions.
PROMINENCE = 0.3
PROMINENCE_CAP = 5
#: The open catalogues list open-source projects only, so they cannot vouch for a proprietary
#: product: one that the curated data or the guide describes counts as this many origins.
PRODUCT_ORIGINS = 4
#: Factor of a candidate's score by its status: an inactive project (no recent commit) ranks lower.
STATUS_FACTORS = {"inactive": 0.7}


def is_retired(profile) -> bool:
    """Archived, sunset or succeeded by another technology (left out of substitutes by default).

    >>> is_retired(Profile("t/a", "A", "tool", status="sunset")), is_retired(Profile("t/b", "B", "tool"))
    (True, False)
    """
    return profile.status in RETIRED_STATUSES or bool(profile.successors)
#: Display names of the catalogues (named graph / category scheme id → name).
CATALOGUE_NAMES = {"lfai": "LF AI & Data", "cncf": "CNCF", "best-of-ml-python": "best-of-ml-python",
                   "awesome-production-ml": "EthicalML awesome-production-ml",
                   "awesome-llmops": "awesome-llmops"}
_ID = "https://w3id.org/mlops-kg/id/"
_CATALOGUE = _ID + "catalogue/"
_GRAPH = "https://w3id.org/mlops-kg/graph/"
_SCHEMA_LICENSE = "https://schema.org/license"
_MLO = str(MLO._NS)  # relations traced by local name (see _TRACED)


@dataclass
class Profile:
    """What a technology is, as sets of node IRIs (see the module docstring)."""

    iri: str
    label: str
    kind: str                                          # the IRI's kind segment: tool, service, platform
    capabilities: set = field(default_factory=set)     # its own and its parts' (mlo:partOf)
    equivalents: set = field(default_factory=set)      # its cloud equivalents
    equivalent_of: set = field(default_factory=set)    # technologies it is the equivalent of
    alternatives: set = field(default_factory=set)     # stated, either direction
    alternative_of: set = field(default_factory=set)   # X such that X states this one
    languages: set = field(default_factory=set)
    industries: set = field(default_factory=set)
    delivery: set = field(default_factory=set)
    providers: set = field(default_factory=set)        # offered by, or equivalents offered by
    tech_kind: str = ""                                # mlo:kind IRI ("" when none)
    primary: str = ""                                  # mlo:primaryCapability IRI
    broader: set = field(default_factory=set)          # skos:broader closure of its capabilities
    categories: set = field(default_factory=set)       # catalogue categories (dcterms:subject)
    substitutes: set = field(default_factory=set)      # curated statedSubstitute, either direction
    not_substitutes: set = field(default_factory=set)  # curated complement / runs-on / host
    offered_by: set = field(default_factory=set)
    wholes: set = field(default_factory=set)           # what it is part of (mlo:partOf)
    editions: set = field(default_factory=set)         # the same product run by another (mlo:editionOf, either way)
    status: str = ""                                   # active, inactive, archived, sunset ("" unknown)
    successors: set = field(default_factory=set)
    osi: bool | None = None                            # licence OSI-approved (None: no licence known)
    origins: dict = field(default_factory=dict)        # (relation, value IRI) → sorted origin names

    @property
    def sources(self) -> set:
        """Every origin that describes the technology (guide, imported guides, catalogues, curated)."""
        found = {_catalogue_of(c) for c in self.categories}
        for names in self.origins.values():
            found.update(n for n in names if not n.startswith(("inferred", "part ")))
        return found


def origin_name(graph_iri: str) -> str:
    """A named graph's origin as reasons name it: guide, imported guide X, a catalogue, curated.

    >>> origin_name("https://w3id.org/mlops-kg/graph/source/lfai")
    'LF AI & Data'
    >>> origin_name("https://w3id.org/mlops-kg/graph/import/mlops-guide-2")
    'imported guide mlops-guide-2'
    """
    rest = graph_iri[len(_GRAPH):] if graph_iri.startswith(_GRAPH) else graph_iri
    if rest.startswith("source/"):
        return CATALOGUE_NAMES.get(rest[7:], rest[7:])
    if rest.startswith("import/"):
        return "imported guide " + rest[7:]
    return {"guide": "guide", "curated": "curated", "inferred": "inferred"}.get(rest, rest)


def _catalogue_of(category: str) -> str:
    source = category[len(_CATALOGUE):].split("/", 1)[0]
    return CATALOGUE_NAMES.get(source, source)


#: Relations whose origin (named graph) reasons cite.
_TRACED = ("hasCapability", "statedAlternative", "cloudEquivalent", "kind", "primaryCapability",
           "statedSubstitute", "statedComplement", "statedRunsOn", "statedHostOf", "usedInIndustry")


def graph_origins(ds) -> dict:
    """``(subject, relation local name, object) → {origin names}`` for the relations reasons
    cite, from the named graphs of a dataset (the inferred graph is left out: an inferred fact's
    origin is what it was inferred from)."""
    out: dict = {}
    for graph in ds.graphs():
        name = str(graph.identifier)
        if not name.startswith(_GRAPH) or name.endswith(("/inferred", "/analysis", "/ontology")):
            continue
        origin = origin_name(name)
        for subject in set(graph.subjects(RDF.type, None)):
            out.setdefault((str(subject), "described", ""), set()).add(origin)
        for relation in _TRACED:
            for s, o in graph.subject_objects(URIRef(_MLO + relation)):
                out.setdefault((str(s), relation, str(o)), set()).add(origin)
    return out


def profiles(graph, origins: dict | None = None) -> dict[str, Profile]:
    """A :class:`Profile` of every technology in ``graph`` (an rdflib Graph with inferences, or
    an embedded store). ``origins`` (:func:`graph_origins`) names where facts come from."""
    src = _source(graph)
    origins = origins or {}

    def index(predicate, reverse=False):
        out: dict[str, set] = {}
        for s, o in src.pairs(str(predicate)):
            out.setdefault(o if reverse else s, set()).add(s if reverse else o)
        return out

    labels = dict(src.pairs(str(SKOS.prefLabel)))
    caps, equivalents = index(MLO.hasCapability), index(MLO.cloudEquivalent)
    equivalent_of = index(MLO.cloudEquivalent, reverse=True)
    stated, stated_by = index(MLO.statedAlternative), index(MLO.statedAlternative, reverse=True)
    symmetric = index(MLO.isAlternativeTo)
    languages, frameworks = index(MLO.usesLanguage), index(MLO.supportsFramework)
    industries, delivery, offered = index(MLO.usedInIndustry), index(MLO.deliveryModel), index(MLO.offeredBy)
    parts = index(MLO.partOf, reverse=True)
    wholes: dict[str, set] = {}
    for whole, members in parts.items():
        for part in members:
            wholes.setdefault(part, set()).add(whole)
    broader = index(SKOS.broader)
    subs = index(MLO.statedSubstitute)
    for s, o in src.pairs(str(MLO.statedSubstitute)):
        subs.setdefault(o, set()).add(s)
    nots: dict[str, set] = {}
    for relation in (MLO.statedComplement, MLO.statedRunsOn, MLO.statedHostOf):
        for s, o in src.pairs(str(relation)):
            nots.setdefault(s, set()).add(o)
            nots.setdefault(o, set()).add(s)
    kinds = dict(src.pairs(str(MLO.kind)))
    primaries = dict(src.pairs(str(MLO.primaryCapability)))
    statuses = dict(src.pairs(str(MLO.status)))
    successors = index(MLO.successor)
    editions: dict[str, set] = {}
    for s, o in src.pairs(str(MLO.editionOf)):
        editions.setdefault(s, set()).add(o)
        editions.setdefault(o, set()).add(s)
    categories: dict[str, set] = {}
    for s, o in src.pairs(str(DCTERMS.subject)):
        if o.startswith(_CATALOGUE):
            categories.setdefault(s, set()).add(o)
    matches: dict[str, set] = {}  # category → capabilities (the crosswalk)
    for predicate in (SKOS.exactMatch, SKOS.broadMatch, SKOS.narrowMatch):
        for s, o in src.pairs(str(predicate)):
            if s.startswith(_CATALOGUE):
                matches.setdefault(s, set()).add(o)
    inner = getattr(src, "inner", src)
    osi = {s: str(o).lower() in ("true", "1") for s, o in inner.pairs(str(MLO.osiApproved))}
    licences = index(_SCHEMA_LICENSE)

    def ancestors(cap, seen=None):
        seen = set() if seen is None else seen
        for parent in broader.get(cap, ()):
            if parent not in seen:
                seen.add(parent)
                ancestors(parent, seen)
        return seen

    closure: dict[str, set] = {}
    out = {}
    for iri in sorted(set(src.typed(str(MLO.Technology)))):
        if iri_kind(iri) not in TECHNOLOGY_KINDS:
            continue
        get = lambda table: table.get(iri, set())  # noqa: E731
        own = set(get(caps))
        rolled = own | {c for part in get(parts) for c in caps.get(part, ())}
        primary = primaries.get(iri, "")
        if primary:
            rolled.add(primary)
        up = set()
        for cap in rolled:
            if cap not in closure:
                closure[cap] = ancestors(cap)
            up |= closure[cap]
        trace: dict = {}
        for cap in rolled:
            found = set(origins.get((iri, "hasCapability", cap), ()))
            found |= {_catalogue_of(c) for c in get(categories) if cap in matches.get(c, ())}
            if cap not in own:
                found |= {"part " + labels.get(p, p) for p in get(parts) if cap in caps.get(p, ())}
            trace[("capability", cap)] = sorted(found) or ["inferred"]
        for relation, table in (("statedAlternative", stated), ("cloudEquivalent", equivalents)):
            for other in table.get(iri, ()):
                trace[(relation, other)] = sorted(origins.get((iri, relation, other), ()))
        for relation in ("kind", "primaryCapability"):
            value = kinds.get(iri) if relation == "kind" else primary
            if value:
                trace[(relation, value)] = sorted(origins.get((iri, relation, value), ())) or [
                    "inferred from catalogue categories" if get(categories) else "inferred"]
        licence = get(licences)
        described = origins.get((iri, "described", ""))
        if described:
            trace[("described", "")] = sorted(described)
        out[iri] = Profile(
            iri, labels.get(iri, iri), iri_kind(iri),
            capabilities=rolled, equivalents=set(get(equivalents)), equivalent_of=set(get(equivalent_of)),
            alternatives=get(symmetric) | get(stated) | get(stated_by), alternative_of=set(get(stated_by)),
            languages=get(languages) | get(frameworks), industries=set(get(industries)),
            delivery={d.rsplit("#", 1)[-1] for d in get(delivery)},
            providers=get(offered) | {p for e in get(equivalents) for p in offered.get(e, ())},
            tech_kind=kinds.get(iri, ""), primary=primary, broader=up - rolled,
            categories=set(get(categories)), substitutes=set(get(subs)) - {iri},
            not_substitutes=set(get(nots)) - {iri}, offered_by=set(get(offered)), wholes=set(get(wholes)) - {iri},
            editions=set(get(editions)) - {iri},
            status=statuses.get(iri, "").rsplit("/", 1)[-1], successors=set(get(successors)),
            osi=(any(osi.get(lic, False) for lic in licence) if licence else None), origins=trace)
    return out


@dataclass
class Context:
    """What the score needs besides the profiles: kind compatibility and capability ancestry."""

    stand_in: set = field(default_factory=set)     # (candidate kind, query kind) pairs
    ancestors: dict = field(default_factory=dict)  # capability → its skos:broader closure


def context(graph) -> Context:
    """The :class:`Context` of ``graph`` (``mlo:canStandInFor``, ``skos:broader``)."""
    src = _source(graph)
    broader: dict[str, set] = {}
    for s, o in src.pairs(str(SKOS.broader)):
        broader.setdefault(s, set()).add(o)

    def up(cap, seen):
        for parent in broader.get(cap, ()):
            if parent not in seen:
                seen.add(parent)
                up(parent, seen)
        return seen

    return Context({tuple(p) for p in src.pairs(str(MLO.canStandInFor))},
                   {cap: up(cap, set()) for cap in broader})


def is_open_source(p: Profile) -> bool:
    """An OSI-approved licence or the guide's OpenSource delivery model (else: proprietary, or
    no licence known)."""
    return bool(p.osi or "OpenSource" in p.delivery)


def licence_model(p: Profile) -> int:
    """1 open source, -1 proprietary (a licence that is not OSI-approved, or sold or run as a
    service without an open-source edition), 0 unknown (no licence and no delivery model known:
    many catalogue entries; not taken for proprietary).

    >>> [licence_model(Profile("t/a", "A", "tool", osi=o)) for o in (True, False, None)]
    [1, -1, 0]
    >>> licence_model(Profile("t/b", "B", "tool", delivery={"ManagedService"}))
    -1
    """
    if is_open_source(p):
        return 1
    if p.osi is False or p.delivery & {"Commercial", "ManagedService"}:
        return -1
    return 0


def prominence(p: Profile, catalogues: int = len(CATALOGUE_NAMES), whole: int = 0) -> float:
    """How established a candidate is: × (1 + :data:`PROMINENCE` per origin describing it beyond
    the first, counting up to :data:`PROMINENCE_CAP`). The open catalogues list only open-source
    projects, so a proprietary product that the curated data or the guide describes counts as at
    least :data:`PRODUCT_ORIGINS` origins, or as 1 + the number of ``catalogues`` in the graph
    when that is fewer (in a graph without catalogues nobody is vouched for by one). A part of
    a larger technology counts at least the ``whole``'s origins: the catalogues list Ray, not
    Ray Serve.

    >>> prominence(Profile("t/a", "A", "tool", categories={_CATALOGUE + "lfai/x", _CATALOGUE + "cncf/y"}, osi=True))
    1.3
    >>> product = Profile("t/b", "B", "tool", origins={("described", ""): ["curated"]})
    >>> prominence(product), prominence(product, catalogues=0), prominence(product, catalogues=0, whole=3)
    (1.9, 1.0, 1.6)
    """
    count = max(len(p.sources), whole)
    if not count:
        return 1.0
    if not is_open_source(p) and p.sources & {"curated", "guide"}:
        count = max(count, min(PRODUCT_ORIGINS, 1 + catalogues))
    return round(1.0 + PROMINENCE * (min(count, PROMINENCE_CAP) - 1), 6)


def catalogues_in(profs) -> int:
    """How many catalogues describe at least one of the technologies ``profs``."""
    return len({origin for p in profs for origin in p.sources
                if origin not in ("guide", "curated") and not origin.startswith("imported guide")})


def _lower_first(text: str) -> str:
    """"Model serving" → "model serving" and "End-to-end ML platform" → "end-to-end ML platform",
    but "ML pipelines" and "AutoML" stay as they are (the first word is an acronym or a name).

    >>> [_lower_first(t) for t in ("Model serving", "End-to-end ML platform", "ML pipelines", "AutoML")]
    ['model serving', 'end-to-end ML platform', 'ML pipelines', 'AutoML']
    """
    first = text.split(" ", 1)[0]
    return text if any(c.isupper() for c in first[1:]) else text[:1].lower() + text[1:]


def _a(text: str) -> str:
    """``text`` with its indefinite article: "an experiment tracker", "a model server", "an LLM
    inference engine" (an acronym is read letter by letter).

    >>> [_a(t) for t in ("experiment tracker", "model server", "LLM inference engine", "GPU cluster scheduler")]
    ['an experiment tracker', 'a model server', 'an LLM inference engine', 'a GPU cluster scheduler']
    """
    first = text.split(" ", 1)[0]
    acronym = len(first) > 1 and first.isupper()
    vowel = text[:1] in "AEFHILMNORSX" if acronym else text[:1].lower() in "aeiou"
    return ("an " if vowel else "a ") + text


def _is_other(kind: str) -> bool:
    return not kind or kind.endswith("/other")


def kind_factor(a: Profile, b: Profile, ctx: Context | None = None, factors=KIND_FACTORS) -> float:
    """How well ``b``'s kind can replace ``a``'s (directional; see :data:`KIND_FACTORS`).

    >>> a = Profile("t/a", "A", "tool", tech_kind="k/tracker")
    >>> b = Profile("t/b", "B", "tool", tech_kind="k/platform")
    >>> kind_factor(a, b), kind_factor(a, b, Context({("k/platform", "k/tracker")}))
    (0.1, 0.5)
    """
    if a.tech_kind and a.tech_kind == b.tech_kind and not _is_other(a.tech_kind):
        return factors["same"]
    if ctx is not None and (b.tech_kind, a.tech_kind) in ctx.stand_in:
        return factors["stand_in"]
    if _is_other(a.tech_kind):
        return factors["other"]
    return factors["unlike"]  # a candidate of kind *other* is known not to be of the query's kind


# --- the dense model -------------------------------------------------------------------------

#: Above this many technologies the scores are computed DENSE_ROWS rows at a time and only each
#: row's best candidates are kept: a dense n × n matrix of 50,000 tools would need 20 GB.
DENSE_LIMIT = 4000
DENSE_ROWS = 1000


def score_matrix(profs: dict[str, Profile], ctx: Context | None = None, weights=WEIGHTS,
                 factors=KIND_FACTORS):
    """``(order, S)``: the technologies in IRI order and the n × n matrix of
    ``score(order[i] → order[j])`` (float64, rounded to 6 places, 0 on the diagonal and where
    nothing direct is shared)."""
    order, rows = score_rows(profs, ctx, weights, factors)
    return order, rows(0, len(order))


def score_rows(profs: dict[str, Profile], ctx: Context | None = None, weights=WEIGHTS,
               factors=KIND_FACTORS):
    """``(order, rows)``: the technologies in IRI order and ``rows(lo, hi)``, the rows ``lo`` to
    ``hi`` of :func:`score_matrix`'s matrix, the same numbers, so that a large graph can be
    scored a block of rows at a time."""
    import numpy as np
    import scipy.sparse as sparse

    ctx = ctx or Context()
    order = sorted(profs)
    n = len(order)
    number = {iri: i for i, iri in enumerate(order)}
    if n == 0:
        return order, lambda lo, hi: np.zeros((0, 0))

    def incidence(sets):
        vocabulary: dict = {}
        rows, cols = [], []
        for i, items in enumerate(sets):
            for item in sorted(items):
                rows.append(i)
                cols.append(vocabulary.setdefault(item, len(vocabulary)))
        m = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, max(1, len(vocabulary))))
        return m, vocabulary

    def jaccard(sets, idf=True, coverage=False):
        """IDF-weighted Jaccard of each pair's sets; with ``coverage``, the weighted share of the
        query's (row's) items that the candidate (column) has instead: directional, and a
        candidate that does more than the query is not held back for it. Returns a function
        of a row range."""
        m, _v = incidence(sets)
        df = np.asarray(m.sum(axis=0)).ravel()
        w = np.where(df > 0, np.log((n + 1) / (df + 1)) + 1.0 if idf else np.ones_like(df), 0.0)
        weighted, mt = (m @ sparse.diags(w)).tocsr(), m.T.tocsc()
        size = np.asarray(m @ w).ravel()

        def block(r):
            shared = (weighted[r] @ mt).toarray()
            if coverage:
                return np.where(size[r, None] > 0, shared / np.where(size[r] > 0, size[r], 1)[:, None], 0.0)
            union = size[r, None] + size[None, :] - shared
            return np.where(union > 0, shared / np.where(union > 0, union, 1), 0.0)
        return block

    def links(attribute):
        rows, cols = [], []
        for i, iri in enumerate(order):
            for other in getattr(profs[iri], attribute):
                j = number.get(other)
                if j is not None and j != i:
                    rows += [i, j]
                    cols += [j, i]
        m = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
        return lambda r: m[r].toarray() > 0

    # primary capability: the same, related through skos:broader, or the query's as a secondary
    caps = sorted({c for p in profs.values() for c in p.capabilities | {p.primary} if c})
    cap_no = {c: k for k, c in enumerate(caps)}
    prim = np.array([cap_no.get(profs[iri].primary, -1) for iri in order])
    has = prim >= 0
    related = np.zeros((len(caps), len(caps)), bool)
    for c, k in cap_no.items():
        for parent in ctx.ancestors.get(c, ()):
            if parent in cap_no:
                related[k, cap_no[parent]] = related[cap_no[parent], k] = True
    cap_dense = np.zeros((n, len(caps)), bool)
    for i, iri in enumerate(order):
        for c in profs[iri].capabilities:
            if c in cap_no:
                cap_dense[i, cap_no[c]] = True
    idx = np.where(has, prim, 0)
    capabilities = jaccard([profs[i].capabilities for i in order], coverage=True)
    categories = jaccard([profs[i].categories for i in order])
    shared_equivalents = jaccard([profs[i].equivalents for i in order])
    co_alternatives = jaccard([profs[i].alternative_of for i in order])
    broader = jaccard([profs[i].capabilities | profs[i].broader for i in order])
    languages = jaccard([profs[i].languages for i in order], idf=False)
    industries = jaccard([profs[i].industries for i in order], idf=False)
    delivery = jaccard([profs[i].delivery for i in order], idf=False)
    substitutes, not_substitutes_, alternatives = links("substitutes"), links("not_substitutes"), links("alternatives")
    equivalents, equivalent_of, editions = links("equivalents"), links("equivalent_of"), links("editions")
    # a product is mostly replaced by a product, an open-source project by a project
    side = np.array([licence_model(profs[i]) for i in order])
    # kind compatibility: candidate (column) kind vs query (row) kind
    kinds = sorted({profs[i].tech_kind for i in order})
    kind_no = {k: x for x, k in enumerate(kinds)}
    table = np.array([[kind_factor(Profile("", "", "", tech_kind=q), Profile("", "", "", tech_kind=c), ctx, factors)
                       for c in kinds] for q in kinds])
    kv = np.array([kind_no[profs[i].tech_kind] for i in order])
    status = np.array([STATUS_FACTORS.get(profs[i].status, 1.0) for i in order])
    catalogues = catalogues_in(profs.values())
    established = np.array([prominence(profs[i], catalogues, max((len(profs[w].sources) for w in profs[i].wholes
                                                                    if w in profs), default=0))
                            for i in order])

    def rows(lo: int, hi: int):
        r = slice(lo, hi)
        same = has[r, None] & (prim[r, None] == prim[None, :])
        rel = related[idx[r, None], idx[None, :]] & has[r, None] & has[None, :] & ~same
        secondary = cap_dense[:, idx[r]].T & has[r, None] & ~same & ~rel
        evidence = (weights["same_primary"] * same + weights["related_primary"] * rel
                    + weights["primary_as_secondary"] * secondary
                    + weights["capabilities"] * capabilities(r)
                    + weights["categories"] * categories(r)
                    + weights["shared_equivalents"] * shared_equivalents(r)
                    + weights["co_alternatives"] * co_alternatives(r))
        substitute = substitutes(r)
        not_substitute = not_substitutes_(r) & ~substitute
        stated = alternatives(r) & ~substitute & ~not_substitute
        evidence = (evidence + weights["stated_substitute"] * substitute + weights["stated_alternative"] * stated
                    + weights["not_a_substitute"] * not_substitute)
        evidence = evidence + weights["cloud_equivalent"] * (equivalents(r) | equivalent_of(r))
        direct = (evidence > 0) & ~not_substitute
        # partial credit through skos:broader: capabilities under the same broader ones (no
        # evidence on its own: everything is under "infrastructure" somewhere)
        evidence = evidence + weights["broader_capabilities"] * broader(r)
        evidence = evidence + weights["languages"] * languages(r) \
            + weights["industries"] * industries(r) + weights["delivery"] * delivery(r)
        evidence = evidence + weights["licence_model"] * ((side[r, None] == side[None, :]) & (side[r] != 0)[:, None])
        score = table[kv[r, None], kv[None, :]] * evidence * (status * established)[None, :]
        # an edition of the same product (Azure Databricks for Databricks) replaces nothing: not ranked
        score = np.where(direct & (score > 0) & ~editions(r), score, 0.0)
        diagonal = np.arange(lo, hi)
        score[diagonal - lo, diagonal] = 0.0
        return np.round(score, 6)

    return order, rows


def rankings(profs: dict[str, Profile], labels: dict[str, str], ctx: Context | None = None,
             top: int = 50, weights=WEIGHTS) -> tuple[dict, list]:
    """``(ranked, edges)``: each technology's ``top`` best candidates ``[(iri, score)]`` (best
    first; ties by label, then IRI), with its successors first when it has any; and the
    symmetric edges ``[(a, b, weight)]`` (``a < b``; the mean of both directions) of every
    ranked pair, for clustering."""
    import numpy as np

    order, score_block = score_rows(profs, ctx, weights)
    n = len(order)
    if n == 0:
        return {}, []
    by_label = sorted(range(n), key=lambda i: (profs[order[i]].label.lower(), order[i]))
    rank = np.empty(n, np.int64)
    rank[by_label] = np.arange(n)
    step = n if n <= DENSE_LIMIT else DENSE_ROWS
    best: dict[int, list] = {}   # row -> [(column, score)], best first
    for lo in range(0, n, step):
        s = score_block(lo, min(n, lo + step))
        keys = np.broadcast_to(rank, s.shape)
        sorted_idx = np.lexsort((keys, -s), axis=-1)[:, :top]
        for k, i in enumerate(range(lo, min(n, lo + step))):
            best[i] = [(j, float(s[k, j])) for j in sorted_idx[k].tolist() if s[k, j] > 0]
    number = {iri: i for i, iri in enumerate(order)}
    ranked = {}
    for i, iri in enumerate(order):
        row = [(order[j], w) for j, w in best[i]]
        successors = sorted((x for x in profs[iri].successors if x in number and x != iri),
                            key=lambda x: (profs[x].label.lower(), x))
        if successors:
            top_weight = max([w for _o, w in row] + [1.0])
            row = [(x, top_weight) for x in successors] + [r for r in row if r[0] not in successors]
            row = row[:top]
        ranked[iri] = row
    # the edge of each ranked pair weighs the mean of both directions' scores: read the ones the
    # best lists do not hold (the reverse direction, a successor's) from the rows again
    known = {(i, j): w for i, row in best.items() for j, w in row}
    wanted: dict[int, set] = {}
    for i, iri in enumerate(order):
        for other, _w in ranked[iri]:
            j = number[other]
            for a, b in ((i, j), (j, i)):
                if (a, b) not in known:
                    wanted.setdefault(a, set()).add(b)
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        if any(a in wanted for a in range(lo, hi)):
            s = s if step == n else score_block(lo, hi)
            for a in range(lo, hi):
                for b in wanted.get(a, ()):
                    known[(a, b)] = float(s[a - lo, b])
    pairs = {}
    for i, iri in enumerate(order):
        for other, _w in ranked[iri]:
            j = number[other]
            pairs[(min(i, j), max(i, j))] = round(float(known[(i, j)] + known[(j, i)]) / 2, 6)
    edges = sorted((order[a], order[b], w) for (a, b), w in pairs.items() if w > 0)
    return ranked, edges


def _name(iris, labels, limit=4):
    items = sorted((labels.get(i, i) for i in iris), key=str.lower)
    if len(items) > limit:
        items = items[:limit - 1] + [f"{len(items) - limit + 1} more"]
    return ", ".join(items)


def _sources(names) -> str:
    names = sorted(set(names))
    return f" ({'; '.join(names)})" if names else ""


def reasons_of(a: Profile, b: Profile, labels: dict[str, str], ctx: Context | None = None) -> list[str]:
    """The evidence behind the score of ``b`` as a substitute for ``a``, as short phrases,
    strongest first, each naming where its evidence comes from (guide, imported guide X,
    a catalogue, curated)."""
    lower = lambda text: ", ".join(_lower_first(t) for t in text.split(", "))  # noqa: E731
    reasons = []
    if b.iri in a.successors:
        reasons.append("its successor" + _sources(a.origins.get(("successor", b.iri), ["curated"])))
    if b.iri in a.substitutes:
        reasons.append("stated substitute" + _sources(
            a.origins.get(("statedAlternative", b.iri), []) + b.origins.get(("statedAlternative", a.iri), [])
            + ["curated"]))
    elif b.iri in a.not_substitutes:
        reasons.append("stated alternative, but a complement or runs-on pair, not a substitute (curated)")
    elif b.iri in a.alternatives or a.iri in b.alternatives:
        reasons.append("stated alternative" + _sources(
            a.origins.get(("statedAlternative", b.iri), []) + b.origins.get(("statedAlternative", a.iri), [])))
    if b.iri in a.equivalents or a.iri in b.equivalents:
        reasons.append("stated cloud equivalent" + _sources(
            a.origins.get(("cloudEquivalent", b.iri), []) + b.origins.get(("cloudEquivalent", a.iri), [])))
    if a.tech_kind and a.tech_kind == b.tech_kind and not _is_other(a.tech_kind):
        reasons.append("same kind: " + _lower_first(labels.get(a.tech_kind, a.tech_kind.rsplit("/", 1)[-1]))
                       + _sources(a.origins.get(("kind", a.tech_kind), []) + b.origins.get(("kind", b.tech_kind), [])))
    elif ctx is not None and (b.tech_kind, a.tech_kind) in ctx.stand_in:
        reasons.append(f"{_a(_lower_first(labels.get(b.tech_kind, b.tech_kind)))} can stand in for "
                       f"{_a(_lower_first(labels.get(a.tech_kind, a.tech_kind)))} (curated)")
    if a.primary and a.primary == b.primary:
        reasons.append("same primary capability: " + _lower_first(labels.get(a.primary, a.primary))
                       + _sources(a.origins.get(("primaryCapability", a.primary), [])
                                  + b.origins.get(("primaryCapability", b.primary), [])))
    elif a.primary and b.primary and (a.primary in (ctx.ancestors.get(b.primary, ()) if ctx else b.broader)
                                      or b.primary in (ctx.ancestors.get(a.primary, ()) if ctx else a.broader)):
        reasons.append(f"related primary capabilities: {_lower_first(labels.get(a.primary, a.primary))}, "
                       f"{_lower_first(labels.get(b.primary, b.primary))} (capability scheme)")
    elif a.primary and a.primary in b.capabilities:
        reasons.append(f"has {_lower_first(labels.get(a.primary, a.primary))} among its capabilities" + _sources(
            b.origins.get(("capability", a.primary), [])))
    shared = (a.capabilities & b.capabilities) - {a.primary if a.primary == b.primary else ""}
    if shared:
        origins = [o for c in shared for o in a.origins.get(("capability", c), []) + b.origins.get(("capability", c), [])]
        reasons.append("shares " + lower(_name(shared, labels)) + _sources(origins))
    wider = ((a.capabilities | a.broader) & (b.capabilities | b.broader)) - a.capabilities - b.capabilities
    if wider and not shared:
        reasons.append("capabilities under " + lower(_name(wider, labels)) + " (capability scheme)")
    categories = a.categories & b.categories
    if categories:
        by_catalogue: dict[str, list] = {}
        for c in categories:
            by_catalogue.setdefault(_catalogue_of(c), []).append(c)
        parts = [f"{_name(cs, labels, 2)} by {cat}" for cat, cs in sorted(by_catalogue.items())]
        reasons.append("both listed under " + "; ".join(parts))
    for shared, text in ((a.equivalents & b.equivalents, "both have cloud equivalent "),
                         (a.alternative_of & b.alternative_of, "both named as alternatives of "),
                         (a.languages & b.languages, "both use "),
                         (a.industries & b.industries, "both used in ")):
        if shared:
            reasons.append(text + _name(shared, labels))
    return reasons


def weight_of(a: Profile, b: Profile, weights=WEIGHTS, ctx: Context | None = None) -> float:
    """``score(a → b)`` for one pair on its own (rarity is then counted over the two only; the
    build scores every pair within the whole graph); 0 when nothing direct is shared.

    Two model servers of one primary capability: 3 (same primary) + 2 (capabilities) + 1 (the
    same with broader ones) = 6 (no licence or delivery model known, so no licence-model credit).

    >>> a = Profile("t/a", "A", "tool", capabilities={"c/s"}, primary="c/s", tech_kind="k/server")
    >>> b = Profile("t/b", "B", "tool", capabilities={"c/s"}, primary="c/s", tech_kind="k/server")
    >>> weight_of(a, b)
    6.0
    """
    order, s = score_matrix({a.iri: a, b.iri: b}, ctx, weights)
    return float(s[order.index(a.iri), order.index(b.iri)])


def substitutability(a: Profile, b: Profile, labels: dict[str, str], weights=WEIGHTS, ctx: Context | None = None):
    """Score and evidence for replacing ``a`` with ``b``.

    Parameters
    ----------
    a, b : Profile
        The query technology and the candidate.
    labels : dict
        Node IRI → label, to name shared capabilities and the like in the reasons.
    weights : dict
        Weight of each kind of evidence; :data:`WEIGHTS` by default.
    ctx : Context, optional
        Kind compatibility and capability ancestry (:func:`context`).

    Returns
    -------
    tuple
        ``(score, reasons)``: the score (0 when nothing direct is shared) and short phrases,
        strongest first.

    Examples
    --------
    Two model servers, one stated (by the guide) as a substitute of the other:

    >>> labels = {"cap/serving": "Model serving", "kind/server": "Model server"}
    >>> a = Profile("tool/a", "A", "tool", capabilities={"cap/serving"}, alternatives={"tool/b"},
    ...             substitutes={"tool/b"}, tech_kind="kind/server", primary="cap/serving",
    ...             origins={("statedAlternative", "tool/b"): ["guide"]})
    >>> b = Profile("tool/b", "B", "tool", capabilities={"cap/serving"}, alternative_of={"tool/a"},
    ...             substitutes={"tool/a"}, tech_kind="kind/server", primary="cap/serving")
    >>> score, reasons = substitutability(a, b, labels)
    >>> score, reasons[:2]
    (9.0, ['stated substitute (curated; guide)', 'same kind: model server'])
    """
    return weight_of(a, b, weights, ctx), reasons_of(a, b, labels, ctx)


#: Above this many technologies, clustering uses igraph (see clusters.py).
PAIRWISE_LIMIT = 1000
#: Candidates kept per technology (the index's MAX_PER_TOOL).
KEEP_PER_TOOL = 50


def substitutability_graph(profs: dict[str, Profile], labels: dict[str, str], weights=WEIGHTS,
                           ctx: Context | None = None, ranked: dict | None = None, edges: list | None = None) -> nx.Graph:
    """Weighted, undirected technology graph for clustering: an edge between every pair where
    one is among the other's :data:`KEEP_PER_TOOL` best candidates, weighted by the mean of
    the two directional scores. ``ranked`` and ``edges`` (:func:`rankings`) when known.

    Examples
    --------
    Two model servers and a tracker that shares only a language with them:

    >>> profs = {
    ...     "tool/a": Profile("tool/a", "A", "tool", capabilities={"cap/serving"}, languages={"lang/py"}),
    ...     "tool/b": Profile("tool/b", "B", "tool", capabilities={"cap/serving"}, languages={"lang/py"}),
    ...     "tool/c": Profile("tool/c", "C", "tool", capabilities={"cap/tracking"}, languages={"lang/py"}),
    ... }
    >>> g = substitutability_graph(profs, labels={})
    >>> sorted(g.nodes), list(g.edges(data="weight"))
    (['tool/a', 'tool/b', 'tool/c'], [('tool/a', 'tool/b', 0.96)])
    """
    if edges is None:
        _ranked, edges = rankings(profs, labels, ctx, KEEP_PER_TOOL, weights)
    g = nx.Graph()
    for iri in sorted(profs):
        g.add_node(iri, label=profs[iri].label, kind=profs[iri].kind)
    g.add_weighted_edges_from(edges)
    return g
