"""The ``mlops-kg`` command line: parse arguments, call one library function, format the result.

Heavy libraries (rdflib, pyshacl, networkx, pyvis) are imported inside the commands, so that
``--help`` and the quick commands start fast. Errors from the library (``MlopsKgError``) are
turned into one line on stderr and an exit code in one place: :meth:`Cli.invoke`.
"""
from __future__ import annotations

import errno
import sys
from pathlib import Path

import click

from .errors import MlopsKgError, ValidationError


#: Context meta key: the exit code a command has settled on before it prints its result.
PENDING_EXIT = "mlops_kg.pending_exit"

#: errno values of a write to stdout that cannot succeed: disk full, quota, file too large, I/O.
_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}


class FiniteSeconds(click.ParamType):
    """A click type: a finite duration in seconds, checked by
    :func:`mlops_kg.query.workers.check_seconds`, the one place time limits are checked and
    their bounds kept: from ``MIN_TIMEOUT`` to ``MAX_WAIT`` (a week) to wait for a remote
    server, to ``MAX_TIMEOUT`` (a day) for a query run here (``limit="query"``)."""

    name = "seconds"

    def __init__(self, limit: str = "wait"):
        self.limit = limit

    def convert(self, value, param, ctx):
        """``value`` as seconds, or click's usage error with the reason."""
        from .query import workers  # here, not at the top: it imports multiprocessing

        try:
            return workers.check_seconds(value, workers.MIN_TIMEOUT,
                                         workers.MAX_TIMEOUT if self.limit == "query" else workers.MAX_WAIT)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


#: The type of the ``--timeout`` options that wait for a remote server (query, publish): a week.
FINITE_SECONDS = FiniteSeconds()
#: The type of the time limits of queries run here (serve's --timeout, --send-timeout): a day.
QUERY_SECONDS = FiniteSeconds("query")


def _output_failed(exc: OSError) -> None:
    """One line for a write to stdout that failed (``> /dev/full``), and stdout pointed at
    /dev/null so that the interpreter's last flush does not fail again with a traceback."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file behind stdout (tests)
        pass
    try:
        click.echo(f"error: cannot write the output: {exc.strerror}; free some space or send it elsewhere", err=True)
    except OSError:
        pass


def _silence_rdflib_log():
    """Send rdflib's log records nowhere (once: tests call ``main`` many times)."""
    import logging

    rdflib_log = logging.getLogger("rdflib")
    if not any(isinstance(h, logging.NullHandler) for h in rdflib_log.handlers):
        rdflib_log.addHandler(logging.NullHandler())
    rdflib_log.propagate = False


class _OnRdflibImport:
    """A meta-path finder that finds nothing: it silences rdflib's log just before rdflib is
    first imported, then removes itself."""

    def find_spec(self, name, path=None, target=None):
        if name == "rdflib":
            if self in sys.meta_path:
                sys.meta_path.remove(self)
            _silence_rdflib_log()
        return None


