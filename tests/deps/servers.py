"""Local OSV-compatible and PyPI-JSON-compatible servers on 127.0.0.1 for dependency-audit tests."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LODASH_VULN = {
    "id": "GHSA-35jh-r3h4-6jhm",
    "summary": "Command Injection in lodash",
    "aliases": ["CVE-2021-23337"],
    "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"}],
    "affected": [{"package": {"name": "lodash", "ecosystem": "npm"},
                  "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "4.17.21"}]}]}],
}
MINIMIST_VULN = {
    "id": "GHSA-xvch-5gv4-984h",
    "summary": "Prototype Pollution in minimist",
    "aliases": ["CVE-2021-44906"],
    "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
    "affected": [{"package": {"name": "minimist", "ecosystem": "npm"},
                  "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "0.2.4"},
                                                           {"introduced": "1.0.0"}, {"fixed": "1.2.6"}]}]}],
}
NPM_DB = {("lodash", "4.17.20"): [LODASH_VULN], ("minimist", "1.2.5"): [MINIMIST_VULN]}
PYPI_DB: dict[tuple[str, str], list[dict[str, Any]]] = {
    ("jinja2", "2.11.2"): [{"id": "PYSEC-2021-66", "aliases": ["CVE-2020-28493", "GHSA-g3rq-g295-4j3m"],
                             "summary": "ReDoS in the urlize filter", "fixed_in": ["2.11.3"]}],
}


@contextmanager
def osv_server(db: dict[tuple[str, str], list[dict[str, Any]]] | None = None) -> Iterator[str]:
    """An OSV-compatible API: POST /v1/querybatch and GET /v1/vulns/ID."""
    db = NPM_DB if db is None else db
    by_id = {v["id"]: v for vulns in db.values() for v in vulns}
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            return None

        def _json(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            requests.append(self.path)
            length = int(self.headers.get("Content-Length", "0"))
            queries = json.loads(self.rfile.read(length))["queries"]
            results = []
            for q in queries:
                vulns = db.get((q["package"]["name"], q["version"]), [])
                results.append({"vulns": [{"id": v["id"], "modified": "2024-01-01T00:00:00Z"} for v in vulns]}
                               if vulns else {})
            self._json(200, {"results": results})

        def do_GET(self) -> None:
            requests.append(self.path)
            vuln_id = self.path.rsplit("/", 1)[-1]
            if vuln_id in by_id:
                self._json(200, by_id[vuln_id])
            else:
                self._json(404, {"code": 5, "message": "Bug not found."})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def pypi_server(db: dict[tuple[str, str], list[dict[str, Any]]] | None = None) -> Iterator[str]:
    """A PyPI-JSON-compatible API: GET /pypi/NAME/VERSION/json with a ``vulnerabilities`` list."""
    db = PYPI_DB if db is None else db

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            return None

        def do_GET(self) -> None:
            parts = self.path.strip("/").split("/")
            if len(parts) != 4 or parts[0] != "pypi" or parts[3] != "json":
                self.send_error(404)
                return
            name, version = parts[1].lower(), parts[2]
            if name == "not-on-pypi":
                self.send_error(404)
                return
            body = json.dumps({"info": {"name": name, "version": version},
                               "vulnerabilities": db.get((name, version), [])}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/pypi"
    finally:
        server.shutdown()
        server.server_close()
