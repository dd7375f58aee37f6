"""The HTTP side: one handler per request (routing, Host check, body and form parsing, the
limits per client), handing each query to the worker pool."""
from __future__ import annotations

import re
import secrets
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler

from .answer import READ_ONLY, one_line
from .description import service_description
from .negotiate import CONTENT_TYPES, FORMAT_NAMES, GRAPH_OFFERS, SELECT_OFFERS, negotiate
from .page import render_page
from ..query.workers import Unavailable


MAX_BODY = 1024 * 1024
# --- HTTP ------------------------------------------------------------------------------------

class _HttpError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def printable(text: str) -> str:
    """``text`` made safe for the terminal that shows the log (:func:`mlops_kg.files.terminal_safe`,
    backslashes doubled too), so a request line cannot send escape sequences to it."""
    from ..files import terminal_safe

    return terminal_safe(text, backslash=True)


class Handler(BaseHTTPRequestHandler):
    """The HTTP request handler of :class:`~mlops_kg.serve.server.EndpointServer` (``self.server``):
    ``/sparql`` (queries, the service description) and ``/`` (the query page); every error is
    one line of plain text, every request one line of log.
    """
    # self.server is the EndpointServer (serve.server) that made this handler
    server_version = "mlops-kg-sparql"
    sys_version = ""
    timeout = 60  # seconds an idle or slow client may hold a connection
    _status = None

    def version_string(self):
        """The Server header: the product alone, no Python version."""
        return self.server_version

    # one log line per request, written after the response
    def log_request(self, code="-", size="-"):
        """Nothing: :meth:`handle_one_request` logs one line per request once it is answered."""
        pass

    def log_error(self, format, *args):  # noqa: A002 - signature of the base class
        """Nothing: errors reach the client as one line and the log through the request's line."""
        pass

    def send_response(self, code, message=None):
        """As http.server's, remembering the status for the log line."""
        self._status = code
        super().send_response(code, message)

    def handle_one_request(self):
        """As http.server's, then one log line (method, path, status, time) with controls escaped."""
        started = time.perf_counter()
        self._status, self.command = None, None
        super().handle_one_request()
        if self._status is not None and not self.server.quiet:
            path = urllib.parse.urlsplit(self.path or "").path if getattr(self, "path", None) else "-"
            ms = (time.perf_counter() - started) * 1000
            try:
                self.server.log.write(f"{printable((self.command or '-')[:20])} {printable(path[:200])} "
                                      f"{self._status} {ms:.0f}ms\n")
                self.server.log.flush()
            except (OSError, ValueError):
                pass

    def send_error(self, code, message=None, explain=None):
        """Used by http.server itself (malformed request line, too long, ...): plain text too."""
        self.close_connection = True
        self._plain(code, message or self.responses.get(code, ("error",))[0])

    # --- responses ---------------------------------------------------------------------------
    def _send(self, status: int, content_type: str, body: bytes, headers: dict | None = None):
        # one deadline for the whole answer (sendall's timeout is not renewed by partial sends),
        # so a client that stops reading frees its thread and the answer
        self.connection.settimeout(self.server.send_timeout)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.connection.settimeout(self.timeout)

    def _plain(self, status: int, message: str, headers: dict | None = None):
        self._send(status, "text/plain; charset=utf-8", (one_line(message) + "\n").encode("utf-8"), headers)

    # --- dispatch ----------------------------------------------------------------------------
    def _check_host(self):
        """On a loopback address, answer only requests addressed to loopback names: a web page
        that points a DNS name of its own at 127.0.0.1 (DNS rebinding) gets nothing back."""
        if not self.server.loopback:
            return
        host = self.headers.get("Host")
        if host is None:
            return  # HTTP/1.0 clients; browsers always send Host
        name = (host.rsplit(":", 1)[0] if not host.startswith("[") else host[1:].split("]", 1)[0]).lower()
        if not _is_loopback_name(name):
            raise _HttpError(403, f"Host {host[:100]!r} is not this server: it only answers requests addressed "
                                  "to localhost, 127.0.0.1 or [::1] (protection against DNS rebinding)")

    def _dispatch(self, method: str):
        try:
            self._check_host()
            path = urllib.parse.urlsplit(self.path).path
            if path == "/":
                if method not in ("GET", "HEAD"):
                    raise _HttpError(405, f"{method} is not allowed on /; use GET", {"Allow": "GET, HEAD"})
                self._page()
            elif path == "/sparql":
                if method not in ("GET", "HEAD", "POST"):
                    raise _HttpError(405, f"{method} is not allowed on /sparql; use GET or POST "
                                          "(this endpoint is read-only)", {"Allow": "GET, HEAD, POST"})
                self._sparql(method)
            else:
                raise _HttpError(404, f"no such page: {path[:200]}; the SPARQL endpoint is /sparql")
        except _HttpError as exc:
            if exc.status in (411, 413):
                self.close_connection = True
            self._plain(exc.status, exc.message, exc.headers)
        except (ConnectionError, TimeoutError):  # the client left, or did not take the answer in time
            self.close_connection = True
        except Exception as exc:  # noqa: BLE001 - never a traceback to the client
            self.close_connection = True
            try:
                self._plain(500, f"internal error ({type(exc).__name__})")
            except OSError:
                pass

    def do_GET(self):  # noqa: N802 - http.server's naming
        """Answer a GET."""
        self._dispatch("GET")

    def do_HEAD(self):  # noqa: N802
        """Answer a HEAD (as a GET, without the body)."""
        self._dispatch("HEAD")

    def do_POST(self):  # noqa: N802
        """Answer a POST."""
        self._dispatch("POST")

    def do_PUT(self):  # noqa: N802
        """Refuse a PUT (405: the endpoint is read-only)."""
        self._dispatch("PUT")

    def do_DELETE(self):  # noqa: N802
        """Refuse a DELETE (405)."""
        self._dispatch("DELETE")

    def do_PATCH(self):  # noqa: N802
        """Refuse a PATCH (405)."""
        self._dispatch("PATCH")

    def do_OPTIONS(self):  # noqa: N802
        """Refuse an OPTIONS (405)."""
        self._dispatch("OPTIONS")

    # --- /sparql -----------------------------------------------------------------------------
    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            raise _HttpError(411, "chunked request bodies are not supported; send Content-Length")
        length = self.headers.get("Content-Length")
        if length is None:
            raise _HttpError(411, "POST needs a Content-Length header")
        try:
            size = int(length)
        except ValueError:
            raise _HttpError(400, "bad Content-Length header") from None
        if size < 0:
            raise _HttpError(400, "bad Content-Length header")
        if size > MAX_BODY:
            self._drain(size)
            raise _HttpError(413, f"request body of {size} bytes is over the limit of {MAX_BODY} bytes")
        return self.rfile.read(size)

    def _drain(self, size: int) -> None:
        """Read and drop a too-big body (up to a bound), so the client sees our 413 and not a
        connection reset."""
        left = min(size, 16 * MAX_BODY)
        try:
            self.connection.settimeout(1.0)  # a client that declares more than it sends
            while left > 0:
                chunk = self.rfile.read(min(left, 65536))
                if not chunk:
                    break
                left -= len(chunk)
        except OSError:
            pass

    @staticmethod
    def _decode(data: bytes, charset: str | None) -> str:
        import codecs

        unusable = _HttpError(415, f"unknown or unusable charset {printable((charset or '')[:50])!r}; send UTF-8")
        try:
            # only real text encodings: Python also knows "rot13", "base64", "hex", ...
            if charset and not getattr(codecs.lookup(charset), "_is_text_encoding", True):
                raise unusable
            return data.decode(charset or "utf-8")
        except LookupError:
            raise unusable from None
        except UnicodeDecodeError:
            raise _HttpError(400, f"the request is not valid {printable((charset or 'UTF-8')[:50])} text") from None
        except (UnicodeError, ValueError, TypeError):  # "undefined" raises UnicodeError on any use
            raise unusable from None

    @staticmethod
    def _form(text: str) -> dict[str, list[str]]:
        try:
            return urllib.parse.parse_qs(text, keep_blank_values=True, max_num_fields=200,
                                         errors="strict")
        except ValueError as exc:
            raise _HttpError(400, f"malformed form parameters: {exc}") from None

    def _request_params(self, method: str) -> dict[str, list[str]]:
        params = self._form(urllib.parse.urlsplit(self.path).query)
        if method != "POST":
            return params
        mime, charset = _content_type(self.headers.get("Content-Type", ""))
        if mime == "application/sparql-update":
            self._read_body_quietly()
            raise _HttpError(403, READ_ONLY)
        body = self._read_body()
        if mime == "application/x-www-form-urlencoded":
            for key, values in self._form(self._decode(body, charset)).items():
                params.setdefault(key, []).extend(values)
        elif mime == "application/sparql-query":
            if "query" in params:
                raise _HttpError(400, "give the query either as the request body or as query=, not both")
            params["query"] = [self._decode(body, charset)]
        else:
            raise _HttpError(415, f"unsupported Content-Type {mime[:100]!r} for POST; use "
                                  "application/x-www-form-urlencoded or application/sparql-query")
        return params

    def _read_body_quietly(self):
        try:
            self._read_body()
        except _HttpError:
            self.close_connection = True

    def _sparql(self, method: str):
        params = self._request_params(method)
        if any(k in params for k in ("update", "using-graph-uri", "using-named-graph-uri")):
            raise _HttpError(403, READ_ONLY)
        queries = params.get("query", [])
        if len(queries) > 1:
            raise _HttpError(400, "more than one query= parameter; send one query per request")
        if queries and not queries[0].strip():
            raise _HttpError(400, "empty query= parameter; send a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE)")
        if not queries:
            if method == "POST":
                raise _HttpError(400, "no query: send query=... (form) or an application/sparql-query body")
            return self._service_description()
        formats = self._formats(params)
        if formats["select"] is None and formats["graph"] is None:
            raise _HttpError(406, "none of the requested result formats is offered; this endpoint offers "
                                  + ", ".join(m[0] for m in [*SELECT_OFFERS.values(), *GRAPH_OFFERS.values()]))
        request = {"query": queries[0], "formats": formats, "max_rows": self.server.max_rows,
                   "max_bytes": self.server.max_bytes,
                   "default_graphs": params.get("default-graph-uri"),
                   "named_graphs": params.get("named-graph-uri")}
        client = self.client_address[0] if self.client_address else "-"
        if not self.server.enter_query(client):
            allowed = self.server.client_queries
            shared = "; every client on this machine counts as one address" if self.server.loopback else ""
            raise _HttpError(429, f"this client address already has {allowed} quer{'y' if allowed == 1 else 'ies'} "
                                  f"running (the most one address may have{shared}); wait for an answer, then retry",
                             {"Retry-After": "1"})
        try:
            reply = self.server.pool.run(request, self.server.timeout_seconds)
        except Unavailable as exc:
            headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
            raise _HttpError(503, str(exc), headers) from None
        finally:
            self.server.leave_query(client)
        headers = {"Vary": "Accept"}
        if reply.cut_by:
            headers["X-Result-Truncated"] = "true"
            headers["X-Result-Max-Rows"] = str(self.server.max_rows)
            headers["X-Result-Max-Bytes"] = str(self.server.max_bytes)
            headers["X-Result-Truncated-By"] = reply.cut_by
        self._send(reply.status, reply.content_type, reply.body, headers)

    def _formats(self, params) -> dict:
        requested = (params.get("format") or params.get("output") or [None])[0]
        if requested:
            name = requested.strip().lower()
            if name in FORMAT_NAMES:
                select, graph = FORMAT_NAMES[name]
            elif "/" in name and "*" not in name:  # a media type works too
                select, graph = negotiate(name, SELECT_OFFERS), negotiate(name, GRAPH_OFFERS)
            else:
                select = graph = None
            if select is None and graph is None:
                raise _HttpError(400, f"unknown format {requested[:50]!r}; use one of "
                                      + ", ".join(FORMAT_NAMES) + " or a media type")
            return {"select": select, "graph": graph}
        accept = self.headers.get("Accept")
        return {"select": negotiate(accept, SELECT_OFFERS), "graph": negotiate(accept, GRAPH_OFFERS)}

    def _host(self) -> str:
        host = self.headers.get("Host", "")
        if re.fullmatch(r"[A-Za-z0-9.-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?", host):
            return host
        return self.server.url[len("http://"):].rstrip("/")

    def _service_description(self):
        fmt = negotiate(self.headers.get("Accept"), GRAPH_OFFERS)
        if fmt is None:
            raise _HttpError(406, "the service description is offered as "
                                  + ", ".join(m[0] for m in GRAPH_OFFERS.values()))
        body = service_description(f"http://{self._host()}/sparql", self.server.graph_names,
                                   timeout=self.server.timeout_seconds, max_rows=self.server.max_rows,
                                   fmt=fmt)
        self._send(200, CONTENT_TYPES[fmt], body.encode("utf-8"), {"Vary": "Accept"})

    # --- / -----------------------------------------------------------------------------------
    def _page(self):
        nonce = secrets.token_urlsafe(16)
        body = render_page(self.server.examples(), nonce=nonce, timeout=self.server.timeout_seconds,
                           max_rows=self.server.max_rows, graphs=self.server.graph_names)
        csp = (f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
               "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
        self._send(200, "text/html; charset=utf-8", body.encode("utf-8"),
                   {"Content-Security-Policy": csp, "Referrer-Policy": "no-referrer"})


def _content_type(header: str) -> tuple[str, str | None]:
    fields = [f.strip() for f in header.split(";")]
    charset = None
    for param in fields[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"') or None
    return fields[0].lower(), charset


def _is_loopback_name(name: str) -> bool:
    import ipaddress

    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
