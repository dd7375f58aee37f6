"""Remote SPARQL servers: run queries over the SPARQL 1.1 Protocol, and resolve names there.

Only the standard library is used (urllib). Parameters are sent as a ``VALUES`` block that the
client builds from RDF terms (each written with its N-Triples escaping), inserted at the start
of the query's WHERE group, so a value can never change the query's structure (see
:func:`mlops_kg.query.sparql.with_values`). Publishing the graph is :mod:`.graph_store`."""
from __future__ import annotations

import json
import re
import socket
import urllib.error
import urllib.parse
import urllib.request

from ..errors import EndpointError
from .sparql import with_prefixes, with_values
from .store import QueryResult


DEFAULT_TIMEOUT = 10.0
AUTH_SCHEMES = ("auto", "digest", "basic")
#: Characters no HTTP header can carry (a line break read along with a password, ...).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def check_credentials(user: str | None, password: str | None) -> None:
    """Raise a one-line :class:`EndpointError` for a user name or password that cannot be sent
    in an ``Authorization`` header in any scheme (it holds a control character)."""
    for what, value in (("user name", user), ("password", password)):
        if value is None:
            continue
        if _CONTROL.search(value):
            raise EndpointError(f"the {what} holds a control character ({_CONTROL.search(value).group()!r}, "
                                "e.g. a line break read with it), which cannot go in an HTTP header; "
                                "give it without")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # bytes that were not UTF-8, smuggled in as surrogates
            raise EndpointError(f"the {what} is not valid UTF-8 text; check the terminal's or "
                                "file's encoding") from None


def _opener(url, user=None, password=None, auth="auto"):
    """A urllib opener that answers the server's Digest and/or Basic challenge for ``url``."""
    handlers = []
    if user is not None:
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        # Registered for this URL: a bare "http://" prefix matches no URL at all, so the
        # handlers would never answer the server's challenge.
        manager.add_password(None, url, user, password or "")
        if auth in ("auto", "digest"):
            handlers.append(urllib.request.HTTPDigestAuthHandler(manager))
        if auth in ("auto", "basic"):
            handlers.append(urllib.request.HTTPBasicAuthHandler(manager))
    return urllib.request.build_opener(*handlers)


def check_url(url: str) -> None:
    """Raise a one-line :class:`EndpointError` unless ``url`` is a usable http(s) URL."""
    if not re.match(r"^https?://", url or ""):
        raise EndpointError(f"endpoint URL must start with http:// or https://, got {url!r}")
    try:
        parts = urllib.parse.urlsplit(url)
        valid = bool(parts.hostname) and parts.port != 0 and not re.search(r"[\s\x00-\x1f]", url)
    except ValueError:  # a bad IPv6 literal or port
        valid = False
    if not valid:
        raise EndpointError(f"not a valid endpoint URL: {url!r}; write it like http://127.0.0.1:8890/sparql")


def _request(url, *, data=None, headers=None, method=None, timeout=DEFAULT_TIMEOUT, user=None,
             password=None, auth="auto"):
    check_url(url)
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with _opener(url, user, password, auth).open(req, timeout=timeout) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as exc:
        body = exc.read().decode("utf-8", "replace").strip().splitlines()
        detail = body[0][:200] if body else exc.reason
        raise EndpointError(f"{url} answered HTTP {exc.code}: {detail}") from None
    except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise EndpointError(f"cannot reach {url}: {reason} (timeout {timeout:g}s); check the URL and that the server runs") from None
    except UnicodeEncodeError:  # urllib's handlers write the user name in an HTTP header as Latin-1
        raise EndpointError(f"{url} asks for a password: the user name or password has characters an "
                            "HTTP header cannot carry here (outside Latin-1); use an ASCII user name") from None
    except ValueError as exc:  # urllib's auth handlers, e.g. a Digest challenge under --auth basic
        raise EndpointError(f"{url} asks for an authentication that auth={auth!r} cannot give: {exc}") from None


def _term(binding: dict):
    """The rdflib term of one binding of SPARQL JSON results. Own code, not a library's reader:
    pyoxigraph's ``parse_query_results`` refuses Virtuoso's blank nodes (``nodeID://b1``), and
    rdflib's ``parseJsonTerm`` keeps an explicit ``xsd:string``, so remote rows would differ from
    the embedded stores' (which give plain literals); Virtuoso's ``typed-literal`` is read too."""
    from rdflib import BNode, Literal, URIRef

    kind = binding.get("type")
    if kind == "uri":
        return URIRef(binding["value"])
    if kind == "bnode":
        return BNode(binding["value"])
    lang = binding.get("xml:lang")
    datatype = binding.get("datatype")
    if lang:
        return Literal(binding["value"], lang=lang)
    if datatype and datatype != "http://www.w3.org/2001/XMLSchema#string":
        return Literal(binding["value"], datatype=URIRef(datatype))
    return Literal(binding["value"])


