"""Fetch upstream licences from Debian source packages for the landscape's repositories (NEEDS NETWORK).

A maintainer's tool, run at curation time only, beside ``fetch_registry_metadata.py``; the
package never imports it and never fetches at run time. It reads Debian's source indices
(``dists/<suite>/main/source/Sources.xz`` of sid, trixie and bookworm), keeps each source package
whose own fields point to a catalogue repository (``Homepage``, ``Vcs-Browser``, ``Vcs-Git``,
``Go-Import-Path``; normalised with :func:`~mlops_kg.sources.catalogue.normalise_repository`),
downloads its ``.debian.tar.xz`` and reads the ``License:`` of the ``Files: *`` stanza of its
machine-readable ``debian/copyright`` (DEP-5). It adds TRIMMED records (registry "debian",
package, version, suite, fetched date, the raw DEP-5 licence name, the repository URLs) to the
committed ``graph/landscape/upstream/registry-metadata.jsonl``; :mod:`mlops_kg.sources.registry`
maps the DEP-5 names to SPDX ids and matches by repository, as for PyPI and npm.

    .venv/bin/python scripts/fetch_debian_metadata.py --from ../shared/landscape \
        [--out graph/landscape/upstream/registry-metadata.jsonl] [--cache ~/.cache/mlops-kg-debian]

When the mirror does not serve a source package's files, the same copyright file is read from
``usr/share/doc/<package>/copyright`` of the smallest binary package built from it (indices
``dists/<suite>/main/binary-amd64/Packages.xz``; ``dpkg-deb`` unpacks it).
A package whose fields name no repository but whose ``Homepage`` is a catalogue entity's homepage
is kept only when its copyright file's ``Source:`` field names a catalogue repository (that URL is
then among the record's ``urls``).
A package without a machine-readable copyright file, or whose ``Files: *`` stanza is missing,
gives no record. Per package the newest version among the suites whose files the mirror serves is taken.
At most 5 requests a second; downloads are cached.
"""
from __future__ import annotations

import argparse
import datetime as dt
import functools
import hashlib
import io
import json
import lzma
import re
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from mlops_kg.sources.catalogue import normalise_repository
from mlops_kg.sources.registry import github_entities

MIRROR = "https://deb.debian.org/debian/"
SUITES = ("sid", "trixie", "bookworm")
USER_AGENT = "mlops-kg-curation/0.1 (licence metadata for a knowledge graph; polite, cached)"
#: The fields of a source package that may name its upstream repository.
URL_FIELDS = ("Homepage", "Vcs-Browser", "Vcs-Git", "Go-Import-Path", "XS-Go-Import-Path")
MAX_LICENCE = 200
_last = [0.0]


def get(url: str, cache: Path, rate: float = 5.0) -> bytes | None:
    """The bytes at ``url`` (None when missing), cached by URL."""
    path = cache / (hashlib.sha256(url.encode()).hexdigest()[:32] + "-" + url.rsplit("/", 1)[-1])
    if path.exists():
        return path.read_bytes() or None
    time.sleep(max(0.0, _last[0] + 1.0 / min(rate, 5.0) - time.monotonic()))
    _last[0] = time.monotonic()
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        if exc.code != 404:
            raise
        body = b""
    path.write_bytes(body)
    return body or None


def paragraphs(text: str):
    """deb822 paragraphs as dicts (continuation lines joined with newlines)."""
    for block in re.split(r"\n\s*\n", text):
        fields, last = {}, None
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            if line[:1] in (" ", "\t") and last:
                fields[last] += "\n" + line.strip()
            elif ":" in line:
                last, value = line.split(":", 1)
                fields[last] = value.strip()
        if fields:
            yield fields


def package_urls(fields: dict) -> list[str]:
    """The URLs a source paragraph gives (an import path becomes an https URL)."""
    urls = []
    for name in URL_FIELDS:
        for value in (fields.get(name) or "").split():
            if value.startswith("-b") or value in ("-b",):
                break  # Vcs-Git: URL [-b branch]
            urls.append(value if "://" in value else "https://" + value)
    return sorted(set(urls))


