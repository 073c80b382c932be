"""`finops projects ...`"""

from __future__ import annotations

import typer

from finops.cli.common import fail, load_settings, prepared_database
from finops.errors import FinopsError

app = typer.Typer(help="Create and list projects and their API keys.", no_args_is_help=True)


@app.command("create")
def create(name: str = typer.Argument(..., help="Project name (letters, digits, _ . -).")) -> None:
    """Create a project and print its API key (shown only once)."""
    from finops.db.engine import session_scope
    from finops.projects import service

    url = prepared_database(load_settings())
    try:
        with session_scope(url) as session:
            issued = service.create_project(session, name)
    except (FinopsError, ValueError) as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"Created project {issued.project_name!r}. API key (shown only once):\n{issued.key}")


@app.command("new-key")
def new_key(name: str = typer.Argument(..., help="Existing project name.")) -> None:
    """Issue another API key for a project (the old keys keep working)."""
    from finops.db.engine import session_scope
    from finops.projects import service

    url = prepared_database(load_settings())
    try:
        with session_scope(url) as session:
            issued = service.issue_key(session, name)
    except FinopsError as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"New API key for {issued.project_name!r} (shown only once):\n{issued.key}")


@app.command("list")
def list_projects() -> None:
    """List projects with their number of active keys."""
    from finops.db.engine import session_scope
    from finops.projects import repository

    url = prepared_database(load_settings())
    with session_scope(url) as session:
        projects = repository.list_projects(session)
    if not projects:
        typer.echo("no projects yet: create one with `finops projects create NAME`")
        return
    typer.echo(f"{'ID':>4}  {'NAME':<30} {'KEYS':>4}  CREATED")
    for project in projects:
        created = project.created_at.strftime("%Y-%m-%d %H:%M")
        typer.echo(f"{project.id:>4}  {project.name:<30} {project.active_keys:>4}  {created}")
