"""``mlops-kg build``: load → infer → validate → write every output atomically."""
from __future__ import annotations

import contextlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..model import ntriples, resources
from ..progress import SILENT
from ..errors import OutputError, ValidationError
from ..files import scratch_dir
from ..model.inference import infer
from ..model.layout import ANALYSIS, INDEX, MANIFEST, SITE, STEM, fingerprint
from ..model import load
from ..model.load import union_graph
from ..model.namespaces import GRAPHS, PREFIXES, bind_prefixes
from ..model.validate import validate_graph

def _json_bytes(data) -> bytes:
    return (json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


@dataclass
class BuildResult:
    out_dir: Path
    files: list[Path] = field(default_factory=list)
    triples: int = 0
    graphs: dict[str, int] = field(default_factory=dict)


def prepare(include=(), progress=SILENT):
    """Load, infer, validate and analyse: ``(dataset, analysis)``.

    The dataset holds the shipped sources (+ ``include``), the inferred graph and the analysis
    graph. Raises :class:`mlops_kg.errors.ValidationError` when the data violates the shapes.
    ``progress`` (a :class:`mlops_kg.progress.Progress`) gets a line per stage.
    """
    from ..analysis.rdf import statements
    from ..analysis.result import analyze

    ds = load_sources(include)
    progress("loaded", len(ds), "triples")
    infer(ds)
    union = union_graph(ds)
    progress("inferred", len(union), "triples in the merged graph")
    report = validate_graph(union)
    if not report.conforms:
        raise ValidationError(report)
    progress("validated against the SHACL shapes")
    result = analyze(union)
    progress("analysed", result.subst.number_of_nodes(), "technologies")
    analysis_graph = ds.graph(GRAPHS.ANALYSIS)
    for triple in statements(result):
        analysis_graph.add(triple)
    return ds, result


def check_output_dir(out_dir) -> None:
    """Raise :class:`OutputError` unless a build could be written into ``out_dir``.

    Called before the work, so a folder that cannot be written fails at once rather than after
    the whole build. Nothing is created: the probe is a scratch folder, made and removed again,
    in ``out_dir`` or its nearest existing ancestor (where ``mkdir -p`` would start)."""
    import tempfile

    out_dir = Path(out_dir)
    existing = out_dir
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(f"cannot write to {out_dir}: {existing} is a file, not a folder; choose another folder")
    try:
        Path(tempfile.mkdtemp(prefix=".probe-", dir=existing)).rmdir()
    except OSError as exc:
        raise OutputError(f"cannot write to {out_dir}: {exc.strerror}; choose a writable folder") from None


def build_dataset(include=()):
    """The validated, analysed dataset (see :func:`prepare`)."""
    return prepare(include)[0]


def _jsonld(union) -> str:
    context = {p: str(ns) for p, ns in PREFIXES.items()}
    doc = json.loads(union.serialize(format="json-ld", context=context, auto_compact=True))
    if isinstance(doc.get("@graph"), list):
        doc["@graph"].sort(key=lambda n: json.dumps(n, sort_keys=True))
    return json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _trig(ds) -> str:
    """TriG with the named graphs in IRI order (rdflib's serialiser follows set order)."""
    from rdflib import Graph

    header, blocks = None, []
    for graph in sorted((g for g in ds.graphs() if len(g)), key=lambda g: str(g.identifier)):
        sorted_graph = bind_prefixes(Graph())
        for triple in sorted(graph):
            sorted_graph.add(triple)
        text = sorted_graph.serialize(format="turtle")
        # Split on LF only: str.splitlines() also splits at U+2028, form feeds, ... inside
        # literals. Lines are not indented, as a line may continue a multi-line """literal""".
        lines = text.split("\n")
        start = next((i for i, line in enumerate(lines) if not line.startswith("@prefix")), len(lines))
        prefixes, body = lines[:start], lines[start:]  # a literal's line may start with "@prefix" too
        header = sorted(set(header or []) | set(prefixes))
        blocks.append(f"<{graph.identifier}> {{\n" + "\n".join(body).strip("\n") + "\n}\n")
    return "\n".join(header or []) + "\n\n" + "\n".join(blocks)


def serialize_outputs(ds, union=None) -> dict[str, bytes]:
    """File name → content for every RDF output of a build. Deterministic for one input.

    ``union`` is ``union_graph(ds)`` when the caller already has it."""
    union = union if union is not None else union_graph(ds)
    return {
        f"{STEM}.ttl": union.serialize(format="turtle").encode("utf-8"),
        f"{STEM}.nt": "".join(ntriples.triple_lines(union)).encode("utf-8"),
        f"{STEM}.jsonld": _jsonld(union).encode("utf-8"),
        f"{STEM}.trig": _trig(ds).encode("utf-8"),
        f"{STEM}.nq": "".join(ntriples.quad_lines(ds)).encode("utf-8"),
    }


def stage_outputs(out_dir, contents: dict[str, bytes]) -> Path:
    """Write every file into a staging folder inside ``out_dir``; returns the folder. Nothing
    in ``out_dir`` changes until :func:`commit_outputs`, so a failure leaves the previous build."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        staging = scratch_dir(out_dir, ".staging-")
    except OSError as exc:
        raise OutputError(f"cannot write to {out_dir}: {exc.strerror}; choose a writable folder") from None
    try:
        for name, data in contents.items():
            (staging / name).write_bytes(data)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write to {out_dir}: {exc.strerror}") from None
        raise
    return staging


def commit_outputs(out_dir, staging: Path, names: list[str]) -> None:
    """Move the staged ``names`` into ``out_dir``, in that order (each rename is atomic). The
    caller removes the staging folder."""
    out_dir = Path(out_dir)
    try:
        for name in names:
            (staging / name).replace(out_dir / name)
    except OSError as exc:
        raise OutputError(f"cannot write to {out_dir}: {exc.strerror}") from None


def build(out_dir="build", include=(), progress=SILENT) -> BuildResult:
    """Build the knowledge graph into ``out_dir``; see the README for the files written."""
    from ..analysis.substitutes import make_index

    check_output_dir(out_dir)
    ds, result = prepare(include, progress)
    union = union_graph(ds)  # one sorted merge serves the files, the index and the count
    contents = serialize_outputs(ds, union)
    contents[ANALYSIS] = _json_bytes(result.summary(top=1000))
    contents[INDEX] = _json_bytes(make_index(union, result))
    graphs = {str(g.identifier): len(g) for g in ds.graphs() if len(g)}
    manifest = {
        "generator": f"mlops-kg {__version__}",
        "inputs": fingerprint(include),
        "include": [str(Path(p).resolve()) for p in include],
        "triples": len(union),
        "graphs": dict(sorted(graphs.items())),
    }
    contents[MANIFEST] = _json_bytes(manifest)
    from ..pages.site import stage_site, swap_site

    # Everything is written aside first (files, then the site's pages); only then is the build
    # put in place, with Ctrl-C and SIGTERM held back for those few renames and the manifest
    # last, so an interrupted build leaves the previous one whole, never a mix of the two.
    staging = stage_outputs(out_dir, contents)
    try:
        site_target, site_staging = stage_site(Path(out_dir) / SITE, ds, result)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    result = None
    try:
        with _signals_held():
            try:
                commit_outputs(out_dir, staging, [name for name in contents if name != MANIFEST])
                site = swap_site(site_target, site_staging)
                commit_outputs(out_dir, staging, [MANIFEST])
                files = [Path(out_dir) / name for name in contents] + [site]
                result = BuildResult(Path(out_dir), files, manifest["triples"], manifest["graphs"])
            finally:
                shutil.rmtree(staging, ignore_errors=True)
                shutil.rmtree(site_staging, ignore_errors=True)
    except KeyboardInterrupt:
        if result is None:
            raise
        raise BuildInterrupted(result) from None  # held back until the build was in place: say so
    progress("wrote", len(contents), "files and the site")
    return result


class BuildInterrupted(KeyboardInterrupt):
    """Ctrl-C came while the build was being put in place; it was held back until that was
    done, so ``result`` (a :class:`BuildResult`) is a complete build."""

    def __init__(self, result: BuildResult):
        super().__init__(f"interrupted after the build in {result.out_dir}/ was complete")
        self.result = result


@contextlib.contextmanager
def _signals_held():
    """Hold Ctrl-C and SIGTERM back while the build is put in place: a signal that comes
    meanwhile is noted, and acted on as usual right after (Python runs signal handlers in
    the main thread, so this holds whichever thread the OS delivered it to)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught = []
    previous = {sig: signal.signal(sig, lambda number, _frame: caught.append(number))
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if caught:
            handler = previous[caught[0]]
            if callable(handler):
                handler(caught[0], None)  # e.g. KeyboardInterrupt for Ctrl-C
            elif handler == signal.SIG_DFL:
                signal.raise_signal(caught[0])


def validate_files(files=(), with_shipped: bool = False):
    """Validate RDF ``files`` together with the ontology (and the shipped graph if asked).

    Returns a :class:`mlops_kg.model.validate.ValidationReport`.
    """
    from ..model.load import default_graph, load_file, new_dataset, parse_into

    ds = load_sources() if with_shipped else new_dataset()
    if not with_shipped:
        for path in resources.ontology_files():
            parse_into(default_graph(ds), path)
    for path in files:
        for quad in load_file(path).quads((None, None, None, None)):
            ds.add(quad)
    if with_shipped:
        infer(ds)
    return validate_graph(union_graph(ds))


def load_sources(include=()):
    """:func:`mlops_kg.model.load.load_sources` with Markdown guides among ``include`` imported
    on the fly (:func:`mlops_kg.sources.importer.import_guide`)."""
    from ..sources.importer import import_guide

    return load.load_sources(include, import_guide=import_guide)


def import_and_check(path, *, standalone: bool = False, progress=None):
    """Import ``path`` against the shipped graph (or alone) and validate the result with it.

    Returns the :class:`mlops_kg.sources.importer.ImportResult`; raises
    :class:`mlops_kg.errors.ValidationError` if the output would not validate.
    """
    from ..model.load import new_dataset
    from ..sources.importer import import_guide

    progress = progress or SILENT
    ds = new_dataset() if standalone else load_sources()
    if not standalone:
        infer(ds)
    known = union_graph(ds)
    progress("loaded the graph to resolve names against", len(known), "triples")
    result = import_guide(path, known=None if standalone else known)
    progress("imported", result.report.facts, "facts")
    check = load_sources() if not standalone else new_dataset()
    if standalone:
        from ..model.load import parse_into

        for onto in resources.ontology_files():
            parse_into(check.default_context if not hasattr(type(check), "default_graph") else check.default_graph,
                       onto)
    merged = union_graph(check)
    for triple in result.graph:
        merged.add(triple)
    report = validate_graph(merged)
    if not report.conforms:
        raise ValidationError(report)
    progress("validated with the graph")
    return result