def _quiet_rdflib():
    """rdflib logs warnings (an odd IRI in a file that then fails to parse) on stderr, where the
    one line the command prints already says what is wrong. Commands that never import rdflib
    (``substitutes`` reads the index) should not pay for importing ``logging`` either, so the
    set-up waits for rdflib's import."""
    if "rdflib" in sys.modules:
        _silence_rdflib_log()
    elif not any(isinstance(finder, _OnRdflibImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _OnRdflibImport())


class Cli(click.Group):
    """Click group that turns library errors into one clear line and the right exit code."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """Like click's, but a usage error (bad option value, unknown option) is one line too."""
        _quiet_rdflib()
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            sys.stdout.flush()  # a full stdout fails here when the output was small
        except click.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx else (prog_name or "mlops-kg")
            click.echo(f"error: {exc.format_message()} (see `{command} --help`)", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("aborted", err=True)
            sys.exit(1)
        except OSError as exc:
            if exc.filename is not None or exc.errno not in _OUTPUT_ERRNOS:
                raise
            _output_failed(exc)
            sys.exit(2)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx):
        """Run the command; a library error becomes one line on stderr and its exit code, a closed
        pipe the exit code already settled on, Ctrl-C "interrupted" and 130.
        """
        try:
            return super().invoke(ctx)
        except ValidationError as exc:
            click.echo(exc.report.text(), err=True)
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except MlopsKgError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:  # e.g. `mlops-kg query ... | head`: the reader stopped early
            sys.stderr.close()
            ctx.exit(ctx.meta.get(PENDING_EXIT, 0))  # a result already known (validate, ASK) keeps its code
        except KeyboardInterrupt as exc:
            completed = getattr(exc, "result", None)  # Ctrl-C while a finished build was put in place
            click.echo(f"interrupted; the build in {completed.out_dir}/ had completed and is in place"
                       if completed else "interrupted", err=True)
            ctx.exit(130)


@click.group(cls=Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mlops-kg", prog_name="mlops-kg")
def cli():
    """A knowledge graph of the MLOps tool landscape: build it, query it, find substitutes."""


@cli.command()
@click.option("--out", "out_dir", default="build", show_default=True, metavar="DIR",
              type=click.Path(file_okay=False), help="Folder for the built files.")
@click.option("--include", multiple=True, metavar="FILE",
              type=click.Path(dir_okay=False),
              help="Extra RDF file to merge in (e.g. from `mlops-kg import`); repeatable.")
@click.option("--without", multiple=True, metavar="SOURCE",
              help="Leave a public catalogue out (e.g. best-of-ml-python, whose data is CC-BY-SA-4.0); "
                   "'landscape' leaves all of them out, for the guide-only graph. Repeatable.")
@click.option("-q", "--quiet", is_flag=True, help="No progress lines (they only show on a terminal anyway).")
def build(out_dir, include, without, quiet):
    """Load, infer, validate and write the graph (Turtle, N-Triples, JSON-LD, TriG, N-Quads).

    Invalid data stops the build with exit 1 and a report; a failed build leaves the
    previous output in DIR untouched.
    """
    from .build.pipeline import BuildInterrupted, build as run_build
    from .progress import for_terminal

    try:
        result = run_build(out_dir, include=include, progress=for_terminal(quiet), without=without)
    except BuildInterrupted as exc:  # nothing was left to stop: the build is done and in place
        result = exc.result
        click.echo("note: Ctrl-C came while the finished build was being put in place; it completed", err=True)
    click.echo(f"built {result.triples} triples in {len(result.graphs)} named graphs into {result.out_dir}/")
    for path in result.files:
        click.echo(f"  {path}")


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--with-shipped", is_flag=True,
              help="Validate FILES together with the shipped graph (for files that refer to its nodes).")
def validate(files, with_shipped):
    """Check data against the SHACL shapes; exit 1 when it violates them.

    Without FILES, validates the shipped graph. FILES may be Turtle, N-Triples, JSON-LD,
    TriG or N-Quads; they are checked together with the ontology.
    """
    from .build.pipeline import validate_files

    report = validate_files(files, with_shipped=with_shipped or not files)
    if not report.conforms:
        click.get_current_context().meta[PENDING_EXIT] = 1
    click.echo(report.text())
    if not report.conforms:
        if files and not with_shipped and any("never described" in r.message for r in report.results):
            click.echo("hint: if these files refer to nodes of the shipped graph (tool:mlflow, ...), "
                       "validate them together with it: add --with-shipped", err=True)
        sys.exit(1)


@cli.command()
@click.argument("name")
@click.option("--top", type=int, default=5, show_default=True, help="How many substitutes to show.")
@click.option("--language", metavar="L", help="Only substitutes that use this language or framework.")
@click.option("--capability", metavar="C", help="Only substitutes with this capability (\"model serving\").")
@click.option("--kind", metavar="K", help="Only substitutes of this kind (\"experiment tracker\", \"model-server\").")
@click.option("--industry", metavar="I",
              help="Substitutes used in this industry first, then those with no industry data (flagged).")
@click.option("--offered-by", metavar="P", help="Only substitutes this provider offers.")
@click.option("--equivalent-on", metavar="P", help="Only substitutes with a stated cloud equivalent on this provider.")
@click.option("--provider", metavar="P", help="Either of --offered-by and --equivalent-on.")
@click.option("--open-source", is_flag=True, help="Only substitutes with an OSI-approved licence.")
@click.option("--managed", is_flag=True, help="Only managed cloud services.")
@click.option("--include-inactive", is_flag=True, help="Also archived and sunset tools, and those with a successor.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--build", "build_dir", metavar="DIR", envvar="MLOPS_KG_BUILD",
              help="Build folder to read (default: ./build if up to date, else a cached build).")
def substitutes(name, top, language, capability, kind, industry, offered_by, equivalent_on, provider, open_source,
                managed, include_inactive, fmt, build_dir):
    """What could replace NAME, ranked, with the evidence for each and where it comes from.

    NAME may be any name or alias, in any case ("mlflow", "W&B", "kfserving",
    "google ai platform"). Like is compared with like: the same kind first, then the same
    primary capability, shared capabilities and catalogue categories (rare ones count more),
    stated substitutes; see the README. Archived and sunset tools are left out unless
    --include-inactive; a retired NAME's successor comes first.
    """
    from .analysis.substitutes import find_substitutes, load_index

    answer = find_substitutes(load_index(_build_folder(build_dir)), name, top=top, language=language,
                              capability=capability, kind=kind, industry=industry, offered_by=offered_by,
                              equivalent_on=equivalent_on, provider=provider, open_source=open_source,
                              managed=managed, include_inactive=include_inactive)
    if fmt == "json":
        import json

        click.echo(json.dumps(answer, indent=2, ensure_ascii=False))
        return
    tool = answer["tool"]["label"]
    if answer["tool"].get("status") or answer["tool"].get("successors"):
        status = answer["tool"].get("status") or "succeeded"
        after = ", ".join(s["label"] for s in answer["tool"].get("successors", []))
        if status != "active":
            click.echo(f"note: {tool} is {status}" + (f"; its successor: {after}" if after else ""), err=True)
    if "searched" in answer:
        click.echo(f"note: the filters were applied to the {answer['searched']} strongest candidates indexed for "
                   f"{tool}; weaker ones were not searched", err=True)
    if not answer["substitutes"]:
        what = ", ".join(f"{k.replace('_', '-')}={v}" if v is not True else k.replace("_", "-")
                         for k, v in answer["filters"].items())
        click.echo(f"No substitutes found for {tool}" + (f" with {what}." if what else "."))
        return
    def shown(s):
        flags = [s["status"]] if s.get("status") and s["status"] != "active" else []
        flags += ["no industry data"] if s.get("industry") == "unknown" else []
        return s["label"] + (f" [{', '.join(flags)}]" if flags else "")

    rows = [(str(i), shown(s), f"{s['score']:.2f}", "; ".join(s["reasons"][:3]))
            for i, s in enumerate(answer["substitutes"], 1)]
    widths = [max(len(r[c]) for r in rows + [("#", "substitute", "score", "")]) for c in range(3)]
    where = ", ".join(f"{k.replace('_', '-')}={v}" if v is not True else k.replace("_", "-")
                      for k, v in answer["filters"].items())
    click.echo(f"Substitutes for {tool}" + (f" ({where})" if where else "") + ":")
    click.echo(f"{'#'.rjust(widths[0])}  {'substitute'.ljust(widths[1])}  {'score'.rjust(widths[2])}  why")
    for r in rows:
        click.echo(f"{r[0].rjust(widths[0])}  {r[1].ljust(widths[1])}  {r[2].rjust(widths[2])}  {r[3]}")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True)
