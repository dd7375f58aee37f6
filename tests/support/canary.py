"""A local HTTP server that records every request it gets: the canary of the offline tests.

Code that must never fetch (SERVICE, JSON-LD contexts, FROM graphs) is pointed at it; a test
then asserts that ``hits`` stayed empty (and that its answer never shows up anywhere).
"""
from __future__ import annotations

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextlib.contextmanager
def recording_server(body: bytes, content_type: str, path: str = "/"):
    """Serve ``body`` to any GET, POST or HEAD; yield ``(url, hits)``, ``hits`` a list of
    ``(method, path)`` that grows as requests arrive."""
    hits: list[tuple[str, str]] = []

    class Record(BaseHTTPRequestHandler):
        def _hit(self):
            hits.append((self.command, self.path))
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_POST = do_HEAD = _hit

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Record)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{path}", hits
    finally:
        server.shutdown()
        server.server_close()
