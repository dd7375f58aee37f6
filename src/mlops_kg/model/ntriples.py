"""N-Triples and N-Quads text in which every line is one statement, whatever the literals hold.

rdflib escapes only ``\\``, ``"``, LF and CR, and leaves the other control characters and
U+0085, U+2028, U+2029 raw: valid N-Triples, but each of them is a line break to
``str.splitlines()`` and to many line-oriented tools, so a file sorted or read line by line
came out broken. Here all of them are escaped (``\\uXXXX`` where N-Triples has no short escape),
which every N-Triples parser reads back as the same characters.
"""
from __future__ import annotations

_SHORT = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
#: Characters that are not printable or break lines somewhere: C0 controls, DEL, NEL, LS, PS.
BREAKING = [chr(c) for c in range(0x20)] + ["\x7f", "\x85", "\u2028", "\u2029"]
_LITERAL = str.maketrans({**{c: f"\\u{ord(c):04X}" for c in BREAKING}, **_SHORT})
# An IRI cannot hold these raw; a UCHAR keeps the line whole (a strict parser may still refuse it).
_IRI = str.maketrans({c: f"\\u{ord(c):04X}" for c in BREAKING + list(' <>"{}|^`\\')})

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def term(node) -> str:
    """``node`` (an rdflib term) in N-Triples syntax."""
    from rdflib import BNode, Literal

    if isinstance(node, Literal):
        text = '"' + str(node).translate(_LITERAL) + '"'
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype is not None:
            return f"{text}^^<{str(node.datatype).translate(_IRI)}>"
        return text
    if isinstance(node, BNode):
        return f"_:{node}"
    return f"<{str(node).translate(_IRI)}>"


def triple_lines(triples) -> list[str]:
    """One N-Triples line (with its newline) per triple, sorted, duplicates dropped.

    Each distinct term is written once (a graph repeats its predicates and nodes many times)."""
    written: dict = {}

    def text(node):
        try:
            return written[node]
        except KeyError:
            written[node] = out = term(node)
            return out

    return sorted({f"{text(s)} {text(p)} {text(o)} .\n" for s, p, o in triples})


def quad_lines(ds) -> list[str]:
    """One N-Quads line per statement of the rdflib Dataset ``ds``, sorted; a triple of the
    default graph has no graph name."""
    from .load import default_graph

    default = default_graph(ds).identifier
    lines = set()
    for graph in ds.graphs():
        name = "" if graph.identifier == default else f" {term(graph.identifier)}"
        for s, p, o in graph:
            lines.add(f"{term(s)} {term(p)} {term(o)}{name} .\n")
    return sorted(lines)