def compare_versions(a: str, b: str) -> int:
    """Debian version order (``dpkg --compare-versions``)."""
    if a == b:
        return 0
    try:
        lower = subprocess.run(["dpkg", "--compare-versions", a, "lt", b], check=False).returncode == 0
    except FileNotFoundError:
        lower = a < b
    return -1 if lower else 1


def files_star_licence(copyright_text: str) -> str | None:
    """The ``License:`` short name of the ``Files: *`` stanza of a DEP-5 copyright file.

    >>> files_star_licence("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\\n\\n"
    ...                    "Files: *\\nCopyright: 2020 X\\nLicense: Expat\\n\\nFiles: debian/*\\nLicense: GPL-2+\\n")
    'Expat'
    >>> files_star_licence("This package was debianized by someone.") is None
    True
    """
    blocks = list(paragraphs(copyright_text))
    if not blocks or "copyright-format" not in blocks[0].get("Format", blocks[0].get("Format-Specification", "")):
        return None
    for block in blocks[1:]:
        if block.get("Files", "").split() == ["*"] or block.get("Files", "").split()[:1] == ["*"]:
            licence = (block.get("License") or "").split("\n", 1)[0].strip()
            return licence[:MAX_LICENCE] or None
    return None


def debian_copyright(tarball: bytes) -> str | None:
    """``debian/copyright`` from a ``.debian.tar.xz``."""
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:*") as tar:
        for member in tar.getmembers():
            if member.name in ("debian/copyright", "./debian/copyright") and member.isfile():
                return tar.extractfile(member).read().decode("utf-8", "replace")
    return None


#: Hosts of code forges, package indexes and documentation sites: a homepage there is no project's own.
_HOSTING = ("github.com", "github.io", "gitlab.com", "gitlab.io", "bitbucket.org", "sourceforge.net", "sf.net",
            "pypi.org", "pypi.python.org", "readthedocs.io", "readthedocs.org", "gitee.com", "google.com",
            "huggingface.co", "npmjs.com", "crates.io", "apache.org", "microsoft.com", "amazon.com", "medium.com")


def _host(url: str) -> str:
    return (urllib.parse.urlsplit(url.strip()).hostname or "").removeprefix("www.") if url else ""


def copyright_source(copyright_text: str) -> str | None:
    """The ``Source:`` field of a DEP-5 copyright file's header (where upstream lives), when it
    is one URL.

    >>> copyright_source("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\\n"
    ...                  "Source: https://github.com/memcached/memcached\\n\\nFiles: *\\nLicense: BSD-3-clause\\n")
    'https://github.com/memcached/memcached'
    """
    blocks = list(paragraphs(copyright_text))
    value = (blocks[0].get("Source") or "").split() if blocks else []
    return value[0] if len(value) == 1 and "://" in value[0] else None


def newest_copyright(name: str, versions: list, binaries: dict, cache: Path):
    """(suite, fields, copyright text) of the newest version of a source package whose
    ``.debian.tar.*`` the mirror serves, else of the newest version, read from a binary package."""
    versions = sorted(versions, key=functools.cmp_to_key(lambda a, b: -compare_versions(a[1]["Version"], b[1]["Version"])))
    for suite, fields in versions:
        tarballs = [line.split()[-1] for line in fields.get("Files", "").splitlines()
                    if line.split() and line.split()[-1].endswith((".debian.tar.xz", ".debian.tar.gz"))]
        body = get(f"{MIRROR}{fields['Directory']}/{tarballs[0]}", cache) if tarballs else None
        if body:
            return suite, fields, debian_copyright(body)
    suite, fields = versions[0]
    return suite, fields, binary_copyright(name, binaries, cache, prefer=suite)


