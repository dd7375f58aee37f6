"""Embedded store choice, by measurement: rdflib's Memory store vs pyoxigraph, in one run.

Prints, for the shipped graph and a synthetic one, load time and the median latency of the
named queries on each engine, with the ratio rdflib / oxigraph.

    python benchmarks/store_compare.py [--tools 10000] [--repeat 5]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rdflib import URIRef  # noqa: E402

from mlops_kg.build.pipeline import build  # noqa: E402
from mlops_kg.query.named import list_queries  # noqa: E402
from mlops_kg.query.store import OxigraphStore, RdflibStore  # noqa: E402

SHIPPED_PARAMS = {"tool": "tool/mlflow", "from": "tool/dvc", "to": "tool/pachyderm",
                  "capability": "capability/experiment-tracking", "industry": "industry/healthcare",
                  "language": "language/python", "framework": "framework/pytorch",
                  "provider": "provider/microsoft-azure", "service": "tool/amazon-sagemaker"}
SYNTHETIC_PARAMS = {**SHIPPED_PARAMS, "tool": "tool/tool-1", "from": "tool/tool-1", "to": "tool/tool-2",
                    "service": "service/service-1", "provider": "provider/google-cloud"}
ID = "https://w3id.org/mlops-kg/id/"


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(nq: Path, params: dict, repeat: int, skip_rdflib_queries=False):
    rows = []
    load = {}
    stores = {}
    for cls in (OxigraphStore, RdflibStore):
        load[cls.engine] = timed(lambda: cls().load(nq, "nq"), 1 if cls is RdflibStore else repeat)
        stores[cls.engine] = cls().load(nq, "nq")
    rows.append(("load", load["rdflib"], load["oxigraph"]))
    for q in list_queries():
        bindings = {p.name: URIRef(ID + params[p.name]) for p in q.params}
        ox = timed(lambda: stores["oxigraph"].query(q.text, bindings), repeat)
        rd = float("nan") if skip_rdflib_queries else timed(lambda: stores["rdflib"].query(q.text, bindings),
                                                            max(1, repeat // 2))
        rows.append((q.name, rd, ox))
    return rows


def table(title, rows):
    print(f"\n### {title}\n")
    print("| step | rdflib (ms) | oxigraph (ms) | rdflib / oxigraph |")
    print("|---|---:|---:|---:|")
    for name, rd, ox in rows:
        ratio = rd / ox if ox and rd == rd else float("nan")
        print(f"| {name} | {rd * 1000:.1f} | {ox * 1000:.1f} | {ratio:.1f}× |")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tools", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        build(Path(tmp) / "b")
        table("shipped graph", measure(Path(tmp) / "b" / "mlops-kg.nq", SHIPPED_PARAMS, args.repeat))
        from synthetic import write

        nq = Path(tmp) / "synthetic.nq"
        n = write(args.tools, nq)
        table(f"synthetic graph: {args.tools} tools, {n} quads", measure(nq, SYNTHETIC_PARAMS, args.repeat))


if __name__ == "__main__":
    main()
