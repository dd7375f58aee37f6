"""How substitutable two technologies are: a profile of each, a weight from shared evidence,
the reasons in words, and the weighted graph of candidate pairs."""
from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
from rdflib.namespace import SKOS

from ..model.iris import iri_kind
from ..model.namespaces import MLO
from .projection import TECHNOLOGY_KINDS, _source


#: Weight of each kind of evidence. Capabilities dominate so that clusters group tools by the
#: job they do; a direct statement (stated alternative, cloud equivalent) is strong evidence
#: on its own; languages and industries are shared so widely that they only break ties.
WEIGHTS = {
    "stated_alternative": 2.0,      # the guide names one as an alternative of the other
    "cloud_equivalent": 1.5,        # one is a stated cloud equivalent of the other (the guide
                                    # uses "equivalent" loosely: SageMaker is everyone's)
    "capabilities": 4.0,            # × Jaccard similarity of capability sets
    "shared_equivalents": 1.0,      # × Jaccard similarity of their cloud equivalents
    "co_alternatives": 0.75,        # per third tool naming both as alternatives (capped at 2)
    "languages": 0.3,               # × Jaccard similarity of languages and frameworks
    "industries": 0.3,              # × Jaccard similarity of industries
}


@dataclass
class Profile:
    """What a technology is, as sets of node IRIs."""

    iri: str
    label: str
    kind: str
    capabilities: set = field(default_factory=set)
    equivalents: set = field(default_factory=set)      # its cloud equivalents
    equivalent_of: set = field(default_factory=set)    # technologies it is the equivalent of
    alternatives: set = field(default_factory=set)     # stated, either direction
    alternative_of: set = field(default_factory=set)   # X such that X states this one
    languages: set = field(default_factory=set)
    industries: set = field(default_factory=set)
    delivery: set = field(default_factory=set)
    providers: set = field(default_factory=set)        # offered by, or equivalents offered by


def profiles(graph) -> dict[str, Profile]:
    """A :class:`Profile` of every technology in ``graph`` (an rdflib Graph with inferences, or
    an embedded store)."""
    src = _source(graph)

    def index(predicate, reverse=False):
        out: dict[str, set] = {}
        for s, o in src.pairs(predicate):
            out.setdefault(o if reverse else s, set()).add(s if reverse else o)
        return out

    labels = dict(src.pairs(str(SKOS.prefLabel)))
    caps, equivalents = index(str(MLO.hasCapability)), index(str(MLO.cloudEquivalent))
    equivalent_of = index(str(MLO.cloudEquivalent), reverse=True)
    stated, stated_by = index(str(MLO.statedAlternative)), index(str(MLO.statedAlternative), reverse=True)
    symmetric = index(str(MLO.isAlternativeTo))
    languages, frameworks = index(str(MLO.usesLanguage)), index(str(MLO.supportsFramework))
    industries, delivery, offered = index(str(MLO.usedInIndustry)), index(str(MLO.deliveryModel)), \
        index(str(MLO.offeredBy))
    out = {}
    for iri in sorted(set(src.typed(str(MLO.Technology)))):
        if iri_kind(iri) not in TECHNOLOGY_KINDS:
            continue
        get = lambda table: table.get(iri, set())  # noqa: E731
        out[iri] = Profile(
            iri, labels.get(iri, iri), iri_kind(iri),
            capabilities=set(get(caps)), equivalents=set(get(equivalents)),
            equivalent_of=set(get(equivalent_of)),
            alternatives=get(symmetric) | get(stated) | get(stated_by), alternative_of=set(get(stated_by)),
            languages=get(languages) | get(frameworks), industries=set(get(industries)),
            delivery={d.rsplit("#", 1)[-1] for d in get(delivery)},
            providers=get(offered) | {p for e in get(equivalents) for p in offered.get(e, ())})
    return out


def _lower_first(text: str) -> str:
    """"Model serving" → "model serving", but "ML pipelines" and "AutoML" stay as they are."""
    return text if any(c.isupper() for c in text[1:]) else text[:1].lower() + text[1:]


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def weight_of(a: Profile, b: Profile, weights=WEIGHTS) -> float:
    """Substitutability weight of ``a`` and ``b``: symmetric, 0 when nothing is shared."""
    total = 0.0
    if b.iri in a.alternatives or a.iri in b.alternatives:
        total += weights["stated_alternative"]
    if b.iri in a.equivalents or a.iri in b.equivalents:
        total += weights["cloud_equivalent"]
    total += weights["capabilities"] * _jaccard(a.capabilities, b.capabilities)
    total += weights["shared_equivalents"] * _jaccard(a.equivalents, b.equivalents)
    total += weights["co_alternatives"] * min(len(a.alternative_of & b.alternative_of), 2)
    total += weights["languages"] * _jaccard(a.languages, b.languages)
    total += weights["industries"] * _jaccard(a.industries, b.industries)
    return round(total, 6)


