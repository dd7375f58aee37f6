"""``mlops-kg build``: load → infer → validate → analyse → write every output atomically
(:mod:`.outputs`); also the same loading for ``validate`` and ``import``, where Markdown guides
are imported on the fly."""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..errors import ValidationError
from ..model import load, resources
from ..model.inference import infer
from ..model.layout import ANALYSIS, INDEX, MANIFEST, SITE, STEM, fingerprint
from ..model.load import union_graph
from ..model.namespaces import GRAPHS
from ..model.validate import validate_graph
from ..progress import SILENT
from .outputs import (_json_bytes, _signals_held, check_output_dir, commit_outputs, make_output_dir,
                      serialize_outputs, stage_outputs)


@dataclass
class BuildResult:
    """What a build wrote, for the CLI's summary line and for tests.

    Attributes
    ----------
    out_dir : pathlib.Path
        The output folder.
    files : list of pathlib.Path
        The data files written, then the site folder.
    triples : int
        Triples in the merged graph (all named graphs together).
    graphs : dict
        Named graph IRI → its number of triples.
    """

    out_dir: Path
    files: list[Path] = field(default_factory=list)
    triples: int = 0
    graphs: dict[str, int] = field(default_factory=dict)


def prepare(include=(), progress=SILENT, without=()):
    """Load, infer, validate and analyse: ``(dataset, analysis)``.

    The dataset holds the shipped sources (+ ``include``, less the catalogues named in
    ``without``: see :func:`mlops_kg.model.load.load_sources`), the inferred graph and the analysis
    graph. Raises :class:`mlops_kg.errors.ValidationError` when the data violates the shapes.
    ``progress`` (a :class:`mlops_kg.progress.Progress`) gets a line per stage.
    """
    ds, result, _union = _prepare(include, progress, without)
    return ds, result


def _prepare(include, progress, without, *, analysis_graph: bool = True):
    """:func:`prepare`, also returning the merged graph (analysis excluded): merging the
    landscape's named graphs into one rdflib graph takes seconds, so it is done once.

    With ``analysis_graph`` false the analysis is not added to ``ds`` (the build writes it
    from :func:`mlops_kg.analysis.rdf.statement_lines` and never reads it back: adding its
    hundred thousand statements to rdflib graphs took seconds)."""
    from ..analysis.rdf import statements
    from ..analysis.result import analyze

    ds = load_sources(include, without=without)
    progress("loaded", len(ds), "triples")
    infer(ds)
    union = union_graph(ds)
    progress("inferred", len(union), "triples in the merged graph")
    from ..analysis.substitutability import graph_origins
    from .aside import Aside

    # Validation runs on the other core while this one analyses (see .aside); invalid data
    # is reported as before, also when it made the analysis fail.
    with Aside(lambda: validate_graph(union)) as validation:
        try:
            result = analyze(union, origins=graph_origins(ds))
        except Exception:
            _raise_if_invalid(validation.result())
            raise
        _raise_if_invalid(validation.result())
    progress("validated against the SHACL shapes")
    progress("analysed", result.subst.number_of_nodes(), "technologies")
    if analysis_graph:
        graph = ds.graph(GRAPHS.ANALYSIS)
        for triple in statements(result):
            graph.add(triple)
    return ds, result, union


def _raise_if_invalid(report) -> None:
    if not report.conforms:
        raise ValidationError(report)


def build_dataset(include=(), without=()):
    """The validated, analysed dataset (see :func:`prepare`)."""
    return prepare(include, without=without)[0]


def build(out_dir="build", include=(), progress=SILENT, without=()) -> BuildResult:
    """Build the knowledge graph into ``out_dir``; see the README for the files written.

    ``without`` names public catalogues to leave out (``landscape``: all of them); the
    manifest records which sources went in.
    """
    from ..analysis.rdf import statement_lines
    from ..analysis.substitutes import index_bytes, make_index
    from ..model.load import check_without, sources_loaded

    without = check_without(without)
    check_output_dir(out_dir)
    ds, result, union = _prepare(include, progress, without, analysis_graph=False)  # one merge serves the files and the index

    def rdf_files():
        analysis_lines = sorted(set(statement_lines(result)))
        return serialize_outputs(ds, lines={GRAPHS.ANALYSIS: analysis_lines}), len(analysis_lines)

    from ..pages.site import stage_site, swap_site
    from .aside import Aside

    # Everything is written aside first (the site's pages, then the files); only then is the
    # build put in place, with Ctrl-C and SIGTERM held back for those few renames and the
    # manifest last, so an interrupted build leaves the previous one whole, never a mix of the
    # two. The RDF files are made on the other core meanwhile (see .aside).
    with Aside(rdf_files) as rdf:
        summary = _json_bytes(result.summary(top=1000))
        index = index_bytes(make_index(union, result))
        site_target, site_staging = stage_site(make_output_dir(out_dir) / SITE, ds, result)
        try:
            contents, analysis_count = rdf.result()
            contents[ANALYSIS] = summary
            contents[INDEX] = index
            graphs = {str(g.identifier): len(g) for g in ds.graphs() if len(g)}
            graphs[str(GRAPHS.ANALYSIS)] = analysis_count
            manifest = {
                "generator": f"mlops-kg {__version__}",
                "inputs": fingerprint(include, without),
                "include": [str(Path(p).resolve()) for p in include],
                "sources": sources_loaded(without),
                "without": list(without),
                "triples": contents[f"{STEM}.nt"].count(b"\n"),  # one statement a line, each once: the merge
                "graphs": dict(sorted(graphs.items())),
            }
            contents[MANIFEST] = _json_bytes(manifest)
            staging = stage_outputs(out_dir, contents)
        except BaseException:
            shutil.rmtree(site_staging, ignore_errors=True)
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


def load_sources(include=(), without=()):
    """:func:`mlops_kg.model.load.load_sources` with Markdown guides among ``include`` imported
    on the fly (:func:`mlops_kg.sources.importer.import_guide`)."""
    from ..sources.importer import import_guide

    return load.load_sources(include, import_guide=import_guide, without=without)


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
    # The shipped graph, inferred (catalogue entities are tools by inference only), as loaded above:
    # importing reads it and changes nothing.
    check = ds if not standalone else new_dataset()
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
