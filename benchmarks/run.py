"""The benchmark suite: one table, every figure measured in this run against a baseline.

For each size of synthetic graph (benchmarks/synthetic.py: that many synthetic tools merged
into the shipped build, so the ontology and labelled vocabularies are there), in a fresh child
process:

* load + index (embedded Oxigraph store from N-Quads + the name index) vs a raw pyoxigraph
  bulk load of the same triples as N-Triples;
* ``analyze`` (projection, centrality, substitutability, clusters), whose results then join the
  store as ``build`` adds them;
* every named query (median latency; tool parameters name the best-connected tool);
* ``substitutes`` warm (library call on a loaded index);
* ``viz`` (a two-hop neighbourhood page of the best-connected tool);
* ``mlops-kg substitutes NAME`` as a fresh process (NAME: the best-connected tool) vs
  ``python -c "import click"``, side by side: the size's index (``index_bytes`` of the
  ``make_index`` above) in a copy of the shipped build, whose manifest stays up to date, so
  the command reads that index as it reads a build's (issue 15: at most 1.5× at 2,000 tools);
* peak memory (max RSS of the child).

At the shipped size: ``mlops-kg substitutes mlflow`` as a fresh process vs
``python -c "import click"``, and ``mlops-kg build`` end to end. Fresh processes run with
bytecode caches written (as an installed wheel has them), even under PYTHONDONTWRITEBYTECODE.

Validation (SHACL shapes + name collisions, CPU time of ``validate_graph``) of the shipped graph
and of synthetic tools merged into it until it has 10× and 40× its nodes (``--validation-scales``):
each figure against the 1× one, to show that the cost grows linearly with the data. A synthetic
tool brings more triples than the shipped graph's average node (27 for two nodes), so the
figures are held against the growth of the triples.

    python benchmarks/run.py                       # sizes 2000 10000 50000 (make bench)
    python benchmarks/run.py --sizes 200 --repeat 1  # a quick run (the test suite does this)
    python benchmarks/run.py --repeat 3 --compact    # the README's table
    python benchmarks/run.py --graph my-build/mlops-kg.nq  # your own graph (validated first)
    python benchmarks/run.py --sizes --validation-scales 1 10 40  # validation scaling only
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

GOALS = {  # at 50k tools, and at the shipped size (see issue 7 / README)
    "load": ("≤ 1.5× raw load", lambda ratio, value: ratio <= 1.5),
    "query": ("< 200 ms", lambda ratio, value: value < 0.2),
    "substitutes_warm": ("< 50 ms", lambda ratio, value: value < 0.05),
    "analyze": ("< 60 s", lambda ratio, value: value < 60),
    "memory": ("< 3 GB", lambda ratio, value: value < 3 * 1024**3),
    "fresh": ("≤ 1.5× import click", lambda ratio, value: ratio <= 1.5),
    "build": ("< 5 s", lambda ratio, value: value < 5),
}
#: Validation of k× the triples may cost at most this many times k× the 1× figure ("linear").
LINEAR_SLACK = 1.5
ID = "https://w3id.org/mlops-kg/id/"
GRAPH_ANALYSIS = "https://w3id.org/mlops-kg/graph/analysis"


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fresh_vs_click(build_dir: Path, name: str, runs: int) -> tuple[float, float]:
    """Median wall time of ``mlops-kg substitutes NAME`` on ``build_dir`` as a fresh process,
    and of ``python -c "import click"``, interleaved (so drift in the machine hits both alike)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["MLOPS_KG_BUILD"] = str(build_dir)
    cmds = {"click": [sys.executable, "-c", "import click"],
            "fresh": [sys.executable, "-m", "mlops_kg", "substitutes", name]}
    for cmd in cmds.values():  # writes the bytecode caches and warms the file cache
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
    samples = {k: [] for k in cmds}
    for _ in range(max(2, runs)):
        for key, cmd in cmds.items():
            t = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
            samples[key].append(time.perf_counter() - t)
    return statistics.median(samples["fresh"]), statistics.median(samples["click"])