def reasons_of(a: Profile, b: Profile, labels: dict[str, str]) -> list[str]:
    """The evidence behind :func:`weight_of`, as short phrases, strongest first."""
    def name(iris, limit=4):
        items = sorted((labels.get(i, i) for i in iris), key=str.lower)
        if len(items) > limit:
            items = items[:limit - 1] + [f"{len(items) - limit + 1} more"]
        return ", ".join(items)

    lower = lambda text: ", ".join(_lower_first(t) for t in text.split(", "))  # noqa: E731
    reasons = []
    if b.iri in a.alternatives or a.iri in b.alternatives:
        reasons.append("stated alternative")  # by the seed guide or an imported one
    if b.iri in a.equivalents or a.iri in b.equivalents:
        reasons.append("stated cloud equivalent")
    for shared, text in ((a.capabilities & b.capabilities, lambda x: "shares " + lower(name(x))),
                         (a.equivalents & b.equivalents, lambda x: "both have cloud equivalent " + name(x)),
                         (a.alternative_of & b.alternative_of, lambda x: "both named as alternatives of " + name(x)),
                         (a.languages & b.languages, lambda x: "both use " + name(x)),
                         (a.industries & b.industries, lambda x: "both used in " + name(x))):
        if shared:
            reasons.append(text(shared))
    return reasons


def substitutability(a: Profile, b: Profile, labels: dict[str, str], weights=WEIGHTS):
    """Weight and evidence for replacing ``a`` with ``b`` (symmetric: same for ``b``, ``a``).

    Parameters
    ----------
    a, b : Profile
        The two technologies.
    labels : dict
        Node IRI → label, to name shared capabilities and the like in the reasons.
    weights : dict
        Weight of each kind of evidence; :data:`WEIGHTS` by default.

    Returns
    -------
    tuple
        ``(weight, reasons)``: the weight (0 when nothing is shared) and short phrases,
        strongest first.

    Examples
    --------
    Two tools that serve models, one stated as an alternative of the other:

    >>> labels = {"cap/serving": "Model serving"}
    >>> a = Profile("tool/a", "A", "tool", capabilities={"cap/serving"}, alternatives={"tool/b"})
    >>> b = Profile("tool/b", "B", "tool", capabilities={"cap/serving"}, alternative_of={"tool/a"})
    >>> substitutability(a, b, labels)
    (6.0, ['stated alternative', 'shares model serving'])
    """
    return weight_of(a, b, weights), reasons_of(a, b, labels)


#: Above this many technologies, each keeps only its strongest edges (see substitutability_graph).
PAIRWISE_LIMIT = 1000
#: Above PAIRWISE_LIMIT: every candidate pair is still compared (in numpy) while there are at
#: most this many; beyond, candidate pairs are sampled with WINDOW (see candidate_pairs).
EXACT_PAIR_BUDGET = 3_000_000
#: Above PAIRWISE_LIMIT, with every pair compared: edges kept per technology, its strongest in the
#: order substitutes are ranked (the index's MAX_PER_TOOL), so each one's ranked list is exact.
KEEP_PER_TOOL = 50
WINDOW = 4      # on the largest graphs: neighbours compared on each side within a big feature group
TOP_K = 10      # on the largest graphs (sampled pairs): edges kept per technology


def _features(p: Profile, window: int | None) -> list[tuple]:
    """The shared features that make two technologies a candidate pair (see candidate_pairs)."""
    features = [("s", frozenset(p.capabilities))] if p.capabilities else []
    features += [("e", v) for v in p.equivalents] + [("o", v) for v in p.alternative_of]
    if window is None:
        features += [("c", v) for v in p.capabilities]
    return features


#: Above this many members, a feature group gives no candidate pairs when every pair is compared.
GROUP_LIMIT = 2000


