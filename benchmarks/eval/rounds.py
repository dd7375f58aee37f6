"""Add a judged round made after seeing output (benchmarks/eval/README.md, "Rounds").

Two steps, with reviewers in between:

    python benchmarks/eval/rounds.py pool --build build --top 10 --split 2 OUT-PREFIX
        # OUT-PREFIX-A.json, -B.json, ...: for each ranked query, its kind and the unjudged,
        # non-retired names of its top N, sorted by name (reviewers see no ranks or scores)
    python benchmarks/eval/rounds.py merge ROUND "DESCRIPTION" GRADES.yaml [GRADES.yaml ...]
        # writes the reviewers' grades into judgements.yaml as one after-output round

A reviewer's GRADES.yaml has ``queries`` (query tool -> good / acceptable / wrong -> name ->
reason) and may propose ``aliases_proposed`` (judged name -> [other spellings]) and
``retired_proposed`` (name -> reason and evidence); ``not_a_tool`` and ``notes`` are for the
maintainer who merges. The merge edits the hand-formatted file as text (comments and layout stay)
and then `metrics.py --check` must pass.
"""
from __future__ import annotations

import argparse
import json
import re
import string
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import metrics  # noqa: E402


def make_pool(build: str, top: int) -> dict:
    """Unjudged, non-retired names of each judged query's top ``top``, sorted by name."""
    from mlops_kg.analysis.substitutes import load_index

    judged = metrics.load_judgements()
    rankings = metrics.rankings_from_index(judged, load_index(build), top=top)
    pool = {}
    for query in judged.queries:
        graded = set(judged.grades(query))
        itself = judged.key(query.tool)  # another spelling of the query tool is never graded
        names = {n for n in rankings.get(query.tool, ())
                 if judged.key(n) not in graded | {itself} and not judged.is_retired(n)}
        if names:
            pool[query.tool] = {"kind": query.kind, "candidates": sorted(names, key=str.lower)}
    return pool


def split_pool(pool: dict, parts: int) -> list[dict]:
    """``pool`` in ``parts`` of about as many candidates each, whole kinds kept together."""
    kinds: dict[str, list[str]] = {}
    for tool in sorted(pool):
        kinds.setdefault(pool[tool]["kind"], []).append(tool)
    size = lambda kind: sum(len(pool[t]["candidates"]) for t in kinds[kind])  # noqa: E731
    out, counts = [{} for _ in range(parts)], [0] * parts
    for kind in sorted(kinds, key=lambda k: (-size(k), k)):
        smallest = counts.index(min(counts))
        out[smallest].update({tool: pool[tool] for tool in kinds[kind]})
        counts[smallest] += size(kind)
    return out


_PLAIN_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._&()'/+-]*")


def _key(text: str) -> str:
    plain = _PLAIN_KEY.fullmatch(text) and ": " not in text and not text.endswith(":")
    return text if plain else yaml.safe_dump(text, default_style='"', width=10**6).strip()


def _value(text) -> str:
    text = " ".join(str(text).split())
    if ": " in text or " #" in text or text[:1] in "!&*[]{}|>'\"%@`,?:-#" or text.endswith(":"):
        return yaml.safe_dump(text, default_style='"', width=10**6).strip()
    return text


def _section_end(lines: list[str], start: int) -> int:
    """Index after the last non-blank line of the top-level mapping starting at ``start``."""
    end = start + 1
    while end < len(lines) and (lines[end].startswith("  ") or lines[end] == ""):
        end += 1
    while lines[end - 1] == "":
        end -= 1
    return end