def index_build(shipped: Path, index: dict, out: Path) -> Path:
    """A copy of the shipped build (without its site) holding ``index`` as its index file."""
    import shutil

    from mlops_kg.analysis.substitutes import index_bytes
    from mlops_kg.model.layout import INDEX

    shutil.copytree(shipped, out, ignore=shutil.ignore_patterns("site", "*.nq", "*.nt", "*.ttl", "*.trig",
                                                                 "*.jsonld"))
    (out / INDEX).write_bytes(index_bytes(index))
    return out


def measure_size(tools: int, repeat: int, workdir: Path, base: Path | None = None,
                 graph: Path | None = None, fresh_runs: int = 15) -> dict:
    """Runs in a child process: every figure for one synthetic size (or for the graph at ``graph``)."""
    import pyoxigraph
    from rdflib import URIRef

    from mlops_kg.analysis.rdf import write_ntriples
    from mlops_kg.analysis.result import analyze
    from mlops_kg.query.named import list_queries
    from mlops_kg.sources.resolve import Resolver
    from mlops_kg.query.store import OxigraphStore
    from mlops_kg.analysis.substitutes import find_substitutes, make_index
    from mlops_kg.pages.viz import graph_page, neighbourhood_view
    from synthetic import write

    nt = workdir / f"s{tools}.nt"
    if graph is None:
        nq = workdir / f"s{tools}.nq"
        quads = write(tools, nq, base=base)
    else:
        nq = graph
        with open(graph, encoding="utf-8") as lines:
            quads = sum(1 for line in lines if line.strip())
    with open(nq, encoding="utf-8") as src, open(nt, "w", encoding="utf-8") as dst:
        for line in src:  # the same statements without the graph name
            if line.strip():
                dst.write(line[: line.rstrip().rstrip(".").rstrip().rfind(" <")] + " .\n")
    out = {"tools": tools, "quads": quads, "rows": []}
    if graph is not None:
        out["graph"] = str(graph)

    def row(name, value, baseline=None, goal=None, unit="s"):
        out["rows"].append({"name": name, "value": value, "baseline": baseline, "goal": goal, "unit": unit})

    def load_and_index():
        store = OxigraphStore().load(nq, "nq")
        Resolver.for_store(store)
        return store

    raws, ourses, store = [], [], None
    for _ in range(max(1, repeat)):  # interleaved, so drift in the machine hits both alike
        store = None  # the previous run's store, freed before the next loads
        raws.append(median_time(lambda: pyoxigraph.Store().bulk_load(path=str(nt),
                                                                     format=pyoxigraph.RdfFormat.N_TRIPLES), 1))
        start = time.perf_counter()
        store = load_and_index()  # the last one serves the rest of the benchmark
        ourses.append(time.perf_counter() - start)
    raw, ours = statistics.median(raws), statistics.median(ourses)
    row("load + index (vs raw pyoxigraph N-Triples load)", ours, raw, "load")
    start = time.perf_counter()
    result = analyze(store)
    row("analyze", time.perf_counter() - start, None, "analyze")
    # As `build` does: the analysis results join the graph, so queries such as most-central see them.
    analysis_graph = pyoxigraph.NamedNode(GRAPH_ANALYSIS)
    if analysis_graph in store._store.named_graphs():  # a built graph's own (maybe stale) results
        store._store.remove_graph(analysis_graph)
    with open(workdir / f"analysis{tools}.nt", "wb") as analysis_nt:
        write_ntriples(result, analysis_nt)
    store._store.load(path=str(workdir / f"analysis{tools}.nt"), format=pyoxigraph.RdfFormat.N_TRIPLES,
                      to_graph=analysis_graph)
    hub = max(result.subst.nodes, key=lambda n: (result.subst.degree(n), n))
    params = {"tool": hub, "from": hub, "to": max(result.subst[hub], key=lambda n: (result.subst[hub][n]["weight"], n)),
              "service": ID + "service/service-1", "capability": ID + "capability/experiment-tracking",
              "industry": ID + "industry/healthcare", "language": ID + "language/python",
              "framework": ID + "framework/pytorch", "provider": ID + "provider/google-cloud"}
    for q in list_queries():
        bindings = {p.name: URIRef(params[p.name]) for p in q.params}
        row(f"query {q.name}", median_time(lambda: store.query(q.text, bindings), repeat), None, "query")
    index = make_index(store, result)
    name = store.select_strings(f"SELECT ?l WHERE {{ <{hub}> skos:prefLabel ?l }}")[0][0]
    find_substitutes(index, name)  # first call builds the name index: the warm figure excludes it
    row("substitutes warm (library call)", median_time(lambda: find_substitutes(index, name), repeat * 3),
        None, "substitutes_warm")
    if base is not None:  # the shipped build beside the base graph: its manifest is up to date
        folder = index_build(base.parent, index, workdir / f"b{tools}")
        fresh, click = fresh_vs_click(folder, name, fresh_runs)
        row(f"`mlops-kg substitutes {name}`, fresh process (vs `python -c \"import click\"`)", fresh, click,
            "fresh")
        import shutil

        shutil.rmtree(folder)
    row("viz (2-hop neighbourhood page of the top tool)",
        median_time(lambda: graph_page(neighbourhood_view(result.full, hub, hops=2)), repeat), None, None)
    row("peak memory (max RSS)", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, None, "memory", "B")
    return out


