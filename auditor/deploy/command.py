"""``prodcheck deploy-model [PATH]``: print what the deployment model decided."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click


@click.command("deploy-model")
@click.argument("path", required=False, default=Path("."),
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Config file (its deploy: and roles: keys apply).")
@click.option("--roles", type=click.Choice(["production", "all"]), default=None, help="Roles checks judge.")
def deploy_model_command(path: Path, fmt: str, config_path: Path | None, roles: str | None) -> None:
    """Show file roles, compose projects and each service's build, start path, user and PID 1."""
    from auditor.deploy.build import deploy_config
    from auditor.deploy.render import model_data, render_text
    from auditor.project import Project
    from auditor.settings import SettingsError, resolve_settings

    try:
        settings = resolve_settings(root=path, config_path=config_path, cli={"roles": roles}, environ=os.environ)
    except SettingsError as exc:
        click.echo(f"prodcheck: configuration error: {exc}", err=True)
        sys.exit(2)
    project = Project(path, max_file_bytes=settings.max_file_kb * 1024, excludes=tuple(settings.excludes),
                      deploy=deploy_config(settings.deploy_roles, settings.roles))
    model = project.deployment
    if fmt == "json":
        click.echo(json.dumps(model_data(model), indent=2))
    else:
        click.echo(render_text(model), nl=False)
