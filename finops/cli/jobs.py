"""`finops jobs ...` and `finops worker`: the scheduled jobs, seen and run by hand."""

from __future__ import annotations

import signal
import threading

import typer

from finops.cli.common import apply_alerts_file, fail, load_settings, prepared_database

app = typer.Typer(help="Scheduled jobs: list their last runs, run one now.", no_args_is_help=True)


@app.command("list")
def list_jobs() -> None:
    """Every job with its schedule and its last run."""
    from sqlalchemy import text

    from finops.db.engine import get_engine
    from finops.jobs.scheduler import registered_jobs

    url = prepared_database(load_settings())
    with get_engine(url).connect() as conn:
        last = {
            row[0]: row
            for row in conn.execute(
                text(
                    "SELECT DISTINCT ON (job_name) job_name, started_at, finished_at, status, rows_touched, error"
                    " FROM job_runs ORDER BY job_name, started_at DESC"
                )
            )
        }
    typer.echo(f"{'JOB':<12} {'SCHEDULE':<22} {'LAST RUN':<20} {'STATUS':<10} {'ROWS':>8}  ERROR")
    for job in registered_jobs():
        run = last.get(job.name)
        when = run[1].strftime("%Y-%m-%d %H:%M:%S") if run else "never"
        typer.echo(
            f"{job.name:<12} {job.trigger!s:<22.22} {when:<20} {(run[3] if run else '-'):<10}"
            f" {(run[4] if run and run[4] is not None else '-'):>8}  {(run[5] or '') if run else ''}"
        )


@app.command("run")
def run_job(name: str = typer.Argument(..., help="Job name (see `finops jobs list`).")) -> None:
    """Run one job now, under the same lock as the scheduler."""
    from finops.jobs.scheduler import registered_jobs

    jobs = {job.name: job for job in registered_jobs()}
    if name not in jobs:
        raise fail(f"no job named {name!r}; jobs: {', '.join(jobs)}")
    url = prepared_database(load_settings())
    outcome = jobs[name].run(url)
    if not outcome.ran:
        raise fail(f"{name} is running elsewhere right now")
    if outcome.error:
        raise fail(f"{name} failed: {outcome.error}")
    typer.echo(f"{name}: {outcome.detail}")


def worker() -> None:
    """Run the scheduled jobs without the HTTP service (pair with `finops serve --no-scheduler`)."""
    from finops.jobs.scheduler import start_scheduler

    settings = load_settings()
    url = prepared_database(settings)
    apply_alerts_file(settings, url)
    scheduler = start_scheduler(url)
    typer.echo(f"worker running {len(scheduler.get_jobs())} jobs; Ctrl-C to stop", err=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.shutdown(wait=True)