@click.option("--top", type=click.IntRange(min=1), default=5, show_default=True, help="Rows per table.")
@click.option("--build", "build_dir", metavar="DIR", envvar="MLOPS_KG_BUILD",
              help="Build folder to read (default: ./build if up to date, else a cached build).")
@click.option("--data", "data_file", metavar="FILE", type=click.Path(dir_okay=False),
              help="Analyse this RDF file (N-Quads, N-Triples, Turtle, TriG) directly in the embedded store: "
                   "the fast path for large graphs (no SHACL validation).")
@click.option("-q", "--quiet", is_flag=True, help="No progress lines.")
def analyze(fmt, top, build_dir, data_file, quiet):
    """Centrality per node type and clusters of substitutable tools."""
    from .progress import for_terminal
    from .analysis.report import analysis_markdown, load_analysis

    if data_file:
        from .analysis.report import analyze_file

        summary = analyze_file(data_file, top=top, progress=for_terminal(quiet))
    else:
        summary = load_analysis(_build_folder(build_dir), top=top)
    if fmt == "json":
        import json

        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        click.echo(analysis_markdown(summary), nl=False)


@cli.command()
@click.argument("names", nargs=-1, required=True, metavar="NAME NAME [NAME ...]")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--build", "build_dir", metavar="DIR", envvar="MLOPS_KG_BUILD",
              help="Build folder to read (default: ./build if up to date, else a cached build).")
