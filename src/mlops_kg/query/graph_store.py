"""Publishing the built graph with the SPARQL 1.1 Graph Store HTTP Protocol (PUT replaces each
graph; tested against OpenLink Virtuoso), with Basic or Digest authentication. Standard library only."""
from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from ..errors import EndpointError
from ..model.layout import built_graph
from .remote import DEFAULT_TIMEOUT, check_credentials, check_url


#: Bytes per write while uploading: small enough to count how much the server took before it
#: closed the connection, large enough not to cost time.
_CHUNK = 256 * 1024


class _ClosedEarly(Exception):
    """The server closed the connection while the request body was being sent, and no answer
    could be read from it."""

    def __init__(self, sent: int, total: int, reason: str):
        super().__init__(reason)
        self.sent, self.total, self.reason = sent, total, reason


def _send(url: str, method: str, *, body: bytes = b"", headers=None, timeout=DEFAULT_TIMEOUT):
    """One HTTP request on a fresh connection: ``(status, headers, body)``.

    Unlike urllib, when the server closes the connection before it has read the whole body
    (Virtuoso answers 401 as soon as it has read the headers), the answer it sent first is still
    read and returned; :class:`_ClosedEarly` only when there is none.
    """
    import http.client

    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = connection(parts.hostname, parts.port, timeout=timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        try:
            conn.connect()
        except (OSError, http.client.HTTPException) as exc:
            raise EndpointError(f"cannot reach {url}: {getattr(exc, 'strerror', None) or exc} "
                                f"(timeout {timeout:g}s); check the URL and that the server runs") from None
        sent, closed = 0, None
        try:
            conn.putrequest(method, target, skip_accept_encoding=True)
            for name, value in (headers or {}).items():
                conn.putheader(name, value)
            if body or method in ("PUT", "POST"):
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders()
            view = memoryview(body)
            while sent < len(body):
                conn.send(view[sent:sent + _CHUNK])
                sent = min(len(body), sent + _CHUNK)
        except OSError as exc:
            if isinstance(exc, TimeoutError):
                raise EndpointError(f"{url} took no more data for {timeout:g}s while {sent} of {len(body)} "
                                    "bytes were sent; raise --timeout or check the server") from None
            closed = exc
        try:
            response = conn.getresponse()
            data = response.read() if method != "HEAD" else b""
        except TimeoutError:
            raise EndpointError(f"{url} did not answer within {timeout:g}s; raise --timeout or check the server") from None
        except (OSError, http.client.HTTPException) as exc:
            reason = (closed or exc).strerror if isinstance(closed or exc, OSError) else str(exc)
            raise _ClosedEarly(sent, len(body), reason or type(exc).__name__) from None
        return response.status, response.headers, data
    finally:
        conn.close()


#: Characters no header value may hold (C0 and C1 controls, DEL): http.client refuses CR and
#: LF, and the rest are a mistake in a user name or password (a line read with its newline).
#: An absolute IRI (RFC 3987): a scheme, then no space, control character or ``<>"{}|^`\``.
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\\x7f-\x9f]*")


def check_graph_iri(iri: str) -> None:
    """Raise a one-line :class:`EndpointError` unless ``iri`` is an absolute IRI."""
    if not _IRI.fullmatch(iri):
        raise EndpointError(f"the graph {iri!r} is not an absolute IRI (a scheme such as https: or urn:, "
                            "and no spaces, control characters or <>\"{}|^`\\); "
                            "e.g. --graph https://example.org/graph/mlops")


