"""Facts shared by the operations checks, computed once per project."""

from __future__ import annotations

import re
from typing import Any

from auditor.model import Location
from auditor.parsing import ParseProblem
from auditor.parsing.workflow import Step, Workflow
from auditor.parsing.yamlsafe import YamlError, line_of, load_yaml
from auditor.project import Project

DB_IMAGES = ("postgres", "mysql", "mariadb", "mongo", "redis", "valkey", "cassandra", "couchdb",
             "clickhouse", "influxdb", "neo4j", "elasticsearch", "opensearch", "timescale", "cockroach")
_SQLITE_PATH = re.compile(r"[\w./-]+\.(?:db|sqlite3?)\b")


def workflows(project: Project) -> tuple[Workflow, ...]:
    """GitHub Actions workflows, GitLab CI (both as ``Project.workflows`` parsed them) and Travis CI."""

    def build() -> tuple[Workflow, ...]:
        parsed = {wf.path: wf for wf in project.workflows}  # parsed once per scan, shared with the engine
        out = []
        for rel in project.files:
            if rel in parsed:
                out.append(parsed[rel])
            elif rel == ".travis.yml":
                out.append(_parse_travis(rel, project.read_text(rel) or ""))
        return tuple(out)

    return project.memo("ops.workflows", build)


_TRAVIS_PHASES = ("before_install", "install", "before_script", "script", "after_success", "deploy")


def _parse_travis(path: str, text: str) -> Workflow:
    """Travis CI's top-level and per-job phase commands as run steps (what the CI checks read)."""
    try:
        data = load_yaml(text)
    except YamlError as exc:
        return Workflow(path, (), (), (ParseProblem(path, exc.line, exc.reason),), text=text)
    steps: list[Step] = []
    jobs: list[Any] = [data] if isinstance(data, dict) else []
    if isinstance(data, dict):
        matrix = data.get("jobs") or data.get("matrix")
        include = matrix.get("include") if isinstance(matrix, dict) else None
        jobs += [job for job in include or [] if isinstance(job, dict)]
    for job in jobs:
        for phase in _TRAVIS_PHASES:
            value = job.get(phase)
            commands = value if isinstance(value, list) else [value] if isinstance(value, str) else []
            for index, command in enumerate(commands):
                line = line_of(value, index) if isinstance(value, list) else line_of(job, phase)
                if isinstance(command, str):
                    steps.append(Step(phase, line, run=command, run_line=line))
    return Workflow(path, ("push",), tuple(steps), text=text)


def anchor(project: Project) -> Location:
    """Where to anchor a finding about something absent: the README, else the first deployment file."""
    for candidate in ("README.md", "readme.md", "README.rst", "README"):
        if candidate in project.file_set:
            return Location(candidate, 1, anchor_only=True)
    for group in (project.compose_paths, project.dockerfile_paths, tuple(project.glob("package.json"))):
        if group:
            return Location(group[0], 1, anchor_only=True)
    return Location(project.files[0] if project.files else ".", 1, anchor_only=True)


def is_ci_config(rel: str) -> bool:
    """Whether a repository path is a CI configuration file prodcheck recognises (parsed or not)."""
    return bool(_CI_FILE.match(rel))


def ci_config_files(project: Project) -> list[str]:
    """Every CI configuration file prodcheck recognises (even those it does not parse)."""
    return list(project.memo("ops.ci_files", lambda: [rel for rel in project.files if is_ci_config(rel)]))


_CI_FILE = re.compile(r"^\.github/workflows/[^/]+\.ya?ml$|^\.gitlab-ci\.yml$|^\.travis\.yml$|^appveyor\.ya?ml$|"
                      r"^\.cirrus\.ya?ml$|^cloudbuild\.ya?ml$|^\.semaphore/semaphore\.ya?ml$|^\.circleci/config\.ya?ml$|^Jenkinsfile$|"
                      r"^azure-pipelines\.ya?ml$|^bitbucket-pipelines\.yml$|^\.woodpecker(\.ya?ml|/.+)$|"
                      r"^\.drone\.ya?ml$|^\.buildkite/.+\.ya?ml$")