def compare(names, fmt, build_dir):
    """Tools side by side: kind, capabilities (and what each lacks), licence, status, languages,
    providers, stars, releases and catalogues, each fact with its source.

    NAMEs resolve as for `substitutes` (any alias, any case: "mlflow", "W&B", "comet").
    """
    from .analysis.compare import compare_build, comparison_text

    result = compare_build(_build_folder(build_dir), names)
    if fmt == "json":
        import json

        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    click.echo(comparison_text(result))


@cli.command(name="import")
@click.argument("guide", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Turtle file to write (default: stdout).")
@click.option("--dry-run", is_flag=True, help="Print the report only; write nothing.")
@click.option("--standalone", is_flag=True, help="Resolve names within the guide only, not against the shipped graph.")
@click.option("-q", "--quiet", is_flag=True, help="No progress lines.")
def import_command(guide, output, dry_run, standalone, quiet):
    """Turn a Markdown GUIDE in the shape of the seed guide into Turtle, with a report.

    Names the graph already knows link to the existing nodes; new things become new nodes,
    typed by the field they appear in. Merge the result with `mlops-kg build --include FILE`
    (a .ttl from here, or the .md guide itself).
    """
    from .build.pipeline import import_and_check
    from .progress import for_terminal

    if output and Path(output).suffix.lower() not in (".ttl", ".turtle"):
        raise click.UsageError(f"-o {output}: import writes Turtle; name the file .ttl "
                               "(`build --include` reads a file by its extension)")
    # Fail before the shipped graph is loaded and validated (seconds): a guide that cannot be
    # read, an output folder that does not exist. The library checks both again.
    from .sources.importer import read_guide

    read_guide(guide)
    folder = Path(output).parent if output else None
    if folder is not None and not folder.is_dir():
        from .errors import OutputError

        raise OutputError(f"cannot write {output}: folder {folder} does not exist; create it first")
    result = import_and_check(guide, standalone=standalone, progress=for_terminal(quiet))
    report = result.report.text()
    if dry_run:
        click.echo(report, nl=False)
        return
    if output:
        from .files import write_text

        write_text(output, result.turtle())
        click.echo(report + f"wrote {output}", nl=True)
    else:
        click.echo(result.turtle(), nl=False)
        click.echo(report, err=True, nl=False)


@cli.command()
@click.option("--view", default="full", show_default=True, metavar="[full|substitutes]",
              help="full: every node, typed; substitutes: technologies coloured by cluster, edge width by weight.")
@click.option("--tool", "tool_name", metavar="NAME", help="Show only the neighbourhood of this tool (any name or alias).")
@click.option("--hops", type=int, default=None, metavar="N", help="With --tool: how many links away to go.  [default: 1]")
@click.option("-o", "--output", required=True, metavar="FILE.html",
              help="HTML file to write (one self-contained page).")
@click.option("--build", "build_dir", metavar="DIR", envvar="MLOPS_KG_BUILD",
              help="Build folder to read (default: ./build if up to date, else a cached build).")
def viz(view, tool_name, hops, output, build_dir):
    """Draw the graph as one interactive HTML page that works offline.

    Nodes are coloured and shaped by type, with a legend, a search box and a type filter;
    tooltips give the label, type, description and origin of each node.
    """
    from .pages.viz import VIEWS, check_output, graph_page, write_page

    if view not in VIEWS:
        raise MlopsKgError(f"unknown view {view!r}; use one of: {', '.join(VIEWS)}")
    if hops is not None and tool_name is None:
        raise MlopsKgError("--hops needs --tool NAME")
    if hops is not None and hops < 0:
        raise MlopsKgError(f"--hops must be 0 or more, got {hops}")
    from .pages.site import graph_view_for

    check_output(output)  # fail before the graph is loaded
    page_view = graph_view_for(_build_folder(build_dir), view=view, tool=tool_name, hops=1 if hops is None else hops)
    path = write_page(graph_page(page_view, subtitle="mlops-kg · works offline"), output)
    click.echo(f"wrote {path} ({len(page_view.nodes)} nodes, {len(page_view.edges)} edges)")


@cli.command()
@click.option("-o", "--output", "out_dir", required=True, metavar="DIR",
              help="Folder for the site (new, empty, or an earlier site, which is replaced).")
@click.option("--build", "build_dir", metavar="DIR", envvar="MLOPS_KG_BUILD",
              help="Build folder to read (default: ./build if up to date, else a cached build).")
def site(out_dir, build_dir):
    """Write a static site that works offline: every tool, its substitutes, the graph, the clusters.

    `mlops-kg build` also writes it, into DIR/site/.
    """
    from .pages.site import check_site_target, load_built, write_site

    check_site_target(out_dir)  # fail before the graph is loaded
    ds, analysis = load_built(_build_folder(build_dir))
    path = write_site(out_dir, ds, analysis)
    click.echo(f"wrote the site into {path}/ (open {path / 'index.html'})")


def _build_folder(build_dir, *, trust_explicit: bool = False):
    """The one place that decides whether a command needs a fresh build: an up-to-date build
    folder for ``build_dir`` (``--build`` / ``MLOPS_KG_BUILD``, else ./build or the cache), made
    if needed. With ``trust_explicit``, an explicit folder is read as it is (query and serve
    have always read the folder they are given without checking it is up to date)."""
    if build_dir and trust_explicit:
        return Path(build_dir)
    from .build.locate import ensure_build

    return ensure_build(build_dir)


def _store(build_dir, engine):
    from .query.store import open_store

    return open_store(_build_folder(build_dir, trust_explicit=True), engine)


BUILD_OPTION = click.option("--build", "build_dir", metavar="DIR", envvar="MLOPS_KG_BUILD",
                            help="Build folder to read (default: ./build if up to date, else a cached build).")


@cli.command()
@click.argument("query")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind ?NAME. A named query's parameters (and @param ones) resolve names through "
                   "labels and aliases; any other VALUE is a string, or an IRI written <...>. Repeatable.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "xml", "ttl", "nt", "jsonld"]),
              default=None, help="Output format (default: table; ttl for CONSTRUCT/DESCRIBE).")
