"""Fix snippets use the repository's own names: env keys, package manager, database, services and volumes."""

from __future__ import annotations

import re
import subprocess

import pytest

from auditor.docs import parse_doc
from auditor.model import CheckMeta, Section, Severity, Target
from reports import html, markdown
from reports.facts import RepoFacts, ServiceFacts, repo_facts
from reports.fixes import backup_snippet, choose_snippet, fit_env_keys, fit_package_manager, fitted_snippet
from tests.reports.helpers import FIXTURES, scan_dir


def _fences(text: str) -> list[str]:
    return re.findall(r"^(`{3,})[^\n]*\n(.*?)\n\1$", text, re.MULTILINE | re.DOTALL)


def _code(text: str) -> str:
    return "\n".join(code for _, code in _fences(text))


def test_env_keys_become_the_repository_keys_of_the_same_kind() -> None:
    keys = ("DASHBOARD_URL", "DATABASE_PATH", "SESSION_SECRET")
    compose = "environment:\n  JWT_SECRET: ${JWT_SECRET:?set JWT_SECRET}\n  SESSION_SECRET: ${SESSION_SECRET:?set}\n"
    # The repository's secret is already there: the example's line goes, the real one stays.
    assert fit_env_keys(compose, keys) == "environment:\n  SESSION_SECRET: ${SESSION_SECRET:?set}\n"
    # An example origin becomes the repository's origin, everywhere it is named.
    code = "const origin = process.env.CORS_ORIGIN\nif (!origin) throw new Error('CORS_ORIGIN is required')"
    assert fit_env_keys(code, keys) == code.replace("CORS_ORIGIN", "DASHBOARD_URL")
    # No database URL in a SQLite app: that schema line is dropped, the others adapt.
    schema = "z.object({\n  DATABASE_URL: z.string().url(),\n  JWT_SECRET: z.string().min(32),\n})"
    assert fit_env_keys(schema, keys) == "z.object({\n  SESSION_SECRET: z.string().min(32),\n})"
    # The key a finding names comes first; keys only tests read never stand in for the app's.
    weak = "JWT_SECRET: ${JWT_SECRET:?generate one}"
    assert fit_env_keys(weak, ("DISCORD_CLIENT_SECRET", "SECRET_KEY"), ["SECRET_KEY"]) == \
        "SECRET_KEY: ${SECRET_KEY:?generate one}"
    assert fit_env_keys("PUBLIC_URL: https://x", ("PLAYWRIGHT_BASE_URL",)) == "PUBLIC_URL: https://x"
    # A key of no known kind, or a repository without keys, leaves the snippet alone.
    assert fit_env_keys("SENTRY_DSN=...", keys) == "SENTRY_DSN=..."
    assert fit_env_keys(compose, ()) == compose


def test_npm_commands_follow_the_package_manager_found() -> None:
    ci = "- run: npm ci && npm test && npm audit --audit-level=high"
    assert fit_package_manager(ci, "npm") == ci
    assert fit_package_manager(ci, "pnpm") == "- run: pnpm install --frozen-lockfile && pnpm test && pnpm audit --audit-level high"
    assert fit_package_manager(ci, "yarn") == (
        "- run: yarn install --frozen-lockfile && yarn test && yarn npm audit --severity high")
    assert fit_package_manager(ci, "uv") == "- run: uv sync --frozen && uv run pytest && uvx pip-audit"
    assert "pip install -r requirements.txt" in fit_package_manager(ci, "pip-requirements")
    docker = "COPY package.json package-lock.json ./\nRUN npm ci --omit=dev\nRUN npm run build"
    assert fit_package_manager(docker, "pnpm") == (
        "COPY package.json pnpm-lock.yaml ./\nRUN pnpm install --frozen-lockfile --prod\nRUN pnpm run build")
    build = "RUN npm ci\nRUN npm run build && npm prune --omit=dev"
    assert fit_package_manager(build, "yarn") == (
        "RUN yarn install --frozen-lockfile\nRUN yarn build && yarn install --production --frozen-lockfile")


def _meta(doc: str, *, title: str = "Database without backups", data_loss: bool = True) -> CheckMeta:
    return CheckMeta(id="T-BACKUP", title=title, severity=Severity.HIGH, section=Section.DATA,
                     target=Target.REPO, data_loss=data_loss, doc=parse_doc(doc, title))


_DOC = """Database without backups.

## How to fix
Back it up.

```shell postgres
pg_dump "$DATABASE_URL"
```
```shell mysql
mysqldump app
```
"""


def test_never_a_snippet_written_for_another_database() -> None:
    meta = _meta(_DOC, title="Something else", data_loss=False)
    # A SQLite app gets no Postgres snippet, even though it is the check's first.
    assert choose_snippet(meta, ("hono", "sqlite"), RepoFacts(database="sqlite")) is None
    chosen = choose_snippet(meta, ("express", "mysql"), RepoFacts(database="mysql"))
    assert chosen is not None and chosen.stack == "mysql"
    # A repository whose database is unknown still gets the check's first snippet.
    first = choose_snippet(meta, ("express",), RepoFacts())
    assert first is not None and first.stack == "postgres"


