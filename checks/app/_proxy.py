"""What a reverse proxy configured in the repository does for delivery: compression and cache headers.

Shared by APP-COMPRESSION and APP-STATIC-CACHING. A proxy counts when its
configuration is in the repository: a Caddyfile, an nginx configuration, or
Traefik dynamic configuration and compose labels. Reads go through the
Project (never the file system) and are memoised once per scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from auditor.project import Project, is_compose_name

_CADDY_ENCODE = re.compile(r"^\s*encode\b", re.MULTILINE)
_CADDY_CACHE = re.compile(r"^\s*header\b[^\n]*Cache-Control", re.MULTILINE | re.IGNORECASE)
_NGINX_GZIP = re.compile(r"^\s*(gzip|brotli|gzip_static|brotli_static)\s+on\s*;", re.MULTILINE)
_NGINX_CACHE = re.compile(r"^\s*(expires\s+\S+|add_header\s+Cache-Control\b)", re.MULTILINE | re.IGNORECASE)
# Traefik: compose labels (traefik.http.middlewares.X.compress=true) or dynamic YAML/TOML (compress: {}).
_TRAEFIK_COMPRESS = re.compile(r"traefik\.http\.middlewares\.[^.=\s]+\.compress\b|^\s*compress\s*[:=]",
                               re.MULTILINE | re.IGNORECASE)
_TRAEFIK_CACHE = re.compile(r"customresponseheaders\.cache-control|customResponseHeaders[\s\S]{0,200}Cache-Control",
                            re.IGNORECASE)

@dataclass(frozen=True)
class ProxyConfig:
    """One proxy configuration file: its kind (caddy, nginx, traefik) and text."""

    path: str
    kind: str
    text: str


def proxy_configs(project: Project) -> tuple[ProxyConfig, ...]:
    """Every proxy configuration the repository holds."""

    def build() -> tuple[ProxyConfig, ...]:
        out: list[ProxyConfig] = []
        for rel in project.files:
            kind = _kind(rel)
            if kind is None:
                continue
            text = project.read_text(rel) or ""
            if kind == "nginx?":
                if not re.search(r"\b(server|http|location)\s*[^;{]*\{", text):
                    continue
                kind = "nginx"
            if kind == "compose":
                if "traefik." not in text:
                    continue
                kind = "traefik"
            out.append(ProxyConfig(rel, kind, text))
        return tuple(out)

    return project.memo("app.proxy-configs", build)


def _kind(rel: str) -> str | None:
    name = PurePosixPath(rel).name.lower()
    parts = {p.lower() for p in PurePosixPath(rel).parts[:-1]}
    if name == "caddyfile" or name.endswith(".caddyfile") or name.startswith("caddyfile."):
        return "caddy"
    if name == "nginx.conf" or name.endswith(".nginx") or (name.endswith(".conf") and parts & {"nginx", "conf.d",
                                                                                               "sites-enabled"}):
        return "nginx?"
    if name.endswith((".yml", ".yaml", ".toml")) and ("traefik" in name or "traefik" in parts):
        return "traefik"
    if is_compose_name(name):
        return "compose"  # labels there may configure Traefik
    return None


def compressing_proxy(project: Project) -> ProxyConfig | None:
    """The first proxy configuration that compresses responses (Caddy encode, nginx gzip, Traefik compress)."""
    for config in proxy_configs(project):
        pattern = {"caddy": _CADDY_ENCODE, "nginx": _NGINX_GZIP, "traefik": _TRAEFIK_COMPRESS}[config.kind]
        if pattern.search(config.text):
            return config
    return None


def caching_proxy(project: Project) -> ProxyConfig | None:
    """The first proxy configuration that sets cache headers (Caddy header, nginx expires/add_header, Traefik)."""
    for config in proxy_configs(project):
        pattern = {"caddy": _CADDY_CACHE, "nginx": _NGINX_CACHE, "traefik": _TRAEFIK_CACHE}[config.kind]
        if pattern.search(config.text):
            return config
    return None
