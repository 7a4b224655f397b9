"""The deployment model on fixture repositories: the exact model for each rule, and what checks then judge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.deploy.build import DeployConfig, build_model
from auditor.deploy.model import DeploymentModel, Role
from auditor.model import Status
from auditor.project import Project
from tests.harness import registry, write_tree

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "deploy"


def _model(name: str, config: DeployConfig | None = None) -> DeploymentModel:
    return build_model(Project(FIXTURES / name), config)


def _summary(model: DeploymentModel) -> dict[str, Any]:
    """The model without free-text reasons: roles, projects, services and their start paths."""
    return {
        "files": {f.path: f.role.value for f in model.files},
        "projects": [(p.files, p.role.value) for p in model.projects],
        "services": [
            (s.project, s.name, s.role.value, s.dockerfile, s.target, s.healthcheck, s.start.user, s.start.pid1,
             [step.origin for step in s.start.steps])
            for s in model.services
        ],
        "packages": [(p.path, p.kind) for p in model.packages],
    }


def _run(check_id: str, project: Project) -> Status:
    from auditor.runner import run_repo_checks

    spec = registry().resolve(check_id)
    assert spec is not None
    (result,) = run_repo_checks([spec], project, frozenset())
    return result.status


def _findings(check_id: str, project: Project) -> list[tuple[str | None, str]]:
    from auditor.runner import run_repo_checks

    spec = registry().resolve(check_id)
    assert spec is not None
    (result,) = run_repo_checks([spec], project, frozenset())
    return sorted((f.location.path, f.key) for f in result.findings)


def test_alternative_stacks_are_separate_projects() -> None:
    model = _model("alt-stacks")
    assert _summary(model) == {
        "files": {"docker-compose.postgres.yml": "production", "docker-compose.yml": "production"},
        "projects": [(("docker-compose.postgres.yml",), "production"), (("docker-compose.yml",), "production")],
        "services": [
            ("docker-compose.postgres.yml", "app", "production", None, None, None, None, "image default", []),
            ("docker-compose.postgres.yml", "db", "production", None, None, None, "postgres", "image default", []),
            ("docker-compose.yml", "app", "production", None, None, None, None, "image default", []),
        ],
        "packages": [],
    }
    # Judged apart: each stack's `app` lacks a restart policy in its own file.
    assert _findings("COMPOSE-NO-RESTART", Project(FIXTURES / "alt-stacks")) == [
        ("docker-compose.postgres.yml", "app"), ("docker-compose.postgres.yml", "db"), ("docker-compose.yml", "app")]


def test_override_chain_deploy_script_wins() -> None:
    model = _model("override-chain")
    assert _summary(model) == {
        "files": {"Dockerfile": "production", "compose.override.yml": "development",
                  "compose.prod.yml": "production", "compose.yml": "production"},
        "projects": [(("compose.yml", "compose.prod.yml"), "production"),
                     (("compose.yml", "compose.override.yml"), "development")],
        "services": [
            ("compose.yml + compose.prod.yml", "api", "production", "Dockerfile", None, None, "1000", "runtime",
             ["Dockerfile CMD"]),
            ("compose.yml + compose.prod.yml", "db", "production", None, None, None, "postgres", "image default", []),
            ("compose.yml + compose.override.yml", "api", "development", "Dockerfile", None, None, "1000",
             "runtime", ["compose service api command"]),
            ("compose.yml + compose.override.yml", "db", "development", None, None, None, "postgres", "image default", []),
        ],
        "packages": [],
    }
    assert model.projects[0].origin == "-f chain in scripts/deploy.sh:3"
    assert "deployments run the -f chain at scripts/deploy.sh:3" in model.projects[1].decision.reason
    # The port published only by the development override is not a production finding ...
    assert _run("COMPOSE-DB-PORT-EXPOSED", Project(FIXTURES / "override-chain")) is Status.PASS
    # ... unless every role is judged.
    every = Project(FIXTURES / "override-chain", deploy=DeployConfig({}, judge_all=True))
    assert _findings("COMPOSE-DB-PORT-EXPOSED", every) == [("compose.override.yml", "db:5432")]


def test_devcontainer_is_not_judged() -> None:
    model = _model("devcontainer")
    assert _summary(model) == {
        "files": {".devcontainer/Dockerfile": "devcontainer", ".devcontainer/docker-compose.yml": "devcontainer",
                  "Dockerfile": "production"},
        "projects": [((".devcontainer/docker-compose.yml",), "devcontainer")],
        "services": [
            (".devcontainer/docker-compose.yml", "workspace", "devcontainer", ".devcontainer/Dockerfile", None, None,
             None, "unknown", []),
            (None, "devcontainer", "production", "Dockerfile", None, None, "1000", "runtime", ["Dockerfile CMD"]),
        ],
        "packages": [],
    }
    assert model.decision_of(".devcontainer/Dockerfile").describe() == "judged as devcontainer: under .devcontainer/"
    assert _run("DOCKER-ROOT-USER", Project(FIXTURES / "devcontainer")) is Status.PASS
    every = Project(FIXTURES / "devcontainer", deploy=DeployConfig({}, judge_all=True))
    assert _findings("DOCKER-ROOT-USER", every) == [(".devcontainer/Dockerfile", "no USER")]


def test_test_folder_with_its_own_compose() -> None:
    model = _model("test-folder")
    assert _summary(model) == {
        "files": {"Dockerfile": "production", "e2e/Dockerfile": "test",
                  "tests/integration/docker-compose.yml": "test"},
        "projects": [(("tests/integration/docker-compose.yml",), "test")],
        "services": [
            ("tests/integration/docker-compose.yml", "db", "test", None, None, None, "postgres", "image default", []),
            (None, "test-folder", "production", "Dockerfile", None, None, "node", "runtime", ["Dockerfile CMD"]),
            (None, "e2e", "test", "e2e/Dockerfile", None, None, None, "package manager", ["e2e/Dockerfile CMD"]),
        ],
        "packages": [],
    }
    project = Project(FIXTURES / "test-folder")
    assert _run("COMPOSE-DB-PORT-EXPOSED", project) is Status.SKIPPED  # no production compose service
    assert _run("DOCKER-ROOT-USER", project) is Status.PASS


def test_config_overrides_the_guess() -> None:
    model = _model("test-folder", DeployConfig({"tests/**": Role.PRODUCTION}))
    decision = model.decision_of("tests/integration/docker-compose.yml")
    assert decision is not None and decision.role is Role.PRODUCTION
    assert decision.reason == "set in the config (deploy: tests/**: production)"
    project = Project(FIXTURES / "test-folder", deploy=DeployConfig({"tests/**": Role.PRODUCTION}))
    assert _findings("COMPOSE-DB-PORT-EXPOSED", project) == [("tests/integration/docker-compose.yml", "db:5432")]


def test_s6_overlay_oneshot_runs_migrations() -> None:
    model = _model("s6-migrations")
    assert _summary(model)["services"] == [
        (None, "s6-migrations", "production", "Dockerfile", None, None, "app", "init",
         ["Dockerfile ENTRYPOINT", "Dockerfile CMD", "root/etc/s6-overlay/s6-rc.d/init-migrate/up",
          "root/etc/s6-overlay/scripts/migrate.sh"]),
    ]
    assert model.services[0].start.user_reason == "s6-setuidgid drops to app in Dockerfile CMD"
    project = Project(FIXTURES / "s6-migrations")
    assert _run("DOCKER-MIGRATIONS-NOT-RUN", project) is Status.PASS
    assert _run("DOCKER-ROOT-USER", project) is Status.PASS


def test_gosu_drops_privileges() -> None:
    model = _model("gosu")
    assert _summary(model)["services"] == [
        (None, "gosu", "production", "Dockerfile", None, None, "app", "runtime",
         ["Dockerfile ENTRYPOINT", "Dockerfile CMD", "docker-entrypoint.sh"]),
    ]
    assert model.services[0].start.privilege_drop == "app"
    assert "gosu drops privileges" in model.services[0].start.pid1_reason
    assert _run("DOCKER-ROOT-USER", Project(FIXTURES / "gosu")) is Status.PASS


def test_package_script_chain_runs_migrations() -> None:
    model = _model("script-chain")
    assert _summary(model)["services"] == [
        (None, "shop-api", "production", "Dockerfile", None, None, "node", "package manager",
         ["Dockerfile CMD", "package.json script start", "package.json script db:deploy"]),
    ]
    assert _run("DOCKER-MIGRATIONS-NOT-RUN", Project(FIXTURES / "script-chain")) is Status.PASS


def test_monorepo_packages() -> None:
    model = _model("monorepo")
    assert _summary(model) == {
        "files": {"apps/api/Dockerfile": "production", "compose.yml": "production"},
        "projects": [(("compose.yml",), "production")],
        "services": [
            ("compose.yml", "api", "production", "apps/api/Dockerfile", None, None, "node", "runtime",
             ["apps/api/Dockerfile CMD", "apps/api/src/index.ts"]),
        ],
        "packages": [("apps/api", "service"), ("apps/web", "frontend"), ("packages/shared", "library")],
    }
    assert model.services[0].package == "apps/api"
    assert model.services[0].entry_point == "apps/api/src/index.ts"


def test_multi_target_released_with_target() -> None:
    model = _model("multi-target")
    assert _summary(model)["services"] == [
        (None, "app", "production", "Dockerfile", "runtime", "dockerfile", "1000", "runtime", ["Dockerfile CMD"]),
    ]
    assert model.target_of("Dockerfile") == "runtime"
    assert model.decision_of("Dockerfile").reason == "built and pushed by .github/workflows/release.yml:11"
    project = Project(FIXTURES / "multi-target")
    # The last stage (test) has no USER and no HEALTHCHECK; the released runtime stage has both.
    assert _run("DOCKER-ROOT-USER", project) is Status.PASS
    assert _run("DOCKER-NO-HEALTHCHECK", project) is Status.PASS


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()))
def test_every_service_explains_its_user_and_pid1(name: str) -> None:
    for service in _model(name).services:
        assert service.start.pid1_reason, (name, service.name)
        assert service.start.user is None or service.start.user_reason, (name, service.name)


def test_framework_startup_hook_runs_migrations() -> None:
    model = _model("lifespan-migrations")
    (service,) = model.services
    assert [s.origin for s in service.start.steps] == ["Dockerfile CMD", "app/main.py", "app/main.py:8 lifespan"]
    assert service.entry_point == "app/main.py"
    assert _run("DOCKER-MIGRATIONS-NOT-RUN", Project(FIXTURES / "lifespan-migrations")) is Status.PASS


def test_bake_file_releases_a_target() -> None:
    model = _model("bake")
    decision = model.decision_of("api.Dockerfile")
    assert decision is not None and decision.describe() == "judged as production: built and pushed by docker-bake.hcl:5"
    assert model.target_of("api.Dockerfile") == "runtime"
    (service,) = model.services
    assert (service.kind, service.target, service.start.pid1, [s.origin for s in service.start.steps]) == (
        "image", "runtime", "runtime", ["api.Dockerfile ENTRYPOINT"])
    # The shipped stage is the distroless :nonroot runtime, not the last (dev) stage.
    assert _run("DOCKER-ROOT-USER", Project(FIXTURES / "bake")) is Status.PASS


def test_supervisord_programs_are_on_the_start_path() -> None:
    model = _model("supervisord")
    (service,) = model.services
    assert [s.origin for s in service.start.steps] == ["Dockerfile CMD", "supervisord.conf", "app/wsgi.py"]
    assert (service.start.pid1, service.start.user) == ("supervisor", "app")
    assert _run("DOCKER-MIGRATIONS-NOT-RUN", Project(FIXTURES / "supervisord")) is Status.PASS


def _write(root: Path, files: dict[str, str]) -> Project:
    return Project(write_tree(root, files))


def test_entry_point_skips_flag_values_and_dependency_clis(tmp_path: Path) -> None:
    # `-r tsconfig-paths/register` is a preloaded module, the typeorm CLI a dependency's tool; the app
    # is what `nest start` runs: nest-cli.json's sourceRoot and entryFile.
    project = _write(tmp_path, {
        "Dockerfile": 'FROM node:22\nCOPY . .\nCMD ["sh", "./start.sh"]\n',
        "start.sh": "npm run migration:run\nnpm run start:dev\n",
        "package.json": '{"name": "api", "dependencies": {"@nestjs/core": "10"}, "scripts": {'
                        '"typeorm": "ts-node -r tsconfig-paths/register ./node_modules/typeorm/cli.js", '
                        '"migration:run": "npm run typeorm -- migration:run", "start:dev": "nest start --watch"}}',
        "nest-cli.json": '{"sourceRoot": "server", "entryFile": "bootstrap"}',
        "server/bootstrap.ts": "import { NestFactory } from '@nestjs/core'\n",
    })
    (service,) = build_model(project).services
    assert service.entry_point == "server/bootstrap.ts"


def test_entry_point_after_a_preload_flag(tmp_path: Path) -> None:
    project = _write(tmp_path, {
        "Dockerfile": 'FROM node:22\nCOPY . .\nCMD ["ts-node", "-r", "tsconfig-paths/register", "src/seed.ts"]\n',
        "package.json": '{"name": "api"}',
        "src/seed.ts": "console.log(1)\n",
    })
    (service,) = build_model(project).services
    assert service.entry_point == "src/seed.ts"


@pytest.mark.parametrize(("command", "pid1"), [
    # bash execs a simple last command after `;` or a newline, but not after `&&`, in a pipeline or with a trap.
    ("bash -c 'until nc -z db 5432; do sleep 1; done; node server.js'", "runtime"),
    ("bash -c 'npm run migrate && node server.js'", "shell"),
    ("bash -c 'trap \"kill 0\" TERM; npm run migrate; node server.js'", "shell"),
    ("sh -c 'npm run migrate; node server.js'", "shell"),
])
def test_bash_c_last_command_pid1(tmp_path: Path, command: str, pid1: str) -> None:
    project = _write(tmp_path, {
        "compose.yml": f"services:\n  app:\n    build: .\n    command: {command}\n",
        "Dockerfile": 'FROM node:22\nCOPY . .\nCMD ["node", "server.js"]\n',
        "package.json": '{"name": "app"}',
        "server.js": "require('http').createServer().listen(3000)\n",
    })
    service = next(s for s in build_model(project).services if s.name == "app")
    assert service.start.pid1 == pid1, service.start.pid1_reason


def test_published_image_named_by_metadata_action(tmp_path: Path) -> None:
    # build-push-action pushes `${{ steps.meta.outputs.tags }}`: the image is metadata-action's `images:`,
    # so a compose service running that image runs this Dockerfile and inherits its HEALTHCHECK.
    project = _write(tmp_path, {
        ".github/workflows/publish.yml": (
            "on: {release: {types: [published]}}\njobs:\n  push:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - uses: docker/metadata-action@v5\n        id: meta\n        with:\n"
            "          images: |\n            name=ghcr.io/acme/shop-api,enable=true\n"
            "      - uses: docker/build-push-action@v6\n        with:\n          context: .\n"
            "          file: docker/Dockerfile\n          push: true\n"
            "          tags: ${{ steps.meta.outputs.tags }}\n"),
        "docker/Dockerfile": ('FROM node:22\nCOPY . .\nUSER node\n'
                              'HEALTHCHECK CMD wget -qO- http://localhost:3000/health || exit 1\n'
                              'CMD ["node", "server.js"]\n'),
        "deploy/compose.yml": "services:\n  api:\n    image: ghcr.io/acme/shop-api:1.4\n",
        "package.json": '{"name": "monorepo-root"}',
        "server.js": "require('http').createServer().listen(3000)\n",
    })
    model = build_model(project)
    released = next(s for s in model.services if s.kind == "image")
    assert released.image == "shop-api"
    api = next(s for s in model.services if s.name == "api")
    assert (api.own_image_of, api.healthcheck) == ("docker/Dockerfile", "image (inherited from its Dockerfile)")


@pytest.mark.parametrize(("entrypoint", "cmd", "pid1"), [
    # The shell a `-c` string runs under is judged the same behind tini, gosu or exec as on its own.
    ('["tini", "--"]', '["sh", "-c", "npm run migrate && node server.js"]', "shell"),
    ('["tini", "--"]', '["sh", "-c", "npm run migrate && exec node server.js"]', "init"),
    ('["gosu", "node"]', '["sh", "-c", "npm run migrate; exec node server.js"]', "runtime"),
    ('["gosu", "node"]', '["sh", "-c", "npm run migrate; node server.js"]', "shell"),
])
def test_shell_c_behind_an_init_or_a_privilege_drop(tmp_path: Path, entrypoint: str, cmd: str, pid1: str) -> None:
    project = _write(tmp_path, {
        "Dockerfile": f"FROM node:22\nCOPY . .\nENTRYPOINT {entrypoint}\nCMD {cmd}\n",
        "package.json": '{"name": "app"}',
        "server.js": "require('http').createServer().listen(3000)\n",
    })
    (service,) = build_model(project).services
    assert service.start.pid1 == pid1, service.start.pid1_reason


_ALEMBIC = {"alembic/versions/0001_init.py": "revision = '0001'\n", "alembic.ini": "[alembic]\n"}
_PY_IMAGE = 'FROM python:3.12-slim\nCOPY . .\nUSER app\nCMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]\n'


def test_lifespan_imported_from_another_module(tmp_path: Path) -> None:
    # `FastAPI(lifespan=lifespan)` names a hook that lives in app/core/events.py, and the hook's work
    # lives one call deeper, in app/db.py's `run_migrations()`.
    project = _write(tmp_path, {
        **_ALEMBIC,
        "Dockerfile": _PY_IMAGE,
        "app/main.py": ("from fastapi import FastAPI\n\nfrom app.core.events import lifespan\n\n"
                        "app = FastAPI(lifespan=lifespan)\n"),
        "app/core/events.py": ("from contextlib import asynccontextmanager\n\nfrom ..db import run_migrations\n\n\n"
                               "@asynccontextmanager\nasync def lifespan(app):\n    run_migrations()\n    yield\n\n\n"
                               "def unrelated():\n    pass\n"),
        "app/db.py": ("from alembic import command\nfrom alembic.config import Config\n\n\n"
                      "def run_migrations() -> None:\n    command.upgrade(Config('alembic.ini'), 'head')\n"),
    })
    (service,) = build_model(project).services
    hooks = [(s.origin, s.text.splitlines()[-1].strip()) for s in service.start.steps if s.kind in {"hook", "call"}]
    assert hooks == [
        ("app/core/events.py:7 lifespan (imported by app/main.py)", "yield"),
        ("app/db.py:5 run_migrations()",
         "command.upgrade(Config('alembic.ini'), 'head')"),
    ]
    assert _run("DOCKER-MIGRATIONS-NOT-RUN", project) is Status.PASS


def test_lifespan_without_migrations_still_fails(tmp_path: Path) -> None:
    # Following the hook must not excuse a service whose start-up never migrates.
    project = _write(tmp_path, {
        **_ALEMBIC,
        "Dockerfile": _PY_IMAGE,
        "app/main.py": "from fastapi import FastAPI\n\nfrom .events import lifespan\n\napp = FastAPI(lifespan=lifespan)\n",
        "app/events.py": "async def lifespan(app):\n    print('ready')\n    yield\n",
    })
    (service,) = build_model(project).services
    assert [s.origin for s in service.start.steps if s.kind == "hook"] == [
        "app/events.py:1 lifespan (imported by app/main.py)"]
    assert _run("DOCKER-MIGRATIONS-NOT-RUN", project) is Status.FAIL


def test_django_app_ready_is_a_start_hook(tmp_path: Path) -> None:
    # Django calls ready() of every installed app: it is found in apps.py, not in the WSGI entry file.
    # Its code names runserver without running it, which is no development server.
    project = _write(tmp_path, {
        "Dockerfile": ('FROM python:3.12-slim\nCOPY . .\nUSER app\n'
                       'CMD ["gunicorn", "shop.wsgi:application"]\n'),
        "shop/wsgi.py": ("import os\nfrom django.core.wsgi import get_wsgi_application\n"
                         "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n"
                         "application = get_wsgi_application()\n"),
        "orders/apps.py": ("import sys\n\nfrom django.apps import AppConfig\nfrom django.core.management import call_command\n"
                           "\n\nclass OrdersConfig(AppConfig):\n    name = 'orders'\n\n    def ready(self):\n"
                           "        if 'runserver' in sys.argv:\n            return\n"
                           "        call_command('migrate', interactive=False)\n"),
        "orders/migrations/0001_initial.py": "from django.db import migrations\n",
        "orders/tests/apps.py": "class X(AppConfig):\n    def ready(self):\n        pass\n",
    })
    (service,) = build_model(project).services
    assert [s.origin for s in service.start.steps if s.kind == "hook"] == ["orders/apps.py:10 AppConfig.ready"]
    assert _run("DOCKER-MIGRATIONS-NOT-RUN", project) is Status.PASS
    assert _run("DOCKER-DEV-SERVER", project) is Status.PASS


def test_nest_provider_lifecycle_hooks(tmp_path: Path) -> None:
    # Nest calls onModuleInit of every provider; a provider that runs migrations there is on the start path.
    project = _write(tmp_path, {
        "Dockerfile": 'FROM node:22\nCOPY . .\nUSER node\nCMD ["node", "dist/main.js"]\n',
        "package.json": '{"name": "api", "dependencies": {"@nestjs/core": "10", "typeorm": "0.3"}}',
        "src/main.ts": ("import { NestFactory } from '@nestjs/core'\nimport { AppModule } from './app.module'\n"
                        "async function bootstrap() {\n  const app = await NestFactory.create(AppModule)\n"
                        "  await app.listen(3000)\n}\nbootstrap()\n"),
        "src/app.module.ts": "export class AppModule {}\n",
        "src/database/database.service.ts": (
            "import { Injectable, OnModuleInit } from '@nestjs/common'\n\n@Injectable()\n"
            "export class DatabaseService implements OnModuleInit {\n  constructor(private readonly ds: DataSource) {}\n\n"
            "  async onModuleInit(): Promise<void> {\n    await this.ds.runMigrations()\n  }\n\n"
            "  other() { return 1 }\n}\n"),
        "src/database/database.service.spec.ts": "it('x', async () => { await s.onModuleInit() })\n",
        "src/migrations/1700000000000-init.ts": "export class Init1700000000000 {}\n",
    })
    (service,) = build_model(project).services
    (hook,) = [s for s in service.start.steps if s.kind == "hook"]
    assert hook.origin == "src/database/database.service.ts:7 onModuleInit"
    assert hook.text.endswith("runMigrations()\n  }") and "other()" not in hook.text
    assert _run("DOCKER-MIGRATIONS-NOT-RUN", project) is Status.PASS


def test_app_factory_hooks(tmp_path: Path) -> None:
    # The entry file calls a factory from another module; the factory builds its lifespan from an inner
    # function, which is where start-up work runs.
    project = _write(tmp_path, {
        **_ALEMBIC,
        "Dockerfile": _PY_IMAGE,
        "app/main.py": "from .core.setup import create_application\n\napp = create_application()\n",
        "app/core/setup.py": (
            "from fastapi import FastAPI\nfrom alembic import command\n\n\ndef lifespan_factory():\n"
            "    async def lifespan(app):\n        command.upgrade(cfg, 'head')\n        yield\n    return lifespan\n\n\n"
            "def create_application() -> FastAPI:\n    lifespan = lifespan_factory()\n"
            "    return FastAPI(lifespan=lifespan)\n"),
    })
    (service,) = build_model(project).services
    assert [s.origin for s in service.start.steps if s.kind == "hook"] == ["app/core/setup.py:6 lifespan"]
    assert _run("DOCKER-MIGRATIONS-NOT-RUN", project) is Status.PASS


def test_matrix_pairs_each_dockerfile_with_its_image(tmp_path: Path) -> None:
    # One release job builds two images from an `include:` matrix; each Dockerfile is named by its own
    # entry's image, so each compose service inherits the HEALTHCHECK of the Dockerfile it really runs.
    project = _write(tmp_path, {
        ".github/workflows/release.yml": (
            "on: {push: {tags: ['v*']}}\njobs:\n  images:\n    runs-on: ubuntu-latest\n"
            "    strategy:\n      matrix:\n        include:\n"
            "          - {dockerfile: api/Dockerfile, image: ghcr.io/acme/shop-api}\n"
            "          - {dockerfile: web/Dockerfile, image: ghcr.io/acme/shop-web}\n"
            "    steps:\n      - uses: docker/metadata-action@v5\n        id: meta\n"
            "        with:\n          images: ${{ matrix.image }}\n"
            "      - uses: docker/build-push-action@v6\n        with:\n          context: .\n"
            "          file: ${{ matrix.dockerfile }}\n          push: true\n"
            "          tags: ${{ steps.meta.outputs.tags }}\n"),
        "api/Dockerfile": ('FROM node:22\nCOPY . .\nUSER node\n'
                           'HEALTHCHECK CMD wget -qO- http://localhost:3000/health || exit 1\n'
                           'CMD ["node", "server.js"]\n'),
        "web/Dockerfile": 'FROM nginx:1.27\nCOPY dist /usr/share/nginx/html\n',
        "deploy/compose.yml": ("services:\n  api:\n    image: ghcr.io/acme/shop-api:1.4\n"
                               "  web:\n    image: ghcr.io/acme/shop-web:1.4\n"),
        "package.json": '{"name": "monorepo-root"}',
        "server.js": "require('http').createServer().listen(3000)\n",
    })
    model = build_model(project)
    assert sorted((s.dockerfile, s.image) for s in model.services if s.kind == "image") == [
        ("api/Dockerfile", "shop-api"), ("web/Dockerfile", "shop-web")]
    services = {s.name: s for s in model.services if s.kind == "compose"}
    assert services["api"].own_image_of == "api/Dockerfile"
    assert services["web"].own_image_of == "web/Dockerfile"
    assert services["api"].healthcheck == "image (inherited from its Dockerfile)"


def test_start_path_records_who_runs_whom(tmp_path: Path) -> None:
    # ENTRYPOINT runs a script, which runs a package script, which runs another: each step names the
    # step that runs it, and the printed model shows the path as a tree.
    from auditor.deploy.render import render_text, start_of

    project = _write(tmp_path, {
        "Dockerfile": ('FROM node:22\nCOPY . .\nUSER node\nENTRYPOINT ["./docker-entrypoint.sh"]\n'
                       'CMD ["node", "server.js"]\n'),
        "docker-entrypoint.sh": '#!/bin/sh\nset -e\nnpm run db:setup\nexec "$@"\n',
        "package.json": '{"name": "app", "scripts": {"db:setup": "npm run migrate", "migrate": "knex migrate:latest"}}',
        "server.js": "require('http').createServer().listen(3000)\n",
    })
    model = build_model(project)
    (service,) = model.services
    assert start_of(service) == [
        ("Dockerfile ENTRYPOINT", ""), ("Dockerfile CMD", ""),
        ("docker-entrypoint.sh", "Dockerfile ENTRYPOINT"),
        ("package.json script db:setup", "docker-entrypoint.sh"),
        ("package.json script migrate", "package.json script db:setup"),
    ]
    printed = render_text(model)
    assert ("    start path:\n      Dockerfile ENTRYPOINT\n        docker-entrypoint.sh\n"
            "          package.json script db:setup\n            package.json script migrate\n"
            "      Dockerfile CMD\n") in printed


def test_email_template_package_is_a_library(tmp_path: Path) -> None:
    # react-email templates depend on react-dom but are rendered by the server that sends the mail.
    project = _write(tmp_path, {
        "package.json": '{"name": "mono", "workspaces": ["packages/*"]}',
        "packages/email/package.json": ('{"name": "@acme/email", "scripts": {"build": "tsc"}, "dependencies": '
                                        '{"@react-email/components": "1", "react": "19", "react-dom": "19"}}'),
        "packages/web/package.json": '{"name": "@acme/web", "scripts": {"dev": "vite"}, "dependencies": {"react-dom": "19"}}',
    })
    kinds = {p.path: p.kind for p in build_model(project).packages}
    assert kinds == {"packages/email": "library", "packages/web": "frontend"}


@pytest.mark.parametrize(("service", "user"), [
    # The official images drop root themselves; compose's user: wins; an unknown image stays unknown.
    ("    image: postgres:16-alpine\n", "postgres"),
    ("    image: docker.io/library/redis:7\n", "redis"),
    ("    image: postgres:16\n    user: '999'\n", "999"),
    ("    image: ghcr.io/acme/tool:1\n", None),
])
def test_third_party_image_user(tmp_path: Path, service: str, user: str | None) -> None:
    project = _write(tmp_path, {"compose.yml": f"services:\n  svc:\n{service}"})
    (svc,) = build_model(project).services
    assert svc.start.user == user
    assert (svc.start.user_reason != "") is (user is not None)


@pytest.mark.parametrize(("files", "folder"), [
    ({"drizzle.config.ts": "export default { schema: './src/schema.ts', out: './db/sql', dialect: 'postgresql' }\n",
      "db/sql/0000_init.sql": "CREATE TABLE t (id int);\n"}, "db/sql"),
    ({"knexfile.js": "module.exports = { client: 'pg', migrations: { tableName: 'knex', directory: './db/changes' } }\n",
      "db/changes/20240101_init.js": "exports.up = (knex) => knex.schema.createTable('t', () => {})\n"}, "db/changes"),
    ({"src/data-source.ts": "export default new DataSource({ migrations: [__dirname + '/schema-changes/*.ts'] })\n",
      "src/schema-changes/1700000000000-Init.ts": "export class Init1700000000000 {}\n"}, "src/schema-changes"),
    ({".sequelizerc": "module.exports = { 'migrations-path': path.resolve('db', 'evolutions') }\n",
      "db/evolutions/20240101-init.js": "module.exports = { up: async () => {} }\n"}, "db/evolutions"),
    ({"alembic.ini": "[alembic]\nscript_location = dbmigrate\n",
      "dbmigrate/versions/0001_init.py": "revision = '0001'\n"}, "dbmigrate/versions"),
])
def test_migration_folders_from_tool_configs(tmp_path: Path, files: dict[str, str], folder: str) -> None:
    from auditor.deploy.migrations import migration_dirs

    assert folder in migration_dirs(_write(tmp_path, files))


def test_configured_migrations_are_not_server_code(tmp_path: Path) -> None:
    # knex migrations in a folder of the config's choosing are run by the migration tool, not the server.
    from auditor.source.index import source_index

    project = _write(tmp_path, {
        "package.json": '{"name": "api", "scripts": {"start": "node src/index.js"}, "dependencies": {"express": "4", "knex": "3"}}',
        "knexfile.js": "module.exports = { migrations: { directory: './src/db/changes' } }\n",
        "src/index.js": "const express = require('express')\nexpress().listen(3000)\n",
        "src/db/changes/20240101_init.js": "exports.up = (knex) => knex.schema.createTable('t', () => {})\n",
    })
    (service,) = source_index(project).services
    assert "src/index.js" in service.files
    assert "src/db/changes/20240101_init.js" not in service.files


def test_a_scaffold_only_migration_folder_holds_no_migrations(tmp_path: Path) -> None:
    # `alembic init` leaves env.py, script.py.mako and an empty versions/ (here with a README): no revision
    # exists, so there is nothing a start path should apply.
    from auditor.deploy.migrations import migration_dirs

    project = _write(tmp_path, {
        "src/alembic.ini": "[alembic]\nscript_location = migrations\n",
        "src/migrations/env.py": "from alembic import context\n",
        "src/migrations/script.py.mako": "${message}\n",
        "src/migrations/versions/README.MD": "",
        "Dockerfile": 'FROM python:3.12-slim\nCOPY . .\nUSER app\nCMD ["uvicorn", "app.main:app"]\n',
    })
    assert migration_dirs(project) == []
    assert _run("DOCKER-MIGRATIONS-NOT-RUN", project) is Status.SKIPPED


def test_container_path_maps_to_the_repo_file_with_the_most_folders_in_common(tmp_path: Path) -> None:
    # Two env.sh files: `/app/deploy/env.sh` in the image came from deploy/env.sh, not web/env.sh, even
    # though web/ is nearer the Dockerfile's folder; a bare name still prefers the Dockerfile's folder.
    from auditor.deploy.startpath import find_repo_file

    project = _write(tmp_path, {"web/env.sh": "export A=1\n", "deploy/env.sh": "export B=1\n",
                                "web/Dockerfile": "FROM alpine\n"})
    assert find_repo_file(project, "web", "/app/deploy/env.sh") == "deploy/env.sh"
    assert find_repo_file(project, "web", "./env.sh") == "web/env.sh"
    assert find_repo_file(project, "", "/docker-entrypoint.d/missing.sh") is None