def exact_pair_count(profs: dict[str, Profile]) -> int:
    """An upper bound of the candidate pairs :func:`candidate_pairs` gives without a window
    (pairs within each feature group, counted once per group), without making them."""
    sizes: dict[tuple, int] = {}
    for p in profs.values():
        for feature in _features(p, None):
            sizes[feature] = sizes.get(feature, 0) + 1
    return sum(k * (k - 1) // 2 for k in sizes.values() if k <= GROUP_LIMIT)


def candidate_pairs(profs: dict[str, Profile], *, window: int | None = None) -> set[tuple[str, str]]:
    """Pairs worth comparing: they share a capability set or a capability, a cloud equivalent,
    a tool naming both, or one is directly related to the other.

    With ``window``, a feature group larger than ``2 * window + 1`` contributes only pairs of
    members at most ``window`` apart in IRI order (a deterministic sample that keeps the work
    linear); without it every pair of a group is compared (groups over 2,000 are skipped).
    """
    by_feature: dict[tuple, list[str]] = {}
    for iri, p in profs.items():
        for feature in _features(p, window):
            by_feature.setdefault(feature, []).append(iri)
    # direct relations: the two technologies themselves are linked (not merely a shared neighbour)
    pairs = {tuple(sorted((iri, v))) for iri, p in profs.items()
             for v in p.alternatives | p.equivalents | p.equivalent_of if v in profs and v != iri}
    for members in by_feature.values():
        if len(members) < 2:
            continue
        members.sort()
        if window is None or len(members) <= 2 * window + 1:
            if window is None and len(members) > GROUP_LIMIT:
                continue
            pairs.update((a, b) for i, a in enumerate(members) for b in members[i + 1:])
        else:
            pairs.update((members[i], members[j]) for i in range(len(members))
                         for j in range(i + 1, min(i + 1 + window, len(members))))
    return pairs


def substitutability_graph(profs: dict[str, Profile], labels: dict[str, str], weights=WEIGHTS) -> nx.Graph:
    """Weighted, undirected technology graph; an edge for every compared pair with positive weight.

    Edge attribute: ``weight`` (reasons come from :func:`reasons_of` when asked for). Only pairs
    with direct evidence (a capability, a cloud equivalent, a stated relation or a third tool
    naming both) are compared: sharing only a language or an industry makes nearly everything
    "similar" and is no reason to swap tools. Up to :data:`PAIRWISE_LIMIT` technologies every
    such pair is compared and kept. Above it, while the candidate pairs are at most
    :data:`EXACT_PAIR_BUDGET`, every one is still compared (:func:`pair_weights`, the same
    numbers in numpy) and each technology keeps its :data:`KEEP_PER_TOOL` strongest edges, in
    the order its substitutes are ranked (so its ranked list is exactly that of the whole
    graph); beyond the budget, big feature groups are sampled with a window of :data:`WINDOW`
    and each technology keeps its :data:`TOP_K` strongest edges.

    Examples
    --------
    Two serving tools and a tracker that shares only a language with them:

    >>> profs = {
    ...     "tool/a": Profile("tool/a", "A", "tool", capabilities={"cap/serving"}, languages={"lang/py"}),
    ...     "tool/b": Profile("tool/b", "B", "tool", capabilities={"cap/serving"}, languages={"lang/py"}),
    ...     "tool/c": Profile("tool/c", "C", "tool", capabilities={"cap/tracking"}, languages={"lang/py"}),
    ... }
    >>> g = substitutability_graph(profs, labels={})
    >>> sorted(g.nodes), list(g.edges(data="weight"))
    (['tool/a', 'tool/b', 'tool/c'], [('tool/a', 'tool/b', 4.3)])
    """
    large = len(profs) > PAIRWISE_LIMIT
    exact = not large or exact_pair_count(profs) <= EXACT_PAIR_BUDGET
    g = nx.Graph()
    for iri in sorted(profs):
        g.add_node(iri, label=profs[iri].label, kind=profs[iri].kind)
    if large and exact:
        g.add_weighted_edges_from(_exact_strongest(profs, weights, KEEP_PER_TOOL))
        return g
    weighted = []
    for a, b in sorted(candidate_pairs(profs, window=WINDOW if large else None)):
        weight = weight_of(profs[a], profs[b], weights)
        if weight > 0:
            weighted.append((a, b, weight))
    if large:
        best: dict[str, list] = {}
        for a, b, w in weighted:
            best.setdefault(a, []).append((-w, b))
            best.setdefault(b, []).append((-w, a))
        keep = {tuple(sorted((a, b))) for a, rows in best.items() for _w, b in sorted(rows)[:TOP_K]}
        weighted = [row for row in weighted if (row[0], row[1]) in keep]
    g.add_weighted_edges_from(weighted)
    return g


def _numbered(profs: dict[str, Profile]):
    order = sorted(profs)
    return order, {iri: i for i, iri in enumerate(order)}


def _incidence(sets, n: int):
    """Sparse 0/1 matrix: a row per technology, a column per item of any of ``sets``."""
    import numpy as np
    import scipy.sparse as sparse

    vocabulary: dict = {}
    rows, cols = [], []
    for i, items in enumerate(sets):
        for item in items:
            rows.append(i)
            cols.append(vocabulary.setdefault(item, len(vocabulary)))
    return sparse.csr_matrix((np.ones(len(rows), np.int64), (rows, cols)), shape=(n, max(1, len(vocabulary))))


def _links(profs, order, number, attributes):
    """Sparse symmetric n × n matrix: 1 where one technology names the other in ``attributes``."""
    import numpy as np
    import scipy.sparse as sparse

    rows, cols = [], []
    for i, iri in enumerate(order):
        for attribute in attributes:
            for other in getattr(profs[iri], attribute):
                j = number.get(other)
                if j is not None and j != i:
                    rows += [i, j]
                    cols += [j, i]
    n = len(order)
    return sparse.csr_matrix((np.ones(len(rows), np.int64), (rows, cols)), shape=(n, n))


def _candidate_numbers(profs, order, number):
    """:func:`candidate_pairs` (no window) as two arrays of technology numbers, ``first <
    second``, in sorted order: pairs sharing a feature group of at most :data:`GROUP_LIMIT`
    members, and directly linked pairs."""
    import numpy as np
    import scipy.sparse as sparse

    groups: dict[tuple, list[int]] = {}
    for i, iri in enumerate(order):
        for feature in _features(profs[iri], None):
            groups.setdefault(feature, []).append(i)
    kept = [members for members in groups.values() if 1 < len(members) <= GROUP_LIMIT]
    rows = [i for members in kept for i in members]
    cols = [c for c, members in enumerate(kept) for _i in members]
    n = len(order)
    features = sparse.csr_matrix((np.ones(len(rows), np.int64), (rows, cols)), shape=(n, max(1, len(kept))))
    together = sparse.triu(features @ features.T + _links(profs, order, number,
                                                          ("alternatives", "equivalents", "equivalent_of")), k=1)
    together = together.tocsr()
    together.sum_duplicates()
    together.sort_indices()
    first = np.repeat(np.arange(n, dtype=np.int64), np.diff(together.indptr))
    return first, together.indices.astype(np.int64)


def _weights(profs, order, number, first, second, weights=WEIGHTS):
    """:func:`weight_of` of each pair (``first[k]``, ``second[k]``), rounded, as a numpy array."""
    import numpy as np

    n = len(order)

    def shared_and_sizes(attribute):
        m = _incidence([getattr(profs[iri], attribute) for iri in order], n)
        sizes = np.diff(m.indptr)
        shared = np.asarray(m[first].multiply(m[second]).sum(axis=1)).ravel()
        return shared, sizes[first], sizes[second]

    def jaccard(attribute):
        shared, size_a, size_b = shared_and_sizes(attribute)
        both = (size_a > 0) & (size_b > 0)
        return np.where(both, shared / np.where(both, size_a + size_b - shared, 1), 0.0)

    def linked(attribute):  # b in a.<attribute> or a in b.<attribute>
        return np.asarray(_links(profs, order, number, (attribute,))[first, second]).ravel() > 0

    # weight_of's terms, in its order, with its float operations: the same sums bit for bit
    total = np.zeros(len(first))
    total = total + np.where(linked("alternatives"), weights["stated_alternative"], 0.0)
    total = total + np.where(linked("equivalents"), weights["cloud_equivalent"], 0.0)
    total = total + weights["capabilities"] * jaccard("capabilities")
    total = total + weights["shared_equivalents"] * jaccard("equivalents")
    total = total + weights["co_alternatives"] * np.minimum(shared_and_sizes("alternative_of")[0], 2)
    total = total + weights["languages"] * jaccard("languages")
    total = total + weights["industries"] * jaccard("industries")
    return _round6(total)


def _round6(values):
    """``[round(v, 6) for v in values]``, fast: numpy rounds, Python's ``round`` decides the
    near-ties. Away from a tie, rounding the scaled value to the nearest integer picks the same
    integer k as rounding the exact decimal, and k / 1e6 is then the double nearest to
    k·10⁻⁶, as ``round`` gives; within 0.001 of a tie, ``round`` itself decides.

    Examples
    --------
    >>> import numpy as np
    >>> values = np.array([0.3 / 64, 2.675, 1 / 3, 4.3, 0.0046875, 1e-7])
    >>> _round6(values).tolist() == [round(v, 6) for v in values.tolist()]
    True
    """
    import numpy as np

    scaled = values * 1e6
    out = np.rint(scaled) / 1e6
    for k in np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-3).tolist():
        out[k] = round(float(values[k]), 6)
    return out


