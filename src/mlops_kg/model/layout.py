"""What a build folder holds, defined once: the file names, the manifest (with the fingerprint
of the inputs it was made from), the index version, and the error for a damaged build file.

Readers of every stage use these names; only :mod:`mlops_kg.build` writes the files.
Hashing the inputs reads a dozen small files and does not import rdflib.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..errors import DataFileError

#: Base name of the built graph files (``mlops-kg.nq``, ``.ttl``, ...).
STEM = "mlops-kg"
MANIFEST = "manifest.json"
ANALYSIS = "analysis.json"   # centrality and clusters, for `mlops-kg analyze`
INDEX = "index.json"         # names, profiles and ranked substitutes, for the fast `substitutes`
SITE = "site"                # the static site: index, one page per tool, graph and clusters pages
#: Version of the substitutes index format (``index.json``); readers refuse another one.
INDEX_VERSION = 3


def input_files(include=(), without=()) -> list[Path]:
    """Every file a build reads, in a stable order (used to detect stale builds).

    ``without`` names landscape sources left out (see :func:`mlops_kg.model.load.load_sources`);
    their files are not inputs then, so such a build never passes for a whole one.
    """
    from . import resources

    files = resources.ontology_files() + [resources.shapes_file()]
    by_origin = resources.graph_files()
    files += by_origin["guide"] + by_origin["curated"]
    if "landscape" not in without:
        files += [path for role, source, path in resources.landscape_files()
                  if not (role == "source" and source in without)]
    return files + [Path(p) for p in include]


#: Bytes to hash above which OpenSSL's SHA-256 (about 6× faster) pays for loading it (2 ms).
OPENSSL_FROM = 600_000


def _sha256(size: int = 0):
    """A SHA-256 constructor for ``size`` bytes: below :data:`OPENSSL_FROM`, the interpreter's
    own module, since ``hashlib`` loads OpenSSL first, 2 ms of every fresh ``mlops-kg
    substitutes``; above, hashlib's (same digests either way)."""
    if size < OPENSSL_FROM:
        try:
            from _sha2 import sha256  # Python 3.12+
            return sha256
        except ImportError:
            try:
                from _sha256 import sha256  # Python 3.11
                return sha256
            except ImportError:
                pass
    from hashlib import sha256

    return sha256


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of ``data`` in hex (see :func:`_sha256`).

    Examples
    --------
    >>> sha256_hex(b"")[:16]
    'e3b0c44298fc1c14'
    """
    return _sha256(len(data))(data).hexdigest()


def _blake2b():
    """The BLAKE2b constructor of the interpreter's own module: ``hashlib`` loads OpenSSL first
    (2–3 ms of every fresh ``mlops-kg substitutes``, which checks the build is fresh), and the
    interpreter's own SHA-256 takes 5× as long as BLAKE2b on the 1.6 MB of inputs."""
    try:
        from _blake2 import blake2b
    except ImportError:  # an interpreter without the module: hashlib's (same digests)
        from hashlib import blake2b
    return blake2b


def fingerprint(include=(), without=()) -> dict[str, str]:
    """BLAKE2b (256-bit) of each input file, keyed by a path relative to its data folder.

    Only compared with fingerprints made here (a build's manifest): a build made when this was
    SHA-256 simply counts as stale once."""
    blake2b = _blake2b()
    digests = {}
    for path in input_files(include, without):
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise DataFileError(f"{path}: cannot read: {exc.strerror}") from None
        digests[f"{path.parent.name}/{path.name}"] = blake2b(data, digest_size=32).hexdigest()
    return digests


def read_manifest(directory) -> dict | None:
    """The manifest of the build in ``directory``, or None when it is missing or not a JSON object."""
    try:
        manifest = json.loads((Path(directory) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def damaged_build(path, why: str = "") -> DataFileError:
    """The error for a build file that is missing, cut short or not what a build writes: it
    names the file and the command that writes the folder again (with its included files and
    the sources it left out)."""
    import shlex

    directory = Path(path).parent
    command = ["mlops-kg", "build"]
    if directory.resolve() != Path("build").resolve():
        command += ["--out", str(directory)]
    includes = (read_manifest(directory) or {}).get("include", [])
    for include in includes if isinstance(includes, list) else []:
        command += ["--include", str(include)]
    without = (read_manifest(directory) or {}).get("without", [])
    for source in without if isinstance(without, list) else []:
        command += ["--without", str(source)]
    detail = f" ({why})" if why else ""
    return DataFileError(f"{path}: damaged or incomplete build file{detail}; run `{shlex.join(command)}` again")


def built_graph(directory) -> Path:
    """The N-Quads file of the build in ``directory``; the error when there is none says how to make it."""
    nq = Path(directory) / f"{STEM}.nq"
    if not nq.is_file():
        raise DataFileError(f"{nq}: no built graph there; run `mlops-kg build --out {directory}` first")
    return nq
