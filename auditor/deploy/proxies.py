"""The reverse proxies a repository configures in front of its services, and what they do for delivery.

A proxy counts when its configuration is in the repository: a Caddyfile, an nginx configuration,
Traefik dynamic configuration or compose labels, or such a configuration given as a block in the
repository's own documentation (a production guide's ```nginx block is what its users deploy).
Checks ask whether one compresses, sets cache headers or sets security headers; they never re-read
the files. Reads go through the Project and are memoised once per scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from auditor.deploy.model import Role
from auditor.deploy.roles import convention_role
from auditor.lazyre import lazy
from auditor.project import Project, is_compose_name

_CADDY_ENCODE = lazy(r"^\s*encode\b", re.MULTILINE)
_CADDY_CACHE = lazy(r"^\s*header\b[^\n]*Cache-Control", re.MULTILINE | re.IGNORECASE)
_NGINX_GZIP = lazy(r"^\s*(gzip|brotli|gzip_static|brotli_static)\s+on\s*;", re.MULTILINE)
_NGINX_CACHE = lazy(r"^\s*(expires\s+\S+|add_header\s+Cache-Control\b)", re.MULTILINE | re.IGNORECASE)
_NGINX_BLOCK = lazy(r"\b(server|http|location)\s*[^;{]*\{")
# Traefik: compose labels (traefik.http.middlewares.X.compress=true) or dynamic YAML/TOML (compress: {}).
_TRAEFIK_COMPRESS = lazy(r"traefik\.http\.middlewares\.[^.=\s]+\.compress\b|^\s*compress\s*[:=]",
                         re.MULTILINE | re.IGNORECASE)
_TRAEFIK_CACHE = lazy(r"customresponseheaders\.cache-control|customResponseHeaders[\s\S]{0,200}Cache-Control",
                      re.IGNORECASE)
_SECURITY_HEADER = lazy(r"add_header\s+[\"']?(X-Frame-Options|X-Content-Type-Options|Content-Security-Policy|"
                        r"Strict-Transport-Security)|header\s*\{[^}]*(X-Frame-Options|Content-Security-Policy)|"
                        r"customResponseHeaders|(frameDeny|contentTypeNosniff|stsSeconds)\s*[:=]", re.IGNORECASE)
# A fenced block in Markdown: its info string and body. Only nginx and Caddy blocks are read: a Traefik
# snippet in prose is too often one option among several to stand for the deployment.
_FENCE = lazy(r"^(?P<indent>[ \t]*)(?P<fence>```+|~~~+)[ \t]*(?P<info>[^\n`]*)\n(?P<body>.*?)^[ \t]*(?P=fence)[ \t]*$",
              re.MULTILINE | re.DOTALL)
_DOC_KINDS = {"nginx": "nginx", "caddy": "caddy", "caddyfile": "caddy"}

_PATTERNS = {
    "compress": {"caddy": _CADDY_ENCODE, "nginx": _NGINX_GZIP, "traefik": _TRAEFIK_COMPRESS},
    "cache": {"caddy": _CADDY_CACHE, "nginx": _NGINX_CACHE, "traefik": _TRAEFIK_CACHE},
}


@dataclass(frozen=True)
class ProxyConfig:
    """One proxy configuration: where it is, its kind (caddy, nginx, traefik) and its text."""

    path: str
    kind: str
    text: str
    line: int = 1  # where the configuration starts in ``path`` (a documented block starts mid-file)
    documented: bool = False  # a block in the repository's documentation rather than a file of its own

    @property
    def where(self) -> str:
        """``path`` or ``path:line`` for a documented block, for messages and the appendix."""
        return f"{self.path}:{self.line}" if self.documented else self.path


def proxy_configs(project: Project) -> tuple[ProxyConfig, ...]:
    """Every proxy configuration the repository holds, files first, then documented blocks."""

    def build() -> tuple[ProxyConfig, ...]:
        files: list[ProxyConfig] = []
        documented: list[ProxyConfig] = []
        for rel in project.files:
            if rel.lower().endswith((".md", ".mdx")):
                documented.extend(_documented(rel, project.read_text(rel) or ""))
                continue
            kind = _kind(rel)
            if kind is None:
                continue
            text = project.read_text(rel) or ""
            if kind == "nginx?":
                if not _NGINX_BLOCK.search(text):
                    continue
                kind = "nginx"
            if kind == "compose":
                if "traefik." not in text:
                    continue
                kind = "traefik"
            files.append(ProxyConfig(rel, kind, text))
        return (*files, *documented)

    return project.view(proxy_configs, build)


def _kind(rel: str) -> str | None:
    """The proxy kind a file's name and folder suggest ("nginx?" until its text shows a block)."""
    name = PurePosixPath(rel).name.lower()
    parts = {p.lower() for p in PurePosixPath(rel).parts[:-1]}
    if name == "caddyfile" or name.endswith(".caddyfile") or name.startswith("caddyfile."):
        return "caddy"
    if name in {"nginx.conf", "nginx.conf.template"} or name.endswith((".nginx", ".conf", ".conf.template")):
        return "nginx?"
    if name.endswith((".yml", ".yaml", ".toml")) and ("traefik" in name or "traefik" in parts):
        return "traefik"
    if is_compose_name(name):
        return "compose"  # labels there may configure Traefik
    return None