@click.option("--endpoint", metavar="URL", help="Run on a remote SPARQL endpoint instead of the embedded store.")
@click.option("--timeout", type=FINITE_SECONDS, default=None,
              help="Seconds to wait for the answer (default: 10 for --endpoint, no limit for the embedded store).")
@click.option("--user", help="With --endpoint: user name for HTTP authentication.")
@click.option("--password", envvar="MLOPS_KG_PASSWORD", help="With --endpoint: password (or set MLOPS_KG_PASSWORD).")
@click.option("--auth", type=click.Choice(["auto", "digest", "basic"]), default="auto", show_default=True,
              help="With --endpoint and --user: the HTTP authentication scheme.")
@click.option("--store", "engine", type=click.Choice(["oxigraph", "rdflib"]), default="oxigraph",
              show_default=True, help="Embedded store engine.")
@BUILD_OPTION
def query(query, params, fmt, endpoint, timeout, user, password, auth, engine, build_dir):
    """Run QUERY: a named query (see `mlops-kg queries`), a .rq file, or SPARQL text.

    Our prefixes (mlo:, tool:, skos:, schema:, ...) are predeclared. ASK prints true/false
    and exits 0/1.

    \b
    Examples:
      mlops-kg query alternatives --param tool=mlflow
      mlops-kg query 'SELECT ?t WHERE { ?t a mlo:Tool } LIMIT 5' --format csv
    """
    from .query.formats import format_result
    from .query.named import parse_param_args, run_query

    values = parse_param_args(params)
    if user is not None and not endpoint:
        raise click.UsageError("--user is for a remote endpoint; add --endpoint URL")
    if endpoint:
        from .query.named import bind_params, resolve_query
        from .build.locate import local_names
        from .query.remote import RemoteNames, remote_query

        named = resolve_query(query)
        # No local build for a remote query: the local names are read only if a name is resolved
        login = {"user": user, "password": password, "auth": auth}
        resolver = RemoteNames(endpoint, lambda: local_names(build_dir), timeout=timeout or 10.0, **login)
        bindings = bind_params(named, values, resolver)
        result = remote_query(endpoint, named.text, bindings, timeout=timeout or 10.0, **login)
    elif timeout is not None:
        named, result = _with_time_limit(_build_folder(build_dir, trust_explicit=True), engine, query, values,
                                         timeout)
    else:
        store = _store(build_dir, engine)
        named, result = _interruptible(lambda: run_query(store, query, values))
    text = format_result(result, fmt or ("ttl" if result.kind == "graph" else "table"))
    answered_no = result.kind == "ask" and not result.boolean
    if answered_no:
        click.get_current_context().meta[PENDING_EXIT] = 1
    click.echo(text, nl=not text.endswith("\n"))
    if result.kind == "select" and named.cap and len(result.rows) >= named.cap:
        click.echo(f"note: {len(result.rows)} rows, as many as the query's LIMIT {named.cap}: more may match; "
                   "narrow it (a more specific parameter, or a FILTER in your own query)", err=True)
    if answered_no:
        sys.exit(1)


