"""What a technology is, from its facts: the index of facts the pages read, and each technology's
summary (kind, capabilities, licence, status, stars, catalogue categories, repository).

The landscape's catalogues give most tools no description of our own, and their own prose is
never copied. A page says what such a tool is from its facts instead (:func:`what_it_is`).

The landscape terms (``mlo:kind``, ``mlo:status``, ``mlo:starCount``, ``mlo:osiApproved``, …) are
proposed in ``ontology/proposed/``; they are spelt out here so the pages read them whether or not
:class:`mlops_kg.model.namespaces.MLO` declares them yet.

>>> summary = Summary(label="Feast", type_title="Tool", kind="Feature store",
...                   capabilities=["Feature store"], licences=[Licence("Apache-2.0", True, "")],
...                   status="active", stars=5600, languages=["Python", "Go"])
>>> what_it_is(summary)
'Feast is a feature store, written in Python and Go, under Apache-2.0 (OSI-approved). Status: active. 5,600 stars on GitHub.'
"""
from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS

from ..model.namespaces import MLO, SCHEMA

_NS = str(MLO._NS)
KIND = URIRef(_NS + "kind")
STATUS = URIRef(_NS + "status")
STATUS_DATE = URIRef(_NS + "statusDate")
STAR_COUNT = URIRef(_NS + "starCount")
OSI_APPROVED = URIRef(_NS + "osiApproved")
ARCHIVED = URIRef(_NS + "archived")
SUCCESSOR = URIRef(_NS + "successor")
LAST_COMMIT = URIRef(_NS + "lastCommitDate")
#: Facts a summary shows, in this order on a tool page.
SUMMARY_PREDICATES = (KIND, MLO.hasCapability, SCHEMA.license, STATUS, STAR_COUNT, MLO.usesLanguage,
                      DCTERMS.subject, SCHEMA.codeRepository, SCHEMA.url)


class FactIndex:
    """Triples indexed by subject and by object: the look-ups a site makes thousands of times,
    without building an rdflib graph (which costs seconds for a landscape).

    Parameters
    ----------
    triples : iterable of tuple
        ``(s, p, o)`` rdflib terms.

    Examples
    --------
    >>> from rdflib import URIRef
    >>> a, p, b = URIRef("urn:a"), URIRef("urn:p"), URIRef("urn:b")
    >>> facts = FactIndex([(a, p, b)])
    >>> facts.objects(a, p), facts.subjects(p, b), facts.value(b, p)
    ([rdflib.term.URIRef('urn:b')], [rdflib.term.URIRef('urn:a')], None)
    """

    def __init__(self, triples):
        self.by_subject: dict = {}
        self.by_object: dict = {}
        for s, p, o in triples:
            self.by_subject.setdefault(s, {}).setdefault(p, []).append(o)
            self.by_object.setdefault(o, {}).setdefault(p, []).append(s)

    def objects(self, s, p) -> list:
        """The objects of ``s p ?o`` (a new list)."""
        return list(self.by_subject.get(s, {}).get(p, ()))

    def subjects(self, p, o) -> list:
        """The subjects of ``?s p o`` (a new list)."""
        return list(self.by_object.get(o, {}).get(p, ()))

    def predicate_objects(self, s):
        """Every ``(p, o)`` of subject ``s``."""
        for p, objects in self.by_subject.get(s, {}).items():
            for o in objects:
                yield p, o

    def value(self, s, p):
        """One object of ``s p ?o`` (the least, so the choice is stable), or None."""
        objects = self.by_subject.get(s, {}).get(p)
        return min(objects) if objects else None


@dataclass
class Licence:
    """A licence as the pages show it: the SPDX identifier, whether the OSI approved it, its IRI."""

    name: str
    osi: bool | None
    iri: str


@dataclass
class Summary:
    """What a technology is, from its facts; a missing fact is None or empty."""

    label: str
    type_title: str
    kind: str | None = None
    kind_iri: str | None = None
    capabilities: list = field(default_factory=list)
    capability_iris: list = field(default_factory=list)
    licences: list = field(default_factory=list)
    status: str | None = None
    status_iri: str | None = None
    status_date: str | None = None
    stars: int | None = None
    languages: list = field(default_factory=list)
    categories: list = field(default_factory=list)
    repository: str | None = None
    homepage: str | None = None
    successors: list = field(default_factory=list)


def _label(labels: dict, term) -> str:
    return labels.get(str(term)) or str(term).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _sorted_labels(labels: dict, terms) -> list[str]:
    return sorted({_label(labels, t) for t in terms}, key=lambda text: (text.lower(), text))


def licence_of(facts: FactIndex, term) -> Licence:
    """The :class:`Licence` of a licence node: its ``dcterms:identifier`` (an SPDX id), else the
    last segment of its IRI; OSI approval from ``mlo:osiApproved`` (None when not stated).

    Examples
    --------
    >>> licence_of(FactIndex([]), URIRef("https://spdx.org/licenses/MIT"))
    Licence(name='MIT', osi=None, iri='https://spdx.org/licenses/MIT')
    """
    identifier = facts.value(term, DCTERMS.identifier)
    approved = facts.value(term, OSI_APPROVED)
    osi = bool(approved.toPython()) if isinstance(approved, Literal) else None
    name = str(identifier) if identifier is not None else str(term).rstrip("/").rsplit("/", 1)[-1]
    return Licence(name, osi, str(term))