SQLITE = RepoFacts(
    env_keys=("DATABASE_PATH", "SESSION_SECRET"),
    services=(ServiceFacts("server", None, True, (("heydev-data", "/app/server/data"), ("up", "/app/uploads"))),),
    database="sqlite", package_manager="npm", sqlite_file="heydev.db", sqlite_dir="data",
)


def test_backup_and_restore_for_each_database_with_the_repository_names() -> None:
    sqlite = backup_snippet(SQLITE)
    assert sqlite is not None
    assert "sqlite3 /app/server/data/heydev.db \\\".backup '/backups/heydev_$STAMP.db'" in sqlite.code
    assert "docker compose ps -q server" in sqlite.code and "'heydev-data'" in sqlite.code
    assert "docker compose stop server" in sqlite.code and "cp /backups/heydev_<stamp>.db /app/server/data/heydev.db" in sqlite.code
    assert "pg_dump" not in sqlite.code

    def facts(database: str, env: tuple[str, ...] = ()) -> RepoFacts:
        return RepoFacts(env_keys=env, database=database, services=(
            ServiceFacts("web", None, True), ServiceFacts("store", database, False, (("store-data", "/data"),))))

    postgres = backup_snippet(facts("postgres", ("POSTGRES_DB", "POSTGRES_USER")))
    assert postgres is not None
    assert "docker compose exec -T store sh -c 'pg_dump -U \"$POSTGRES_USER\" -Fc \"$POSTGRES_DB\"'" in postgres.code
    assert "pg_restore -U \"$POSTGRES_USER\" -d \"$POSTGRES_DB\" --clean --if-exists" in postgres.code
    assert "volume 'store-data' of service 'store'" in postgres.code
    mysql = backup_snippet(facts("mysql"))
    assert mysql is not None and "exec mysqldump --single-transaction" in mysql.code and "exec mysql -uroot" in mysql.code
    mongo = backup_snippet(facts("mongodb"))
    assert mongo is not None and "store mongodump --archive" in mongo.code and "store mongorestore --archive" in mongo.code
    # A managed Postgres (no compose service): the commands take the connection URL.
    managed = backup_snippet(RepoFacts(database="postgres"))
    assert managed is not None and 'pg_dump -Fc "$DATABASE_URL"' in managed.code and "pg_restore -d" in managed.code
    assert backup_snippet(RepoFacts()) is None
    # A backup check (one snippet per database) gets these commands instead of its doc's example;
    # another data-loss check whose fix only mentions a backup keeps its own snippet.
    fitted = fitted_snippet(_meta(_DOC), ("hono", "sqlite"), (), SQLITE)
    assert fitted is not None and fitted.code == sqlite.code
    migration = _meta("Destructive migration.\n\n## How to fix\nBack up first.\n\n```shell\n./backup.sh && migrate\n```\n",
                      title="Destructive migration with no backup step")
    kept = fitted_snippet(migration, ("hono", "sqlite"), (), SQLITE)
    assert kept is not None and kept.code == "./backup.sh && migrate"


@pytest.mark.skipif(subprocess.run(["sh", "-n", "/dev/null"], check=False).returncode != 0, reason="no sh")
def test_backup_scripts_are_valid_shell(tmp_path) -> None:  # type: ignore[no-untyped-def]
    for facts in (SQLITE, RepoFacts(database="postgres"), RepoFacts(database="mongodb")):
        snippet = backup_snippet(facts)
        assert snippet is not None
        script = tmp_path / "backup.sh"
        script.write_text(snippet.code.replace("<stamp>", "20260101_000000"), encoding="utf-8")
        assert subprocess.run(["sh", "-n", str(script)], check=False).returncode == 0, snippet.code


def test_heydev_report_names_what_the_repository_has() -> None:
    report = scan_dir(FIXTURES / "repos" / "heydev")
    facts = repo_facts(report)
    assert facts.database == "sqlite" and facts.package_manager == "npm"
    assert "SESSION_SECRET" in facts.env_keys and "JWT_SECRET" not in facts.env_keys
    assert facts.sqlite_path == "/app/server/data/heydev.db"
    page = html.render(report)
    html_code = "\n".join(re.sub(r"<[^>]+>", "", block) for block in re.findall(r'<div class="hl">(.*?)</div>', page, re.S))
    for code in (_code(markdown.render(report)), html_code):
        assert "sqlite3" in code
        assert "JWT_SECRET" not in code and "CORS_ORIGIN" not in code and "APP_ORIGIN" not in code
        assert "pg_dump" not in code and "postgres" not in code.lower()
    md = markdown.render(report)
    assert "SESSION_SECRET: ${SESSION_SECRET:?set SESSION_SECRET}" in md
    assert "process.env.DASHBOARD_URL" in md
    assert "sqlite3 /app/server/data/heydev.db" in md and "docker compose start server" in md


