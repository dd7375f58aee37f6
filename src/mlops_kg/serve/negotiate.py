"""Content negotiation: the result formats offered per result kind, their media types, and
the choice of one from an ``Accept`` header (q-values honoured)."""
from __future__ import annotations



#: Formats offered per result kind, in server preference order (first is the default), each
#: with the media types that select it. The first media type is the one sent back.
SELECT_OFFERS = {
    "json": ("application/sparql-results+json", "application/json"),
    "xml": ("application/sparql-results+xml", "application/xml", "text/xml"),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
}
GRAPH_OFFERS = {
    "ttl": ("text/turtle", "application/turtle", "application/x-turtle"),
    "nt": ("application/n-triples",),
    "jsonld": ("application/ld+json",),
    "rdfxml": ("application/rdf+xml",),
}
#: ``format=`` / ``output=`` values → (format of a SELECT/ASK result, of a CONSTRUCT/DESCRIBE
#: result). SPARQLWrapper sends its return format this way (``json``, ``xml``, ``turtle``, ...).
FORMAT_NAMES = {"json": ("json", "jsonld"), "xml": ("xml", "rdfxml"), "csv": ("csv", None),
                "tsv": ("tsv", None), "ttl": (None, "ttl"), "turtle": (None, "ttl"), "n3": (None, "ttl"),
                "nt": (None, "nt"), "ntriples": (None, "nt"), "n-triples": (None, "nt"),
                "jsonld": (None, "jsonld"), "json-ld": (None, "jsonld"), "rdfxml": (None, "rdfxml"),
                "rdf": (None, "rdfxml"), "rdf+xml": (None, "rdfxml")}
CONTENT_TYPES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                 "csv": "text/csv; charset=utf-8", "tsv": "text/tab-separated-values; charset=utf-8",
                 "ttl": "text/turtle; charset=utf-8", "nt": "application/n-triples",
                 "jsonld": "application/ld+json", "rdfxml": "application/rdf+xml"}
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
