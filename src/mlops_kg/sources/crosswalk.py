"""The curated crosswalk from catalogue categories to our capability scheme.

Each catalogue category path is a concept of that catalogue's scheme, at
``https://w3id.org/mlops-kg/id/catalogue/<source>/<slug>/<slug>``; ``graph/landscape/crosswalk.ttl``
maps it to our capabilities (``skos:exactMatch`` / ``broadMatch`` / ``narrowMatch``) or lists it
in an out-of-scope collection (companies, hosting providers, non-AI CNCF areas, ...).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..model.iris import slugify
from ..model.resources import data_dir
from .catalogue import CatalogueError, Record

CATALOGUE = "https://w3id.org/mlops-kg/id/catalogue/"
CAPABILITY = "https://w3id.org/mlops-kg/id/capability/"
OUT_OF_SCOPE = CATALOGUE + "out-of-scope/"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
RELATIONS = {_SKOS + "exactMatch": "exact", _SKOS + "broadMatch": "broad", _SKOS + "narrowMatch": "narrow"}


def category_iri(source: str, path: tuple[str, ...]) -> str:
    """The IRI of a catalogue's category concept.

    Examples
    --------
    >>> category_iri("lfai", ("Model", "Inference"))
    'https://w3id.org/mlops-kg/id/catalogue/lfai/model/inference'
    """
    return f"{CATALOGUE}{slugify(source)}/" + "/".join(slugify(part) for part in path)


@dataclass(frozen=True)
class Crosswalk:
    """``mappings``: category IRI → ((relation, capability IRI), ...); ``excluded``: category
    IRI → out-of-scope collection IRI; ``capabilities``: the capabilities it defines."""

    mappings: dict
    excluded: dict
    capabilities: frozenset

    def status(self, source: str, path: tuple[str, ...]) -> str:
        """``"mapped"``, ``"out of scope"`` or ``"unknown"``."""
        iri = category_iri(source, path)
        if iri in self.mappings:
            return "mapped"
        return "out of scope" if iri in self.excluded else "unknown"

    def capabilities_of(self, record: Record) -> tuple[tuple[str, str], ...]:
        """The (relation, capability IRI) pairs reached from a record's categories."""
        found = []
        for path in record.categories:
            for pair in self.mappings.get(category_iri(record.source, path), ()):
                if pair not in found:
                    found.append(pair)
        return tuple(found)

    def in_scope(self, record: Record) -> bool:
        """A record counts when one of its categories is mapped, or when it sits only in a
        catch-all category, or when its catalogue flags it as AI (CNCF's ``extra.ai``); never
        when its catalogue marks it a resource (best-of's links to its sibling lists and to a
        benchmark site point readers elsewhere: they are not technologies)."""
        if "resource" in record.labels:
            return False
        if "ai" in record.labels:
            return True
        for path in record.categories:
            iri = category_iri(record.source, path)
            if iri in self.mappings or self.excluded.get(iri) == OUT_OF_SCOPE + "uncategorised":
                return True
        return False

    def unmapped(self, records) -> list[tuple[str, tuple[str, ...]]]:
        """Category paths of ``records`` that are neither mapped nor declared out of scope."""
        missing = set()
        for record in records:
            for path in record.categories:
                if self.status(record.source, path) == "unknown":
                    missing.add((record.source, path))
        return sorted(missing)


def crosswalk_file() -> Path:
    """The shipped crosswalk from catalogue categories to capabilities, ``graph/landscape/crosswalk.ttl``."""
    return data_dir("graph") / "landscape" / "crosswalk.ttl"


def load_crosswalk(path=None) -> Crosswalk:
    """Read the crosswalk (by default the shipped ``graph/landscape/crosswalk.ttl``)."""
    from rdflib import Graph
    from rdflib.namespace import RDF, SKOS

    path = Path(path) if path is not None else crosswalk_file()
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except FileNotFoundError:
        raise CatalogueError(f"{path}: file not found; check the path") from None
    except Exception as exc:  # rdflib raises several unrelated types for bad Turtle
        raise CatalogueError(f"{path}: not valid Turtle ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None
    mappings: dict[str, list] = {}
    for subject, predicate, target in graph:
        relation = RELATIONS.get(str(predicate))
        if relation:
            mappings.setdefault(str(subject), []).append((relation, str(target)))
    excluded = {}
    for collection in graph.subjects(RDF.type, SKOS.Collection):
        if str(collection).startswith(OUT_OF_SCOPE):
            for member in graph.objects(collection, SKOS.member):
                excluded[str(member)] = str(collection)
    capabilities = frozenset(str(s) for s in graph.subjects(SKOS.inScheme, None)
                             if str(s).startswith(CAPABILITY))
    return Crosswalk({k: tuple(sorted(v)) for k, v in mappings.items()}, excluded, capabilities)
