"""Fetch licence metadata from PyPI and npm for the landscape's code repositories (NEEDS NETWORK).

A maintainer's tool, run at curation time only; the package never imports it and never fetches
at run time. It writes a TRIMMED JSON Lines file (one package a line: registry, package,
version, fetched date, licence fields and repository URLs; no descriptions, no README text)
that is committed as ``graph/landscape/upstream/registry-metadata.jsonl``, so that
``mlops-kg landscape refresh`` regenerates ``graph/landscape/registry.ttl`` without network
(:mod:`mlops_kg.sources.registry` reads it and matches packages to entities by repository).

    .venv/bin/python scripts/fetch_registry_metadata.py --from ../shared/landscape \
        [--out graph/landscape/upstream/registry-metadata.jsonl] [--cache ~/.cache/mlops-kg-registry]

For every catalogue entity with a GitHub repository it asks for a few candidate names (the
catalogue's PyPI / conda ids, the repository name, the entity's names slugified, ``python-X``,
``X-ai``; on npm also ``@owner/repo``) and keeps a package only when its own metadata points to
a repository of the catalogues (project_urls / home_page / download_url on PyPI; repository /
homepage / bugs on npm). A package found under a guessed name that points elsewhere is dropped.
At most 5 requests a second; responses (and 404s) are cached, so a rerun is cheap. A second
round with ``--more`` tries more name variants (``owner``, ``X-sdk``, ``X-python``, ...) for the
entities the file does not give a licence yet, and adds what it finds to the file.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from mlops_kg.sources.catalogue import normalise_repository
from mlops_kg.sources.registry import github_entities
from mlops_kg.sources.registry import package_repositories

PYPI = "https://pypi.org/pypi/{}/json"
NPM = "https://registry.npmjs.org/{}/latest"
USER_AGENT = "mlops-kg-curation/0.1 (licence metadata for a knowledge graph; polite, cached)"
#: Longest licence field kept (some packages paste the whole licence text into it).
MAX_LICENCE = 200


class RateLimiter:
    """At most ``rate`` calls a second across threads."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate
        self.lock = threading.Lock()
        self.next = 0.0

    def wait(self):
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next)
            self.next = start + self.interval
        time.sleep(max(0.0, start - now))


def fetch(url: str, cache: Path, limiter: RateLimiter):
    """The JSON at ``url`` (None for 404), from the cache when there."""
    path = cache / (hashlib.sha256(url.encode()).hexdigest()[:32] + ".json")
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))["body"]
    body = None
    for attempt in range(3):
        limiter.wait()
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                body = json.loads(response.read().decode("utf-8"))
            break
        except urllib.error.HTTPError as exc:
            if exc.code in (404, 405, 410):
                break
            time.sleep(2 ** attempt)
        except (urllib.error.URLError, TimeoutError, json.JSONDecodeError, ConnectionError):
            time.sleep(2 ** attempt)
    else:
        return None  # not cached: try again next run
    path.write_text(json.dumps({"url": url, "body": body}), encoding="utf-8")
    return body


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def pypi_candidates(entity, more: bool = False) -> list[str]:
    owner, repo = entity.repository.split("/")[-2:]
    names = [r.pypi for r in entity.records if r.pypi] + [r.conda.split("/")[-1] for r in entity.records if r.conda]
    names += [repo]
    for record in entity.records:
        for name in (record.name, *record.aliases):
            names += [slug(name), slug(name).replace("-", "")]
    names += [f"python-{slug(repo)}", f"{slug(repo)}-ai", f"py{slug(repo)}"]
    if more:  # second round, for entities still without a licence
        names += [owner, f"{slug(repo)}-sdk", f"{slug(repo)}-python", f"{slug(repo)}-py", f"py-{slug(repo)}",
                  f"{slug(repo)}-client", f"{owner}-{slug(repo)}", f"{slug(repo)}-core", f"{slug(repo)}-lib"]
    seen, out = set(), []
    for name in names:
        key = re.sub(r"[-_.]+", "-", name.lower()).strip("-")
        if key and key not in seen and len(key) > 1:
            seen.add(key)
            out.append(key)
    return out if more else out[:7]


def npm_candidates(entity, more: bool = False) -> list[str]:
    owner, repo = entity.repository.split("/")[-2:]
    names = [repo.lower(), f"@{owner}/{repo}".lower()]
    if more:
        names += [f"@{owner}/sdk", f"@{owner}/core", f"{slug(repo)}-js", f"{slug(repo)}-sdk", f"@{owner}/{slug(entity.name)}-sdk"]
    for record in entity.records:
        names.append(slug(record.name))
    names.append(f"@{owner}/{slug(entity.name)}")
    out = []
    for name in names:
        if name and name not in out and re.fullmatch(r"(@[a-z0-9._-]+/)?[a-z0-9._-]+", name):
            out.append(name)
    return out if more else out[:5]


