"""Loading RDF: the shipped ontology and data into a Dataset with one named graph per origin."""
from __future__ import annotations

import json
import re
from pathlib import Path

from rdflib import Dataset, Graph

from . import resources
from ..errors import DataFileError
from .namespaces import GRAPHS, bind_prefixes

#: File suffix → rdflib parser name.
FORMATS = {
    ".ttl": "turtle", ".turtle": "turtle", ".nt": "nt", ".ntriples": "nt", ".n3": "n3",
    ".jsonld": "json-ld", ".json": "json-ld", ".trig": "trig", ".nq": "nquads",
    ".rdf": "xml", ".owl": "xml", ".xml": "xml",
}
QUAD_FORMATS = {"trig", "nquads"}


def rdf_format(path) -> str:
    """The rdflib parser name for ``path``, from its suffix."""
    suffix = Path(path).suffix.lower()
    try:
        return FORMATS[suffix]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise DataFileError(f"{path}: unknown RDF file type {suffix or '(none)'!r}; use one of {known}") from None


def _read(path: Path) -> str:
    from ..files import read_text

    return read_text(path, expected="an RDF file")


def _line_of_bad_line_format(text: str, fmt: str) -> int | None:
    """For line-based formats, the first line that does not parse on its own."""
    for number, line in enumerate(text.split("\n"), 1):  # N-Triples lines end at LF (or CR LF) only
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            (Dataset() if fmt == "nquads" else Graph()).parse(data=line, format=fmt)
        except Exception:  # noqa: BLE001 - any failure marks the line
            return number
    return None


def _syntax_error(path: Path, text: str, fmt: str, exc: Exception) -> DataFileError:
    line = getattr(exc, "lines", None)
    why = getattr(exc, "_why", None) or str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if line is not None:
        line += 1
    elif isinstance(exc, json.JSONDecodeError):
        line = exc.lineno
    elif fmt in ("nt", "nquads"):
        line = _line_of_bad_line_format(text, fmt)
    where = f"{path}:{line}" if line else str(path)
    return DataFileError(f"{where}: invalid {fmt} ({why}); fix the syntax at that line")


def _refuse_unsafe_input(path: Path, text: str, fmt: str) -> None:
    """Refuse what would make a parser reach out or stall: rdflib fetches (or reads from disk)
    any JSON-LD context given by reference, and expands XML entities without bound (a 1.5 KB
    file of nested entities kept it busy for minutes)."""
    if not text.strip():
        raise DataFileError(f"{path}: the file is empty; give an RDF file with statements")
    if fmt == "json-ld":
        reference = _context_reference(text)
        if reference is not None:
            raise DataFileError(f"{path}: refers to the JSON-LD context {reference!r}, which would have to be "
                                "fetched; mlops-kg reads nothing from the network or other files: put the "
                                "context inline (an object under \"@context\")")
    elif fmt == "xml":
        match = re.search(r"<!(DOCTYPE|ENTITY)\b", text)
        if match:
            line = text.count("\n", 0, match.start()) + 1
            raise DataFileError(f"{path}:{line}: RDF/XML with a <!{match[1]}> declaration is refused (entities can "
                                "expand without bound or read other files); remove the DOCTYPE and write the "
                                "values out")


def _context_reference(text: str):
    """The first JSON-LD context (or ``@import``) given by reference rather than inline, if any."""
    try:
        doc = json.loads(text)
    except ValueError:
        return None  # the parser reports the syntax error, with its line
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key == "@import" and isinstance(value, str):
                    return value
                if key == "@context":
                    for context in value if isinstance(value, list) else [value]:
                        if isinstance(context, str):
                            return context
                stack.append(value)
    return None


def parse_into(graph, path, fmt: str | None = None):
    """Parse the RDF file ``path`` into ``graph``; errors name the file and line.

    Offline and bounded: JSON-LD contexts given by reference and XML DOCTYPEs are refused."""
    path = Path(path)
    fmt = fmt or rdf_format(path)
    text = _read(path)
    _refuse_unsafe_input(path, text, fmt)
    try:
        graph.parse(data=text, format=fmt, publicID=path.resolve().as_uri())
    except Exception as exc:  # noqa: BLE001 - every parser failure becomes one clear message
        raise _syntax_error(path, text, fmt, exc) from None
    return graph


def new_dataset() -> Dataset:
    """An empty Dataset whose default graph is the union of its named graphs."""
    return bind_prefixes(Dataset(default_union=True))


#: Suffixes of included files read as Markdown guides rather than RDF.
GUIDE_SUFFIXES = (".md", ".markdown", ".txt")


def check_without(without) -> tuple[str, ...]:
    """``without`` as a sorted tuple of known source names, or a :class:`DataFileError` naming
    the unknown one and the names a build can leave out (``landscape`` = every catalogue)."""
    known = landscape_sources()
    for name in without:
        if name != "landscape" and name not in known:
            raise DataFileError(f"unknown source {name!r} to leave out; use one of: landscape, {', '.join(known)}")
    return tuple(sorted(set(without)))