def _with_time_limit(build_dir, engine: str, query: str, values: dict, timeout: float):
    """``run_query`` within ``timeout`` seconds: in a worker process of the endpoint's pool
    (:class:`mlops_kg.query.workers.WorkerPool`, one worker), killed when the time is up, so a
    runaway query stops burning CPU at once (neither engine can cancel a query). Ctrl-C stops
    it too: this process waits in Python, where the signal is seen."""
    from .errors import QueryError
    from .query.named import reply_result, run_request
    from .query.workers import Unavailable, WorkerPool

    pool = WorkerPool(build_dir, engine, 1, handler=run_request)
    try:
        return reply_result(pool.run({"query": query, "params": values}, timeout))
    except Unavailable as exc:
        if exc.reason == "time":
            raise QueryError(f"the query took longer than {timeout:g} s; narrow it, or raise --timeout") from None
        raise QueryError(str(exc)) from None
    finally:
        pool.close()


def _interruptible(work):
    """``work()``, run in a helper thread while this one waits: Oxigraph evaluates in native
    code, where Ctrl-C is not seen until the query ends (it releases the GIL, so the waiting
    thread is woken by the signal). Not a time limit: that is :func:`_with_time_limit`'s."""
    import threading

    box = {}

    def run():
        try:
            box["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread as it is
            box["error"] = exc

    worker = threading.Thread(target=run, name="mlops-kg query", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.1)
    if "error" in box:
        raise box["error"]
    return box["value"]


@cli.command(name="queries")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def list_named_queries(fmt):
    """List the named queries with their descriptions and parameters."""
    from .query.named import list_queries

    items = list_queries()
    if fmt == "json":
        import json

        click.echo(json.dumps([{"name": q.name, "description": q.description,
                                "params": [{"name": p.name, "kind": p.kind, "description": p.description}
                                           for p in q.params], "examples": q.examples} for q in items], indent=2))
        return
    for q in items:
        params = " ".join(f"--param {p.name}=<{p.kind}>" for p in q.params)
        click.echo(f"{q.name} {params}".rstrip())
        click.echo(f"    {q.description}")
        for p in q.params:
            click.echo(f"    {p.name} ({p.kind}): {p.description}")
        for example in q.examples:
            click.echo(f"    e.g. {example}")


@cli.command()
@click.option("--endpoint", required=True, metavar="URL",
              help="Graph Store Protocol URL, e.g. http://127.0.0.1:8890/sparql-graph-crud-auth")
@click.option("--graph", "graph_iri", metavar="IRI",
              help="Put the merged graph into this one graph, an absolute IRI (default: one remote graph "
                   "per named graph).")
@click.option("--user", help="User name for HTTP authentication (UTF-8; no control characters).")
@click.option("--password", envvar="MLOPS_KG_PASSWORD", help="Password (or set MLOPS_KG_PASSWORD).")
@click.option("--auth", type=click.Choice(["auto", "digest", "basic"]), default="auto", show_default=True)
@click.option("--timeout", type=FINITE_SECONDS, default=60.0, show_default=True,
              help="Seconds to wait for each upload (0.1 to 604800).")
@BUILD_OPTION
def publish(endpoint, graph_iri, user, password, auth, timeout, build_dir):
    """Upload the built graph to a SPARQL server (Graph Store HTTP Protocol, PUT replaces)."""
    from .query.graph_store import check_credentials, check_graph_iri, check_url, publish as run_publish

    check_url(endpoint)  # before a build is made: a typo in the URL must not cost a whole build
    check_credentials(user, password)
    if graph_iri is not None:
        check_graph_iri(graph_iri)
    done = run_publish(_build_folder(build_dir), endpoint, graph_iri, user=user, password=password,
                       auth=auth, timeout=timeout)
    for iri, n in done:
        click.echo(f"published {n} triples to <{iri}>")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; the default serves this machine only.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0 picks a free one).")
