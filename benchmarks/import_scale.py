"""How the guide importer scales: sections per second for synthetic guides of growing size.

Each size is imported against the shipped graph (reading, resolving every name, writing the
RDF graph and the report), then written as Turtle; SHACL validation is left out (it is
measured with the build). Goal (issue 12): 2,000 sections well under 30 s, and near-linear.

    python benchmarks/import_scale.py [--sizes 200,2000] [--turtle]
"""
from __future__ import annotations

import argparse
import time

SYLLABLES = ("ka", "lo", "mi", "ve", "dra", "qui", "sto", "ne", "ru", "fen", "bal", "tor", "zi", "pa", "wen",
             "gal", "sor")


def tool_name(i: int) -> str:
    """A made-up tool name, distinct for every ``i`` (words vary, so names do not share one long prefix)."""
    n = len(SYLLABLES)
    word = SYLLABLES[i % n] + SYLLABLES[(i // n) % n] + SYLLABLES[(i // n // n) % n]
    return f"{word.capitalize()} {('Flow', 'Track', 'Serve', 'Store')[i % 4]} {i}"


def synthetic_guide(sections: int) -> str:
    """A guide in the seed guide's shape with ``sections`` new tools: a numbered list of all of
    them, then a section each naming known tools, earlier new tools, unknown tools, new AWS
    services, languages and industries, as real guides do."""
    names = [tool_name(i) for i in range(sections)]
    lines = [f"# A synthetic guide to {sections} tools", ""]
    lines += [f"{i}. {name}" for i, name in enumerate(names, 1)]
    for i, name in enumerate(names):
        lines += ["", f"## {i + 1}. **{name}**",
                  f"- **Detailed Explanation**: An open-source tool that tracks experiments and serves models ({i}).",
                  f"- **Alternatives**: MLflow, {names[i - 1]}, {names[(i * 7) % sections]}, Unlisted {name}",
                  f"- **Cloud Technology Equivalents**: AWS {name} Service, Vertex AI",
                  "- **Languages Used**: Python, YAML",
                  f"- **Usage in Data Engineering**: Moves batch {i} into the store.",
                  "- **Industry Use**:",
                  f"  - **Retail**: Case {i}.",
                  f"  - **Healthcare**: Case {i}."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,2000", help="comma-separated section counts")
    parser.add_argument("--turtle", action="store_true", help="also time writing the result as Turtle")
    args = parser.parse_args()
    from mlops_kg.sources.importer import import_text
    from mlops_kg.model.inference import infer
    from mlops_kg.model.load import load_sources, union_graph

    ds = load_sources()
    infer(ds)
    known = union_graph(ds)
    print("| sections | import + report | per section | Turtle |")
    print("|---:|---:|---:|---:|")
    for size in (int(s) for s in args.sizes.split(",")):
        text = synthetic_guide(size)
        start = time.perf_counter()
        result = import_text(text, "synthetic.md", known)
        result.report.text()
        took = time.perf_counter() - start
        turtle = ""
        if args.turtle:
            start = time.perf_counter()
            result.turtle()
            turtle = f"{time.perf_counter() - start:.2f} s"
        print(f"| {size:,} | {took:.2f} s | {1000 * took / size:.2f} ms | {turtle} |")


if __name__ == "__main__":
    main()
