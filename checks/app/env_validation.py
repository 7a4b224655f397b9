"""Environment not validated at startup.

## What it checks
Two things. First, whether each service validates its configuration when it starts: zod or
valibot parsing `process.env`, `envalid` `cleanEnv`, `@t3-oss/env-core` `createEnv`, `env-var`,
`@nestjs/config` with `validationSchema` or `validate`, pydantic-settings `BaseSettings`,
`environs`, `django-environ`, or hand-written checks (a read followed within three lines by a
`throw`, `raise`, `process.exit` or `sys.exit`), also inside a settings helper (`envbool(name)`
raising `ImproperlyConfigured`) or in a script the package's `start` command runs first
(`npm-run-all check-env start-server`). Second, the variables the code reads (`process.env.X`,
`config.get('X')`, `os.environ[...]`, `os.getenv`) without a fallback that no env template,
compose `environment`, Dockerfile `ENV` or the README/docs (Markdown, MDX) declares: one
finding per service, the other reads as related locations.

## Why it matters
A missing variable should stop the deploy at boot, not surface as `undefined` in the first
email link or an API call with an empty key hours later. Variables nobody documented are the
ones missing in the next environment.

## How to fix
```ts hono
import { z } from 'zod';
export const env = z.object({
  DATABASE_URL: z.string().url(),
  SESSION_SECRET: z.string().min(32),
  PUBLIC_URL: z.string().url(),
}).parse(process.env);
```

```ts express
import { cleanEnv, str, url } from 'envalid';
export const env = cleanEnv(process.env, { DATABASE_URL: url(), SESSION_SECRET: str() });
```

```ts nestjs
ConfigModule.forRoot({
  isGlobal: true,
  validationSchema: Joi.object({ DATABASE_URL: Joi.string().uri().required(), JWT_SECRET: Joi.string().min(32).required() }),
});
```

```ts fastify
await app.register(fastifyEnv, { schema: { type: 'object', required: ['DATABASE_URL'], properties: { DATABASE_URL: { type: 'string' } } } });
```

```python fastapi
from pydantic_settings import BaseSettings

class Settings(BaseSettings):
    database_url: PostgresDsn
    webhook_secret: SecretStr

settings = Settings()  # raises at startup when a variable is missing
```

```python django
import environ
env = environ.Env()
SECRET_KEY = env("DJANGO_SECRET_KEY")  # ImproperlyConfigured when missing
```

```python flask
from environs import Env
env = Env(); env.read_env()
app.config["SECRET_KEY"] = env.str("SECRET_KEY")
```
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.source import rules
from auditor.source.facts import EnvRead

VALIDATORS = ("envalid", "@t3-oss/env-core", "@t3-oss/env-nextjs", "env-var", "@fastify/env", "env-schema",
              "pydantic_settings", "environs", "environ", "decouple", "dynaconf")
# Set by the platform or the runtime, not by the operator.
RUNTIME_VARS = frozenset({"NODE_ENV", "HOSTNAME", "HOME", "PATH", "PWD", "TZ", "CI", "npm_package_version",
                          "npm_package_name", "PYTHONPATH", "DJANGO_SETTINGS_MODULE", "VERCEL", "FLY_APP_NAME"})


@check(id="APP-ENV-VALIDATION", severity=Severity.MEDIUM, section=Section.HARDENING, effort_hours=1.0,
       passed="Environment validated at startup by every service that reads it")
def env_validation(project: Project) -> Iterator[Finding]:
    """Flag services without startup env validation, and undeclared variables they read."""
    index, services = rules.index_or_skip(project)
    declared = _declared(project)
    judged = False
    for service in services:
        reads = [(sf, read) for sf in index.files_of(service) for read in sf.env_reads]
        validates = _validates(index, service) or _fails_fast(project, reads) \
            or _helper_fails_fast(project, index, service) or _start_script_fails_fast(project, service)
        if not reads and not validates:
            continue
        judged = True
        if reads and not validates:
            names = sorted({r.name for _, r in reads})
            yield Finding(
                message=f"{service.name} reads {len(names)} environment variables and validates none at startup",
                location=rules.entry(service),
                key=service.name,
                evidence=", ".join(names[:12]),
            )
        if not project.env_templates:
            continue  # no template at all is another check's finding
        seen: set[str] = set()
        missing: list[tuple[str, int, str]] = []
        docs = _docs_text(project)
        for sf, read in sorted(reads, key=lambda item: (item[0].path, item[1].line)):
            if read.has_default or read.name in declared or read.name in RUNTIME_VARS or read.name in seen:
                continue
            if any(r.name == read.name and r.has_default for _, r in reads):
                continue
            seen.add(read.name)
            if re.search(rf"\b{re.escape(read.name)}\b", docs):
                continue  # documented for the deployer (README, docs site)
            missing.append((sf.path, read.line, read.name))
        if missing:
            # One finding per service: the first read leads, the others are related locations.
            listed = ", ".join(name for *_, name in missing[:12])
            yield Finding(
                message=f"{len(missing)} variable(s) read by the code are declared in no env template or docs: {listed}",
                location=Location(path=missing[0][0], line=missing[0][1]),
                key=f"{service.name}:undeclared",
                severity=Severity.LOW,
                related=tuple(Location(path, line) for path, line, _ in missing[1:]),
            )
    if not judged:
        raise NotApplicable("the application code reads no environment variables")


_FAILS = re.compile(r"\bthrow\b|\braise\b|process\.exit|sys\.exit|ImproperlyConfigured|SystemExit")
_DOC_SUFFIXES = (".md", ".mdx", ".rst", ".adoc")


def _fails_fast(project: Project, reads: list[tuple[rules.SourceFile, EnvRead]]) -> bool:
    """Hand-written validation: a read followed within three lines by a throw, raise or exit."""
    texts: dict[str, list[str]] = {}
    for sf, read in reads:
        lines = texts.setdefault(sf.path, (project.read_text(sf.path) or "").splitlines())
        window = "\n".join(lines[read.line - 1:read.line + 3])
        if _FAILS.search(window):
            return True
    return False


_READ_TEXT = re.compile(r"os\.getenv\(|os\.environ\b|process\.env\b|Deno\.env\.get\(|Bun\.env\b")


def _window_fails(lines: list[str]) -> bool:
    """A line reading the environment followed within three lines by a throw, raise or exit."""
    return any(_READ_TEXT.search(line) and _FAILS.search("\n".join(lines[number:number + 4]))
               for number, line in enumerate(lines))


def _helper_fails_fast(project: Project, index: rules.SourceIndex, service: rules.Service) -> bool:
    """Reads the index cannot name (``os.getenv(name)`` inside an ``envbool(name)`` helper) that fail fast.

    A settings helper that raises on a malformed value validates every variable read through it.
    """
    return any(_window_fails((project.read_text(sf.path) or "").splitlines())
               for sf in index.files_of(service) if sf.env_reads)


_NODE_SCRIPT = re.compile(r"\bnode\s+(?:--\S+\s+)*([\w./-]+\.[cm]?js)\b")
_RUN_ALL = re.compile(r"\b(?:npm-run-all|run-s|run-p)\s+([^&|;]+)")
_RUN_ONE = re.compile(r"\b(?:npm run|pnpm(?: run)?|yarn(?: run)?|bun run)\s+([\w:.-]+)")


def _start_script_fails_fast(project: Project, service: rules.Service) -> bool:
    """A script the package's start command runs first (``npm-run-all check-env start-server``) that
    reads the environment and exits or throws when it is wrong: validation at startup, outside the
    server code the index parses (maintenance scripts are not indexed as server code)."""
    if service.language != "node":
        return False
    root = "" if service.root in ("", ".") else service.root.rstrip("/") + "/"
    try:
        manifest = json.loads(project.read_text(root + "package.json") or "{}")
    except ValueError:
        return False
    scripts = manifest.get("scripts") if isinstance(manifest, dict) else None
    if not isinstance(scripts, dict):
        return False
    start = [name for name in scripts if isinstance(name, str) and name.startswith("start")]
    seen: set[str] = set()
    files: list[str] = []
    while start:
        name = start.pop()
        command = scripts.get(name)
        if name in seen or not isinstance(command, str):
            continue
        seen.add(name)
        files.extend(_NODE_SCRIPT.findall(command))
        for group in _RUN_ALL.findall(command):
            start.extend(word for word in group.split() if not word.startswith("-"))
        start.extend(_RUN_ONE.findall(command))
    return any(_window_fails((project.read_text(root + rel.removeprefix("./")) or "").splitlines())
               for rel in files)


def _docs_text(project: Project) -> str:
    return "\n".join(project.read_text(p) or "" for p in project.files
                     if p.lower().endswith(_DOC_SUFFIXES) and "node_modules" not in p and "CHANGELOG" not in p.upper())


def _validates(index: rules.SourceIndex, service: rules.Service) -> bool:
    if rules.imports_any(index, service, VALIDATORS):
        return True
    for _, call in index.calls(service):
        if call.name in {"parse", "safeParse", "parseAsync", "cleanEnv", "createEnv"} and any(
                a.startswith("process.env") for a in call.args):
            return True
        if call.callee.endswith("ConfigModule.forRoot") and (call.prop("validationSchema") or call.prop("validate")):
            return True
    return any("BaseSettings" in b for sf in index.files_of(service) for c in sf.classes for b in c.bases)


def _declared(project: Project) -> set[str]:
    names: set[str] = set()
    for env in project.env_templates:
        names.update(env.keys())
    for compose in project.compose_files:
        for service in compose.services:
            names.update(name for name, _, _ in service.environment())
    for dockerfile in project.dockerfiles:
        for stage in dockerfile.stages:
            for instruction in stage.of("ENV", "ARG"):
                for word in instruction.args.split():
                    name = word.split("=", 1)[0]
                    if name.replace("_", "").isalnum() and name.upper() == name:
                        names.add(name)
    return names
