"""The judged set for "find substitutes for X" (issue 16): load it, check its rules, score rankings.

``judgements.yaml`` (next to this file) grades candidate substitutes of query tools as good,
acceptable or wrong, each with a reason; README.md in this folder gives the grading and metric
rules. This module turns rankings (for each query tool, the names a system put first) into
precision@k and nDCG@k, overall and per kind:

    python benchmarks/eval/metrics.py                 # score `mlops-kg substitutes` on the current build
    python benchmarks/eval/metrics.py --build DIR     # ... on the build in DIR
    python benchmarks/eval/metrics.py --rankings FILE.json   # score rankings made elsewhere
    python benchmarks/eval/metrics.py --check         # only check the judged set's rules

A rankings file maps each query tool to a list of names, best first (or to the object that
``mlops-kg substitutes --format json`` prints).
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

from mlops_kg.errors import MlopsKgError
from mlops_kg.model.names import normalize_name

HERE = Path(__file__).resolve().parent
JUDGEMENTS = HERE / "judgements.yaml"
KIND_SCHEME = HERE.parents[1] / "ontology" / "landscape.ttl"

#: What a candidate at a rank is worth; anything not judged for the query, and any retired tool, is 0.
GAINS = {"good": 1.0, "acceptable": 0.5, "wrong": 0.0}
#: A query with fewer good substitutes than this must say why (``few_good``).
GOOD_WANTED = 5
MIN_QUERIES = 80
MIN_REASON_WORDS = 2


class JudgementsError(MlopsKgError):
    """The judged set cannot be read or is not shaped as README.md describes."""


@dataclass(frozen=True)
class Judgement:
    name: str
    grade: str
    reason: str
    round: str


@dataclass(frozen=True)
class Query:
    tool: str
    kind: str
    judgements: tuple[Judgement, ...]
    few_good: str | None = None


@dataclass
class JudgedSet:
    queries: list[Query]
    retired: dict[str, str]
    aliases: dict[str, list[str]]
    rounds: dict[str, str]
    default_round: str
    _alias_keys: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self):
        for canonical, others in self.aliases.items():
            for other in others:
                self._alias_keys[normalize_name(other)] = normalize_name(canonical)

    def key(self, name: str) -> str:
        """The comparison key of a name: case- and punctuation-insensitive, aliases folded."""
        key = normalize_name(name)
        return self._alias_keys.get(key, key)

    def is_retired(self, name: str) -> bool:
        return self.key(name) in {self.key(n) for n in self.retired}

    def query(self, tool: str) -> Query:
        key = self.key(tool)
        for q in self.queries:
            if self.key(q.tool) == key:
                return q
        raise JudgementsError(f"no judged query for {tool!r}")

    def grades(self, query: Query) -> dict[str, str]:
        """Grade of each judged candidate of ``query`` by key."""
        return {self.key(j.name): j.grade for j in query.judgements}

    def gains(self, query: Query, ranking: list[str], k: int) -> list[float]:
        """The gain of each of the first ``k`` names of ``ranking`` (strict: unjudged and retired are 0)."""
        grades, retired = self.grades(query), {self.key(n) for n in self.retired}
        out = []
        for name in ranking[:k]:
            key = self.key(name)
            out.append(0.0 if key in retired else GAINS.get(grades.get(key, "wrong"), 0.0))
        return out

    def ideal_gains(self, query: Query, known: set[str] | None = None) -> list[float]:
        """Judged gains of ``query`` best first: the ideal ranking. With ``known`` (keys of names the
        system can return at all), candidates it cannot know are left out."""
        retired = {self.key(n) for n in self.retired}
        gains = [GAINS[j.grade] for j in query.judgements
                 if self.key(j.name) not in retired and (known is None or self.key(j.name) in known)]
        return sorted(gains, reverse=True)


# ---------------------------------------------------------------- metrics on one ranking

def precision_at_k(gains: list[float], k: int) -> float:
    """Mean gain of the first ``k`` ranks; missing ranks count 0 (a short list is not rewarded).

    >>> precision_at_k([1.0, 0.5, 0.0], 3)
    0.5
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    return sum(gains[:k]) / k


def dcg_at_k(gains: list[float], k: int) -> float:
    """Discounted cumulative gain with linear gains and a log2(rank + 1) discount."""
    return sum(g / math.log2(rank + 2) for rank, g in enumerate(gains[:k]))