def test_postgres_and_pnpm_repositories() -> None:
    fastapi = markdown.render(scan_dir(FIXTURES / "repos" / "fastapi-service"))
    assert "docker compose exec -T db sh -c 'pg_dump -U \"$POSTGRES_USER\" -Fc \"$POSTGRES_DB\"'" in fastapi
    assert "npm ci" not in _code(fastapi), "a Python service gets Python CI commands"
    nest = scan_dir(FIXTURES / "repos" / "nestjs-traefik")
    assert repo_facts(nest).package_manager == "pnpm"
    code = _code(markdown.render(nest))
    assert "npm ci" not in code and "sqlite3" not in code
    assert "SENTRY_DSN" in code or "Sentry" not in code, "a DSN is not a database URL"


def test_a_report_without_recorded_facts_falls_back_to_its_stacks() -> None:
    report = scan_dir(FIXTURES / "repos" / "heydev")
    bare = report.__class__(**{**report.__dict__, "extra": {}})
    facts = repo_facts(bare)
    assert facts.database == "sqlite" and facts.package_manager == "npm" and facts.env_keys == ()
    markdown.render(bare)  # still renders, with the docs' example names


def test_alert_thresholds_only_where_monitoring_is_found() -> None:
    from reports.alerts import alert_plan

    heydev = scan_dir(FIXTURES / "repos" / "heydev")
    plan = alert_plan(heydev, repo_facts(heydev))
    assert plan is not None and plan.sources == ("the compose health check",)
    critical = next(level for level in plan.levels if level.name == "Critical")
    assert any("health check failing" in rule for rule in critical.rules)
    assert any("'heydev-data' above 90%" in rule for rule in critical.rules)
    assert not any("5xx" in rule for level in plan.levels for rule in level.rules), "no metrics, no error-rate rule"
    md = markdown.render(heydev)
    observability = md.split(". Observability", 1)[1].split("\n## ", 1)[0]
    assert "**Alert thresholds** (on what is monitored today: the compose health check):" in observability
    assert "Alert thresholds" in html.render(heydev)

    fastapi = scan_dir(FIXTURES / "repos" / "fastapi-service")
    plan = alert_plan(fastapi, repo_facts(fastapi))
    assert plan is not None and {"Prometheus", "Sentry"} <= set(plan.sources)
    rules = [rule for level in plan.levels for rule in level.rules]
    assert "5xx responses above 5% of requests for 5 min" in rules and any("'pgdata'" in rule for rule in rules)
    # Nothing monitors the service: no thresholds (the findings ask for monitoring first).
    assert alert_plan(fastapi, RepoFacts()) is None


def test_compose_fixes_for_one_service_merge_into_one_block() -> None:
    from auditor.model import FixSnippet
    from auditor.parsing.yamlsafe import load_yaml
    from reports.compose_merge import compose_shape, merge_compose

    logging = FixSnippet("compose", "yaml", "x-logging: &log\n  driver: json-file\n\nservices:\n  server:\n    logging: *log")
    limits = FixSnippet("compose", "yaml", "services:\n  server:\n    deploy:\n      resources:\n        limits:\n"
                                           "          memory: 512M")
    shapes = [compose_shape(logging), compose_shape(limits)]
    assert all(shapes)
    merged = merge_compose(shapes)  # type: ignore[arg-type]
    assert merged is not None
    data = load_yaml(merged)
    assert set(data["services"]["server"]) == {"logging", "deploy"} and "x-logging" in data
    # Another service, two services in one snippet, or a key given twice: left as they are.
    other = compose_shape(FixSnippet("compose", "yaml", "services:\n  worker:\n    restart: always"))
    assert other is not None and merge_compose([shapes[0], other]) is None  # type: ignore[list-item]
    assert compose_shape(FixSnippet("compose", "yaml", "services:\n  a:\n    x: 1\n  b:\n    y: 2")) is None
    assert compose_shape(FixSnippet("shell", "shell", "echo")) is None
    twice = compose_shape(FixSnippet("compose", "yaml", "services:\n  server:\n    logging: {}"))
    assert merge_compose([shapes[0], twice]) is None  # type: ignore[list-item]


def test_the_example_service_is_not_renamed_onto_another_example() -> None:
    from auditor.model import Finding, Location

    doc = ("Compose service has no healthcheck.\n\n## How to fix\nAdd one.\n\n```yaml compose\nservices:\n  api:\n"
           "    healthcheck: {}\n  db:\n    image: postgres:16\n```\n")
    meta = _meta(doc, title="Compose service has no healthcheck", data_loss=False)
    named = (Finding("service 'db' has no healthcheck", Location("compose.yaml", 3), key="db"),)
    fitted = fitted_snippet(meta, ("compose",), named, RepoFacts())
    assert fitted is not None and fitted.code.count("  db:") == 1 and "  api:" in fitted.code
    renamed = fitted_snippet(meta, ("compose",), (Finding("service 'web' has none", Location("c.yaml", 2)),), RepoFacts())
    assert renamed is not None and "  web:" in renamed.code and "  api:" not in renamed.code
