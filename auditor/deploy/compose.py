"""Compose views: merged services per compose project, ports, mounts, labels, healthchecks.

A compose project (a base and its override or ``-f`` chain, decided by the
deployment model) is judged together: a service's merged view
(:class:`ServiceView`) answers "is this key set in any file?", while checks
that flag a concrete value still walk each file's own lines.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Any

from auditor.lazyre import lazy
from auditor.parsing.compose import ComposeFile, Service
from auditor.parsing.dockerfile import Dockerfile, Stage, split_image
from auditor.project import Project

# Data stores by the last path component of their image name (without tag).
DATA_IMAGES: dict[str, str] = {
    "postgres": "postgres", "postgresql": "postgres", "postgis": "postgres", "timescaledb": "postgres",
    "timescaledb-ha": "postgres", "pgvector": "postgres",
    "mysql": "mysql", "mysql-server": "mysql", "percona-server": "mysql", "percona": "mysql",
    "mariadb": "mariadb",
    "mongo": "mongo", "mongodb": "mongo", "mongodb-community-server": "mongo",
    "redis": "redis", "redis-stack": "redis", "redis-stack-server": "redis",
    "valkey": "valkey", "keydb": "redis", "dragonfly": "redis",
    "memcached": "memcached",
    "elasticsearch": "elasticsearch", "opensearch": "opensearch",
    "rabbitmq": "rabbitmq", "cassandra": "cassandra", "couchdb": "couchdb",
    "clickhouse": "clickhouse", "clickhouse-server": "clickhouse",
    "influxdb": "influxdb", "neo4j": "neo4j", "etcd": "etcd",
}

# Where each data store keeps its data inside the official image.
DATA_DIRS: dict[str, tuple[str, ...]] = {
    "postgres": ("/var/lib/postgresql/data", "/var/lib/postgresql", "/home/postgres/pgdata"),
    "mysql": ("/var/lib/mysql",),
    "mariadb": ("/var/lib/mysql",),
    "mongo": ("/data/db", "/data"),
    "redis": ("/data",),
    "valkey": ("/data",),
    "elasticsearch": ("/usr/share/elasticsearch/data",),
    "opensearch": ("/usr/share/opensearch/data",),
    "rabbitmq": ("/var/lib/rabbitmq",),
    "cassandra": ("/var/lib/cassandra",),
    "couchdb": ("/opt/couchdb/data",),
    "clickhouse": ("/var/lib/clickhouse",),
    "influxdb": ("/var/lib/influxdb", "/var/lib/influxdb2"),
    "neo4j": ("/data",),
    "etcd": (),  # set by --data-dir; any persistent volume counts
}

PROXY_IMAGES = frozenset({"traefik", "nginx", "caddy", "haproxy", "envoy", "nginx-proxy",
                          "nginx-proxy-manager", "openresty", "kong", "apache", "httpd"})
# Web UIs for looking into a database or catching mail in development: a convenience beside the
# stack, not part of what serves users (nothing waits for them, nobody pages on them).
ADMIN_UI_IMAGES = frozenset({"adminer", "phpmyadmin", "pgadmin4", "pgadmin", "mongo-express", "redis-commander",
                             "redisinsight", "mailhog", "mailpit", "maildev", "dbgate", "cloudbeaver"})

_VAR = lazy(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?+]([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")
_ONE_SHOT = lazy(r"migrat|backup|seed|\binit\b|setup|provision|bootstrap|restore|dump|fixtures", re.I)
_SERVER_BINARIES = lazy(
    r"(^|[\s/\"'])(postgres|mysqld|mariadbd|mongod|redis-server|valkey-server|memcached|elasticsearch|opensearch"
    r"|rabbitmq-server|cassandra|couchdb|clickhouse-server|clickhouse|influxd|neo4j|etcd|keydb-server|dragonfly"
    r"|docker-entrypoint\.sh|entrypoint\.sh)(\s|$)"
)
# The names `docker compose` and podman-compose pick up without -f (podman-compose also reads container-compose.*).
BASE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml", "podman-compose.yaml",
              "podman-compose.yml", "container-compose.yaml", "container-compose.yml")


def resolve_vars(text: str) -> str:
    """Replace ``${VAR:-default}`` by its default and bare ``${VAR}`` by ``VAR`` (never empty)."""
    return _VAR.sub(lambda m: m.group(2) if m.group(2) is not None else (m.group(1) or m.group(3)), text)


def image_kind(image: str | None) -> str | None:
    """The data store an image runs (``postgres``, ``redis`` ...), None for anything else."""
    if not image:
        return None
    name = split_image(resolve_vars(image).strip())[0]
    return DATA_IMAGES.get(name.rsplit("/", 1)[-1].lower())


def image_base(image: str | None) -> str:
    """Last path component of an image name, lower-case, without tag or digest."""
    if not image:
        return ""
    return split_image(resolve_vars(image).strip())[0].rsplit("/", 1)[-1].lower()


def falsy(value: Any) -> bool:
    """YAML 1.1 and 1.2 spellings of false (``no`` may arrive as a string or a bool)."""
    if value is False:
        return True
    return isinstance(value, str) and value.strip().lower() in {"no", "false", "0", "off"}


def truthy(value: Any) -> bool:
    """YAML 1.1 and 1.2 spellings of true."""
    if value is True:
        return True
    return isinstance(value, str) and value.strip().lower() in {"yes", "true", "1", "on"}


@dataclass(frozen=True)
class Part:
    """One file's definition of a service."""

    file: ComposeFile
    service: Service

    @property
    def path(self) -> str:
        """The compose file's path."""
        return self.file.path