def trim_pypi(name: str, body: dict, fetched: str) -> dict:
    info = body.get("info") or {}
    urls = [info.get("home_page"), info.get("download_url"), info.get("project_url"),
            *((info.get("project_urls") or {}).values())]
    return {
        "registry": "pypi",
        "package": info.get("name") or name,
        "version": info.get("version"),
        "fetched": fetched,
        "license": _short(info.get("license")),
        "license_expression": _short(info.get("license_expression")),
        "classifiers": sorted(c for c in info.get("classifiers") or () if c.startswith("License ::")),
        "urls": sorted({u.strip() for u in urls if isinstance(u, str) and u.strip()}),
    }


def trim_npm(name: str, body: dict, fetched: str) -> dict:
    repository = body.get("repository")
    if isinstance(repository, dict):
        repository = repository.get("url")
    bugs = body.get("bugs")
    if isinstance(bugs, dict):
        bugs = bugs.get("url")
    licence = body.get("license")
    if isinstance(licence, dict):
        licence = licence.get("type")
    if licence is None and isinstance(body.get("licenses"), list) and body["licenses"]:
        first = body["licenses"][0]
        licence = first.get("type") if isinstance(first, dict) else first
    urls = [repository, body.get("homepage"), bugs]
    return {
        "registry": "npm",
        "package": body.get("name") or name,
        "version": body.get("version"),
        "fetched": fetched,
        "license": _short(licence if isinstance(licence, str) else None),
        "license_expression": None,
        "classifiers": [],
        "urls": sorted({_npm_url(u) for u in urls if isinstance(u, str) and u.strip()}),
    }


def _npm_url(url: str) -> str:
    url = url.strip()
    if url.startswith("github:"):
        return "https://github.com/" + url[len("github:"):]
    if re.fullmatch(r"[\w.-]+/[\w.-]+", url):  # npm's shorthand "owner/repo" means GitHub
        return "https://github.com/" + url
    return re.sub(r"^git\+", "", url)


def _short(value):
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return (text[:MAX_LICENCE] if text else None)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--from", dest="folder", default="../shared/landscape")
    parser.add_argument("--out", default="graph/landscape/upstream/registry-metadata.jsonl")
    parser.add_argument("--cache", default=str(Path.home() / ".cache" / "mlops-kg-registry"))
    parser.add_argument("--rate", type=float, default=5.0, help="requests a second (at most 5)")
    parser.add_argument("--all", action="store_true",
                        help="also guess names for entities that already have a licence (else only their catalogue PyPI ids)")
    parser.add_argument("--no-npm", action="store_true")
    parser.add_argument("--more", action="store_true",
                        help="more name variants for entities that the --out file does not give a licence yet")
    args = parser.parse_args(argv)
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    limiter = RateLimiter(min(args.rate, 5.0))
    fetched = dt.date.today().isoformat()

    entities, known = github_entities(args.folder)

    answered = set()
    if args.more and Path(args.out).exists():
        from mlops_kg.sources.registry import read_metadata, registry_licences

        answered = set(registry_licences(entities, read_metadata(args.out)))
    jobs = []  # (registry, name)
    for entity in entities:
        licensed = any(r.licence for r in entity.records) or entity.key in answered
        if licensed and not args.all:
            jobs += [("pypi", r.pypi) for r in entity.records if r.pypi]
            continue
        jobs += [("pypi", name) for name in pypi_candidates(entity, args.more)]
        if not args.no_npm:
            jobs += [("npm", name) for name in npm_candidates(entity, args.more)]
    jobs = sorted(set(jobs))
    print(f"{len(entities)} entities, {len(jobs)} look-ups", file=sys.stderr)

    def run(job):
        registry, name = job
        url = (PYPI if registry == "pypi" else NPM).format(urllib.parse.quote(name, safe="@"))
        if registry == "npm":
            url = NPM.format(name.replace("/", "%2F") if name.startswith("@") else name)
        body = fetch(url, cache, limiter)
        if not isinstance(body, dict):
            return None
        trimmed = (trim_pypi if registry == "pypi" else trim_npm)(name, body, fetched)
        # Keep only packages whose metadata points at a catalogue repository.
        return trimmed if package_repositories(trimmed) & known else None

    kept = {}
    with ThreadPoolExecutor(max_workers=4) as pool:
        for i, row in enumerate(pool.map(run, jobs)):
            if row:
                kept[(row["registry"], row["package"].lower())] = row
            if i % 500 == 0:
                print(f"  {i}/{len(jobs)} looked up, {len(kept)} kept", file=sys.stderr)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # The fetched date of a cached response is when this run saw it; keep earlier dates of rows unchanged.
    previous = {}
    if out.exists():
        for line in out.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            previous[(row["registry"], row["package"].lower())] = row
    if args.more:  # a second round adds to the first
        kept = {**previous, **kept}
    lines = []
    for key in sorted(kept):
        row = kept[key]
        old = previous.get(key)
        if old and {k: v for k, v in old.items() if k != "fetched"} == {k: v for k, v in row.items() if k != "fetched"}:
            row = old
        lines.append(json.dumps(row, sort_keys=True, ensure_ascii=False))
    out.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    print(f"wrote {len(lines)} packages to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