def binary_copyright(source: str, binaries: dict, cache: Path, limit: int = 3, prefer: str = "") -> str | None:
    """``usr/share/doc/<package>/copyright`` from the smallest binary packages built from
    ``source`` (the mirror serves binary packages when a source package's files are missing;
    the file is the same DEP-5 copyright file), those of the ``prefer`` suite first."""
    ranked = sorted(set(binaries.get(source, ())), key=lambda b: (b[0] != prefer, b[1], b[2]))
    for _, _, filename in ranked[:limit]:
        body = get(MIRROR + filename, cache)
        if not body:
            continue
        package = filename.rsplit("/", 1)[-1].split("_")[0]
        deb = cache / "current.deb"
        deb.write_bytes(body)
        tar = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(deb)], capture_output=True, check=False).stdout
        with tarfile.open(fileobj=io.BytesIO(tar), mode="r:*") as archive:
            for member in archive.getmembers():
                if member.name.lstrip("./") == f"usr/share/doc/{package}/copyright" and member.isfile():
                    return archive.extractfile(member).read().decode("utf-8", "replace")
    return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--from", dest="folder", default="../shared/landscape")
    parser.add_argument("--out", default="graph/landscape/upstream/registry-metadata.jsonl")
    parser.add_argument("--cache", default=str(Path.home() / ".cache" / "mlops-kg-debian"))
    args = parser.parse_args(argv)
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    fetched = dt.date.today().isoformat()

    entities, known = github_entities(args.folder)

    # Homepages of the catalogue entities: a source package whose Homepage is one of them (but
    # whose fields name no repository) is a candidate; it matches only when its copyright file's
    # "Source:" field names a catalogue repository.
    homepages = {_host(rec.homepage) for e in entities for rec in e.records if rec.homepage}
    homepages = {h for h in homepages if h and not h.endswith(_HOSTING)}
    found, candidates = {}, {}  # source package -> [(suite, fields), ...]
    for suite in SUITES:
        index = get(f"{MIRROR}dists/{suite}/main/source/Sources.xz", cache)
        for fields in paragraphs(lzma.decompress(index).decode("utf-8", "replace")):
            urls = package_urls(fields)
            if {normalise_repository(u) for u in urls} & known:
                found.setdefault(fields["Package"], []).append((suite, fields))
            elif _host(fields.get("Homepage", "")) in homepages:
                candidates.setdefault(fields["Package"], []).append((suite, fields))
    print(f"{len(found)} source packages point to a catalogue repository, {len(candidates)} share a "
          "homepage with one", file=sys.stderr)
    binaries = {}  # source package -> [(suite, size, Filename), ...]
    for suite in SUITES:
        index = get(f"{MIRROR}dists/{suite}/main/binary-amd64/Packages.xz", cache)
        for fields in paragraphs(lzma.decompress(index).decode("utf-8", "replace")):
            source = fields.get("Source", fields.get("Package", "")).split(" ")[0]
            if source in found or source in candidates:
                binaries.setdefault(source, []).append((suite, int(fields.get("Size", 0)), fields["Filename"]))
    rows = {}
    for name, versions in sorted({**candidates, **found}.items()):
        suite, fields, text = newest_copyright(name, versions, binaries, cache)
        licence = files_star_licence(text) if text else None
        urls = package_urls(fields)
        if name not in found:
            source = copyright_source(text) if text else None
            if normalise_repository(source or "") not in known:
                continue
            urls = sorted({*urls, source})
        if not licence:
            continue
        rows[("debian", name)] = {
            "registry": "debian", "package": name, "version": fields["Version"], "suite": suite,
            "fetched": fetched, "license": licence, "license_expression": None, "classifiers": [],
            "urls": urls}

    out = Path(args.out)
    previous = {}
    if out.exists():
        for line in out.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            previous[(row["registry"], row["package"].lower())] = row
    kept = {key: row for key, row in previous.items() if key[0] != "debian"}
    for (registry, name), row in rows.items():
        old = previous.get((registry, name.lower()))
        if old and {k: v for k, v in old.items() if k != "fetched"} == {k: v for k, v in row.items() if k != "fetched"}:
            row = old
        kept[(registry, name.lower())] = row
    lines = [json.dumps(kept[key], sort_keys=True, ensure_ascii=False) for key in sorted(kept)]
    out.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    print(f"wrote {len(rows)} Debian packages ({len(lines)} rows in all) to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