def ndcg_at_k(gains: list[float], ideal: list[float], k: int) -> float:
    """``dcg_at_k(gains)`` over the DCG of the ideal ranking; 0 when nothing could be gained.

    >>> ndcg_at_k([1.0, 1.0], [1.0, 1.0, 0.5], 2)
    1.0
    """
    best = dcg_at_k(sorted(ideal, reverse=True), k)
    return dcg_at_k(gains, k) / best if best > 0 else 0.0


# ---------------------------------------------------------------- loading

def _yaml_loader():
    import yaml

    class UniqueKeyLoader(yaml.SafeLoader):
        """Refuses a key given twice in one mapping (plain YAML keeps the last one silently,
        which would drop a judgement)."""

    def construct_mapping(loader, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} given twice", key_node.start_mark)
            seen.add(key)
        return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)

    UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return yaml, UniqueKeyLoader


def load_judgements(path: str | Path = JUDGEMENTS) -> JudgedSet:
    """Read the judged set; a file that is not shaped as README.md describes raises JudgementsError."""
    yaml, loader = _yaml_loader()
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except OSError as exc:
        raise JudgementsError(f"{path}: cannot read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise JudgementsError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None

    def need(mapping, key, kind, where):
        value = mapping.get(key) if isinstance(mapping, dict) else None
        if not isinstance(value, kind):
            raise JudgementsError(f"{path}: {where} needs {key!r} as a {kind.__name__}")
        return value

    if not isinstance(data, dict) or data.get("version") != 1:
        raise JudgementsError(f"{path}: expected a mapping with 'version: 1'")
    rounds = need(data, "rounds", dict, "the file")
    default_round = need(data, "default_round", str, "the file")
    retired = need(data, "retired", dict, "the file")
    aliases = need(data, "aliases", dict, "the file")
    if not all(isinstance(v, list) and all(isinstance(a, str) for a in v) for v in aliases.values()):
        raise JudgementsError(f"{path}: each alias entry needs a list of names")
    queries = []
    for i, q in enumerate(need(data, "queries", list, "the file"), 1):
        where = f"query {i}"
        tool = need(q, "tool", str, where)
        where = f"query {tool!r}"
        unknown = set(q) - {"tool", "kind", "few_good", "after_output", *GAINS}
        if unknown:
            raise JudgementsError(f"{path}: {where} has unknown fields {sorted(unknown)}")
        blocks = [dict(q, round=default_round)]
        for block in q.get("after_output") or []:
            need(block, "round", str, f"{where} after_output")
            blocks.append(block)
        judgements = []
        for block in blocks:
            for grade in GAINS:
                if grade in block and not block[grade]:
                    raise JudgementsError(f"{path}: {where} has an empty {grade} section; remove it")
                graded = block.get(grade) or {}
                if not isinstance(graded, dict):
                    raise JudgementsError(f"{path}: {where} {grade} must map names to reasons")
                for name, reason in graded.items():
                    if not isinstance(name, str) or not isinstance(reason, str):
                        raise JudgementsError(f"{path}: {where} {grade} {name!r} needs a reason in words")
                    judgements.append(Judgement(name, grade, reason.strip(), block["round"]))
        queries.append(Query(tool, need(q, "kind", str, where), tuple(judgements), q.get("few_good")))
    return JudgedSet(queries, retired, aliases, rounds, default_round)


def kinds_in_scheme(path: str | Path = KIND_SCHEME) -> set[str]:
    """Local names of the kinds in the kind: scheme (ontology/landscape.ttl)."""
    from rdflib import Graph, Namespace, RDF

    mlo = Namespace("https://w3id.org/mlops-kg/ontology#")
    graph = Graph().parse(path, format="turtle")
    return {str(k).rsplit("/", 1)[-1] for k in graph.subjects(RDF.type, mlo.Kind)}


# ---------------------------------------------------------------- rules of the judged set

def check_judgements(judged: JudgedSet, kinds: set[str] | None = None) -> list[str]:
    """Everything that breaks the rules of README.md, one line each; empty when the set is sound."""
    problems = []
    if len(judged.queries) < MIN_QUERIES:
        problems.append(f"{len(judged.queries)} queries; the set needs at least {MIN_QUERIES}")
    if judged.default_round not in judged.rounds:
        problems.append(f"default_round {judged.default_round!r} is not one of rounds")
    canonical = {}
    for name, others in judged.aliases.items():
        for other in [name, *others]:
            key = normalize_name(other)
            if canonical.setdefault(key, name) != name:
                problems.append(f"alias {other!r} is claimed by both {canonical[key]!r} and {name!r}")
    retired = {judged.key(n) for n in judged.retired}
    for name, reason in judged.retired.items():
        if not isinstance(reason, str) or len(reason.split()) < MIN_REASON_WORDS:
            problems.append(f"retired {name!r} needs a reason")
    seen_tools = {}
    for q in judged.queries:
        where = f"{q.tool}:"
        tool_key = judged.key(q.tool)
        if tool_key in seen_tools:
            problems.append(f"{where} judged twice (also as {seen_tools[tool_key]!r})")
        seen_tools[tool_key] = q.tool
        if kinds is not None and q.kind not in kinds:
            problems.append(f"{where} kind {q.kind!r} is not in the kind scheme")
        seen = {}
        for j in q.judgements:
            key = judged.key(j.name)
            if key == tool_key:
                problems.append(f"{where} lists itself as a candidate")
            if key in seen:
                problems.append(f"{where} {j.name!r} graded twice ({seen[key]} and {j.grade})")
            seen[key] = j.grade
            if len(j.reason.split()) < MIN_REASON_WORDS:
                problems.append(f"{where} {j.name!r} needs a reason of a few words")
            if j.round not in judged.rounds:
                problems.append(f"{where} {j.name!r} comes from unknown round {j.round!r}")
            if key in retired and j.grade != "wrong":
                problems.append(f"{where} {j.name!r} is retired but graded {j.grade}")
        good = sum(g == "good" for g in seen.values())
        if good == 0:
            problems.append(f"{where} has no good substitute")
        if good < GOOD_WANTED and not q.few_good:
            problems.append(f"{where} {good} good substitutes; add more or say why in few_good")
        if good >= GOOD_WANTED and q.few_good:
            problems.append(f"{where} has {good} good substitutes but still says few_good")
    return problems


# ---------------------------------------------------------------- scoring many rankings

def evaluate(judged: JudgedSet, rankings: dict[str, list[str]], *, known: set[str] | None = None) -> dict:
    """precision@3, precision@5 and nDCG@5 for each ranked query, and their means overall and per kind.

    ``rankings`` maps query tools to names, best first; judged queries without a ranking are listed
    under ``"not_ranked"`` and left out of the means (a tool the system does not know). ``known``
    (names the system can return) restricts each ideal ranking to those, see README.md.
    """
    known_keys = None if known is None else {judged.key(n) for n in known}
    by_key = {judged.key(tool): names for tool, names in rankings.items()}
    per_query, not_ranked = {}, []
    for q in judged.queries:
        ranking = by_key.get(judged.key(q.tool))
        if ranking is None:
            not_ranked.append(q.tool)
            continue
        gains = judged.gains(q, ranking, 5)
        per_query[q.tool] = {
            "kind": q.kind,
            "p@3": precision_at_k(gains, 3),
            "p@5": precision_at_k(gains, 5),
            "ndcg@5": ndcg_at_k(gains, judged.ideal_gains(q, known_keys), 5),
            "unjudged": [n for n in ranking[:5] if judged.key(n) not in judged.grades(q)],
        }

    def means(rows):
        rows = list(rows)
        return {"queries": len(rows), **{m: (sum(r[m] for r in rows) / len(rows) if rows else 0.0)
                                         for m in ("p@3", "p@5", "ndcg@5")}}

    kinds = sorted({r["kind"] for r in per_query.values()})
    return {"overall": means(per_query.values()),
            "per_kind": {k: means(r for r in per_query.values() if r["kind"] == k) for k in kinds},
            "per_query": per_query, "not_ranked": not_ranked}


def rankings_from_index(judged: JudgedSet, index: dict, top: int = 5) -> dict[str, list[str]]:
    """What ``mlops-kg substitutes TOOL --top N`` ranks for each judged tool the index knows."""
    from mlops_kg.analysis.substitutes import find_substitutes

    out = {}
    for q in judged.queries:
        try:
            answer = find_substitutes(index, q.tool, top=top)
        except MlopsKgError:
            continue  # the graph does not know this tool: reported as not ranked
        out[q.tool] = [s["label"] for s in answer["substitutes"]]
    return out


def read_rankings(path: str | Path) -> dict[str, list[str]]:
    """A rankings file: tool -> [names], or tool -> the JSON object of ``mlops-kg substitutes``."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise JudgementsError(f"{path}: cannot read ({exc.strerror})") from None
    except ValueError as exc:
        raise JudgementsError(f"{path}: not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise JudgementsError(f"{path}: expected an object mapping tool names to rankings")
    out = {}
    for tool, ranking in data.items():
        if isinstance(ranking, dict):
            ranking = [s.get("label") for s in ranking.get("substitutes", []) if isinstance(s, dict)]
        if not isinstance(ranking, list) or not all(isinstance(n, str) for n in ranking):
            raise JudgementsError(f"{path}: the ranking of {tool!r} must be a list of names")
        out[tool] = ranking
    return out


def format_report(report: dict, total: int) -> str:
    """The report as a Markdown table: overall first, then each kind."""
    lines = ["| scope | queries | precision@3 | precision@5 | nDCG@5 |", "|---|---:|---:|---:|---:|"]
    rows = [("overall", report["overall"])] + sorted(report["per_kind"].items())
    for scope, m in rows:
        lines.append(f"| {scope} | {m['queries']} | {m['p@3']:.3f} | {m['p@5']:.3f} | {m['ndcg@5']:.3f} |")
    lines.append("")
    lines.append(f"ranked {report['overall']['queries']} of {total} judged queries")
    if report["not_ranked"]:
        lines.append("not ranked (unknown to the system): " + ", ".join(report["not_ranked"]))
    return "\n".join(lines)


def only_rounds(judged: JudgedSet, rounds: list[str]) -> JudgedSet:
    """``judged`` with only the grades of ``rounds`` (names not graded in them count 0).

    >>> q = Query("A", "experiment-tracker", (Judgement("B", "good", "same kind", "r1"),
    ...                                        Judgement("C", "good", "same kind", "r2")))
    >>> js = JudgedSet([q], {}, {}, {"r1": "", "r2": ""}, "r1")
    >>> [j.name for j in only_rounds(js, ["r1"]).queries[0].judgements]
    ['B']
    """
    unknown = sorted(set(rounds) - set(judged.rounds))
    if unknown:
        raise JudgementsError(f"unknown round {unknown[0]!r}; the rounds are {', '.join(sorted(judged.rounds))}")
    queries = [Query(q.tool, q.kind, tuple(j for j in q.judgements if j.round in rounds), q.few_good)
               for q in judged.queries]
    return JudgedSet(queries, judged.retired, judged.aliases, judged.rounds, judged.default_round)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--judgements", default=str(JUDGEMENTS), help="the judged set (YAML)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--rankings", help="JSON file of rankings to score instead of the current build")
    source.add_argument("--build", help="build folder whose substitutes index to score (default: build)")
    parser.add_argument("--check", action="store_true", help="only check the judged set's rules")
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    parser.add_argument("--rounds", help="comma-separated rounds whose grades count (default: all); "
                                         "e.g. blind-2026-12 scores against the blind grades alone")
    args = parser.parse_args(argv)
    try:
        judged = load_judgements(args.judgements)
        problems = check_judgements(judged, kinds_in_scheme())
        if problems:
            print(f"{args.judgements}: {len(problems)} problems, first: {problems[0]}", file=sys.stderr)
            return 1
        if args.check:
            print(f"{len(judged.queries)} queries, "
                  f"{sum(len(q.judgements) for q in judged.queries)} judgements: rules hold")
            return 0
        if args.rounds:
            judged = only_rounds(judged, args.rounds.split(","))
        if args.rankings:
            rankings, known = read_rankings(args.rankings), None
        else:
            from mlops_kg.analysis.substitutes import load_index

            index = load_index(args.build)
            rankings = rankings_from_index(judged, index)
            known = [t["label"] for t in index["technologies"].values()]
        report = evaluate(judged, rankings, known=set(known) if known else None)
    except MlopsKgError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
    else:
        print(format_report(report, len(judged.queries)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