def remote_query(url: str, text: str, bindings: dict | None = None, *, timeout=DEFAULT_TIMEOUT,
                 user=None, password=None, auth="auto") -> QueryResult:
    """Run ``text`` on the SPARQL endpoint at ``url`` (SPARQL 1.1 Protocol: POST, form-encoded)
    with ``bindings`` (name → rdflib term) as a VALUES block; with ``user``, answering the
    server's ``auth`` challenge (``auto``: Digest or Basic, whichever it asks for).

    Raises :class:`~mlops_kg.errors.EndpointError` (one line, naming the URL) when the server
    cannot be reached within ``timeout`` seconds, refuses, or answers with something else than
    SPARQL results."""
    check_credentials(user, password)
    from .sparql import parse_query

    parsed = parse_query(text)
    full = with_prefixes(with_values(text, bindings or {}))
    accept = "application/n-triples, text/turtle;q=0.9" if parsed.returns_graph else \
        "application/sparql-results+json"
    body = urllib.parse.urlencode({"query": full}).encode()
    _status, ctype, data = _request(url, data=body, timeout=timeout, user=user, password=password, auth=auth,
                                    headers={"Accept": accept,
                                             "Content-Type": "application/x-www-form-urlencoded"})
    if parsed.returns_graph:
        from rdflib import Graph

        fmt = "turtle" if "turtle" in ctype else "nt"
        graph = Graph().parse(data=data.decode("utf-8"), format=fmt)
        return QueryResult("graph", triples=sorted(graph))
    try:
        doc = json.loads(data.decode("utf-8"))
    except ValueError:
        raise EndpointError(f"{url} did not answer with SPARQL JSON results (Content-Type {ctype})") from None
    if parsed.kind == "ask" or "boolean" in doc:
        return QueryResult("ask", boolean=ask_answer(url, doc))
    variables = doc.get("head", {}).get("vars", [])
    rows = [tuple(_term(b[v]) if v in b else None for v in variables)
            for b in doc.get("results", {}).get("bindings", [])]
    return QueryResult("select", variables=variables, rows=rows)


_TRUE, _FALSE = {"true", "1"}, {"false", "0"}


def ask_answer(url: str, doc: dict) -> bool:
    """The answer to an ASK in SPARQL JSON results, in each shape servers give it.

    The standard ``{"boolean": true}`` (some servers write the value as a string); and
    Virtuoso's without ``CaseMode=2``, a SELECT-shaped result with one variable
    (``__ASK_RETVAL``): one row ``1`` for yes, no row at all (or a row ``0``) for no.
    """
    if "boolean" in doc:
        value = doc["boolean"]
        text = str(value).strip().lower()
        if isinstance(value, bool) or text in _TRUE | _FALSE:
            return value if isinstance(value, bool) else text in _TRUE
    else:
        variables = doc.get("head", {}).get("vars", [])
        rows = doc.get("results", {}).get("bindings")
        if len(variables) == 1 and isinstance(rows, list) and len(rows) <= 1:
            if not rows:
                return False
            text = str(rows[0].get(variables[0], {}).get("value", "")).strip().lower()
            if text in _TRUE | _FALSE:
                return text in _TRUE
    raise EndpointError(f"{url} did not answer the ASK query with a boolean: {json.dumps(doc)[:200]}")


class RemoteNames:
    """Resolves names for a query sent to ``url``: through ``local`` (the local names, a
    :class:`mlops_kg.sources.resolve.Resolver` with their aliases and suggestions, or a function that
    makes one, such as :func:`mlops_kg.build.locate.local_names`, called only when a name has to be
    resolved) first, and for a name it does not know, on the endpoint itself: a node of the kind whose label or alias is the name,
    ignoring case (graphs that exist only on the remote, e.g. merged with other data)."""

    def __init__(self, url: str, local, *, timeout=DEFAULT_TIMEOUT, user=None, password=None, auth="auto"):
        self.url, self._local, self.timeout, self.user, self.password = url, local, timeout, user, password
        self.auth = auth

    @property
    def local(self):
        """The local names, made on first use when ``local`` was given as a function."""
        if callable(self._local) and not hasattr(self._local, "resolve"):
            self._local = self._local()
        return self._local

    def resolve(self, name: str, kind: str = "tool"):
        """The node named ``name`` of ``kind``: through the local names, else looked up on the endpoint.

        Raises :class:`~mlops_kg.errors.UnknownNameError` (the local one, with its suggestions)
        when neither knows it, :class:`~mlops_kg.errors.AmbiguousNameError` when the endpoint
        has several nodes of that name.
        """
        from rdflib import Literal, URIRef

        from ..errors import AmbiguousNameError, UnknownNameError
        from ..sources.resolve import KIND_CLASSES

        try:
            return self.local.resolve(name, kind)
        except UnknownNameError as unknown:
            classes = KIND_CLASSES.get(kind)
            typed = (" VALUES ?class { " + " ".join(f"<{c}>" for c in sorted(classes)) + " } ?node a ?class ."
                     if classes else "")
            text = ("SELECT DISTINCT ?node ?label WHERE { ?node skos:prefLabel|skos:altLabel ?name ; "
                    f"skos:prefLabel ?label .{typed} FILTER(LCASE(STR(?name)) = {Literal(name.strip().lower()).n3()}) }} "
                    "ORDER BY ?node LIMIT 10")
            rows = remote_query(self.url, text, timeout=self.timeout, user=self.user, password=self.password,
                                auth=self.auth).rows
            found = {str(node): str(label) for node, label in rows}
            if len(found) == 1:
                return URIRef(next(iter(found)))
            if len(found) > 1:
                raise AmbiguousNameError(name.strip(), sorted(found.values())) from None
            raise unknown from None