def _quoted(text: str) -> str:
    """``text`` as an HTTP quoted-string (RFC 9110): ``"`` and ``\\`` escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _challenges(headers) -> dict[str, dict[str, str]]:
    """The ``WWW-Authenticate`` challenges of a 401 answer: scheme (lower case) → parameters."""
    found = {}
    for value in headers.get_all("WWW-Authenticate") or []:
        scheme, _, rest = value.strip().partition(" ")
        items = [item for item in urllib.request.parse_http_list(rest) if "=" in item]
        # parse_keqv_list drops a quoted-string's quotes but keeps its escapes: undo them too,
        # so a realm is hashed and sent back (quoted again) as the server meant it
        found[scheme.lower()] = {k.strip().lower(): re.sub(r"\\(.)", r"\1", v)
                                 for k, v in urllib.request.parse_keqv_list(items).items()}
    return found


def _digest(challenge: dict, method: str, target: str, user: str, password: str) -> str:
    """An ``Authorization: Digest`` value answering ``challenge`` (RFC 7616: MD5 or SHA-256,
    qop ``auth`` or none)."""
    import hashlib
    import secrets

    algorithm = challenge.get("algorithm", "MD5")
    hashes = {"md5": hashlib.md5, "md5-sess": hashlib.md5, "sha-256": hashlib.sha256,
              "sha-256-sess": hashlib.sha256}
    if algorithm.lower() not in hashes:
        raise ValueError(f"Digest algorithm {algorithm} is not supported (MD5 and SHA-256 are)")

    def h(text: str) -> str:
        return hashes[algorithm.lower()](text.encode("utf-8")).hexdigest()

    realm, nonce = challenge.get("realm", ""), challenge.get("nonce", "")
    cnonce = secrets.token_hex(8)
    ha1 = h(f"{user}:{realm}:{password}")
    if algorithm.lower().endswith("-sess"):
        ha1 = h(f"{ha1}:{nonce}:{cnonce}")
    ha2 = h(f"{method}:{target}")
    qops = [q.strip() for q in challenge.get("qop", "").split(",") if q.strip()]
    if user.isascii():
        username = f"username={_quoted(user)}"
    else:  # RFC 7616 section 3.4.4: the extended notation of RFC 8187, hashed as UTF-8 (as h() does)
        username = "username*=UTF-8''" + urllib.parse.quote(user, safe="")
    fields = [username, f"realm={_quoted(realm)}", f"nonce={_quoted(nonce)}", f"uri={_quoted(target)}",
              f"algorithm={algorithm}"]
    if qops:
        if "auth" not in qops:
            raise ValueError(f"Digest qop {challenge['qop']} is not supported (auth is)")
        fields += [f'response="{h(f"{ha1}:{nonce}:00000001:{cnonce}:auth:{ha2}")}"', "qop=auth",
                   "nc=00000001", f"cnonce={_quoted(cnonce)}"]
    else:
        fields.append(f'response="{h(f"{ha1}:{nonce}:{ha2}")}"')
    if "opaque" in challenge:
        fields.append(f"opaque={_quoted(challenge['opaque'])}")
    return "Digest " + ", ".join(fields)


def _authorization(url: str, headers, method: str, user: str, password: str, auth: str) -> str:
    """The ``Authorization`` value that answers the challenge in a 401 answer's ``headers``."""
    import base64

    offered = _challenges(headers)
    allowed = ["digest", "basic"] if auth == "auto" else [auth]
    scheme = next((s for s in allowed if s in offered), None)
    if scheme is None:
        asked = " or ".join(s.capitalize() for s in offered) or "no known"
        raise EndpointError(f"{url} asks for {asked} authentication, which --auth {auth} cannot give; "
                            "use --auth auto")
    if scheme == "basic":
        if ":" in user:  # RFC 7617: the first colon ends the user name
            raise EndpointError(f"{url} asks for Basic authentication, which cannot carry a user name "
                                "with a colon; use another account or --auth digest")
        return "Basic " + base64.b64encode(f"{user}:{password}".encode("utf-8")).decode("ascii")
    parts = urllib.parse.urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        return _digest(offered["digest"], method, target, user, password)
    except ValueError as exc:
        raise EndpointError(f"{url} asks for a Digest authentication that mlops-kg cannot give: {exc}") from None


def _http_error(url: str, status: int, data: bytes) -> EndpointError:
    from http import HTTPStatus

    lines = data.decode("utf-8", "replace").strip().splitlines()
    try:
        detail = lines[0][:200] if lines else HTTPStatus(status).phrase
    except ValueError:
        detail = ""
    hint = "; check --user and --password" if status == 401 else ""
    return EndpointError(f"{url} answered HTTP {status}: {detail}{hint}")


def put_graph(url: str, payload: bytes, *, user=None, password=None, auth="auto", timeout=60.0) -> int:
    """PUT ``payload`` (N-Triples) to the Graph Store URL ``url``; the HTTP status on success.

    With a user, the server's authentication challenge is fetched first with a bodiless
    ``HEAD``, so the body is only ever sent with credentials: Virtuoso answers a request
    without them with 401 and closes the connection without reading the body, which broke the
    upload half of the time (a broken pipe, before the client could read the 401). PUT replaces
    the graph, so it is safe to send it once more after an early close or a stale nonce.
    """
    check_url(url)
    check_credentials(user, password)
    headers = {"Content-Type": "text/turtle"}  # N-Triples is Turtle; every GSP server takes it
    challenge = None
    for attempt in (1, 2):
        if user is not None and challenge is None:
            try:
                status, challenge_headers, _ = _send(url, "HEAD", timeout=timeout)
                challenge = challenge_headers if status == 401 else None
            except _ClosedEarly:  # a server that does not do HEAD: the PUT's own 401 will do
                challenge = None
        if challenge is not None:
            headers["Authorization"] = _authorization(url, challenge, "PUT", user, password or "", auth)
        try:
            status, answer_headers, data = _send(url, "PUT", body=payload, headers=headers, timeout=timeout)
        except _ClosedEarly as closed:
            if attempt == 1:
                challenge = None
                continue
            raise EndpointError(_closed_message(url, closed, user, password, auth, timeout)) from None
        if status == 401 and user is not None and attempt == 1 and (
                "Authorization" not in headers or _stale(answer_headers)):
            challenge = answer_headers  # a server that challenges only writes, or a stale nonce
            continue
        if status >= 400:
            raise _http_error(url, status, data)
        return status
    raise _http_error(url, status, data)