def pair_weights(profs: dict[str, Profile], pairs: list[tuple[str, str]], weights=WEIGHTS) -> list[tuple]:
    """``[(a, b, weight)]`` for the ``pairs`` with a positive :func:`weight_of`, in their order:
    the same numbers, computed for all pairs at once with sparse matrices (numpy, scipy).

    Each term is added in :func:`weight_of`'s order with the same float operations, and the
    sum is rounded by Python's ``round``, so every weight equals :func:`weight_of`'s bit for bit
    (a test compares them on every pair of the shipped graph).

    Examples
    --------
    >>> profs = {"t/a": Profile("t/a", "A", "tool", capabilities={"c/x", "c/y"}, alternatives={"t/b"}),
    ...          "t/b": Profile("t/b", "B", "tool", capabilities={"c/x"}),
    ...          "t/c": Profile("t/c", "C", "tool", languages={"l/py"})}
    >>> pairs = [("t/a", "t/b"), ("t/a", "t/c")]
    >>> pair_weights(profs, pairs) == [(a, b, weight_of(profs[a], profs[b])) for a, b in pairs[:1]]
    True
    """
    import numpy as np

    if not pairs:
        return []
    order, number = _numbered(profs)
    first = np.fromiter((number[a] for a, _b in pairs), np.int64, len(pairs))
    second = np.fromiter((number[b] for _a, b in pairs), np.int64, len(pairs))
    return [(a, b, w) for (a, b), w in zip(pairs, _weights(profs, order, number, first, second, weights).tolist())
            if w > 0]


