"""`mlops-kg substitutes mlflow` as a fresh process, against a bare `python -c "import click"`.

Goal (issue 4): at most 2× the baseline. Both are measured in the same run, interleaved, and
the table shows medians of N runs.

    python benchmarks/startup.py [--runs 15] [--build DIR]
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


def measure(runs: int, build_dir: Path) -> list[tuple[str, float]]:
    env = {**os.environ, "MLOPS_KG_BUILD": str(build_dir)}
    cli = [sys.executable, "-m", "mlops_kg"]
    commands = {
        'python -c "import click"': [sys.executable, "-c", "import click"],
        "mlops-kg substitutes mlflow": cli + ["substitutes", "mlflow"],
        "mlops-kg --help": cli + ["--help"],
    }
    for cmd in commands.values():  # warm the OS file cache
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
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        build_dir = Path(args.build) if args.build else Path(tmp) / "build"
        if not args.build:
            from mlops_kg.build.pipeline import build

            build(build_dir)
        rows = measure(args.runs, build_dir)
    base = rows[0][1]
    print(f"| command (median of {args.runs} fresh processes) | wall time (ms) | ratio to `import click` |")
    print("|---|---:|---:|")
    for name, value in rows:
        print(f"| `{name}` | {value * 1000:.1f} | {value / base:.2f}× |")


if __name__ == "__main__":
    main()