def landscape_sources() -> tuple[str, ...]:
    """Ids of the catalogue sources shipped in ``graph/landscape/``, in load order."""
    return tuple(source for role, source, _ in resources.landscape_files() if role == "source")


def sources_loaded(without=()) -> list[str]:
    """What a build with ``without`` left out holds: ``guide``, ``curated`` and each catalogue."""
    if "landscape" in without:
        return ["guide", "curated"]
    return ["guide", "curated"] + [s for s in landscape_sources() if s not in without]


def load_sources(include=(), *, import_guide=None, without=()) -> Dataset:
    """Load the shipped ontology and data, plus the RDF files in ``include``.

    Each origin goes to its own named graph (see :class:`mlops_kg.model.namespaces.GRAPHS`):
    the ontology, what the guide states, what was curated (``graph/curated/`` and the curated
    files of ``graph/landscape/``, the category crosswalk among them), what each public
    catalogue states (``GRAPHS.SOURCE + <id>``), the catalogues as datasets, and reference
    data (licences, languages). ``without`` leaves catalogues out by id (``landscape``: all of
    them and the landscape's curated files, for the guide-only graph). ``include`` files are
    Turtle or other RDF produced by ``mlops-kg import``, or Markdown guides (imported on the fly
    by ``import_guide(path, known=graph)``, names resolved against everything loaded before
    them); each goes to ``GRAPHS.IMPORTED + <file stem>``. The model does not know the importer
    (a later stage): :func:`mlops_kg.build.pipeline.load_sources` passes it.
    """
    without = check_without(without)
    ds = new_dataset()
    for path in resources.ontology_files():
        parse_into(ds.graph(GRAPHS.ONTOLOGY), path)
    files = resources.graph_files()
    for path in files["guide"]:
        parse_into(ds.graph(GRAPHS.GUIDE), path)
    for path in files["curated"]:
        parse_into(ds.graph(GRAPHS.CURATED), path)
    if "landscape" not in without:
        _load_landscape(ds, without)
    else:  # the licence nodes the curated graph's schema:license values need
        for role, _, path in resources.landscape_files():
            if path.name == "licences.ttl":
                parse_into(ds.graph(GRAPHS.REFERENCE), path)
    from rdflib import URIRef

    from .iris import slugify

    named: dict[str, Path] = {}
    for path in include:
        path = Path(path)
        other = named.setdefault(slugify(path.stem), path)
        if other != path:
            raise DataFileError(f"{path}: {other} has the same name; an included file's graph and source "
                                "nodes are named after the file, so rename one of them")
        target = ds.graph(URIRef(GRAPHS.IMPORTED + slugify(path.stem)))
        if path.suffix.lower() in GUIDE_SUFFIXES:
            if import_guide is None:
                raise DataFileError(f"{path}: a Markdown guide; load it with mlops_kg.build.pipeline.load_sources, "
                                    "which imports guides")
            for triple in import_guide(path, known=union_graph(ds)).graph:
                target.add(triple)
        else:
            parse_into(target, path)
        if not len(target):
            raise _no_statements(path)
    return ds


def _load_landscape(ds, without) -> None:
    from rdflib import URIRef
    from rdflib.namespace import PROV

    targets = {"curated": ds.graph(GRAPHS.CURATED), "datasets": ds.graph(GRAPHS.DATASETS),
               "reference": ds.graph(GRAPHS.REFERENCE)}
    for role, source, path in resources.landscape_files():
        if role == "source":
            if source not in without:
                parse_into(ds.graph(URIRef(GRAPHS.SOURCE + source)), path)
        else:
            parse_into(targets[role], path)
    datasets = targets["datasets"]
    for source in without:  # a source left out is not described either
        dataset = URIRef(GRAPHS.SOURCE + source)
        for node in [dataset, *datasets.objects(dataset, PROV.wasDerivedFrom)]:
            datasets.remove((node, None, None))


def _no_statements(path) -> DataFileError:
    # e.g. only prefixes, or JSON-LD whose objects have no properties: nothing to check or merge
    return DataFileError(f"{path}: holds no RDF statements; give a file with data")


def load_file(path) -> Dataset:
    """Load any RDF file (triples or quads) into a new Dataset."""
    ds = new_dataset()
    fmt = rdf_format(path)
    parse_into(ds if fmt in QUAD_FORMATS else default_graph(ds), path, fmt)
    if not len(ds):
        raise _no_statements(path)
    return ds


def default_graph(ds) -> Graph:
    """The default graph of ``ds`` (``default_context`` before rdflib 7.1)."""
    return ds.default_graph if hasattr(type(ds), "default_graph") else ds.default_context


def union_graph(ds) -> Graph:
    """All triples of ``ds`` in one plain Graph (the merge of every named graph).

    Triples are added in sorted order, so serialisers that follow insertion order give the
    same bytes whatever the Python hash seed.
    """
    graph = bind_prefixes(Graph())
    for triple in sorted(set(ds.triples((None, None, None)))):
        graph.add(triple)
    return graph