@dataclass(frozen=True)
class ServiceView:
    """A service merged over every compose file of one directory (later files win)."""

    name: str
    parts: tuple[Part, ...]

    def get(self, key: str, default: Any = None) -> Any:
        """The value from the last file that sets ``key``."""
        for part in reversed(self.parts):
            if isinstance(part.service.data, dict) and key in part.service.data:
                return part.service.data[key]
        return default

    def has(self, key: str) -> bool:
        """Whether any file sets ``key``."""
        return any(isinstance(p.service.data, dict) and key in p.service.data for p in self.parts)

    def where(self, key: str) -> tuple[str, int | None]:
        """(path, line) of the last file's ``key``, else the anchor."""
        for part in reversed(self.parts):
            if isinstance(part.service.data, dict) and key in part.service.data:
                return part.path, part.service.line_of(key)
        return self.anchor

    @property
    def main(self) -> Part:
        """The part that defines the service (has image or build), else the first one."""
        for part in self.parts:
            if part.service.get("image") is not None or part.service.get("build") is not None:
                return part
        return self.parts[0]

    @property
    def anchor(self) -> tuple[str, int | None]:
        """Where a "missing key" finding points: the service key in its defining file."""
        return self.main.path, self.main.service.line

    @property
    def image(self) -> str | None:
        """The effective image reference."""
        value = self.get("image")
        return str(value) if value is not None else None

    @property
    def depends_on(self) -> frozenset[str]:
        """Names of the services this one ``depends_on``, short or long form, over every file of the merge."""
        return frozenset(str(name) for part in self.parts for name, _line in part.service.as_list("depends_on")
                         if isinstance(name, str))

    def waits_for_port(self, host: str) -> bool:
        """Whether this service's command waits for ``host``'s port before starting (its own readiness gate).

        ``wait-for-it db:5432``, ``dockerize -wait tcp://db:5432``, ``until nc -z db 5432``,
        ``while ! </dev/tcp/db/5432``, ``until pg_isready -h db``.
        """
        name = re.escape(host)
        pattern = re.compile(rf"wait-for(?:-it)?(?:\.sh)?\s+(?:-h\s+)?{name}\b|-wait\s+tcp://{name}:|"
                             rf"\bnc\s+(?:-\w+\s+)*{name}\s+\d+|/dev/tcp/{name}/\d+|pg_isready\b[^;&|]*-h\s*{name}\b")
        return bool(pattern.search(self.command_text()))

    @property
    def is_admin_ui(self) -> bool:
        """A database browser or development mail catcher (adminer, pgadmin, mailhog ...), judged by image."""
        return image_base(self.image) in ADMIN_UI_IMAGES

    @property
    def kind(self) -> str | None:
        """The data store this service runs; None for other images and for clients of a store image.

        A ``postgres`` image whose entrypoint is a backup script is a client,
        not a database: only the default command, server flags, or a command
        naming the server binary count.
        """
        kind = image_kind(self.image)
        if kind is None:
            return None
        text = self.command_text().strip()
        if not text or text.startswith("-") or _SERVER_BINARIES.search(text):
            return kind
        return None

    def nested(self, *keys: str) -> Any:
        """``deploy.resources.limits`` style lookup over the merged view (later files win)."""
        for part in reversed(self.parts):
            node: Any = part.service.data
            for key in keys:
                node = node.get(key) if isinstance(node, dict) else None
            if node is not None:
                return node
        return None

    def command_text(self) -> str:
        """command and entrypoint as one string."""
        words: list[str] = []
        for key in ("entrypoint", "command"):
            value = self.get(key)
            if isinstance(value, list):
                words.extend(str(v) for v in value)
            elif value is not None:
                words.append(str(value))
        return " ".join(words)

    def environment_names(self) -> frozenset[str]:
        """Every environment variable name the merged service sets (values are not kept)."""
        return frozenset(name for part in self.parts for name, _value, _line in part.service.environment())

    def environment_value(self, name: str) -> str | None:
        """The value the merged service gives ``name`` (later files win), None when unset or valueless."""
        for part in reversed(self.parts):
            for key, value, _line in part.service.environment():
                if key == name and value is not None:
                    return value
        return None

    def reads_variable(self, name: str) -> bool:
        """Whether an environment value of the merged service interpolates ``name`` (``$NAME``, ``${NAME:-d}``)."""
        pattern = re.compile(rf"\$(?:\{{{re.escape(name)}(?:[:?+-][^}}]*)?\}}|{re.escape(name)}\b)")
        return any(value is not None and pattern.search(value)
                   for part in self.parts for _key, value, _line in part.service.environment())

    @property
    def open_access(self) -> str | None:
        """Why this data store accepts clients without credentials, or None (it asks for them, or no telling).

        Judged only where the official image's default is known and nothing the scan cannot see
        (an ``env_file``, a mounted configuration file) could turn authentication on.
        """
        kind = self.kind
        if kind is None or self.has("env_file"):
            return None
        names = self.environment_names()
        command = self.command_text()
        config_mounted = any(m.target.endswith((".conf", ".cnf", ".yml", ".yaml")) or "/etc/" in m.target
                             for part in self.parts for m in mounts_of(part) if m.target)
        if kind == "mongo" and image_base(self.image) in {"mongo", "mongodb-community-server"}:
            if not names & {"MONGO_INITDB_ROOT_USERNAME", "MONGO_INITDB_ROOT_USERNAME_FILE"} \
                    and "--auth" not in command and not config_mounted:
                return "no MONGO_INITDB_ROOT_USERNAME and no --auth: the official image accepts every client"
        if kind in {"redis", "valkey"} and image_base(self.image) in {"redis", "valkey"}:
            if "requirepass" not in command and "--aclfile" not in command and not config_mounted:
                return "no --requirepass: the official image accepts every client"
        if kind == "postgres" and (self.environment_value("POSTGRES_HOST_AUTH_METHOD") or "").strip() == "trust":
            return "POSTGRES_HOST_AUTH_METHOD=trust: any client logs in without a password"
        if kind == "memcached":
            return "memcached has no authentication"
        if kind in {"elasticsearch", "opensearch"} and (
                self.environment_value("xpack.security.enabled") == "false"
                or self.environment_value("DISABLE_SECURITY_PLUGIN") == "true"
                or self.environment_value("plugins.security.disabled") == "true"):
            return "its security plugin is turned off: every client reads and writes every index"
        return None

    def is_one_shot(self) -> bool:
        """A job that runs and exits (migrate, backup, seed ...), judged by name and command.

        Only services that do not ask to be restarted forever qualify: a
        "migrate" service with ``restart: always`` is a long-running service.
        """
        restart = self.get("restart")
        if restart is not None and not falsy(restart) and not str(restart).startswith("on-failure"):
            return False
        return bool(_ONE_SHOT.search(self.name) or _ONE_SHOT.search(self.command_text()))


