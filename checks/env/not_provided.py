"""Variable the code requires never reaches its container.

## What it checks
Every environment variable the application code requires must reach the
container that runs that code. A variable is required when the code fails
without it: `os.environ['X']` (not guarded by `if 'X' in os.environ`) and
`config.getOrThrow('X')` are reported with high confidence, a bare
`process.env.X` / `config.get('X')` of a secret-like name (`*SECRET*`,
`*TOKEN*`, `*PASSWORD*`, `*API_KEY*`, `DATABASE_URL`) with medium confidence.
Reads that cope when the variable is unset are optional and never reported:
`os.getenv('X')` / `os.environ.get('X')` (None), a default (`X || d`,
`X ?? d`, `default=`), flag tests (`process.env.X === "true"`, `!X`,
`Boolean(X)`, `if (X)`). Other bare reads are listed once per service as a
low-confidence hint, which neither grades nor gates. Source services are matched to
compose services by build context (the compose service whose `build:`
context holds the service's code; the deepest one wins). A variable reaches
the container when it is:

- named in the service's `environment:` (any compose file of the
  directory);
- a key of an `env_file:` that exists in the repository, or, when that file
  is absent or git-ignored (the usual `.env`), a key of its template
  (`.env.example` for `.env`, `.env.production.example` for
  `.env.production`);
- set by `ENV` or `ARG` in the Dockerfile stage the service is built from;
- provided by the runtime (`NODE_ENV`, `HOSTNAME`, `HOME`, `PATH`, `TZ` ...).

Services without `build:` cannot be matched to code and are not judged; a
service whose `env_file` path is interpolated, or absent with no template,
could hold anything and is not judged either. The check is skipped without
compose services built from the repository or without variables the code
requires. This is about the **running container**; ENV-UNDECLARED-VAR is
about compose `${VAR}` references missing from the deployer's template.

## Why it matters
A variable that never reaches the container is `undefined` in production
even though the template, the README and the developer's local `.env` all
have it. The failure shows up only on the code path that reads it: a
refresh token signed with an undefined secret, an HMAC that throws on the
first login, an email link to `undefined/login`.

## How to fix
Pass the variable to the service (and make compose refuse to start without
it), or read it with an explicit default if it is truly optional.

```yaml compose
services:
  api:
    environment:
      JWT_SECRET: ${JWT_SECRET:?set JWT_SECRET}
      SESSION_SECRET: ${SESSION_SECRET:?set SESSION_SECRET}   # was missing
    # or load them all, and keep .env.example listing every required key:
    # env_file: .env
```
```ts nestjs
// fail at boot, not on the first request that needs it
const refreshSecret = config.getOrThrow<string>('JWT_REFRESH_SECRET')
```
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from auditor.deploy.checkviews import chain
from auditor.deploy.compose import Group, ServiceView, build_stage, groups, is_proxy_routed, ports_of
from auditor.model import Confidence, Finding, Location, Section, Severity
from auditor.parsing.envfile import parse_env
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.secrets import env_pairs
from auditor.source.facts import EnvRead
from auditor.source.index import source_index

# Set by the container runtime, the base image or the package manager, not by the operator.
RUNTIME_VARS = frozenset({
    "NODE_ENV", "HOSTNAME", "HOME", "PATH", "PWD", "TZ", "LANG", "USER", "SHELL", "TERM", "CI",
    "PYTHONPATH", "PYTHONUNBUFFERED", "NODE_VERSION", "YARN_VERSION", "PYTHON_VERSION",
    "npm_package_version", "npm_package_name", "npm_lifecycle_event", "INIT_CWD",
})
_TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".tmpl")


@dataclass(frozen=True)
class Provided:
    """What reaches one compose service's container; ``known`` is False when it cannot be told."""

    names: frozenset[str]
    known: bool = True


def _context(view: ServiceView) -> str | None:
    """The repo-relative build context of a compose service; None without a local build."""
    for part in reversed(view.parts):
        build = part.service.get("build")
        if build is None:
            continue
        context = str(build.get("context") or ".") if isinstance(build, dict) else str(build)
        if "://" in context or context.startswith("git@") or "${" in context:
            return None
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(part.path), context))
        return "" if joined == "." else joined
    return None


def _holds(context: str, root: str) -> bool:
    root = "" if root in {"", "."} else root.strip("/")
    return not context or root == context or root.startswith(context + "/")


def _template_keys(project: Project, env_path: str) -> set[str] | None:
    """Keys of the template documenting ``env_path``; None when no template matches."""
    folder, name = posixpath.split(env_path)
    exact, loose = [], []
    for template in project.env_templates:
        t_folder, t_name = posixpath.split(template.path)
        if t_folder != folder:
            continue
        stem = t_name
        for suffix in _TEMPLATE_SUFFIXES:
            stem = stem.removesuffix(suffix)
        if stem == name:
            exact.append(template)
        elif t_name.startswith(name + "."):
            loose.append(template)
    chosen = exact or loose
    if not chosen:
        return None
    return {key for template in chosen for key in template.keys()}


