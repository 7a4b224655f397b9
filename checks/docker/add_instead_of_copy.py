r"""ADD used where COPY fits, or to download remote files.

## What it checks
Every `ADD` in every stage. `ADD https://...` (a remote download) is
reported at medium severity unless it carries `--checksum=sha256:...`;
`ADD` of a local file or directory that is not a tar archive (the one thing
only `ADD` does: extract it) is reported at low severity. Git sources
(`ADD https://github.com/org/repo.git#v1.2.3`) are left alone. Dockerfiles
without any `ADD` are skipped.

## Why it matters
`ADD` has hidden behaviour: it fetches URLs (no checksum, no retry, and a
changed file silently changes the image) and unpacks archives, so a reader
cannot tell what lands in the image. `COPY` does exactly one thing.

## How to fix
Use `COPY` for local files. Download with a pinned checksum, or fetch in a
`RUN` that verifies what it downloaded.

```dockerfile
COPY config/app.conf /etc/app/app.conf
ADD --checksum=sha256:<sha256> https://example.com/tool.tar.gz /tmp/
# or
RUN curl -fsSL -o /tmp/tool.tgz https://example.com/tool.tgz \
 && echo "<sha256>  /tmp/tool.tgz" | sha256sum -c -
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.deploy.checkviews import dockerfiles
from auditor.model import Finding, Location, Section, Severity
from auditor.parsing.dockerfile import exec_form
from auditor.project import Project
from auditor.registry import NotApplicable, check

_REMOTE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_ARCHIVE = re.compile(r"\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst|tzst|tar\.lz|tar\.lzma)$", re.IGNORECASE)
_GIT = re.compile(r"(\.git(#.*)?$|^git@|^git://)", re.IGNORECASE)


@check(id="DOCKER-ADD-INSTEAD-OF-COPY", severity=Severity.LOW, section=Section.DEPLOYMENT, needs=("dockerfiles",),
       effort_hours=0.25,
       passed="No ADD of plain local files or unchecked remote URLs")
def add_instead_of_copy(project: Project) -> Iterator[Finding]:
    """Report ADD of remote URLs (medium) and of local non-archive files (low)."""
    if not any(stage.of("ADD") for dockerfile in dockerfiles(project) for stage in dockerfile.stages):
        raise NotApplicable("no ADD instruction in any Dockerfile")
    for dockerfile in dockerfiles(project):
        for stage in dockerfile.stages:
            for ins in stage.of("ADD"):
                parts = exec_form(ins.args)
                tokens = parts if parts is not None else ins.args.split()
                sources = [t for t in tokens[:-1] if not t.startswith("<<")] or (
                    ["<<heredoc"] if ins.heredoc else [])
                for source in sources:
                    if _GIT.search(source):
                        continue
                    if _REMOTE.match(source):
                        if "checksum" in ins.flags:
                            continue
                        yield Finding(
                            message=f"{dockerfile.path}: ADD downloads {source} without a checksum",
                            location=Location(path=dockerfile.path, line=ins.line),
                            key=f"remote {source}",
                            severity=Severity.MEDIUM,
                        )
                    elif not _ARCHIVE.search(source):
                        yield Finding(
                            message=f"{dockerfile.path}: ADD {source} copies a local file: use COPY",
                            location=Location(path=dockerfile.path, line=ins.line),
                            key=f"local {source}",
                        )