@dataclass(frozen=True)
class Group:
    """One compose project: its files in merge order and its merged services."""

    directory: str
    files: tuple[ComposeFile, ...]
    services: dict[str, ServiceView]
    name: str = ""
    role: str = "production"


def all_groups(project: Project) -> list[Group]:
    """Every compose project the deployment model found, with merged services."""

    def build() -> list[Group]:
        by_path = {c.path: c for c in project.compose_files}
        out = []
        for info in project.deployment.projects:
            files = tuple(by_path[p] for p in info.files if p in by_path)
            parts: dict[str, list[Part]] = {}
            for file in files:
                for svc in file.services:
                    parts.setdefault(svc.name, []).append(Part(file, svc))
            services = {name: ServiceView(name, tuple(p)) for name, p in parts.items()}
            out.append(Group(posixpath.dirname(info.files[0]), files, services, info.name, info.role.value))
        return out

    return project.view(all_groups, build)


def groups(project: Project) -> list[Group]:
    """The compose projects checks judge: production ones (every one with ``roles: all``)."""
    judged = {p.name for p in project.deployment.judged_projects()}
    return [g for g in all_groups(project) if g.name in judged]


def all_services(project: Project) -> list[ServiceView]:
    """Every merged service of every judged compose project (a service shared by chains once per chain)."""
    out: list[ServiceView] = []
    seen: set[tuple[str, tuple[tuple[str, int | None], ...]]] = set()
    for group in groups(project):
        for svc in group.services.values():
            key = (svc.name, tuple((p.path, p.service.line) for p in svc.parts))
            if key not in seen:
                seen.add(key)
                out.append(svc)
    return out