def _subjects(path: Path) -> int:
    with open(path, encoding="utf-8") as lines:
        return len({line.split(" ", 1)[0] for line in lines if line.strip()})


def measure_validation(scales: list[int], repeat: int, workdir: Path, base: Path) -> dict:
    """Runs in a child process: CPU time of validating the shipped graph grown to each scale
    (times its number of nodes) with synthetic tools, each against the 1× figure."""
    from mlops_kg.model.load import new_dataset, union_graph
    from mlops_kg.model.validate import load_shapes, validate_graph
    from synthetic import base_lines, write

    one = workdir / "v1.nq"
    with open(one, "w", encoding="utf-8") as f:
        f.writelines(base_lines(base))  # the shipped graph as synthetic.py merges it: no analysis graph
    base_nodes = _subjects(one)
    probe = workdir / "vprobe.nq"
    write(100, probe, base=base)
    per_tool = (_subjects(probe) - base_nodes) / 100
    probe.unlink()
    load_shapes()  # parsed once per process, as in a build: not part of the figure
    rows, first = [], None
    for scale in scales:
        path = one if scale <= 1 else workdir / f"v{scale}.nq"
        if scale > 1:
            write(max(1, round((scale - 1) * base_nodes / per_tool)), path, base=base)
        ds = new_dataset()
        ds.parse(str(path), format="nquads")
        union = union_graph(ds)
        nodes = len(set(union.subjects()))
        times = []
        for _ in range(max(1, repeat) * (5 if path == one else 1)):  # the baseline of every ratio: steadier
            start = time.process_time()
            report = validate_graph(union)
            times.append(time.process_time() - start)
        if not report.conforms:
            raise SystemExit(f"the {scale}× graph does not conform: {report.summary()}")
        value = statistics.median(times)
        first = first if first is not None else (scale, value, len(union))
        growth = len(union) / first[2]
        rows.append({"name": f"validate, CPU ({scale}× the nodes: {nodes:,} nodes, {len(union):,} triples"
                             + (f", {growth:.1f}× the triples)" if scale != first[0] else ")"),
                     "value": value, "baseline": first[1] if scale != first[0] else None,
                     "goal": "linear" if scale != first[0] else None, "scale": growth, "unit": "s"})
        if path != one:
            path.unlink()
    return {"validation": True, "rows": rows}


