"""Content negotiation: the result formats offered per result kind, their media types, and
the choice of one from an ``Accept`` header (q-values honoured)."""
from __future__ import annotations

#: The one table of result formats: key → (result kind, the media types that select it, its
#: name under http://www.w3.org/ns/formats/ for the service description). Per kind in server
#: preference order (the first is the default); the first media type is the one sent back.
FORMATS = {
    "json": ("select", ("application/sparql-results+json", "application/json"), "SPARQL_Results_JSON"),
    "xml": ("select", ("application/sparql-results+xml", "application/xml", "text/xml"), "SPARQL_Results_XML"),
    "csv": ("select", ("text/csv",), "SPARQL_Results_CSV"),
    "tsv": ("select", ("text/tab-separated-values",), "SPARQL_Results_TSV"),
    "ttl": ("graph", ("text/turtle", "application/turtle", "application/x-turtle"), "Turtle"),
    "nt": ("graph", ("application/n-triples",), "N-Triples"),
    "jsonld": ("graph", ("application/ld+json",), "JSON-LD"),
    "rdfxml": ("graph", ("application/rdf+xml",), "RDF_XML"),
}
#: Formats offered for a SELECT or ASK result, and for a CONSTRUCT or DESCRIBE result.
SELECT_OFFERS = {key: types for key, (kind, types, _name) in FORMATS.items() if kind == "select"}
GRAPH_OFFERS = {key: types for key, (kind, types, _name) in FORMATS.items() if kind == "graph"}
#: ``format=`` / ``output=`` values → (format of a SELECT/ASK result, of a CONSTRUCT/DESCRIBE
#: result). SPARQLWrapper sends its return format this way (``json``, ``xml``, ``turtle``, ...).
FORMAT_NAMES = {"json": ("json", "jsonld"), "xml": ("xml", "rdfxml"), "csv": ("csv", None),
                "tsv": ("tsv", None), "ttl": (None, "ttl"), "turtle": (None, "ttl"), "n3": (None, "ttl"),
                "nt": (None, "nt"), "ntriples": (None, "nt"), "n-triples": (None, "nt"),
                "jsonld": (None, "jsonld"), "json-ld": (None, "jsonld"), "rdfxml": (None, "rdfxml"),
                "rdf": (None, "rdfxml"), "rdf+xml": (None, "rdfxml")}
#: The Content-Type sent with each format: its first media type, with the charset for text/*
#: (the others are UTF-8 by definition).
CONTENT_TYPES = {key: types[0] + ("; charset=utf-8" if types[0].startswith("text/") else "")
                 for key, (_kind, types, _name) in FORMATS.items()}


# --- content negotiation ---------------------------------------------------------------------

def _parse_accept(header: str) -> list[tuple[str, str, float]]:
    ranges = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            continue
        kind, _, sub = media.partition("/")
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((kind, sub, q))
    return ranges


def negotiate(accept: str | None, offers: dict) -> str | None:
    """The key of ``offers`` that ``accept`` (an HTTP Accept header) prefers, or None.

    Each offered media type gets the q-value of the most specific range that matches it;
    the highest q wins, ties go to the earlier offer. No header means the first offer. Aliases
    (``application/json``, ``text/xml``, ...) count only when named exactly, not via ``text/*``.

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", SELECT_OFFERS)
    'xml'
    """
    if not accept or not accept.strip():
        return next(iter(offers))
    ranges = _parse_accept(accept) or [("*", "*", 1.0)]
    best, best_q = None, 0.0
    for key, media_types in offers.items():
        for index, media in enumerate(media_types):
            kind, _, sub = media.partition("/")
            match = None  # (specificity, q)
            for r_kind, r_sub, q in ranges:
                if (r_kind, r_sub) == (kind, sub):
                    spec = 2
                elif index:
                    continue
                elif r_kind == kind and r_sub == "*":
                    spec = 1
                elif (r_kind, r_sub) == ("*", "*"):
                    spec = 0
                else:
                    continue
                if match is None or spec > match[0]:
                    match = (spec, q)
            if match and match[1] > best_q:
                best, best_q = key, match[1]
    return best