def _env_file_keys(project: Project, view: ServiceView) -> tuple[set[str], bool]:
    """Keys the service's env_file entries provide, and whether every entry could be read."""
    keys: set[str] = set()
    known = True
    for part in view.parts:
        base = posixpath.dirname(part.path)
        for item, _line in part.service.as_list("env_file"):
            raw = item.get("path") if isinstance(item, dict) else item
            if not isinstance(raw, str) or not raw.strip() or "$" in raw:
                known = False
                continue
            path = posixpath.normpath(posixpath.join(base, raw.strip()))
            if path in project.file_set and not project.is_git_ignored(path):
                text = project.read_text(path)
                if text is not None:
                    keys |= parse_env(path, text, template=False).keys()
                    continue
            template = _template_keys(project, path)
            if template is None:
                known = False  # an undocumented, absent file could hold anything
            else:
                keys |= template
    return keys, known


def _dockerfile_keys(project: Project, view: ServiceView) -> set[str]:
    """ENV and ARG names of the Dockerfile stage (and its parents) the service is built from."""
    built = build_stage(project, view)
    if built is None:
        return set()
    dockerfile, stage = built
    names = {name for ins in dockerfile.preamble if ins.keyword == "ARG" for name, _ in env_pairs(ins.args)}
    for current in chain(dockerfile, stage):
        for ins in current.of("ENV", "ARG"):
            names.update(name for name, _ in env_pairs(ins.args))
    return names


def provided(project: Project, view: ServiceView) -> Provided:
    """Everything that sets a variable inside this service's container."""
    names = {name for part in view.parts for name, _value, _line in part.service.environment()}
    file_keys, known = _env_file_keys(project, view)
    return Provided(frozenset(names | file_keys | _dockerfile_keys(project, view)), known)


def _public_first(view: ServiceView) -> tuple[int, str]:
    serves = any(ports_of(part) for part in view.parts) or is_proxy_routed(view)
    return (0 if serves else 1, view.name)


def _runners(group: Group, root: str) -> list[ServiceView]:
    """Compose services of one directory built from the deepest context holding ``root``."""
    matched = [(ctx, view) for view in group.services.values()
               if (ctx := _context(view)) is not None and _holds(ctx, root)]
    if not matched:
        return []
    deepest = max(len(ctx) for ctx, _ in matched)
    return sorted((view for ctx, view in matched if len(ctx) == deepest), key=_public_first)


# Names whose bare read almost always feeds something that breaks without it (a signer, a client).
_SECRET_LIKE = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE_KEY|API_KEY|DATABASE_URL|DB_URL", re.IGNORECASE)


def _unsure_finding(service: str, unsure: list[tuple[str, EnvRead]]) -> Finding:
    """One low-confidence finding per service for bare reads that may well be optional."""
    (path, first), rest = unsure[0], unsure[1:]
    names = ", ".join(dict.fromkeys(read.name for _, read in unsure))
    return Finding(
        message=(f"{len(unsure)} variable(s) read without an explicit fallback never reach compose service "
                 f"'{service}' ({names}); the code may treat them as optional, check that it copes when unset"),
        location=Location(path=path, line=first.line),
        key=f"{service}:unverified",
        severity=Severity.LOW,
        confidence=Confidence.LOW,
        related=tuple(Location(p, read.line) for p, read in rest),
    )


@check(id="ENV-NOT-PROVIDED", severity=Severity.HIGH, section=Section.CONFIGURATION, needs=("compose",),
       effort_hours=0.25, passed="Every variable the code requires reaches its container")
def not_provided(project: Project) -> Iterator[Finding]:
    """Flag variables read without a fallback that the matching compose service never receives."""
    index = source_index(project)
    judged = requires = False
    reported: set[str] = set()
    for service in index.services:
        reads = sorted(((sf.path, read) for sf in index.files_of(service) for read in sf.env_reads),
                       key=lambda item: (item[0], item[1].line))
        optional = {read.name for _, read in reads if read.has_default}
        required = [(path, read) for path, read in reads
                    if read.name not in optional and read.name not in RUNTIME_VARS]
        if not required:
            continue
        requires = True
        for group in groups(project):
            runners = _runners(group, service.root)
            if not runners:
                continue
            provisions = [provided(project, view) for view in runners]
            if not all(p.known for p in provisions):
                continue
            judged = True
            # Several services built from one context (api + worker): enough that one of them gets it.
            available = frozenset().union(*(p.names for p in provisions))
            target = runners[0]
            unsure: list[tuple[str, EnvRead]] = []
            for path, read in required:
                key = f"{target.name}:{read.name}"
                if read.name in available or key in reported:
                    continue
                reported.add(key)
                if not (read.certain or _SECRET_LIKE.search(read.name)):
                    unsure.append((path, read))
                    continue
                shown = ", ".join(sorted(available)[:10]) or "nothing"
                yield Finding(
                    message=(f"{read.name} is read here without a fallback, but compose service "
                             f"'{target.name}' never receives it (not in environment, env_file or the "
                             f"Dockerfile's ENV/ARG): it is undefined in production"),
                    location=Location(path=path, line=read.line),
                    key=key,
                    evidence=f"'{target.name}' receives: {shown}",
                    # os.environ["X"] / getOrThrow fail for sure; a bare read of a secret-like name very likely.
                    confidence=Confidence.HIGH if read.certain else Confidence.MEDIUM,
                )
            if unsure:
                yield _unsure_finding(target.name, unsure)
    if not judged:
        if not requires:
            raise NotApplicable("the application code reads no environment variable without a fallback")
        raise NotApplicable("no compose service built from the repository runs code that requires a variable")