def all_commands(project: Project) -> list[tuple[str, int | None, str]]:
    """(path, line, command text) of every CI run step."""
    return [(wf.path, step.run_line or step.line, step.run or "") for wf in workflows(project) for step in wf.steps
            if step.run]


def doc_files(project: Project) -> list[str]:
    """Documentation files (Markdown and friends), lower-cased paths kept as-is."""
    return list(project.doc_files)


def find_doc(project: Project, *names: str) -> str | None:
    """A documentation file whose path mentions one of ``names`` (e.g. runbook, incident)."""
    for rel in doc_files(project):
        lower = rel.lower()
        if any(name in lower for name in names):
            return rel
    return None


# A Markdown/MDX heading, an HTML heading, or an reStructuredText/setext title (a line underlined with = - ~).
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<md>.+)$|<h[1-4][^>]*>(?P<html>[^<]+)|^(?P<rst>[^\s#<].{2,})\n[=\-~^]{3,}\s*$",
                      re.MULTILINE)


# Release notes, blog posts and licences have headings too, but they are not operating guides.
_NOT_GUIDE = re.compile(r"(^|/)(changelog|changes|history|release[-_]?notes|license|licence|code_of_conduct)[^/]*$|"
                        r"(^|/)(blog|posts|news|changelogs?)/")


def doc_heading(project: Project, pattern: str) -> tuple[str, int, str] | None:
    """(path, line, heading) of the first documentation heading matching ``pattern`` (case-insensitive).

    Headings rather than any word: a page *about* restores or incidents has one; a passing mention does not.
    """
    regex = re.compile(pattern, re.IGNORECASE)
    for rel in doc_files(project):
        if _NOT_GUIDE.search(rel.lower()):
            continue
        text = project.read_text(rel) or ""
        for match in _HEADING.finditer(text):
            title = (match.group("md") or match.group("html") or match.group("rst") or "").strip()
            if regex.search(title):
                return rel, text.count("\n", 0, match.start()) + 1, title[:80]
    return None


def docs_mention(project: Project, pattern: str) -> str | None:
    """A documentation file whose text matches ``pattern`` (case-insensitive regex)."""
    regex = re.compile(pattern, re.IGNORECASE)
    for rel in doc_files(project):
        text = project.read_text(rel) or ""
        if regex.search(text):
            return rel
    return None


# Compose files that start CI, test or development stacks by their name (docker-compose.test.yml,
# compose.ci.yaml, docker-compose.e2e.yml, docker-compose.dev.yml, docker-compose.override.yml).
_NOT_DEPLOYED = re.compile(r"(^|[.\-_])(ci|test|tests|e2e|dev|development|local|override|example|sample)([.\-_]|$)")


def deployed_compose(project: Project) -> list[str]:
    """Compose files that may run in production: all but those named for CI, tests or development."""
    return [rel for rel in project.compose_paths
            if not _NOT_DEPLOYED.search(rel.rsplit("/", 1)[-1].lower().rsplit(".", 1)[0])]


def database_evidence(project: Project, exclude: frozenset[str] = frozenset()) -> tuple[str, int | None, str] | None:
    """Where the project shows it has a database: (path, line, what), or None.

    CI, test and development compose stacks are not evidence: their databases are thrown away. ``exclude``
    names further compose files a caller knows are development stacks.
    """
    deployed = set(deployed_compose(project)) - exclude
    for compose in project.compose_files:
        if compose.path not in deployed:
            continue
        for service in compose.services:
            image = (service.image or "").lower().rsplit("/", 1)[-1]
            if image.startswith(DB_IMAGES):
                return compose.path, service.line, f"database service '{service.name}'"
    for env in (*project.env_templates, *project.env_files):
        for entry in env.entries:
            if entry.key in {"DATABASE_URL", "DB_URL", "POSTGRES_URL", "MONGODB_URI", "MONGO_URL"} or \
                    entry.key.endswith(("_DATABASE_URL", "DB_HOST", "DATABASE_HOST")):
                return env.path, entry.line, f"{entry.key} in {env.path}"
    for rel in project.files:
        name = rel.rsplit("/", 1)[-1]
        if name in {"drizzle.config.js", "drizzle.config.ts", "schema.prisma", "alembic.ini", "knexfile.js",
                    "knexfile.ts", "ormconfig.json"}:
            text = project.read_text(rel) or ""
            line = _naming_line(text)
            if "sqlite" in text.lower():
                match = _SQLITE_PATH.search(text)
                return rel, line, f"SQLite database{(' ' + match.group(0)) if match else ''} ({rel})"
            return rel, line, f"database configuration {rel}"
    return None


_DB_NAMING = re.compile(r"dbCredentials|datasource|\burl\s*[:=]|DATABASE_URL|sqlalchemy\.url|connection|"
                        r"filename\s*[:=]|provider\s*=", re.IGNORECASE)


def _naming_line(text: str) -> int:
    """The line of an ORM config that names the database: its file path, else its URL/credentials line."""
    lines = text.splitlines()
    code = [(i, line) for i, line in enumerate(lines, start=1)
            if line.strip() and not line.lstrip().startswith(("//", "#", "/*", "*", ";"))]
    for pattern in (_SQLITE_PATH, _DB_NAMING):
        for lineno, line in code:
            if pattern.search(line):
                return lineno
    return code[0][0] if code else 1


_DUMP = re.compile(r"\b(pg_dump(all)?|pg_basebackup|mysqldump|mariadb-dump|mongodump|litestream|restic\s+backup|"
                   r"borg\s+create)\b|sqlite3\b.*\.(backup|dump)\b")


def writes_dump(text: str) -> bool:
    """True when a script or CI step runs a database dump tool."""
    return bool(_DUMP.search(text))


def dump_line(text: str) -> int:
    """The line of a backup script that writes the dump (1 when none is recognised)."""
    fallback = 0
    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if _DUMP.search(line):
            return lineno
        if not fallback and re.search(r"(^|[^2&])>\s*\S", line) and "/dev/null" not in line:
            fallback = lineno  # the first redirection into a file
    return fallback or 1


def backup_scripts(project: Project) -> list[str]:
    """Scripts or compose services that look like database backups."""
    found = [rel for rel in project.files
             if "backup" in rel.rsplit("/", 1)[-1].lower() and rel.endswith((".sh", ".py", ".js", ".ts", ".bash"))]
    for compose in project.compose_files:
        for service in compose.services:
            if "backup" in service.name.lower():
                found.append(f"{compose.path}#{service.name}")
    for path, _line, command in all_commands(project):
        if re.search(r"\b(pg_dump|mysqldump|mongodump|sqlite3\s.*\.backup|litestream|restic|borg)\b", command):
            found.append(path)
    return found


def migration_files(project: Project) -> list[str]:
    """Migration files of the ORMs and tools prodcheck knows."""
    out = []
    for rel in project.files:
        lower = rel.lower()
        # Tests that live beside the migrations (migrations/tests/, *.test.ts, test_*.py) are not migrations.
        if re.search(r"(^|/)(tests?|__tests__|spec)/|(^|/)test_[^/]*$|\.(test|spec)\.[jt]s$", lower):
            continue
        if re.search(r"(^|/)drizzle/[^/]+\.sql$", lower) or re.search(r"(^|/)prisma/migrations/.+\.sql$", lower) \
                or re.search(r"(^|/)alembic/versions/[^/]+\.py$", lower) \
                or re.search(r"(^|/)migrations/(\d|[^/]*\.(sql|js|ts)$)", lower):
            out.append(rel)
    return out