def merge(path: Path, round_name: str, description: str, files: list[str]) -> str:
    """Write the grades of ``files`` into the judged set at ``path`` as round ``round_name``."""
    grades, aliases, retired = {}, {}, {}
    for file in files:
        review = yaml.safe_load(Path(file).read_text(encoding="utf-8")) or {}
        for tool, sections in (review.get("queries") or {}).items():
            for grade, items in (sections or {}).items():
                grades.setdefault(tool, {}).setdefault(grade, {}).update(items or {})
        for canonical, others in (review.get("aliases_proposed") or {}).items():
            known = aliases.setdefault(canonical, [])
            known += [o for o in others if o not in known]
        retired.update(review.get("retired_proposed") or {})
    lines = path.read_text(encoding="utf-8").split("\n")

    end = _section_end(lines, lines.index("rounds:"))
    lines.insert(end, f"  {round_name}: {_value(description)}")
    end = _section_end(lines, lines.index("retired:"))
    lines[end:end] = [f"  {_key(name)}: {_value(why)}" for name, why in sorted(retired.items())]
    start = lines.index("aliases:")
    end = _section_end(lines, start)
    rows = {}
    for number in range(start + 1, end):
        found = re.match(r"  (.+?): \[(.*)\]$", lines[number])
        if found:
            rows[found.group(1).strip('"')] = number
    added = []
    for canonical, others in sorted(aliases.items()):
        if canonical in rows:
            found = re.match(r"  (.+?): \[(.*)\]$", lines[rows[canonical]])
            old = [x.strip() for x in found.group(2).split(",")]
            lines[rows[canonical]] = f"  {found.group(1)}: [{', '.join(old + [_key(o) for o in others if _key(o) not in old])}]"
        else:
            added.append(f"  {_key(canonical)}: [{', '.join(_key(o) for o in others)}]")
    lines[end:end] = added

    starts = {yaml.safe_load(m.group(1)): n for n, line in enumerate(lines)
              if (m := re.match(r"  - tool: (.+)$", line))}
    unknown = sorted(set(grades) - set(starts))
    if unknown:
        raise SystemExit(f"error: not queries of the judged set: {', '.join(unknown)}")
    for tool in sorted(grades, key=lambda t: -starts[t]):  # bottom-up: earlier indices stay valid
        end, has_after = starts[tool] + 1, False
        while end < len(lines) and not lines[end].startswith("  - tool:") and not (
                lines[end] and lines[end][0] not in string.whitespace):
            has_after = has_after or lines[end].startswith("    after_output:")
            end += 1
        while lines[end - 1] == "":
            end -= 1
        block = ([] if has_after else ["    after_output:"]) + [f"      - round: {round_name}"]
        for grade in ("good", "acceptable", "wrong"):
            if grades[tool].get(grade):
                block.append(f"        {grade}:")
                block += [f"          {_key(name)}: {_value(why)}"
                          for name, why in sorted(grades[tool][grade].items(), key=lambda kv: kv[0].lower())]
        lines[end:end] = block
    path.write_text("\n".join(lines), encoding="utf-8")
    count = sum(len(items) for sections in grades.values() for items in sections.values())
    return f"{count} grades, {len(aliases)} alias entries, {len(retired)} retired tools"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    pool = commands.add_parser("pool", help="write the unjudged names of each query's top N")
    pool.add_argument("--build", default="build")
    pool.add_argument("--top", type=int, default=10)
    pool.add_argument("--split", type=int, default=1, help="files for this many reviewers")
    pool.add_argument("prefix")
    join = commands.add_parser("merge", help="write reviewers' grades into judgements.yaml")
    join.add_argument("round")
    join.add_argument("description")
    join.add_argument("grades", nargs="+")
    join.add_argument("--judgements", default=str(metrics.JUDGEMENTS))
    args = parser.parse_args(argv)
    if args.command == "pool":
        parts = split_pool(make_pool(args.build, args.top), max(1, args.split))
        for letter, part in zip(string.ascii_uppercase, parts):
            Path(f"{args.prefix}-{letter}.json").write_text(json.dumps(part, indent=1, sort_keys=True) + "\n")
            print(f"{args.prefix}-{letter}.json: {len(part)} queries, "
                  f"{sum(len(v['candidates']) for v in part.values())} names")
        return 0
    print(merge(Path(args.judgements), args.round, args.description, args.grades))
    return 0


if __name__ == "__main__":
    sys.exit(main())