def measure_shipped(runs: int, workdir: Path, without=()) -> dict:
    from mlops_kg.build.pipeline import build

    start = time.perf_counter()
    build(workdir / "shipped", without=tuple(without))
    build_time = time.perf_counter() - start
    times = [median_time(lambda: build(workdir / "again", without=tuple(without)), 1) for _ in range(runs // 5)]
    fresh_t, click_t = fresh_vs_click(workdir / "shipped", "mlflow", runs)
    return {"rows": [
        {"name": "`mlops-kg substitutes mlflow`, fresh process (vs `python -c \"import click\"`)",
         "value": fresh_t, "baseline": click_t, "goal": "fresh", "unit": "s"},
        {"name": "`mlops-kg build` end to end (incl. site)", "value": statistics.median(times + [build_time]),
         "baseline": None, "goal": "build", "unit": "s"},
    ]}


def fmt_value(row) -> str:
    if row["unit"] == "B":
        return f"{row['value'] / 1024**2:,.0f} MB"
    value = row["value"]
    if value < 0.001:
        return f"{value * 1000:.3f} ms"
    return f"{value * 1000:,.1f} ms" if value < 1 else f"{value:,.2f} s"


def verdict(row, at_goal_size: bool) -> str:
    if not row["goal"]:
        return ""
    ratio = row["value"] / row["baseline"] if row["baseline"] else None
    if row["goal"] == "linear":
        limit = LINEAR_SLACK * row["scale"]
        return f"{'✓' if ratio <= limit else '✗'} linear: ≤ {limit:.1f}× the 1× figure (1.5 × the triples' growth)"
    text, check = GOALS[row["goal"]]
    if not at_goal_size and row["goal"] in ("load", "query", "substitutes_warm", "analyze", "memory"):
        return f"({text} at 50k)"
    return f"{'✓' if check(ratio, row['value']) else '✗'} {text}"


def compact(rows: list[dict]) -> list[dict]:
    """The named-query rows folded into one summary row (the slowest value, the slow ones named)."""
    queries = [r for r in rows if r["name"].startswith("query ")]
    if not queries:
        return rows
    slowest = max(queries, key=lambda r: r["value"])
    values = sorted(r["value"] for r in queries)
    slow = ", ".join(f"{r['name'][6:]} {fmt_value(r)}" for r in sorted(queries, key=lambda r: -r["value"])
                     if r["value"] >= 0.2) or "none"
    summary = {"name": f"{len(queries)} named queries (median {values[len(values) // 2] * 1000:.1f} ms; "
                       f"≥ 200 ms: {slow}): the slowest", "value": slowest["value"], "baseline": None,
               "goal": "query", "unit": "s"}
    out, placed = [], False
    for r in rows:
        if r["name"].startswith("query "):
            if not placed:
                out.append(summary)
                placed = True
            continue
        out.append(r)
    return out


def print_table(results: list[dict], repeat: int, *, fold_queries: bool = False):
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}; medians of {repeat} runs unless noted.\n")
    print("| size | measurement | value | baseline | ratio | goal |")
    print("|---|---|---:|---:|---:|---|")
    for res in results:
        size = f"{res['tools']:,} tools ({res['quads']:,} quads)" if "tools" in res else "shipped graph"
        if "validation" in res:
            size = "shipped graph, grown"
        if "graph" in res:
            size = f"{Path(res['graph']).name}: {size}"
        at_goal = res.get("tools", 0) >= 50_000 or "tools" not in res
        for row in (compact(res["rows"]) if fold_queries else res["rows"]):
            base = f"{row['baseline'] * 1000:,.1f} ms" if row["baseline"] else ""
            ratio = f"{row['value'] / row['baseline']:.2f}×" if row["baseline"] else ""
            print(f"| {size} | {row['name']} | {fmt_value(row)} | {base} | {ratio} | {verdict(row, at_goal)} |")


def check_graph(path: Path) -> None:
    """Refuse a graph the benchmark cannot measure honestly: missing, not N-Quads, or invalid."""
    if not path.is_file():
        sys.exit(f"error: {path} does not exist; pass a built graph such as build/mlops-kg.nq")
    if path.suffix != ".nq":
        sys.exit(f"error: {path} is not N-Quads; pass the mlops-kg.nq that `mlops-kg build` writes")
    print(f"validating {path} against the shapes first (large graphs take a while)...", file=sys.stderr)
    check = subprocess.run([sys.executable, "-m", "mlops_kg", "validate", str(path)], capture_output=True, text=True)
    if check.returncode != 0:
        lines = [line.strip() for line in (check.stdout + check.stderr).splitlines() if line.strip()]
        first = next((line for line in lines if line.startswith(("error:", "-", "*"))), lines[0] if lines else "")
        sys.exit(f"error: {path} fails validation, so its figures would mean little ({first}); "
                 f"run `mlops-kg validate {path}` for the full report")


def run_child(args: list[str]) -> dict:
    child = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if child.returncode != 0:
        last = (child.stderr.strip().splitlines() or ["no output"])[-1]
        sys.exit(f"error: the benchmark child ({' '.join(args[:2])}) failed: {last}")
    return json.loads(child.stdout)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[2000, 10000, 50000])
    parser.add_argument("--validation-scales", type=int, nargs="*", default=[1, 10, 40],
                        help="validate the shipped graph grown to these multiples of its nodes")
    parser.add_argument("--graph", type=Path,
                        help="benchmark this built graph (N-Quads; validated first) instead of synthetic ones")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--fresh-runs", type=int, default=15, help="fresh processes for the startup figure")
    parser.add_argument("--without", action="append", default=[], metavar="SOURCE",
                        help="build the shipped graph without this source (e.g. landscape: the guide-only graph, "
                             "as the test suite's quick run does); repeatable")
    parser.add_argument("--compact", action="store_true", help="one summary row for the named queries (README)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--validation-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--base", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    from synthetic import size_problem

    if args.validation_child:
        print(json.dumps(measure_validation(args.validation_scales, args.repeat, Path(args.workdir),
                                            Path(args.base))))
        return
    if args.child is not None:
        print(json.dumps(measure_size(args.child, args.repeat, Path(args.workdir),
                                      base=Path(args.base) if args.base else None, graph=args.graph,
                                      fresh_runs=args.fresh_runs)))
        return
    if args.repeat < 1:
        sys.exit("error: --repeat must be at least 1")
    if any(scale < 1 for scale in args.validation_scales):
        sys.exit("error: --validation-scales must be at least 1")
    for size in args.sizes:
        problem = size_problem(size)
        if problem:
            sys.exit(f"error: --sizes {size}: {problem}")
    if args.graph is not None:
        check_graph(args.graph)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        shipped = measure_shipped(args.fresh_runs, Path(tmp), args.without)
        base = Path(tmp) / "shipped" / "mlops-kg.nq"
        common = ["--repeat", str(args.repeat), "--workdir", tmp, "--fresh-runs", str(args.fresh_runs)]
        if args.graph is not None:
            tools = count_tools(args.graph)
            results.append(run_child(["--child", str(tools), "--graph", str(args.graph.resolve()), *common]))
        for size in ([] if args.graph is not None else args.sizes):
            results.append(run_child(["--child", str(size), "--base", str(base), *common]))
            for f in [*Path(tmp).glob("s*.n*"), *Path(tmp).glob("analysis*.nt")]:
                f.unlink()
        if args.validation_scales and args.graph is None:
            results.append(run_child(["--validation-child", "--validation-scales",
                                      *map(str, sorted(set(args.validation_scales))), "--base", str(base), *common]))
        results.append(shipped)
    print_table(results, args.repeat, fold_queries=args.compact)


def count_tools(path: Path) -> int:
    needle = f"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/mlops-kg/ontology#Tool>"
    with open(path, encoding="utf-8") as f:
        return sum(1 for line in f if needle in line)


if __name__ == "__main__":
    main()
