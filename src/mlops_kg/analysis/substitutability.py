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


#: Above this many technologies, candidate pairs are sampled (see substitutability_graph).
PAIRWISE_LIMIT = 1000
WINDOW = 4      # on large graphs: neighbours compared on each side within a big feature group
TOP_K = 10      # on large graphs: edges kept per technology


def candidate_pairs(profs: dict[str, Profile], *, window: int | None = None) -> set[tuple[str, str]]:
    """Pairs worth comparing: they share a capability set or a capability, a cloud equivalent,
    a tool naming both, or one is directly related to the other.

    With ``window``, a feature group larger than ``2 * window + 1`` contributes only pairs of
    members at most ``window`` apart in IRI order (a deterministic sample that keeps the work
    linear); without it every pair of a group is compared (groups over 2,000 are skipped).
    """
    by_feature: dict[tuple, list[str]] = {}
    for iri, p in profs.items():
        features = [("s", frozenset(p.capabilities))] if p.capabilities else []
        features += [("e", v) for v in p.equivalents] + [("o", v) for v in p.alternative_of]
        if window is None:
            features += [("c", v) for v in p.capabilities]
        for feature in features:
            by_feature.setdefault(feature, []).append(iri)
    # direct relations: the two technologies themselves are linked (not merely a shared neighbour)
    pairs = {tuple(sorted((iri, v))) for iri, p in profs.items()
             for v in p.alternatives | p.equivalents | p.equivalent_of if v in profs and v != iri}
    for members in by_feature.values():
        if len(members) < 2:
            continue
        members.sort()
        if window is None or len(members) <= 2 * window + 1:
            if window is None and len(members) > 2000:
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
    such pair is compared; above it, big feature groups are sampled with a window of
    :data:`WINDOW` and each technology keeps its :data:`TOP_K` strongest edges.

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
    g = nx.Graph()
    for iri in sorted(profs):
        g.add_node(iri, label=profs[iri].label, kind=profs[iri].kind)
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