@click.option("--timeout", type=QUERY_SECONDS, default=10.0, show_default=True,
              help="Seconds a query may run (0.1 to 86400); then it is stopped and answered with HTTP 503.")
@click.option("--max-rows", type=click.IntRange(min=1), default=10000, show_default=True,
              help="Most rows (or triples) in a result; a longer one is cut, with X-Result-Truncated: true.")
@click.option("--max-bytes", type=click.IntRange(min=1024), default=16 * 1024 * 1024, show_default=True,
              help="Most bytes in an answer; a longer one is cut to the leading rows that fit, with "
                   "X-Result-Truncated: true and X-Result-Truncated-By: bytes.")
@click.option("--max-memory", type=click.IntRange(min=64), default=1024, show_default=True, metavar="MB",
              help="Memory a worker may use, graph included (RLIMIT_DATA, where the OS has it); a query that "
                   "needs more is stopped with HTTP 503 and the worker replaced.")
@click.option("--workers", type=click.IntRange(min=1), default=3, show_default=True,
              help="Worker processes, i.e. queries that run at the same time.")
@click.option("--client-queries", type=click.IntRange(min=1), metavar="N",
              help="Queries one client address may have running or waiting; more get HTTP 429 with "
                   "Retry-After. Default: --workers minus one (at least 1), so one address never holds "
                   "every worker. All clients on this machine reach a loopback address as 127.0.0.1 "
                   "(or ::1) and so share one quota.")