def require_services(project: Project) -> list[ServiceView]:
    """Every judged merged service; NotApplicable when there are none."""
    from auditor.registry import NotApplicable

    services = all_services(project)
    if not services:
        if any(g.services for g in all_groups(project)):
            raise NotApplicable("no production compose services (other roles are not judged; see deploy-model)")
        raise NotApplicable("no compose services found")
    return services


def judged_compose_files(project: Project) -> list[ComposeFile]:
    """Compose files of judged roles."""
    model = project.deployment
    return [c for c in project.compose_files if model.judged(c.path)]


# -- ports -------------------------------------------------------------------


@dataclass(frozen=True)
class Port:
    """A published port: host IP ('' = all interfaces), host port, container port."""

    host_ip: str
    published: str
    target: str
    line: int | None

    @property
    def all_interfaces(self) -> bool:
        """True when the port listens on every host address."""
        ip = self.host_ip.strip("[]")
        return ip in {"", "0.0.0.0", "::", "*"}

    @property
    def loopback(self) -> bool:
        """True when bound to the loopback interface only."""
        ip = self.host_ip.strip("[]")
        return ip == "localhost" or ip.startswith("127.") or ip == "::1"


def parse_port(item: Any, line: int | None) -> Port | None:
    """Short (``"127.0.0.1:5432:5432/tcp"``, ``5432``) or long syntax port; None when unreadable."""
    if isinstance(item, dict):
        host_ip = str(resolve_vars(str(item.get("host_ip", "") or "")))
        published = resolve_vars(str(item.get("published", "") or ""))
        # Some samples write the host IP into ``published`` ("127.0.0.1:8080"): honour it.
        if not host_ip and published.count(".") == 3:
            head, _, tail = published.rpartition(":")
            host_ip, published = (head, tail) if head else (published, "")
        return Port(host_ip, published, str(item.get("target", "")), line)
    if isinstance(item, bool) or item is None:
        return None
    text = str(item).strip()
    text = resolve_vars(text).split("/", 1)[0]
    host_ip = ""
    if text.startswith("["):
        end = text.find("]")
        host_ip, text = text[1:end], text[end + 2:]
        pieces = text.split(":")
        return Port(host_ip, pieces[0] if len(pieces) > 1 else "", pieces[-1], line)
    pieces = text.split(":")
    if len(pieces) == 1:
        return Port("", "", pieces[0], line)
    if len(pieces) == 2:
        return Port("", pieces[0], pieces[1], line)
    return Port(":".join(pieces[:-2]), pieces[-2], pieces[-1], line)


