r"""Health check uses a tool the image does not have.

## What it checks
The `HEALTHCHECK` of the final stage (and the compose `healthcheck:` of a
service that builds the Dockerfile) must only call tools the runtime image
really contains. `curl` is missing from `alpine`, `busybox`, Debian/Ubuntu
`*-slim` images and distroless images unless the final stage installs it
(`apk add curl`, `apt-get install curl`); `wget` and `nc` exist on alpine
and busybox (busybox applets) but not on slim or distroless images; full
language images such as `node:20` or `python:3.12` ship `curl` and `wget`.
A package installed in a build stage does not count: it never reaches the
final image. Distroless and `scratch` images have no `/bin/sh`, so a
shell-form check cannot run there at all.

## Why it matters
A health check whose command does not exist fails forever: the container is
marked unhealthy, orchestrators restart it in a loop and services that wait
for `service_healthy` never start, although the app itself is fine.

## How to fix
Use the runtime the image already has, or install the tool in the final
stage.

```dockerfile
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
```

```dockerfile alpine
# busybox wget is built in on alpine; curl is not
HEALTHCHECK CMD wget -qO- http://127.0.0.1:3000/health || exit 1
```

```dockerfile python
HEALTHCHECK CMD ["python", "-c", "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=3)"]
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.deploy.checkviews import (
    building_services,
    chain_instructions,
    dockerfiles,
    last_of,
    root_image,
    run_commands,
    runtime_stage,
    words,
)
from auditor.model import Finding, Location, Section, Severity
from auditor.parsing.dockerfile import Instruction, exec_form, split_image
from auditor.project import Project
from auditor.registry import NotApplicable, check

_TOOL = re.compile(r"(?:^|[\s;&|(\"'])(?:/usr/local/bin/|/usr/bin/|/bin/)?(curl|wget|nc|netcat)(?=$|[\s\"';&|)])")
_BUSYBOX = frozenset({"wget", "nc", "netcat"})
_FULL = frozenset({"curl", "wget"})
# Official images built on buildpack-deps (curl and wget included) when not slim/alpine.
_BUILDPACK_BASED = frozenset({"node", "python", "ruby", "golang", "openjdk", "rust", "perl", "buildpack-deps", "gcc",
                              "haskell", "erlang", "elixir", "clojure", "maven", "gradle"})
_PACKAGES = {
    "curl": {"curl"},
    "wget": {"wget"},
    "nc": {"netcat", "netcat-openbsd", "netcat-traditional", "nmap-ncat", "ncat", "busybox-extras"},
}
_INSTALLERS = (("apk", "add"), ("apt-get", "install"), ("apt", "install"), ("yum", "install"), ("dnf", "install"),
               ("microdnf", "install"), ("zypper", "install"), ("tdnf", "install"))


def image_tools(image: str) -> frozenset[str] | None:
    """HTTP/TCP probe tools a base image ships, or None when unknown."""
    name, tag, _digest = split_image(image)
    tag = (tag or "").lower()
    short = name.rsplit("/", 1)[-1]
    if name == "scratch" or name.startswith("gcr.io/distroless/") or (
        name.startswith("cgr.dev/chainguard/") and "-dev" not in tag
    ):
        return frozenset()
    if short in {"alpine", "busybox"} or "alpine" in tag:
        return _BUSYBOX
    if "slim" in tag or short in {"debian", "ubuntu"}:
        return frozenset()
    if short in _BUILDPACK_BASED and "/" not in name.replace("library/", "") and "windows" not in tag:
        return _FULL
    return None


def has_shell(image: str) -> bool:
    """False for images without /bin/sh (scratch, distroless without :debug, chainguard non-dev)."""
    name, tag, _digest = split_image(image)
    tag = (tag or "").lower()
    if name == "scratch":
        return False
    if name.startswith("gcr.io/distroless/"):
        return "debug" in tag
    if name.startswith("cgr.dev/chainguard/"):
        return "-dev" in tag
    return True


def installed_tools(instructions: list[Instruction]) -> set[str]:
    """Tools the instructions install with a package manager or copy in as a binary."""
    found: set[str] = set()
    for _ins, segment in run_commands(instructions):
        tokens = words(segment)
        if len(tokens) < 2:
            continue
        manager = tokens[0].rsplit("/", 1)[-1]
        verbs = {t for t in tokens[1:] if not t.startswith("-")}
        if not any(manager == m and verb in verbs for m, verb in _INSTALLERS):
            continue
        packages = {re.split(r"[=<>~]", t, maxsplit=1)[0] for t in tokens[1:]}
        for tool, names in _PACKAGES.items():
            if packages & names:
                found.add(tool)
    for ins in instructions:
        if ins.keyword in {"COPY", "ADD"}:
            for source in ins.args.split()[:-1]:
                base = source.rstrip("/").rsplit("/", 1)[-1]
                if base in {"curl", "wget", "nc"}:
                    found.add(base)
    return found


def tools_used(command: str) -> list[str]:
    """Probe tools a health-check command calls, in order."""
    out: list[str] = []
    for match in _TOOL.finditer(command):
        tool = "nc" if match.group(1) == "netcat" else match.group(1)
        if tool not in out:
            out.append(tool)
    return out


def _healthcheck_command(ins: Instruction) -> tuple[str, bool]:
    """(command text, shell form?) of a HEALTHCHECK instruction."""
    rest = ins.args.strip()
    if rest.upper().startswith("CMD"):
        rest = rest[3:].strip()
    parts = exec_form(rest)
    return (" ".join(parts), False) if parts is not None else (rest, True)


@check(id="DOCKER-HEALTHCHECK-TOOL-MISSING", severity=Severity.HIGH, section=Section.DEPLOYMENT,
       needs=("dockerfiles",), effort_hours=0.5,
       passed="Health check calls only tools the final image has")
def healthcheck_tool_missing(project: Project) -> Iterator[Finding]:
    """Report health checks that call curl/wget/nc (or /bin/sh) missing from the final image."""
    judged = False
    for dockerfile in dockerfiles(project):
        stage = runtime_stage(project, dockerfile)
        instructions = chain_instructions(dockerfile, stage)
        image = root_image(dockerfile, stage)
        probes: list[tuple[str, int, str, str, bool]] = []  # (path, line, label, command, shell form)
        health = last_of(instructions, "HEALTHCHECK")
        if health is not None and health.args.strip().upper() != "NONE":
            command, shell = _healthcheck_command(health)
            probes.append((dockerfile.path, health.line, "", command, shell))
        for service in building_services(project, dockerfile):
            test = (service.get("healthcheck") or {}).get("test") if isinstance(service.get("healthcheck"), dict) else None
            if isinstance(test, list) and test:
                kind = str(test[0]).upper()
                command, shell = " ".join(str(t) for t in test[1:]), kind == "CMD-SHELL"
            elif isinstance(test, str):
                command, shell = test, True
            else:
                continue
            compose = next(c for c in project.compose_files if service in c.services)
            if not project.deployment.judged(compose.path):
                continue
            probes.append((compose.path, service.line_of("healthcheck") or 0, f"{service.name}: ", command, shell))
        if not probes:
            continue
        judged = True
        available = image_tools(image)
        installed = installed_tools(instructions)
        for path, line, label, command, shell in probes:
            if shell and not has_shell(image):
                yield Finding(
                    message=f"{path}: shell-form health check, but {image} has no /bin/sh",
                    location=Location(path=path, line=line or None),
                    key=f"{label}/bin/sh",
                )
            if available is None:
                continue
            for tool in tools_used(command):
                if tool in available or tool in installed:
                    continue
                yield Finding(
                    message=(f"{path}: the health check calls {tool}, which {image} does not ship and the "
                             f"final stage never installs"),
                    location=Location(path=path, line=line or None),
                    key=f"{label}{tool}",
                )
    if not judged:
        raise NotApplicable("no health check to judge")