def _exact_strongest(profs: dict[str, Profile], weights, keep: int) -> list[tuple]:
    """Every candidate pair compared (in numpy), each technology's ``keep`` strongest edges
    kept, in the order substitutes are ranked (weight, label, IRI): ``[(a, b, weight)]``
    with ``a < b``, sorted."""
    import numpy as np

    order, number = _numbered(profs)
    first, second = _candidate_numbers(profs, order, number)
    values = _weights(profs, order, number, first, second, weights)
    positive = values > 0
    first, second, values = first[positive], second[positive], values[positive]
    by_label = sorted(range(len(order)), key=lambda i: (profs[order[i]].label.lower(), order[i]))
    rank = np.empty(len(order), np.int64)
    rank[by_label] = np.arange(len(order))
    owner = np.concatenate([first, second])
    other = np.concatenate([second, first])
    edge = np.concatenate([np.arange(len(first))] * 2)
    micro = np.rint(np.concatenate([values, values]) * 1e6).astype(np.int64)  # weights are rounded to 6 places
    bits = max(1, len(order).bit_length())
    spread = int(micro.max()).bit_length() if len(micro) else 1
    if 2 * bits + spread <= 62:  # one integer key (owner, strongest first, then label rank): a fast sort
        ranked = np.argsort((owner << (bits + spread)) | ((micro.max() - micro) << bits) | rank[other])
    else:
        ranked = np.lexsort((rank[other], -micro, owner))
    counts = np.bincount(owner, minlength=len(order))
    starts = (np.cumsum(counts) - counts)[owner[ranked]]
    place = np.arange(len(ranked)) - starts  # the position of each edge in its owner's ranking
    kept = np.zeros(len(first), bool)
    kept[edge[ranked[place < keep]]] = True
    return [(order[a], order[b], w) for a, b, w in zip(first[kept].tolist(), second[kept].tolist(),
                                                        values[kept].tolist())]


def strongest(weighted: list[tuple], profs: dict[str, Profile], keep: int) -> list[tuple]:
    """The edges of ``weighted`` that are among the ``keep`` strongest of either end, in the
    order substitutes are ranked (weight, then label, then IRI); the input order is kept."""
    best: dict[str, list] = {}
    for a, b, w in weighted:
        best.setdefault(a, []).append((-w, profs[b].label.lower(), b))
        best.setdefault(b, []).append((-w, profs[a].label.lower(), a))
    kept = set()
    for a, rows in best.items():
        rows.sort()
        kept.update((min(a, b), max(a, b)) for _w, _label, b in rows[:keep])
    return [row for row in weighted if (row[0], row[1]) in kept]