def ports_of(part: Part) -> list[Port]:
    """Published ports of one file's service definition."""
    out = []
    for item, line in part.service.as_list("ports"):
        port = parse_port(item, line)
        if port is not None:
            out.append(port)
    return out


# -- volumes -----------------------------------------------------------------


@dataclass(frozen=True)
class Mount:
    """A volume entry: type (bind, volume, tmpfs, anonymous), source, target, read-only flag."""

    type: str
    source: str
    target: str
    read_only: bool
    line: int | None


def split_colons(text: str) -> list[str]:
    """Split on ``:`` outside ``${...}`` (``${DIR:-./data}:/data`` has two parts)."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for index, ch in enumerate(text):
        if ch == "{" and text[index - 1:index] == "$":
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
        elif ch == ":" and not depth:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return parts


def parse_mount(item: Any, line: int | None) -> Mount | None:
    """Short (``src:dst:ro``) or long syntax volume; None when unreadable."""
    if isinstance(item, dict):
        target = str(item.get("target", "") or "")
        source = str(item.get("source", "") or "")
        kind = str(item.get("type", "volume") or "volume")
        if kind == "volume" and not source:
            kind = "anonymous"
        return Mount(kind, source, target, truthy(item.get("read_only")), line)
    if not isinstance(item, str):
        return None
    pieces = split_colons(item.strip())
    if len(pieces) == 1:
        return Mount("anonymous", "", pieces[0], False, line)
    source, target = pieces[0], pieces[1]
    options = pieces[2].split(",") if len(pieces) > 2 else []
    resolved = resolve_vars(source)
    is_bind = resolved.startswith(("/", ".", "~")) or "/" in resolved
    return Mount("bind" if is_bind else "volume", source, target, "ro" in options, line)


def mounts_of(part: Part) -> list[Mount]:
    """Volume entries of one file's service definition."""
    out = []
    for item, line in part.service.as_list("volumes"):
        mount = parse_mount(item, line)
        if mount is not None:
            out.append(mount)
    return out


# -- networks / labels -------------------------------------------------------


def networks_of(view: ServiceView, services: dict[str, ServiceView], depth: int = 0) -> set[str]:
    """Networks a service joins (``default`` when none are named); follows ``network_mode: service:X``."""
    mode = view.get("network_mode")
    if isinstance(mode, str):
        if mode.startswith("service:") and depth < 5:
            other = services.get(mode.split(":", 1)[1])
            return networks_of(other, services, depth + 1) if other else set()
        return set()  # host, none, container:...: not on a compose network
    nets = view.get("networks")
    if isinstance(nets, dict):
        return {str(k) for k in nets} or {"default"}
    if isinstance(nets, list):
        return {str(n) for n in nets} or {"default"}
    return {"default"}


def labels_of(view: ServiceView) -> dict[str, str]:
    """Labels in list or mapping form (service and swarm ``deploy.labels``), merged over files."""
    out: dict[str, str] = {}
    for part in view.parts:
        deploy = part.service.get("deploy")
        sources = [part.service.get("labels"), deploy.get("labels") if isinstance(deploy, dict) else None]
        for source in sources:
            if isinstance(source, dict):
                out.update({str(k): str(v) for k, v in source.items()})
            elif isinstance(source, list):
                for item in source:
                    key, _, value = str(item).partition("=")
                    out[key.strip()] = value
    return out