def summarise(facts: FactIndex, labels: dict, iri: str, *, type_title: str = "Tool") -> Summary:
    """The :class:`Summary` of the technology ``iri``.

    Several catalogues may state a fact differently: every licence is kept (sorted), the star
    count is the highest one stated, categories are those of every catalogue. A status comes
    from ``mlo:status``, else ``archived`` when a catalogue says the repository is archived.

    Parameters
    ----------
    facts : FactIndex
        Every fact of the build.
    labels : dict
        Node IRI → preferred label.
    iri : str
        The technology.
    type_title : str
        What it is when no kind is stated ("Tool", "Cloud service", "Platform").

    Returns
    -------
    Summary
    """
    t = URIRef(iri)
    kind = facts.value(t, KIND)
    status = facts.value(t, STATUS)
    status_name = _label(labels, status) if status is not None else None
    if status is None and any(isinstance(a, Literal) and a.toPython() is True for a in facts.objects(t, ARCHIVED)):
        status_name = "archived"
    stars = [int(s) for s in facts.objects(t, STAR_COUNT) if isinstance(s, Literal) and str(s).isdigit()]
    repositories = sorted(str(r) for r in facts.objects(t, SCHEMA.codeRepository))
    homepages = sorted(str(u) for u in facts.objects(t, SCHEMA.url))
    capabilities = sorted(facts.objects(t, MLO.hasCapability), key=lambda c: (_label(labels, c).lower(), str(c)))
    date = facts.value(t, STATUS_DATE)
    return Summary(
        label=labels.get(iri, iri), type_title=type_title,
        kind=_label(labels, kind) if kind is not None else None, kind_iri=str(kind) if kind is not None else None,
        capabilities=[_label(labels, c) for c in capabilities], capability_iris=[str(c) for c in capabilities],
        licences=sorted((licence_of(facts, lic) for lic in set(facts.objects(t, SCHEMA.license))),
                        key=lambda lic: (lic.name.lower(), lic.iri)),
        status=status_name, status_iri=str(status) if status is not None else None,
        status_date=str(date) if date is not None else None,
        stars=max(stars) if stars else None,
        languages=_sorted_labels(labels, facts.objects(t, MLO.usesLanguage)),
        categories=_sorted_labels(labels, facts.objects(t, DCTERMS.subject)),
        repository=repositories[0] if repositories else None,
        homepage=homepages[0] if homepages else None,
        successors=_sorted_labels(labels, facts.objects(t, SUCCESSOR)))


def _stem(word: str) -> str:
    for suffix in ("ing", "ion", "ers", "er", "or", "s", "e"):
        if word.endswith(suffix) and len(word) > len(suffix) + 3:
            return word[:-len(suffix)]
    return word


def _names_the_kind(capability: str, kind: str) -> bool:
    """Whether a capability only repeats the kind ("experiment tracking" of an "experiment
    tracker", "data versioning" of a "data versioning tool"): the sentence leaves it out.

    Examples
    --------
    >>> _names_the_kind("Experiment tracking", "Experiment tracker"), _names_the_kind("Model registry", "Experiment tracker")
    (True, False)
    """
    words = [_stem(w) for w in capability.lower().split()]
    return bool(words) and words == [_stem(w) for w in kind.lower().split()][:len(words)]


def _lower_first(text: str) -> str:
    """``"Experiment tracker"`` → ``"experiment tracker"``; ``"ML library"`` stays."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _article(text: str) -> str:
    sound = text.split(" ", 1)[0]
    vowel = text[:1].lower() in "aeiou" or (sound.isupper() and sound[:1] in "AEFHILMNORSX")
    return ("an " if vowel else "a ") + text


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def what_it_is(summary: Summary) -> str:
    """One sentence saying what a technology is, made from its facts only (no catalogue prose).

    Parameters
    ----------
    summary : Summary
        From :func:`summarise`.

    Returns
    -------
    str
        E.g. "X is an experiment tracker for experiment tracking and model registry, written in
        Python, under MIT (OSI-approved). Status: active. 1,234 stars on GitHub."

    Examples
    --------
    >>> what_it_is(Summary(label="Y", type_title="Cloud service", status="sunset", status_date="2026-03-05"))
    'Y is a cloud service. Status: sunset (2026-03-05).'
    >>> what_it_is(Summary(label="Z", type_title="Tool", kind="ML pipeline framework"))
    'Z is an ML pipeline framework.'
    """
    what = _article(_lower_first(summary.kind or summary.type_title))
    text = f"{summary.label} is {what}"
    doing = [_lower_first(c) for c in summary.capabilities if not _names_the_kind(c, summary.kind or "")]
    if doing:
        text += " for " + _and(doing[:4])
    if summary.languages:
        text += ", written in " + _and(summary.languages[:4])
    if summary.licences:
        parts = [lic.name + {True: " (OSI-approved)", False: " (not OSI-approved)", None: ""}[lic.osi]
                 for lic in summary.licences]
        text += ", under " + " or ".join(parts)
    text += "."
    if summary.status:
        text += f" Status: {summary.status}" + (f" ({summary.status_date})" if summary.status_date else "") + "."
    if summary.successors:
        text += " Succeeded by " + _and(summary.successors) + "."
    if summary.stars is not None:
        text += f" {summary.stars:,} stars on GitHub."
    return text
