"""`mlops-kg substitutes mlflow` as a fresh process, against a bare `python -c "import click"`.

Goal (issue 15): at most 1.5× the baseline, with ~2,000 tools. Both are measured in the same
run, interleaved, and the table shows medians of N runs. The processes run with bytecode caches
written (as an installed wheel has them), even under PYTHONDONTWRITEBYTECODE.

    python benchmarks/startup.py [--runs 15] [--build DIR] [--name mlflow]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def wall(cmd, env) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def measure(runs: int, build_dir: Path, name: str = "mlflow") -> list[tuple[str, float]]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["MLOPS_KG_BUILD"] = str(build_dir)
    cli = [sys.executable, "-m", "mlops_kg"]
    commands = {
        'python -c "import click"': [sys.executable, "-c", "import click"],
        f"mlops-kg substitutes {name}": cli + ["substitutes", name],
        "mlops-kg --help": cli + ["--help"],
    }
    for cmd in commands.values():  # warm the OS file cache, write the bytecode caches
        wall(cmd, env)
    times = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            times[name].append(wall(cmd, env))
    return [(name, statistics.median(values)) for name, values in times.items()]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--build", help="an existing build folder (default: build one in a temp folder)")
    parser.add_argument("--name", default="mlflow", help="the tool to look up (default: mlflow)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        build_dir = Path(args.build) if args.build else Path(tmp) / "build"
        if not args.build:
            from mlops_kg.build.pipeline import build

            build(build_dir)
        rows = measure(args.runs, build_dir, args.name)
    base = rows[0][1]
    print(f"| command (median of {args.runs} fresh processes) | wall time (ms) | ratio to `import click` |")
    print("|---|---:|---:|")
    for name, value in rows:
        print(f"| `{name}` | {value * 1000:.1f} | {value / base:.2f}× |")


if __name__ == "__main__":
    main()
