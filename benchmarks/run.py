"""The benchmark suite: one table, every figure measured in this run against a baseline.

For each size of synthetic graph (benchmarks/synthetic.py), in a fresh child process:

* load + index (embedded Oxigraph store from N-Quads + the name index) vs a raw pyoxigraph
  bulk load of the same triples as N-Triples;
* every named query (median latency);
* ``substitutes`` warm (library call on a loaded index);
* ``analyze`` (projection, centrality, substitutability, clusters);
* ``viz`` (a two-hop neighbourhood page of the best-connected tool);
* peak memory (max RSS of the child).

At the shipped size: ``mlops-kg substitutes mlflow`` as a fresh process vs
``python -c "import click"``, and ``mlops-kg build`` end to end.

    python benchmarks/run.py                       # sizes 1000 10000 50000 (make bench)
    python benchmarks/run.py --sizes 200 --repeat 1  # a quick run (the test suite does this)
    python benchmarks/run.py --repeat 3 --compact    # the README's table
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
    "fresh": ("≤ 2× import click", lambda ratio, value: ratio <= 2.0),
    "build": ("< 5 s", lambda ratio, value: value < 5),
}
ID = "https://w3id.org/mlops-kg/id/"


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure_size(tools: int, repeat: int, workdir: Path) -> dict:
    """Runs in a child process: every figure for one synthetic size."""
    import pyoxigraph
    from rdflib import URIRef

    from mlops_kg.analysis import analyze
    from mlops_kg.queries import list_queries
    from mlops_kg.resolve import Resolver
    from mlops_kg.store import OxigraphStore
    from mlops_kg.substitutes import find_substitutes, make_index
    from mlops_kg.viz import graph_page, neighbourhood_view
    from synthetic import write

    nq, nt = workdir / f"s{tools}.nq", workdir / f"s{tools}.nt"
    quads = write(tools, nq)
    with open(nq, encoding="utf-8") as src, open(nt, "w", encoding="utf-8") as dst:
        for line in src:  # the same statements without the graph name
            dst.write(line[: line.rstrip().rstrip(".").rstrip().rfind(" <")] + " .\n")
    out = {"tools": tools, "quads": quads, "rows": []}

    def row(name, value, baseline=None, goal=None, unit="s"):
        out["rows"].append({"name": name, "value": value, "baseline": baseline, "goal": goal, "unit": unit})

    raw = median_time(lambda: pyoxigraph.Store().bulk_load(path=str(nt), format=pyoxigraph.RdfFormat.N_TRIPLES),
                      repeat)

    def load_and_index():
        store = OxigraphStore().load(nq, "nq")
        Resolver.for_store(store)
        return store

    ours = median_time(load_and_index, repeat)
    row("load + index (vs raw pyoxigraph N-Triples load)", ours, raw, "load")
    store = load_and_index()
    params = {"tool": "tool/tool-1", "from": "tool/tool-1", "to": "tool/tool-2", "service": "service/service-1",
              "capability": "capability/experiment-tracking", "industry": "industry/healthcare",
              "language": "language/python", "framework": "framework/pytorch", "provider": "provider/google-cloud"}
    for q in list_queries():
        bindings = {p.name: URIRef(ID + params[p.name]) for p in q.params}
        row(f"query {q.name}", median_time(lambda: store.query(q.text, bindings), repeat), None, "query")
    start = time.perf_counter()
    result = analyze(store)
    row("analyze", time.perf_counter() - start, None, "analyze")
    index = make_index(store, result)
    find_substitutes(index, "Tool 1")  # first call builds the name index: the warm figure excludes it
    row("substitutes warm (library call)", median_time(lambda: find_substitutes(index, "Tool 1"), repeat * 3),
        None, "substitutes_warm")
    hub = max(result.subst.nodes, key=lambda n: (result.subst.degree(n), n))
    row("viz (2-hop neighbourhood page of the top tool)",
        median_time(lambda: graph_page(neighbourhood_view(result.full, hub, hops=2)), repeat), None, None)
    row("peak memory (max RSS)", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, None, "memory", "B")
    return out


def measure_shipped(runs: int, workdir: Path) -> dict:
    from mlops_kg.build import build

    start = time.perf_counter()
    build(workdir / "shipped")
    build_time = time.perf_counter() - start
    times = [median_time(lambda: build(workdir / "again"), 1) for _ in range(max(1, runs // 5))]
    env = {**os.environ, "MLOPS_KG_BUILD": str(workdir / "shipped")}
    cmds = {"click": [sys.executable, "-c", "import click"],
            "fresh": [sys.executable, "-m", "mlops_kg", "substitutes", "mlflow"]}
    samples = {k: [] for k in cmds}
    for _ in range(max(2, runs)):
        for key, cmd in cmds.items():
            t = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
            samples[key].append(time.perf_counter() - t)
    click_t, fresh_t = statistics.median(samples["click"]), statistics.median(samples["fresh"])
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
    text, check = GOALS[row["goal"]]
    ratio = row["value"] / row["baseline"] if row["baseline"] else None
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
        at_goal = res.get("tools", 0) >= 50_000 or "tools" not in res
        for row in (compact(res["rows"]) if fold_queries else res["rows"]):
            base = f"{row['baseline'] * 1000:,.1f} ms" if row["baseline"] else ""
            ratio = f"{row['value'] / row['baseline']:.2f}×" if row["baseline"] else ""
            print(f"| {size} | {row['name']} | {fmt_value(row)} | {base} | {ratio} | {verdict(row, at_goal)} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--fresh-runs", type=int, default=15, help="fresh processes for the startup figure")
    parser.add_argument("--compact", action="store_true", help="one summary row for the named queries (README)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    from synthetic import MAX_TOOLS

    for size in args.sizes:
        if size < 1 or size > MAX_TOOLS:
            sys.exit(f"error: size {size} is out of range; use 1 to {MAX_TOOLS:,} tools "
                     "(see benchmarks/synthetic.py for the memory a size needs)")
    if args.child:
        print(json.dumps(measure_size(args.child, args.repeat, Path(args.workdir))))
        return
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            child = subprocess.run([sys.executable, __file__, "--child", str(size), "--repeat", str(args.repeat),
                                    "--workdir", tmp], capture_output=True, text=True)
            if child.returncode != 0:
                sys.exit(f"error: the {size}-tool benchmark failed: {child.stderr.strip().splitlines()[-1:]}")
            results.append(json.loads(child.stdout))
            for f in Path(tmp).glob("s*.n*"):
                f.unlink()
        results.append(measure_shipped(args.fresh_runs, Path(tmp)))
    print_table(results, args.repeat, fold_queries=args.compact)


if __name__ == "__main__":
    main()
