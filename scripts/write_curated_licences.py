"""Write graph/landscape/curated-licences.ttl from the licence-file notes (curation time only).

``graph/landscape/upstream/licence-files.tsv`` holds one line per repository whose licence a
maintainer read in the project's own files and recognised: its LICENSE or COPYING file, the licence
field of its manifest (pyproject.toml, setup.py, Cargo.toml, package.json, ...) or the licence
header its sources carry (columns: ``owner/repo`` as GitHub spells it, the file's
path, the commit it was read at, the SPDX id, and, for a repository the catalogues name by a
former name, that name). This script places each repository on the node
the landscape snapshot gives it (the same resolution as ``mlops-kg landscape refresh``) and
writes one curated ``schema:license`` fact per repository, with a ``# source:`` comment naming
the file and commit. Repositories that are no entity of the catalogues are reported and left out.

    .venv/bin/python scripts/write_curated_licences.py [--from ../shared/landscape]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mlops_kg.files import atomic_path
from mlops_kg.model.names import normalize_name
from mlops_kg.sources.catalogue import normalise_repository, spdx_licence
from mlops_kg.sources.catalogues import read_snapshots
from mlops_kg.sources.crosswalk import load_crosswalk
from mlops_kg.sources.landscape_rdf import language_triples, load_shipped, resolve
from mlops_kg.sources.merge import merge_records

ROOT = Path(__file__).resolve().parents[1]
NOTES = ROOT / "graph" / "landscape" / "upstream" / "licence-files.tsv"
OUT = ROOT / "graph" / "landscape" / "curated-licences.ttl"

HEADER = """\
# Curated: the licence of catalogue projects that neither a catalogue nor a package registry
# gives one, read by a maintainer in the project's own files: its LICENSE or COPYING file, its
# manifest's licence field, or the licence header of its sources (stored copies of the GitHub
# repositories; the "# source:" comment above each fact names the file and the commit it was read
# at). Written by scripts/write_curated_licences.py from upstream/licence-files.tsv; fix a fact
# there and rerun. Licence identifiers are facts; no licence text is copied. Loaded by the build
# into the named graph <https://w3id.org/mlops-kg/graph/curated>.
# A test (tests/test_sources_registry.py) checks each node has the repository its comment names.
@prefix schema: <https://schema.org/> .
@prefix spdx:   <https://spdx.org/licenses/> .
"""


def placements_by_repository(folder: Path) -> dict:
    """Repository → node, as ``landscape refresh`` places the catalogue entities."""
    records = read_snapshots(folder)
    crosswalk = load_crosswalk()
    shipped = load_shipped()
    in_scope = [r for r in records if crosswalk.in_scope(r)]
    merged = merge_records(in_scope)
    languages = {name for r in in_scope for name in r.languages}
    new_languages = language_triples(languages, set(shipped.labels))
    reserved = {normalize_name(str(o)): s for s, p, o in new_languages if str(p).endswith("#prefLabel")}
    placements = resolve(merged.entities, shipped, reserved).placements
    return {p.entity.repository: p.node for p in placements if p.entity.repository}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--from", dest="folder", default=str(ROOT.parent / "shared" / "landscape"))
    args = parser.parse_args(argv)
    nodes = placements_by_repository(Path(args.folder))
    facts, problems = [], []
    for number, line in enumerate(NOTES.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        repo, path, commit, given, *renamed = line.split("\t")
        spdx = spdx_licence(given)
        # A fifth column: the catalogue's name of a repository that was renamed (GitHub redirects it).
        repository = normalise_repository(f"https://github.com/{renamed[0] if renamed else repo}")
        node = nodes.get(repository)
        if spdx is None or spdx != given:
            problems.append(f"{NOTES.name}:{number}: {given!r} is not a current SPDX id")
        elif node is None:
            problems.append(f"{NOTES.name}:{number}: {repo} is no catalogue entity's repository")
        else:
            moved = f" (the catalogues name it {renamed[0]}; the repository was renamed)" if renamed else ""
            facts.append((str(node), f"# source: github.com/{repo} {path} @ {commit}{moved}\n"
                                     f"<{node}> schema:license spdx:{spdx} .\n"))
    text = HEADER + "".join(f"\n{fact}" for _, fact in sorted(facts))
    with atomic_path(OUT) as tmp:
        tmp.write_text(text, encoding="utf-8")
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"wrote {len(facts)} curated licences to {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