def _documented(rel: str, text: str) -> list[ProxyConfig]:
    """nginx and Caddy configuration blocks fenced in one Markdown file."""
    if "```" not in text and "~~~" not in text:
        return []
    out = []
    for match in _FENCE.finditer(text):
        info = match.group("info").strip().split(None, 1)
        kind = _DOC_KINDS.get(info[0].lower()) if info else None
        body = match.group("body")
        if kind == "nginx" and not _NGINX_BLOCK.search(body):
            continue  # a one-line directive in prose is advice, not the deployed configuration
        if kind is not None:
            line = text.count("\n", 0, match.start()) + 2  # the block's first line, after the fence
            out.append(ProxyConfig(rel, kind, body, line=line, documented=True))
    return out


def _first(project: Project, what: str) -> ProxyConfig | None:
    for config in proxy_configs(project):
        if _PATTERNS[what][config.kind].search(config.text):
            return config
    return None


def compressing_proxy(project: Project) -> ProxyConfig | None:
    """The first proxy configuration that compresses responses (Caddy encode, nginx gzip, Traefik compress)."""
    return _first(project, "compress")


def caching_proxy(project: Project) -> ProxyConfig | None:
    """The first proxy configuration that sets cache headers (Caddy header, nginx expires/add_header, Traefik)."""
    return _first(project, "cache")


def header_setting_proxy(project: Project) -> ProxyConfig | None:
    """The first proxy configuration that sets a security header (X-Frame-Options, nosniff, CSP, HSTS)."""
    for config in proxy_configs(project):
        if _SECURITY_HEADER.search(config.text):
            return config
    return None


@dataclass(frozen=True)
class Front:
    """Evidence that requests reach the application through a proxy or a platform's router."""

    path: str
    line: int
    what: str  # "nginx proxy_pass", "Heroku's router (Procfile web process)" ...
    # The proxy reaches the app over loopback (`proxy_pass http://127.0.0.1:8000`): servers that
    # trust loopback by default (uvicorn, gunicorn) then see the client's address.
    loopback: bool = False


_FORWARDS = {
    "nginx": lazy(r"(?:^|[{;])[ \t]*proxy_pass\s+(?P<target>[^;\s]+)", re.MULTILINE),
    "caddy": lazy(r"(?:^|\{)[ \t]*reverse_proxy\b[ \t]*(?P<target>[^\s{]*)", re.MULTILINE),
    "traefik": lazy(r"traefik\.http\.routers\.|^[ \t]*routers[ \t]*:|^[ \t]*\[http\.routers", re.MULTILINE),
}
_WHAT = {"nginx": "nginx proxy_pass", "caddy": "Caddy reverse_proxy", "traefik": "Traefik routers"}
_UPSTREAM_SERVER = lazy(r"\bserver\s+([^;\s]+)")
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1", "0.0.0.0", "unix"})
_INGRESS = lazy(r"^kind:[ \t]*Ingress[ \t]*$", re.MULTILINE)
_PROCFILE_WEB = lazy(r"^web\s*:", re.MULTILINE)
_APP_ENGINE = lazy(r"^runtime\s*:", re.MULTILINE)
# Platforms whose router always stands between the client and the process.
_PLATFORMS = {"fly.toml": "Fly.io's proxy (fly.toml)", "render.yaml": "Render's load balancer (render.yaml)",
              "railway.json": "Railway's edge proxy (railway.json)", "railway.toml": "Railway's edge proxy (railway.toml)",
              "heroku.yml": "Heroku's router (heroku.yml)"}


def request_front(project: Project, *, remote_only: bool = False) -> Front | None:
    """The first sign in the repository that a proxy or platform router forwards requests to the app.

    Proxy configurations that forward (nginx ``proxy_pass``, Caddy ``reverse_proxy``, Traefik routers),
    documented ones included; platform manifests (Procfile ``web:``, fly.toml, render.yaml, railway,
    heroku.yml, App Engine's app.yaml); a Kubernetes ``Ingress``. Files whose path says test,
    development, CI, example or devcontainer do not count. ``remote_only`` skips proxies that reach
    the app over loopback.
    """
    return next((f for f in request_fronts(project) if not (remote_only and f.loopback)), None)