def _stale(headers) -> bool:
    """True when a 401 says only that the Digest nonce expired (the credentials were right)."""
    return _challenges(headers).get("digest", {}).get("stale", "").strip('"').lower() == "true"


def _closed_message(url, closed: _ClosedEarly, user, password, auth, timeout) -> str:
    """Why the server closed the connection, as far as a bodiless request can tell."""
    if user is not None:
        try:  # the usual reason: it does not take these credentials, and would not read the body
            status, headers, _ = _send(url, "HEAD", timeout=timeout)
            if status == 401:
                authorization = _authorization(url, headers, "HEAD", user, password or "", auth)
                status, _headers, _ = _send(url, "HEAD", headers={"Authorization": authorization}, timeout=timeout)
                if status == 401:
                    return f"{url} answered HTTP 401: the user or password is not accepted; check --user and --password"
        except (EndpointError, _ClosedEarly):
            pass
    return (f"{url} closed the connection after {closed.sent} of {closed.total} bytes of the graph were sent, "
            f"without an answer ({closed.reason}); check the server's log (an upload size limit?)")


def publish(build_dir, endpoint: str, graph: str | None = None, *, user=None, password=None,
            auth="auto", timeout=60.0) -> list[tuple[str, int]]:
    """Upload a build to a Graph Store Protocol endpoint, replacing each target graph (PUT).

    Without ``graph``, every named graph of the build goes to the graph of the same IRI, so
    provenance queries (``GRAPH ?g``) work remotely as they do locally. With ``graph``, the
    merged graph goes to that one IRI. Returns ``[(graph IRI, triples)]``.
    """
    check_url(endpoint)  # before the build is read, and naming the URL as given
    check_credentials(user, password)
    if graph is not None:
        check_graph_iri(graph)
    nq = built_graph(build_dir)
    uploads = _uploads_from_lines(nq, graph) or _uploads_from_rdflib(nq, graph)
    done = []
    for iri, payload, triples in uploads:
        url = endpoint + ("&" if "?" in endpoint else "?") + urllib.parse.urlencode({"graph": iri})
        put_graph(url, payload, user=user, password=password, auth=auth, timeout=timeout)
        done.append((iri, triples))
    return done


_TERM = r'(?:<[^<>"{}|^`\\\s]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[A-Za-z0-9-]+|\^\^<[^<>\s]*>)?)'
_QUAD = re.compile(rf"({_TERM}\s+{_TERM}\s+{_TERM})\s+(?:<([^<>\s]*)>\s+)?\.\s*")


def _uploads_from_lines(nq: Path, graph: str | None) -> list | None:
    """``[(graph IRI, N-Triples bytes, triples)]`` cut from the build's N-Quads line by line: a
    build writes one canonical quad per line, so the lines are the triples (parsing 110,000
    quads with rdflib and writing them back took 15 s; this takes well under one). ``None`` when
    a line is not in that form (the caller parses the file instead)."""
    by_graph: dict[str, dict[str, None]] = {}
    with open(nq, encoding="utf-8") as lines:
        for line in lines:
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            match = _QUAD.fullmatch(line)
            if match is None or match.group(2) is None or "_:" in match.group(1):
                return None  # a default-graph quad or a blank node: leave those to rdflib
            if not match.group(2).startswith("urn:x-rdflib:"):
                by_graph.setdefault(match.group(2), {})[match.group(1)] = None
    if graph:
        merged = dict.fromkeys(t for triples in by_graph.values() for t in triples)
        by_graph = {graph: merged} if merged else {}
    return [(iri, "".join(f"{t} .\n" for t in triples).encode("utf-8"), len(triples))
            for iri, triples in sorted(by_graph.items()) if triples]


def _uploads_from_rdflib(nq: Path, graph: str | None) -> list:
    from rdflib import Dataset, Graph

    ds = Dataset()
    ds.parse(nq, format="nquads")
    graphs = []
    if graph:
        merged = Graph()
        for s, p, o, _g in ds.quads((None, None, None, None)):  # ds.triples() sees only the default graph
            merged.add((s, p, o))
        graphs.append((graph, merged))
    else:
        for g in sorted(ds.graphs(), key=lambda g: str(g.identifier)):
            if len(g) and not str(g.identifier).startswith("urn:x-rdflib:"):
                graphs.append((str(g.identifier), g))
    return [(iri, g.serialize(format="nt", encoding="utf-8"), len(g)) for iri, g in graphs]
