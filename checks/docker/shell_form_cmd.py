"""CMD or ENTRYPOINT in shell form.

## What it checks
The `ENTRYPOINT` and `CMD` in effect in the final stage must use the JSON
exec form (`CMD ["node", "dist/index.js"]`). Shell form
(`CMD node dist/index.js`, or a malformed array such as `CMD [node, app.js]`,
which Docker treats as shell form) is reported unless the command starts
with `exec`. An exec-form `["sh", "-c", "..."]` wrapper whose last command
is not started with `exec` is reported as well.

## Why it matters
In shell form PID 1 is `/bin/sh -c`, which does not forward `SIGTERM` to
the app. `docker stop` and every rolling deploy then wait for the timeout
and `SIGKILL` the process: in-flight requests are cut, connections and
transactions are not closed cleanly, and shutdown hooks never run.

## How to fix
Use exec form; when a shell is needed (variable expansion, a migration step
first), end with `exec` so the app replaces the shell.

```dockerfile
CMD ["node", "dist/index.js"]
# or, when a shell is needed:
CMD ["sh", "-c", "node dist/migrate.js && exec node dist/index.js"]
```

```dockerfile python
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app.main:app", "-k", "uvicorn.workers.UvicornWorker"]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.deploy.checkviews import chain_instructions, dockerfiles, runtime_stage, segments, start_instructions
from auditor.model import Finding, Location, Section, Severity
from auditor.parsing.dockerfile import exec_form
from auditor.project import Project
from auditor.registry import NotApplicable, check

_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh"})


def _ends_with_exec(script: str) -> bool:
    parts = segments(script)
    return bool(parts) and parts[-1].split()[0] == "exec"


@check(id="DOCKER-SHELL-FORM-CMD", severity=Severity.MEDIUM, section=Section.DEPLOYMENT, needs=("dockerfiles",),
       effort_hours=0.5,
       passed="Start command uses exec form (or exec in a shell)")
def shell_form_cmd(project: Project) -> Iterator[Finding]:
    """Report shell-form CMD/ENTRYPOINT (and sh -c wrappers without exec) in the final stage."""
    judged = False
    for dockerfile in dockerfiles(project):
        stage = runtime_stage(project, dockerfile)
        entry, cmd = start_instructions(chain_instructions(dockerfile, stage))
        # With an exec-form ENTRYPOINT, CMD is only its arguments; a shell-form ENTRYPOINT ignores CMD.
        judged_ins = [i for i in (entry, cmd) if i is not None]
        if entry is not None and exec_form(entry.args) is None:
            judged_ins = [entry]
        for ins in judged_ins:
            judged = True
            parts = exec_form(ins.args)
            if parts is None:
                if ins.args.strip().startswith("exec "):
                    continue
                yield Finding(
                    message=(f"{dockerfile.path}: {ins.keyword} uses shell form, so /bin/sh is PID 1 and "
                             "SIGTERM never reaches the app"),
                    location=Location(path=dockerfile.path, line=ins.line),
                    key=f"{ins.keyword} shell form",
                )
            elif (len(parts) >= 3 and parts[0].rsplit("/", 1)[-1] in _SHELLS and parts[1] == "-c"
                  and not _ends_with_exec(parts[2])):
                yield Finding(
                    message=(f"{dockerfile.path}: {ins.keyword} wraps the app in `sh -c` without `exec`, "
                             "so the shell keeps PID 1 and SIGTERM never reaches the app"),
                    location=Location(path=dockerfile.path, line=ins.line),
                    key="sh -c without exec",
                )
    if not judged:
        raise NotApplicable("no CMD or ENTRYPOINT in a final stage")