def is_proxy_routed(view: ServiceView) -> bool:
    """True when reverse-proxy labels (Traefik, Caddy) or nginx-proxy env route traffic to it."""
    labels = labels_of(view)
    if any(k.startswith(("traefik.", "caddy")) for k in labels):
        return truthy(labels.get("traefik.enable", "true")) or any(k.startswith("caddy") for k in labels)
    env_names = {name for part in view.parts for name, _v, _l in part.service.environment()}
    return "VIRTUAL_HOST" in env_names


# -- build context -----------------------------------------------------------


def build_stage(project: Project, view: ServiceView) -> tuple[Dockerfile, Stage] | None:
    """The Dockerfile stage a service's ``build:`` produces (its ``target``, the model's target, or the last)."""
    for part in reversed(view.parts):
        build = part.service.get("build")
        if build is None:
            continue
        base = posixpath.dirname(part.path)
        target = None
        if isinstance(build, dict):
            context = str(build.get("context", ".") or ".")
            dockerfile = str(build.get("dockerfile", "Dockerfile") or "Dockerfile")
            target = build.get("target")
        else:
            context, dockerfile = str(build), "Dockerfile"
        if "://" in context or context.startswith("git@"):
            return None
        path = posixpath.normpath(posixpath.join(base, context, dockerfile))
        for parsed in project.dockerfiles:
            if parsed.path == path:
                if target:
                    for stage in parsed.stages:
                        if stage.name == str(target):
                            return parsed, stage
                final = parsed.final_stage
                return (parsed, final) if final is not None else None
        return None
    return None


def own_image_stage(project: Project, view: ServiceView) -> tuple[Dockerfile, Stage] | None:
    """For a service that runs the repository's own published image: that Dockerfile's shipped stage."""
    for service in project.deployment.services:
        if service.kind == "compose" and service.name == view.name and service.own_image_of \
                and service.compose_file == view.main.path:
            for parsed in project.dockerfiles:
                if parsed.path == service.own_image_of and parsed.stages:
                    wanted = project.deployment.target_of(parsed.path)
                    stage = next((s for s in parsed.stages if wanted and s.name == wanted), parsed.stages[-1])
                    return parsed, stage
    return None


# -- healthchecks ------------------------------------------------------------


def _compose_health(view: ServiceView) -> str | bool | None:
    """``compose`` when the service defines a test, False when it disables it, None when silent."""
    health = view.get("healthcheck")
    if isinstance(health, dict):
        if truthy(health.get("disable")):
            return False
        test = health.get("test")
        if isinstance(test, list) and test and str(test[0]).upper() == "NONE":
            return False
        if isinstance(test, str) and test.strip().upper() == "NONE":
            return False
        if test not in (None, "", []):
            return "compose"
    return None


def healthcheck_of_view(project: Project, view: ServiceView, dockerfile: Dockerfile | None,
                        stage: Stage | None) -> str | None:
    """``compose``, ``dockerfile`` or None, given the Dockerfile stage the service runs."""
    own = _compose_health(view)
    if own is False:
        return None
    if own == "compose":
        return "compose"
    if dockerfile is not None and stage is not None:
        from auditor.deploy.images import chain_instructions, last_of

        last = last_of(chain_instructions(dockerfile, stage), "HEALTHCHECK")
        if last is not None and last.args.strip().upper() != "NONE":
            return "dockerfile"
    return None


def healthcheck_source(project: Project, view: ServiceView) -> str | None:
    """Where a service's healthcheck comes from: ``compose``, ``dockerfile`` (built or own published image), None."""
    built = build_stage(project, view) or own_image_stage(project, view)
    if built is None:
        return healthcheck_of_view(project, view, None, None)
    return healthcheck_of_view(project, view, built[0], built[1])
