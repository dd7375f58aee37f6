"""Importing Markdown guides: names resolved against what the graph knows, facts with provenance.

``import_guide(path, known=graph)`` parses a guide (:mod:`mlops_kg.sources.guide`), resolves every
name it mentions against ``known`` (labels, aliases, vendor prefixes, parentheticals — see
:mod:`mlops_kg.sources.resolve`), mints nodes only for things the graph does not know, typed by the
field they appear in, and returns the RDF plus a report. Every fact is reified once with the
section and line it comes from (``rdf:Statement`` + ``prov:wasDerivedFrom``), so provenance
survives a merge into any graph.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS, XSD

from ..errors import MlopsKgError
from .guide import Guide, Item, Section, parse_guide, split_list, visible, without_controls
from ..model.iris import mint_iri, slugify
from ..model.names import normalize_name
from ..model.namespaces import CAP, ID, MLO, SCHEMA, bind_prefixes
from .resolve import Resolver


class GuideImportError(MlopsKgError):
    """The file is not a guide, or cannot be read."""

#: Words that describe a purpose rather than name a thing ("AWS S3 for storage").
_QUALIFIER = re.compile(r"^(?:for|with)?\s*(?:storage|orchestration|serving models?|serving|versioning"
                        r"(?: features)?|ml pipelines?|pipelines?|deployment|training|tracking|"
                        r"monitoring|experiments?|large file storage|the cloud|cloud platforms?.*)$", re.I)

PROGRAMMING = {"python", "r", "java", "scala", "go", "golang", "julia", "javascript", "typescript", "sql",
               "c", "c++", "c#", "rust", "kotlin", "ruby", "matlab"}
CONFIGURATION = {"yaml", "json", "toml", "hcl", "xml", "ini", "jsonnet"}
SHELL = {"shell", "shell scripting", "bash", "sh", "zsh", "powershell", "shell script", "shell scripts"}
FRAMEWORKS = {"tensorflow", "pytorch", "keras", "scikit-learn", "sklearn", "xgboost", "lightgbm", "jax",
              "mxnet", "onnx", "hugging face", "transformers", "spark mllib"}
VENDORS = (("aws", "provider/amazon-web-services", "Amazon Web Services"),
           ("amazon", "provider/amazon-web-services", "Amazon Web Services"),
           ("azure", "provider/microsoft-azure", "Microsoft Azure"),
           ("microsoft", "provider/microsoft-azure", "Microsoft Azure"),
           ("google", "provider/google-cloud", "Google Cloud"),
           ("gcp", "provider/google-cloud", "Google Cloud"),
           ("ibm", "provider/ibm-cloud", "IBM Cloud"),
           ("oracle", "provider/oracle-cloud", "Oracle Cloud"),
           ("alibaba", "provider/alibaba-cloud", "Alibaba Cloud"))

#: Phrases in a tool's description → capabilities (used only for tools the graph does not know).
CAPABILITY_HINTS = (
    ("experiment-tracking", r"experiment|tracking of (?:runs|metrics)|track(?:s|ing)? (?:runs|metrics|experiments)"),
    ("workflow-orchestration", r"orchestrat|schedul|workflow"),
    ("ml-pipelines", r"pipeline"),
    ("data-versioning", r"version(?:ing| control)|data version"),
    ("model-serving", r"serves (?:ml |machine learning )?models|serving|deploy|inference"),
    ("model-monitoring", r"monitor"),
    ("model-registry", r"model registry|registry"),
    ("feature-store", r"feature store"),
    ("end-to-end-platform", r"end-to-end|whole (?:ml |machine learning )?lifecycle|complete machine learning lifecycle"),
    ("distributed-training", r"distributed training|distributed"),
    ("hyperparameter-tuning", r"hyperparameter"),
    ("data-validation", r"data validation"),
    ("reproducibility", r"reproduc"),
    ("model-governance", r"governance"),
    ("experiment-visualization", r"visuali[sz]"),
    ("automl", r"automl|automated machine learning"),
    ("data-lineage", r"lineage"),
    ("data-pipelines", r"\betl\b|data pipeline"),
)

#: SPDX licence ids a guide may give, each with the other ways people write it; matched without
#: case, spaces and punctuation (see :func:`licence_iris`). The graph names licences by their
#: SPDX IRI (``schema:license <https://spdx.org/licenses/Apache-2.0>``, as in graph/curated).
LICENCES = {
    "Apache-2.0": ("Apache 2.0", "Apache 2", "Apache License 2.0", "Apache License, Version 2.0",
                   "Apache Software License 2.0", "ASL 2.0", "Apache License v2.0", "Apache v2"),
    "MIT": ("MIT License", "The MIT License", "Expat"),
    "BSD-3-Clause": ("BSD 3-Clause", "3-Clause BSD", "BSD-3", "BSD 3", "New BSD", "Modified BSD",
                     "BSD 3-Clause License", "Revised BSD"),
    "BSD-2-Clause": ("BSD 2-Clause", "2-Clause BSD", "BSD-2", "Simplified BSD", "FreeBSD License"),
    "MPL-2.0": ("MPL 2.0", "Mozilla Public License 2.0", "MPL v2.0"),
    "GPL-2.0-only": ("GPL-2.0", "GPLv2 only"),
    "GPL-2.0-or-later": ("GPLv2 or later", "GPL-2.0+"),
    "GPL-3.0-only": ("GPL-3.0", "GPLv3 only"),
    "GPL-3.0-or-later": ("GPLv3 or later", "GPL-3.0+"),
    "LGPL-2.1-only": ("LGPL-2.1",), "LGPL-2.1-or-later": ("LGPL-2.1+",),
    "LGPL-3.0-only": ("LGPL-3.0",), "LGPL-3.0-or-later": ("LGPL-3.0+",),
    "AGPL-3.0-only": ("AGPL-3.0", "AGPLv3 only"), "AGPL-3.0-or-later": ("AGPLv3 or later", "AGPL-3.0+"),
    "EPL-2.0": ("Eclipse Public License 2.0", "EPL 2.0"),
    "ISC": ("ISC License",), "Unlicense": ("The Unlicense",), "Zlib": ("zlib License",),
    "CC0-1.0": ("CC0", "CC0 1.0"),
    "BUSL-1.1": ("Business Source License 1.1", "BSL 1.1"),
    "SSPL-1.0": ("Server Side Public License", "SSPL", "SSPL v1"),
    "Elastic-2.0": ("Elastic License 2.0", "ELv2"),
}


def _licence_key(text: str) -> str:
    return re.sub(r"[^a-z0-9+]", "", text.lower())


_LICENCE_BY_KEY = {_licence_key(name): spdx for spdx, names in LICENCES.items() for name in (spdx, *names)}


def licence_iris(text: str) -> list[URIRef] | None:
    """The SPDX IRIs a licence field names ("Apache 2.0", "MIT or Apache-2.0"), or None when
    any part of it is not a licence we know (the field then stays a note).

    Examples
    --------
    >>> [str(i) for i in licence_iris("Apache License, Version 2.0")]
    ['https://spdx.org/licenses/Apache-2.0']
    >>> licence_iris("our own licence") is None
    True
    """
    spdx = []
    for part in re.split(r"\s+(?:or|and)\s+|\s*/\s*", text.strip().rstrip("."), flags=re.I):
        found = _LICENCE_BY_KEY.get(_licence_key(part))  # whole first: "Apache License, Version 2.0"
        pieces = [found] if found else [_LICENCE_BY_KEY.get(_licence_key(p)) for p in re.split(r"[,;]", part)
                                        if p.strip()]
        spdx += pieces
    if not spdx or None in spdx:
        return None
    return [URIRef("https://spdx.org/licenses/" + s) for s in dict.fromkeys(spdx)]


def _loose_key(name: str) -> str:
    """Like normalize_name, but "Comet.ml" = "Comet" and "Neptune.ai" = "Neptune"."""
    return normalize_name(re.sub(r"\.(?:ml|ai|io|com|org|dev)\s*$", "", name.strip(), flags=re.I))


def _vendor(name: str):
    """The VENDORS row when ``name`` is only a cloud vendor ("AWS", "Google Cloud"), else None."""
    key = normalize_name(name)
    for row in VENDORS:
        if key in (row[0], normalize_name(row[2]), row[0] + "cloud", "googlecloudplatform", "microsoftazure"):
            return row
    return None


@dataclass
class Report:
    """What an import did, for the person who ran it: nodes added, names matched, and the
    lines that were ambiguous or could not be read as facts.

    Attributes
    ----------
    guide : str
        The guide's name as given; it heads the report.
    added : dict
        Node kind → labels of the nodes the import created, in the order met.
    matched : list of tuple
        ``(name as written, label it resolved to, line)`` for names found in the known graph.
    notes : list of tuple
        ``(line, message)`` for what was skipped or kept as a note.
    facts : int
        Triples the import produced.
    """

    guide: str
    added: dict[str, list[str]] = field(default_factory=dict)          # kind → labels
    matched: list[tuple[str, str, int]] = field(default_factory=list)  # (as written, resolved label, line)
    notes: list[tuple[int, str]] = field(default_factory=list)         # (line, message)
    facts: int = 0
    _seen: set = field(default_factory=set, repr=False)  # what add() and note() have kept, to skip repeats

    def add(self, kind: str, label: str):
        """Record a new node of ``kind``; a label already recorded is not repeated."""
        if ("added", kind, label) not in self._seen:
            self._seen.add(("added", kind, label))
            self.added.setdefault(kind, []).append(label)

    def note(self, line: int, message: str):
        """Record a message about ``line`` of the guide; the same message for a line is kept once."""
        if ("note", line, message) not in self._seen:
            self._seen.add(("note", line, message))
            self.notes.append((line, message))

    def text(self) -> str:
        """The report as terminal text, with control characters and bidi marks made visible so a
        crafted name cannot rewrite the terminal."""
        out = [f"Import of {self.guide}: {self.facts} facts"]
        tools = self.added.get("tool", [])
        out.append(f"tools added ({len(tools)}): " + (", ".join(tools) or "none"))
        seen = list(dict.fromkeys((written, label) for written, label, _line in self.matched))
        out.append(f"names matched to existing nodes ({len(seen)}):")
        out += [f"  {w!r} -> {label}" for w, label in seen]
        for kind in sorted(k for k in self.added if k != "tool"):
            out.append(f"new {kind} nodes ({len(self.added[kind])}): " + ", ".join(self.added[kind]))
        out.append(f"ambiguous, skipped or kept as notes ({len(self.notes)}):")
        out += [f"  line {line}: {message}" for line, message in sorted(self.notes)]
        # for a terminal: a control character or bidi mark left in a name (or the file's name) shows escaped
        return visible("\n".join(out)) + "\n"


@dataclass
class ImportResult:
    """The graph an import made, and the :class:`Report` of how it was made."""

    graph: Graph
    report: Report

    def turtle(self) -> str:
        """The imported graph as Turtle text."""
        return self.graph.serialize(format="turtle")


def read_guide(path) -> str:
    """The text of a Markdown guide.

    Raises
    ------
    GuideImportError
        When the file is missing, unreadable or not text; the message says which and what to do.
    """
    from ..files import read_text

    return read_text(path, expected="a Markdown guide", error=GuideImportError)


class _Importer:
    def __init__(self, guide: Guide, name: str, known: Graph | None):
        self.guide, self.name = guide, without_controls(name)  # the file's name labels its nodes
        self.out = bind_prefixes(Graph())
        self.report = Report(name)  # the name as given (escaped when shown)
        self.known = known if known is not None else Graph()
        self.resolver = Resolver.from_graph(self.known)
        self.slug = slugify(name) or "guide"
        self.source = ID[f"source/{self.slug}"]
        self.local: dict[str, str] = {}  # normalised name → IRI of nodes this import minted
        self.minted: set[str] = set()    # the same IRIs, for membership tests
        self.parents: dict = {}          # new tool → tools that name it as an alternative
        self.first_line: dict = {}       # minted IRI → line where it first appears

    # --- helpers ---------------------------------------------------------------------------
    def section_iri(self, section: Section | None) -> URIRef:
        if section is None:
            return ID[f"source/{self.slug}-tool-list"]
        return ID[f"source/{self.slug}-line-{section.line}"]

    def fact(self, s, p, o, section: Section | None, line: int):
        """Add a triple and its provenance (reified with the section and line)."""
        if (s, p, o) in self.out:
            return
        self.out.add((s, p, o))
        self.report.facts += 1
        digest = hashlib.sha256(f"{s}|{p}|{o}".encode()).hexdigest()[:16]
        stmt = ID[f"source/{self.slug}-statement-{digest}"]
        self.out.add((stmt, RDF.type, RDF.Statement))
        self.out.add((stmt, RDF.subject, s))
        self.out.add((stmt, RDF.predicate, p))
        self.out.add((stmt, RDF.object, o))
        self.out.add((stmt, PROV.wasDerivedFrom, self.section_iri(section)))
        self.out.add((stmt, MLO.sourceLine, Literal(line, datatype=XSD.integer)))

    def types_of(self, iri: str) -> set[str]:
        entry = self.resolver.entries.get(iri)
        return entry.classes if entry else set()

    def lookup(self, name: str, kind: str, line: int) -> str | None:
        """An existing node (known graph or minted earlier in this import) for ``name``."""
        key = _loose_key(name)
        if key in self.local:
            iri = self.local[key]
            return iri if self.resolver._of_kind([iri], kind) else None
        hits = self.known_node(name, kind)
        if len(hits) > 1:
            labels = ", ".join(self.resolver.label(i) for i in hits)
            self.report.note(line, f"{name!r} is ambiguous ({labels}); skipped")
            return "AMBIGUOUS"
        if not hits:
            return None
        iri = hits[0]
        self.report.matched.append((name, self.resolver.label(iri), line))
        return iri

    def known_node(self, name: str, kind: str) -> list[str]:
        """The resolver's candidates for ``name``. Not :meth:`Resolver.resolve_iri`: its error for an
        unknown name carries suggestions, which cost a search of every name and would go unread."""
        try:
            return self.resolver.candidates(name, kind)
        except MlopsKgError:  # e.g. a name of punctuation only
            return []

    def taken(self, name: str, what: str, line: int) -> bool:
        """True (and reported) when ``name`` already names a node, of another kind than ``what``."""
        iri = self.local.get(_loose_key(name))
        if iri is None:
            hits = self.known_node(name, "node")
            if len(hits) != 1:
                return False
            iri = hits[0]
        classes = sorted(c.rsplit("#", 1)[-1] for c in self.types_of(iri)) or ["node"]
        self.report.note(line, f"{name!r} already names the {classes[0]} {self.resolver.label(iri)!r}, "
                               f"not a {what}; skipped")
        return True

    def other_meaning(self, name: str, wanted: str, line: int) -> bool:
        """True (and reported) when ``name`` names a node of another kind than the field implies."""
        hits = self.known_node(name, "node")
        if len(hits) != 1:
            return False
        iri = hits[0]
        classes = {c.rsplit("#", 1)[-1] for c in self.types_of(iri)}
        if wanted == "tool" and classes and not classes & {"Technology", "Tool", "CloudService", "Platform"}:
            self.report.note(line, f"{name!r} is the {sorted(classes)[0]} {self.resolver.label(iri)!r} in the graph, "
                                   f"not a tool; skipped")
            return True
        return False

    def mint(self, kind: str, label: str, classes: list, line: int, section) -> URIRef:
        iri = mint_iri(kind, label)
        base, n = iri, 2
        while str(iri) in self.resolver.entries and normalize_name(self.resolver.label(str(iri))) != normalize_name(label):
            iri = URIRef(f"{base}-{n}")  # an IRI taken by a different thing: keep both
            n += 1
        self.local[_loose_key(label)] = str(iri)
        self.minted.add(str(iri))
        self.first_line.setdefault(str(iri), line)
        self.resolver.add(str(iri), label, classes={str(c) for c in classes} | {str(MLO.Technology)}
                          if kind in ("tool", "service") else {str(c) for c in classes})
        for cls in classes:
            self.out.add((iri, RDF.type, cls))
        self.out.add((iri, SKOS.prefLabel, Literal(label)))
        self.out.add((iri, MLO.mentionedIn, self.section_iri(section)))
        self.report.add(kind if kind != "service" else "cloud service", label)
        return iri

    # --- names -----------------------------------------------------------------------------
    def parts(self, phrase: str, line: int) -> list[tuple[str, list[str]]]:
        """Split a phrase into (name, aliases) parts: "X with Y", "X for Y", "X (formerly Y)"."""
        out = []
        phrase = phrase.strip()
        aliases = []
        paren = re.match(r"^(.*?)\s*\((.*)\)\s*$", phrase)
        if paren:
            phrase, inner = paren.group(1).strip(), paren.group(2).strip()
            inner_name = re.sub(r"^(?:formerly|previously|aka|now|was|also)\s+", "", inner, flags=re.I)
            if _QUALIFIER.match(inner) or re.match(r"^(?:for|with)\b", inner, re.I) or _vendor(inner):
                self.report.note(line, f"kept {inner!r} as a qualifier of {phrase!r}")
            else:
                aliases.append(inner_name)
        for i, piece in enumerate(re.split(r"\s+(?:with|for|on|via)\s+", phrase)):
            piece = piece.strip()
            if not piece:
                continue
            if i > 0 and _QUALIFIER.match(piece):
                self.report.note(line, f"kept {piece!r} as a qualifier of {phrase!r}")
                continue
            out.append((piece, aliases if i == 0 else []))
        if len(out) > 1 and aliases:  # "Azure ML with AKS (Azure Kubernetes Service)": the alias is the last part's
            out[0], out[-1] = (out[0][0], []), (out[-1][0], aliases)
        return out

    def technology(self, phrase_part: tuple[str, list[str]], field_kind: str, section, line: int,
                   default_provider=None, secondary=False):
        """Resolve or mint a tool ("alternatives") or cloud service ("cloud")."""
        name, aliases = phrase_part
        if not re.search(r"\w", name):
            return None
        if _vendor(name):
            self.report.note(line, f"{name!r} names a cloud provider, not a tool or service; skipped")
            return None
        for candidate in [name, *aliases]:
            iri = self.lookup(candidate, "tool", line)
            if iri == "AMBIGUOUS":
                return None
            if iri:
                if field_kind == "cloud" and str(MLO.CloudService) not in self.types_of(iri) \
                        and iri in self.minted:
                    provider = self.provider_of(candidate, line, section, default_provider)
                    if provider is not None:  # a listed tool the guide also gives as a cloud service
                        self.out.add((URIRef(iri), RDF.type, MLO.CloudService))
                        self.out.add((URIRef(iri), MLO.offeredBy, provider))
                        self.resolver.entries[iri].classes.add(str(MLO.CloudService))
                        return URIRef(iri)
                if field_kind == "cloud" and str(MLO.CloudService) not in self.types_of(iri):
                    if str(MLO.Platform) in self.types_of(iri) or str(MLO.Tool) in self.types_of(iri):
                        self.report.note(line, f"{candidate!r} is not a cloud service in the graph; "
                                               "linked with mlo:integratesWith instead")
                        return ("integrates", URIRef(iri))
                return URIRef(iri)
        if self.other_meaning(name, "tool", line) or self.taken(name, "tool or service", line):
            return None
        whole = self.parent_service(name)
        if whole is not None:  # "Vertex AI Pipelines": a new part of a service we know, on its cloud
            parent, provider = whole
            iri = self.mint("service", name, [MLO.CloudService, MLO.Technology], line, section)
            self.out.add((iri, MLO.offeredBy, provider))
            self.out.add((iri, MLO.partOf, parent))
            self.report.note(line, f"{name!r} taken as a new part of the cloud service {self.label_of(parent)!r}, "
                                   f"offered by {self.label_of(provider)}")
        elif field_kind == "cloud":
            provider = next((p for p in (self.provider_of(n, line, section) for n in [name, *aliases]) if p),
                            None) or self.provider_of(name, line, section, default_provider)
            if provider is None and secondary:
                # "Google Kubernetes Engine with Kubeflow Pipelines": the second part is a tool used with it
                iri = self.mint("tool", name, [MLO.Tool, MLO.Technology], line, section)
                self.report.note(line, f"{name!r} is not offered by a known cloud; linked with mlo:integratesWith")
                return ("integrates", iri)
            if provider is None:
                self.report.note(line, f"cannot tell which cloud offers {name!r}; skipped")
                return None
            iri = self.mint("service", name, [MLO.CloudService, MLO.Technology], line, section)
            self.out.add((iri, MLO.offeredBy, provider))
        else:
            iri = self.mint("tool", name, [MLO.Tool, MLO.Technology], line, section)
        for alias in aliases:
            if normalize_name(alias) != normalize_name(name) and _loose_key(alias) not in self.local:
                self.out.add((iri, SKOS.altLabel, Literal(alias)))
                self.local[_loose_key(alias)] = str(iri)
        return iri

    def parent_service(self, name: str):
        """``(service, its provider)`` when ``name`` is a known cloud service's label or alias
        followed by more words ("SageMaker Model Monitor" → Amazon SageMaker), the longest such
        service first; else None."""
        words = name.split()
        for n in range(len(words) - 1, 0, -1):
            hits = self.known_node(" ".join(words[:n]), "service")
            if len(hits) == 1:
                service = URIRef(hits[0])
                provider = self.out.value(service, MLO.offeredBy) or self.known.value(service, MLO.offeredBy)
                if provider is not None:
                    return service, provider
        return None

    def provider_of(self, name: str, line: int, section, default=None) -> URIRef | None:
        """The provider a service name starts with ("AWS S3"), else ``default`` (a VENDORS row
        taken from the same phrase, as in "AWS with EKS")."""
        key = normalize_name(name)
        row = next((r for r in VENDORS if key.startswith(r[0])), None) or default
        if row is None:
            return None
        _prefix, slug, label = row
        iri = ID[slug]
        if str(iri) not in self.resolver.entries and (iri, RDF.type, MLO.CloudProvider) not in self.out:
            self.out.add((iri, RDF.type, MLO.CloudProvider))
            self.out.add((iri, SKOS.prefLabel, Literal(label)))
            self.report.add("provider", label)
        return iri

    def language(self, name: str, section, line: int):
        key = name.strip().lower()
        if key in ("shell scripting",):
            key = "shell"
        kind = "framework" if key in FRAMEWORKS else "language"
        iri = self.lookup(name, kind, line)
        if iri == "AMBIGUOUS":
            return None, None
        if iri is None and kind == "language":
            iri = self.lookup(name, "framework", line)
            kind = "framework" if iri else kind
        if iri:
            prop = MLO.supportsFramework if str(MLO.Framework) in self.types_of(iri) else MLO.usesLanguage
            return URIRef(iri), prop
        if self.taken(name, "language or framework", line):
            return None, None
        if kind == "framework":
            return self.mint("framework", name, [MLO.Framework], line, section), MLO.supportsFramework
        if key in CONFIGURATION:
            cls = MLO.ConfigurationLanguage
        elif key in SHELL:
            cls = MLO.ShellLanguage
        else:
            cls = MLO.ProgrammingLanguage
            if key not in PROGRAMMING:
                self.report.note(line, f"{name!r} is not a language we know; typed as a programming language")
        return self.mint("language", name, [cls, MLO.Language], line, section), MLO.usesLanguage

    def industries(self, name: str, section, line: int) -> list[URIRef]:
        out = []
        for part in re.split(r"\s*(?:&|/|,|\band\b)\s*", name):
            part = part.strip()
            if not part:
                continue
            iri = self.lookup(part, "industry", line)
            if iri == "AMBIGUOUS" or (iri is None and self.taken(part, "industry", line)):
                continue
            out.append(URIRef(iri) if iri else self.mint("industry", part, [MLO.Industry], line, section))
        return out

    # --- the walk --------------------------------------------------------------------------
    def run(self) -> ImportResult:
        g = self.out
        g.add((self.source, RDF.type, MLO.Guide))
        g.add((self.source, SKOS.prefLabel, Literal(f"{self.guide.title or 'Guide'} ({self.name})")))
        if self.guide.title:
            g.add((self.source, DCTERMS.title, Literal(self.guide.title)))
        g.add((self.source, DCTERMS.source, Literal(self.name)))
        if self.guide.listed:  # the list's line: where its first item is
            self.section_node(None, "list of tools", min(item.line for _position, item in self.guide.listed))
        for item in self.guide.problems:
            self.report.note(item.line, item.text)
        tools, first = {}, {}
        for section in self.guide.sections:
            tools[id(section)] = tool = self.section_tool(section)
            if tool is not None:
                earlier = first.setdefault(tool, section)
                if earlier is not section:  # "## Zorblax" twice, or "## ML Flow" after "## MLflow"
                    self.report.note(section.line, f"another section for {self.label_of(tool)!r} (the first is at "
                                                   f"line {earlier.line}); their facts are merged into one tool")
        for position, item in self.guide.listed:
            iri = self.tool_by_name(item, None)
            if iri is not None:
                self.fact(iri, MLO.listedIn, self.section_iri(None), None, item.line)
                self.fact(iri, MLO.listPosition, Literal(position, datatype=XSD.integer), None, item.line)
        for section in self.guide.sections:
            if tools[id(section)] is not None:
                self.section_facts(section, tools[id(section)])
        self.ensure_capabilities()
        return ImportResult(g, self.report)

    def section_node(self, section, title, line):
        iri = self.section_iri(section)
        self.out.add((iri, RDF.type, MLO.GuideSection))
        self.out.add((iri, DCTERMS.isPartOf, self.source))
        self.out.add((iri, SKOS.prefLabel, Literal(f"{self.guide.title or self.name}: {title} (line {line})")))
        if section is not None and section.number is not None:
            self.out.add((iri, MLO.sectionNumber, Literal(section.number, datatype=XSD.integer)))
        return iri

    def tool_by_name(self, item: Item, section) -> URIRef | None:
        parts = self.parts(item.text, item.line)
        if not parts:
            self.report.note(item.line, f"no tool name in {item.text!r}; skipped")
            return None
        return self.technology(parts[0], "alternatives", section, item.line)

    def section_tool(self, section: Section):
        if not section.name.strip():
            return None
        self.section_node(section, section.name, section.line)
        tool = self.tool_by_name(Item(section.name, section.line), section)
        if tool is None or isinstance(tool, tuple):
            return None
        self.fact(tool, MLO.describedIn, self.section_iri(section), section, section.line)
        return tool

    def section_facts(self, section: Section, tool: URIRef):
        f = section.fields
        if "description" in f and f["description"].text:
            self.fact(tool, MLO.guideDescription, Literal(f["description"].text), section, f["description"].line)
            self.hints(tool, f["description"].text, f["description"].line)
        if "data_engineering" in f and f["data_engineering"].text:
            self.fact(tool, MLO.dataEngineeringUse, Literal(f["data_engineering"].text), section,
                      f["data_engineering"].line)
        for key, prop in (("alternatives", MLO.statedAlternative), ("cloud", MLO.cloudEquivalent)):
            if key not in f:
                continue
            for phrase in split_list(f[key].text):
                main = None
                phrase_parts = self.parts(phrase, f[key].line)
                vendor = next((_vendor(p[0]) for p in phrase_parts if _vendor(p[0])), None)
                if vendor is None and len(phrase_parts) > 1:  # "Azure ML with AKS": the phrase's cloud
                    vendor = next((r for r in VENDORS if normalize_name(phrase_parts[0][0]).startswith(r[0])), None) \
                        if any(p[1] for p in phrase_parts[1:]) else None
                for i, part in enumerate(phrase_parts):
                    if i > 0 and main is not None:
                        platform = self.lookup(part[0], "tool", f[key].line)
                        if platform and platform != "AMBIGUOUS" and str(MLO.Platform) in self.types_of(platform):
                            # "MLflow with Kubernetes": where the alternative runs, not another alternative
                            self.fact(main, MLO.runsOn, URIRef(platform), section, f[key].line)
                            continue
                    target = self.technology(part, key, section, f[key].line, vendor, secondary=i > 0)
                    if target is None:
                        continue
                    if i == 0 and not isinstance(target, tuple):
                        main = target
                    if isinstance(target, tuple):
                        self.fact(tool, MLO.integratesWith, target[1], section, f[key].line)
                    elif target != tool:
                        self.fact(tool, prop, target, section, f[key].line)
                        if key == "alternatives":
                            self.parents.setdefault(target, []).append(tool)
        if "languages" in f:
            for name in split_list(f["languages"].text):
                node, prop = self.language(name, section, f["languages"].line)
                if node is not None:
                    self.fact(tool, prop, node, section, f["languages"].line)
        for industry_item, description in section.industries:
            for industry in self.industries(industry_item.text, section, industry_item.line):
                label = f"{self.label_of(tool)} in {self.label_of(industry)}"
                uc, n = mint_iri("use-case", f"{self.slug} {label}"), 1
                while (uc, RDF.type, MLO.IndustryUseCase) in self.out:  # the same pair twice: keep both
                    n += 1
                    uc = mint_iri("use-case", f"{self.slug} {label} {n}")
                suffix = f" #{n}" if n > 1 else ""
                self.out.add((uc, RDF.type, MLO.IndustryUseCase))
                self.out.add((uc, SKOS.prefLabel, Literal(f"{label}{suffix} ({self.guide.title or self.name})")))
                self.out.add((uc, PROV.wasDerivedFrom, self.section_iri(section)))
                self.fact(uc, MLO.useCaseOf, tool, section, industry_item.line)
                self.fact(uc, MLO.inIndustry, industry, section, industry_item.line)
                self.fact(uc, DCTERMS.description, Literal(description.text or "(no description given)"),
                          section, industry_item.line)
        if "licence" in f and f["licence"].text:
            self.licence(tool, f["licence"], section)
        for name, item in section.unknown:
            self.fact(tool, MLO.note, Literal(f"{name}: {item.text}"), section, item.line)
            self.report.note(item.line, f"unknown field {name!r} kept as a note on {self.label_of(tool)}")

    def licence(self, tool: URIRef, item: Item, section: Section):
        """``schema:license`` for each SPDX licence the field names; anything else stays a note."""
        iris = licence_iris(item.text)
        if iris is None:
            self.fact(tool, MLO.note, Literal(f"Licence: {item.text}"), section, item.line)
            self.report.note(item.line, f"licence {item.text!r} of {self.label_of(tool)!r} is not one we know "
                                        "(give an SPDX id such as Apache-2.0 or MIT); kept as a note")
            return
        known = set(self.known.objects(tool, SCHEMA.license))
        for iri in iris:
            self.fact(tool, SCHEMA.license, iri, section, item.line)
        if known and known != set(iris):
            self.report.note(item.line, f"the guide gives {self.label_of(tool)!r} the licence "
                                        f"{', '.join(i.rsplit('/', 1)[-1] for i in iris)}; the graph already has "
                                        f"{', '.join(sorted(str(i).rsplit('/', 1)[-1] for i in known))}: both kept")

    def label_of(self, iri) -> str:
        value = self.out.value(iri, SKOS.prefLabel) or self.known.value(iri, SKOS.prefLabel)
        return str(value) if value is not None else str(iri).rsplit("/", 1)[-1]

    def hints(self, tool: URIRef, text: str, line: int = 0):
        """Guess capabilities of a new tool from its description, and that it is open source
        when the description says so (known tools keep theirs)."""
        if str(tool) not in self.minted:
            return
        for slug, pattern in CAPABILITY_HINTS:
            if re.search(pattern, text, re.I):
                self.out.add((tool, MLO.hasCapability, CAP[slug]))
        if re.search(r"\bopen[- ]source\b", text, re.I) and not re.search(r"\bnot open[- ]source\b", text, re.I):
            self.out.add((tool, MLO.deliveryModel, MLO.OpenSource))
            self.out.add((tool, MLO.note, Literal("delivery model guessed by the importer from its description")))
            self.report.note(line, f"delivery model of {self.label_of(tool)!r} guessed from its description: "
                                   "open source")

    def ensure_capabilities(self):
        """Every new technology needs a capability: from its description, else from the tools it
        is an alternative of, else a cloud service's provider default; each guess is noted."""
        for iri in sorted(self.minted):
            node = URIRef(iri)
            if (node, RDF.type, MLO.Technology) not in self.out or list(self.out.objects(node, MLO.hasCapability)):
                continue
            whole = self.out.value(node, MLO.partOf)
            named = [slug for slug, pattern in CAPABILITY_HINTS if re.search(pattern, self.label_of(node), re.I)]
            if whole is not None and named:  # "SageMaker Model Monitor" says what the part does
                for slug in named:
                    self.out.add((node, MLO.hasCapability, CAP[slug]))
                self.out.add((node, MLO.note, Literal("capabilities guessed by the importer from its name")))
                self.report.note(self.first_line.get(iri, 0), f"capabilities of {self.label_of(node)!r} guessed "
                                                              "from its name: " + ", ".join(named))
                continue
            votes = Counter()  # each related technology votes once for each of its capabilities
            related = [*self.out.objects(node, MLO.statedAlternative), *self.parents.get(node, []),
                       *self.out.subjects(MLO.cloudEquivalent, node)]
            for other in related:
                votes.update(set(self.out.objects(other, MLO.hasCapability))
                             | set(self.known.objects(other, MLO.hasCapability)))
            # the two most shared (ties by IRI, for the same output every run)
            guess = [cap for cap, _n in sorted(votes.items(), key=lambda kv: (-kv[1], str(kv[0])))[:2]] \
                or [CAP["end-to-end-platform"]]
            for cap in guess:
                self.out.add((node, MLO.hasCapability, cap))
            self.out.add((node, MLO.note, Literal("capabilities guessed by the importer from the guide's context")))
            self.report.note(self.first_line.get(iri, 0), f"capabilities of {self.label_of(node)!r} guessed from context: "
                                + ", ".join(str(c).rsplit("/", 1)[-1] for c in guess))


def import_text(text: str, name: str, known: Graph | None = None, *, where: str | None = None) -> ImportResult:
    """Import guide ``text`` (``name`` identifies it in provenance, ``where`` in errors: the
    path as given) against the graph ``known``."""
    guide = parse_guide(text)
    if not guide.sections:
        raise GuideImportError(f"{where or name}: not a tool guide: found no '## Name' section with '- **Field**:' bullets "
                               "(see the README for the expected shape)")
    return _Importer(guide, name, known).run()


def import_guide(path, known: Graph | None = None) -> ImportResult:
    """Import the guide at ``path`` (see :func:`import_text`)."""
    path = Path(path)
    return import_text(read_guide(path), path.name, known, where=str(path))