@click.option("--send-timeout", type=QUERY_SECONDS, default=20.0, show_default=True,
              help="Seconds a client has to take its whole answer (0.1 to 86400); then it is disconnected.")
@click.option("--store", "engine", type=click.Choice(["oxigraph", "rdflib"]), default="oxigraph",
              show_default=True, help="Embedded store engine.")
@click.option("--quiet", is_flag=True, help="Do not log one line per request on stderr.")
@BUILD_OPTION
def serve(host, port, timeout, max_rows, max_bytes, max_memory, workers, client_queries, send_timeout, engine,
          quiet, build_dir):
    """Serve the graph as a read-only SPARQL 1.1 endpoint (/sparql) with a query page (/).

    Updates are refused (403); SERVICE (wherever it could be read as the keyword) and FROM /
    FROM NAMED naming graphs that are not loaded are refused (400): the server never fetches.
    On a loopback address (the default) only requests addressed to localhost, 127.0.0.1 or
    [::1] are answered (403 otherwise: DNS rebinding). Each query runs in a worker process
    within --timeout and --max-memory; answers are cut at --max-rows and --max-bytes; a client
    that does not take its answer within --send-timeout is disconnected. Stop with Ctrl-C.
    """
    import signal

    from .serve.server import check_options, make_server

    check_options(host=host, engine=engine, timeout=timeout, max_rows=max_rows, workers=workers,
                  max_bytes=max_bytes, max_memory_mb=max_memory, client_queries=client_queries,
                  send_timeout=send_timeout)
    server = make_server(_build_folder(build_dir, trust_explicit=True), host, port, engine=engine, timeout=timeout, max_rows=max_rows,
                         workers=workers, quiet=quiet, max_bytes=max_bytes, max_memory_mb=max_memory,
                         client_queries=client_queries, send_timeout=send_timeout)

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    click.echo(f"SPARQL endpoint: {server.url}sparql  query page: {server.url}  (Ctrl-C to stop)")
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"warning: listening on {host}: other machines can reach this endpoint", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.shutdown()


@cli.group()
def landscape():
    """The landscape snapshot: catalogue facts shipped in graph/landscape/, which the build loads."""


@landscape.command(name="refresh")
@click.option("--from", "from_dir", required=True, metavar="DIR",
              help="Folder with the catalogue files, named as in ../shared/landscape/, and a SOURCES.md "
                   "giving each file's upstream commit and date.")
@click.option("--out", "out_dir", metavar="DIR", help="Folder to write to (default: the shipped graph/landscape/).")
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
def landscape_refresh(from_dir, out_dir, dry_run):
    """Regenerate the catalogue graphs (one Turtle file per source, datasets, licences,
    languages) and print what changed: per file, entities added and removed, facts changed."""
    from .sources.snapshot import format_diff, format_figures, refresh

    snapshot, diffs = refresh(from_dir, out_dir, dry_run=dry_run)
    click.echo(format_diff(diffs))
    click.echo(format_figures(snapshot))
    click.echo("dry run: nothing written" if dry_run else f"wrote {len(snapshot.files)} files")


def command_reference() -> str:
    """The README's command reference: each command's ``--help`` at 100 columns (see
    :mod:`mlops_kg._reference`; here because only the CLI imports click)."""
    parts = []
    settings = {**cli.context_settings, "terminal_width": 100, "max_content_width": 100}
    with click.Context(cli, info_name="mlops-kg", **settings) as ctx:
        for name in sorted(cli.list_commands(ctx)):
            command = cli.get_command(ctx, name)
            with click.Context(command, parent=ctx, info_name=name, terminal_width=100,
                               max_content_width=100) as sub:
                text = command.get_help(sub)
            parts.append(f"### `mlops-kg {name}`\n\n```\n{text.rstrip()}\n```\n")
    return "\n".join(parts)


def main():
    """The ``mlops-kg`` console script."""
    cli(prog_name="mlops-kg")


if __name__ == "__main__":  # pragma: no cover
    main()