def request_fronts(project: Project) -> tuple[Front, ...]:
    """Every proxy or platform router the repository shows in front of its apps (see ``request_front``)."""

    def build() -> tuple[Front, ...]:
        out: list[Front] = []
        for config in proxy_configs(project):
            pattern = _FORWARDS.get(config.kind)
            match = pattern.search(config.text) if pattern is not None else None
            if match and _deployed(config.path, documented=config.documented):
                line = config.line + config.text.count("\n", 0, match.start())
                target = match.groupdict().get("target") or ""
                out.append(Front(config.path, line, _WHAT[config.kind], _is_loopback(target, config.text)))
        for rel in project.files:
            name = PurePosixPath(rel).name
            lower = name.lower()
            if not _deployed(rel, documented=False):
                continue
            if name == "Procfile":
                text = project.read_text(rel) or ""
                match = _PROCFILE_WEB.search(text)
                if match:
                    out.append(Front(rel, 1 + text.count("\n", 0, match.start()),
                                     "Heroku's router (Procfile web process)"))
            elif lower in _PLATFORMS:
                out.append(Front(rel, 1, _PLATFORMS[lower]))
            elif lower in {"app.yaml", "app.yml"} and _APP_ENGINE.search(project.read_text(rel) or ""):
                out.append(Front(rel, 1, "App Engine's front end (app.yaml)"))
            elif lower.endswith((".yaml", ".yml")) and "Ingress" in (text := project.read_text(rel) or ""):
                match = _INGRESS.search(text)
                if match:
                    out.append(Front(rel, 1 + text.count("\n", 0, match.start()), "a Kubernetes Ingress"))
        return tuple(out)

    return project.view(request_fronts, build)


def _is_loopback(target: str, text: str) -> bool:
    """Whether a proxy target (``http://127.0.0.1:8000``, ``web:8000``, an ``upstream`` name) is loopback."""
    host = re.sub(r"^[a-z]+://", "", target.strip()).split("/", 1)[0]
    host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if target.startswith("unix:") or "unix:" in target:
        return True
    # The first `upstream <host> {` block only, read up to its closing brace: linear however the text repeats.
    opening = re.search(rf"\bupstream\s+{re.escape(host)}\s*\{{", text) if host else None
    if opening is not None:
        close = text.find("}", opening.end(), opening.end() + 4000)
        server = _UPSTREAM_SERVER.search(text, opening.end(), close if close >= 0 else opening.end() + 4000)
        if server is not None:
            return _is_loopback(server.group(1), "")
    return host.lower() in _LOOPBACK_HOSTS


# Where a Python server is told to trust the proxy's forwarded headers: uvicorn/gunicorn's
# --forwarded-allow-ips (or FORWARDED_ALLOW_IPS, forwarded_allow_ips in a gunicorn config or any
# Python file that configures the server programmatically).
# Daphne's --proxy-headers trusts the headers from any peer.
_FORWARDED_TRUST = lazy(r"forwarded[-_]allow[-_]ips|\bdaphne\b[^\n]{0,500}--proxy-headers", re.IGNORECASE)
_DEPLOY_TEXT = lazy(r"(^|/)(Dockerfile[^/]*|[^/]*\.dockerfile|Procfile|[^/]*compose[^/]*\.ya?ml|[^/]*\.(sh|ini|toml|cfg|conf)|"
                    r"[^/]*\.(ya?ml|json|py)|\.env[^/]*|env[-_.][^/]*)$", re.IGNORECASE)


def forwarded_trust(project: Project) -> str | None:
    """The deployment file that tells a Python server to trust forwarded headers, if one does."""

    def build() -> str | None:
        for rel in project.files:
            if _DEPLOY_TEXT.search(rel) and _FORWARDED_TRUST.search(project.read_text(rel) or ""):
                return rel
        return None

    return project.view(forwarded_trust, build)




def project_mentions(project: Project, needles: tuple[str, ...]) -> bool:
    """Whether any JavaScript/TypeScript file of the repository (dependencies and tests aside) contains
    one of ``needles``: for settings a shared package may make where the source index does not look."""
    from auditor.source.index import JS_EXTENSIONS  # the source index's own list; imported only when asked

    for rel in project.files:
        if not rel.endswith(JS_EXTENSIONS):
            continue
        parts = rel.split("/")
        if "node_modules" in parts or {"test", "tests", "__tests__", "e2e"} & set(parts[:-1]):
            continue
        text = project.read_text(rel) or ""
        if any(needle in text for needle in needles):
            return True
    return False


def _deployed(rel: str, *, documented: bool) -> bool:
    """Not a test, development, CI, example or devcontainer file (a docs block counts when documented)."""
    decision = convention_role(rel)
    if decision is None or decision.role is Role.PRODUCTION:
        return True
    return documented and decision.role is Role.DOCS
