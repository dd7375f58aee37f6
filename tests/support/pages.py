"""Helpers for the graph page tests: a synthetic typed graph and an HTML inspector."""
from __future__ import annotations

import json
import random
from html.parser import HTMLParser

import networkx as nx

CDN_MARKERS = ("cdn.", "cdnjs", "jsdelivr", "unpkg", "googleapis", "bootstrap", "cloudflare")


def synthetic_graph(n: int = 2000, seed: int = 7) -> nx.MultiDiGraph:
    """A projection-like graph (kind/label/description on nodes, relation on edges) of ``n`` nodes."""
    rng = random.Random(seed)
    kinds = ["tool"] * 6 + ["service", "capability", "language", "use-case"]
    g = nx.MultiDiGraph()
    for i in range(n):
        g.add_node(f"urn:n:{i:05d}", kind=rng.choice(kinds), label=f"Node {i}", description=f"Synthetic node {i}.")
    for i in range(1, n):
        j = rng.randrange(max(0, i - 50), i)
        g.add_edge(f"urn:n:{i:05d}", f"urn:n:{j:05d}", key="a", relation="integratesWith")
        k = rng.randrange(n)
        if k != i and rng.random() < 0.5:
            g.add_edge(f"urn:n:{i:05d}", f"urn:n:{k:05d}", key="b", relation="hasCapability")
    return g


class PageInspector(HTMLParser):
    """Collects the tags of a page: scripts (with type/src), links, every attribute, text, JSON data."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[dict] = []
        self.text_parts: list[str] = []
        self._script = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "script":
            self._script = {"attrs": attrs, "text": ""}
            self.scripts.append(self._script)

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._script["text"] += data
        else:
            self.text_parts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.text_parts)

    def graph_data(self) -> dict | None:
        for script in self.scripts:
            if script["attrs"].get("id") == "graph-data":
                return json.loads(script["text"])
        return None

    def remote_references(self) -> list[str]:
        """``src``/``href`` of scripts, style sheets and other loaded resources that leave the machine."""
        found = []
        for tag, attrs in self.tags:
            if tag in ("script", "link", "img", "iframe", "embed", "object", "source", "video", "audio", "base"):
                for name in ("src", "href", "data"):
                    value = (attrs.get(name) or "").strip().lower()
                    if value.startswith(("http:", "https:", "//", "ftp:")):
                        found.append(f"<{tag} {name}={value}>")
        return found

    def event_handler_attributes(self) -> list[str]:
        return [f"<{tag} {name}>" for tag, attrs in self.tags for name in attrs if name.lower().startswith("on")]
