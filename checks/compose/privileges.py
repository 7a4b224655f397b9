"""Compose services that give up container isolation (privileged mode, capabilities, host namespaces, security profiles)."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.deploy.compose import require_services, truthy
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import check

# Capabilities that amount to root on the host, or close to it.
DANGEROUS_CAPS = frozenset({
    "ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "SYS_RAWIO", "SYS_BOOT", "SYS_TIME",
    "DAC_READ_SEARCH", "DAC_OVERRIDE", "BPF", "PERFMON", "MAC_ADMIN", "MAC_OVERRIDE", "SYSLOG",
    "NET_RAW", "SETFCAP", "LINUX_IMMUTABLE",
})
_NAMESPACES = ("pid", "ipc", "userns_mode", "uts", "network_mode")


@check(id="COMPOSE-PRIVILEGED", severity=Severity.HIGH, section=Section.SECURITY,
       needs=("compose",), security=True, effort_hours=1.0, passed="No privileged containers or dangerous capabilities")
def privileged(project: Project) -> Iterator[Finding]:
    """Compose service runs privileged or adds dangerous capabilities.

    ## What it checks
    No service sets `privileged: true`, and `cap_add` adds neither `ALL` nor a
    capability that amounts to host root (`SYS_ADMIN`, `NET_ADMIN`,
    `SYS_PTRACE`, `SYS_MODULE`, `SYS_RAWIO`, `DAC_READ_SEARCH`, `BPF`,
    `NET_RAW` ...). Harmless additions such as `NET_BIND_SERVICE` or `CHOWN`
    pass. Not dropping the default capabilities is not flagged here: the
    default set is a reasonable baseline, and `cap_drop: [ALL]` is a
    hardening step, not a readiness gate.

    ## Why it matters
    A privileged container sees every host device and can load kernel
    modules; `SYS_ADMIN` alone allows mounting the host filesystem. One
    remote-code-execution bug in the service becomes control of the host.

    ## How to fix
    Remove `privileged`, add only the narrow capability actually needed, and
    drop the rest.

    ```yaml compose
    services:
      api:
        cap_drop: [ALL]
        cap_add: [NET_BIND_SERVICE]   # only if it binds a port below 1024
        security_opt:
          - no-new-privileges:true
    ```
    """
    for svc in require_services(project):
        for part in svc.parts:
            if truthy(part.service.get("privileged")):
                yield Finding(
                    message=f"service '{svc.name}' runs privileged (all host devices and capabilities)",
                    location=Location(path=part.path, line=part.service.line_of("privileged")),
                    key=f"{svc.name}:privileged",
                )
            for item, line in part.service.as_list("cap_add"):
                cap = str(item).strip().upper().removeprefix("CAP_")
                if cap in DANGEROUS_CAPS:
                    yield Finding(
                        message=f"service '{svc.name}' adds capability {cap}",
                        location=Location(path=part.path, line=line),
                        key=f"{svc.name}:{cap}",
                    )


@check(id="COMPOSE-HOST-NAMESPACE", severity=Severity.HIGH, section=Section.SECURITY,
       needs=("compose",), security=True, effort_hours=1.0, passed="No container shares a host namespace")
def host_namespace(project: Project) -> Iterator[Finding]:
    """Compose service shares a host namespace.

    ## What it checks
    No service sets `pid: host`, `ipc: host`, `uts: host`,
    `userns_mode: host` or `network_mode: host`. Sharing with another
    service or container (`pid: "service:app"`, `network_mode: "service:vpn"`)
    passes.

    ## Why it matters
    `pid: host` lets the container see and signal every host process,
    `ipc: host` exposes host shared memory, `userns_mode: host` undoes
    user-namespace remapping, and `network_mode: host` puts every port the
    process opens straight on the host's interfaces, bypassing compose
    networks and published-port control.

    ## How to fix
    Remove the host namespace; publish only the ports needed.

    ```yaml compose
    services:
      api:
        # network_mode: host    <- remove
        ports:
          - "127.0.0.1:3000:3000"
    ```
    """
    for svc in require_services(project):
        for part in svc.parts:
            for key in _NAMESPACES:
                value = part.service.get(key)
                if isinstance(value, str) and value.strip().lower() == "host":
                    yield Finding(
                        message=f"service '{svc.name}' shares the host namespace ({key}: host)",
                        location=Location(path=part.path, line=part.service.line_of(key)),
                        key=f"{svc.name}:{key}",
                    )


def _weakening(option: str) -> str | None:
    """Why a security_opt entry weakens confinement, or None."""
    text = option.strip().lower().replace("=", ":").replace(" ", "")
    if "seccomp:unconfined" in text:
        return "disables the seccomp system-call filter"
    if "apparmor:unconfined" in text or text in {"apparmor:false"}:
        return "disables AppArmor"
    if text in {"label:disable", "label:type:spc_t"}:
        return "disables SELinux labelling"
    if text in {"no-new-privileges:false"}:
        return "explicitly allows setuid privilege escalation"
    if text.startswith("systempaths:unconfined"):
        return "unmasks /proc and /sys paths"
    return None


@check(id="COMPOSE-SECURITY-OPT-DISABLED", severity=Severity.HIGH, section=Section.SECURITY,
       needs=("compose",), security=True, effort_hours=0.5, passed="No security_opt weakens container confinement")
def security_opt_disabled(project: Project) -> Iterator[Finding]:
    """Compose service turns off a kernel security profile.

    ## What it checks
    No `security_opt` entry disables confinement: `seccomp:unconfined`,
    `apparmor:unconfined`, `label:disable` (SELinux), `systempaths=unconfined`
    or `no-new-privileges:false`. Custom profiles (`seccomp:./profile.json`)
    pass. A missing `no-new-privileges:true` is a hardening suggestion, not a
    failure of this check.

    ## Why it matters
    The default seccomp and AppArmor profiles block the system calls most
    container escapes rely on; turning them off leaves only the capability
    set between a compromised process and the kernel.

    ## How to fix
    Remove the override; if a tool needs one extra system call, ship a
    custom profile that allows just that.

    ```yaml compose
    services:
      api:
        security_opt:
          - no-new-privileges:true
          # - seccomp:./seccomp-with-perf.json   # narrow exception, if needed
    ```
    """
    for svc in require_services(project):
        for part in svc.parts:
            for item, line in part.service.as_list("security_opt"):
                reason = _weakening(str(item))
                if reason:
                    yield Finding(
                        message=f"service '{svc.name}' security_opt '{item}' {reason}",
                        location=Location(path=part.path, line=line),
                        key=f"{svc.name}:{str(item).strip()}",
                    )
