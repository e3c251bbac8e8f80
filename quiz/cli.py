"""Flask commands: `flask --app app <command>`."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy import select

from quiz.extensions import db


def with_appcontext_command(name: str):
    """A click command that runs inside the app context (also under the test runner)."""

    def decorate(function):
        return click.command(name)(with_appcontext(function))

    return decorate


def init_app(app: Flask) -> None:
    for command in (
        create_admin,
        seed_demo,
        import_bank,
        export_bank,
        bank_template,
        rebuild_leaderboards,
        close_rounds,
        score_now,
        sweep,
    ):
        app.cli.add_command(command)


@with_appcontext_command("seed-demo")
@click.option("--base-url", default="http://127.0.0.1:5000", help="Printed in the demo link.")
def seed_demo(base_url: str) -> None:
    """Load the demo province, sample bank, an open demo contest and conference (idempotent)."""
    from quiz.demo import DEMO_ADMIN
    from quiz.demo import seed_demo as run
    from quiz.demo_results import FINISHED_SLUG
    from quiz.demo_surveys import PUBLIC_SLUG

    instance = Path(current_app.instance_path)
    contest, conference, password = run(
        instance / "demo_admin_password", instance / "demo_delegate_tokens"
    )
    base = base_url.rstrip("/")
    click.echo(f"Demo contest: {base}/c/{contest.slug}")
    click.echo(f"Published results: {base}/c/{FINISHED_SLUG}/results")
    click.echo(f"Demo conference: {base}/console/conferences/{conference.id}")
    click.echo(f"Demo survey: {base}/s/{PUBLIC_SLUG}")
    click.echo(f"Console: {base}/console/  account {DEMO_ADMIN}, password {password}")


def refuse(message) -> NoReturn:
    """Stop with the message alone (in Vietnamese: commands run outside any request)."""
    click.echo(str(message), err=True)
    raise click.exceptions.Exit(1)


@with_appcontext_command("import-bank")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bank", "code", required=True, help="Bank code; created if new.")
@click.option("--title", default=None, help="Title of a new bank.")
@click.option("--dry-run", is_flag=True, help="Validate only; write nothing.")
def import_bank(path: Path, code: str, title: str | None, dry_run: bool) -> None:
    """Import a question bank workbook (the template's layout), all or nothing."""
    from quiz.banks.importer import apply_import, existing_keys
    from quiz.banks.reader import read_bank
    from quiz.models import QuestionBank
    from quiz.spreadsheets import FileRefused, describe

    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.code == code))
    try:
        result = read_bank(path.read_bytes(), existing_keys(bank))
    except FileRefused as exc:
        refuse(exc.message)
    if result.problems:
        for problem in result.problems:
            click.echo(describe(problem), err=True)
        if result.problems.unlisted:
            click.echo(_("… and %(n)s more.", n=result.problems.unlisted), err=True)
        refuse(_("%(n)s problems found; nothing was imported.", n=result.problems.total))
    if dry_run:
        click.echo(
            _("%(n)s questions are valid (dry run, nothing written).", n=len(result.questions))
        )
        return
    if bank is None:
        bank = QuestionBank(code=code, title=title or code)
    summary = apply_import(bank, result.questions)
    db.session.commit()
    click.echo(
        _(
            "Bank %(code)s: %(added)s added, %(updated)s updated, %(unchanged)s unchanged.",
            code=code,
            added=summary.added,
            updated=summary.updated,
            unchanged=summary.unchanged,
        )
    )


@with_appcontext_command("export-bank")
@click.argument("code")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def export_bank(code: str, path: Path) -> None:
    """Write a bank's current questions to a workbook in the template's layout."""
    from quiz.banks.writer import export_workbook
    from quiz.models import Question, QuestionBank

    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.code == code))
    if bank is None:
        refuse(_("No bank with code %(code)s.", code=code))
    questions = db.session.scalars(
        select(Question)
        .where(Question.bank_id == bank.id, Question.is_current.is_(True))
        .order_by(Question.id)
    ).all()
    path.write_bytes(export_workbook(questions))
    click.echo(_("%(n)s questions written to %(path)s", n=len(questions), path=path))


@with_appcontext_command("bank-template")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def bank_template(path: Path) -> None:
    """Write the empty question bank template."""
    from quiz.banks.writer import template_workbook

    path.write_bytes(template_workbook())
    click.echo(_("Template written to %(path)s", path=path))


@with_appcontext_command("rebuild-leaderboards")
@click.option("--contest-id", type=int, default=None, help="One contest (default: all).")
def rebuild_leaderboards(contest_id: int | None) -> None:
    """Rebuild the live Redis leaderboards from the database."""
    from quiz.models import Contest
    from quiz.scoring.standings import rebuild_all

    ids = [contest_id] if contest_id else list(db.session.scalars(select(Contest.id)))
    for cid in ids:
        rebuild_all(cid)
        click.echo(f"contest {cid}: leaderboards rebuilt")


@with_appcontext_command("close-rounds")
def close_rounds() -> None:
    """Close finished rounds now (freeze predictions, final boards)."""
    from quiz.scoring.jobs import close_due_rounds

    click.echo(f"closed rounds: {close_due_rounds() or 'none'}")


@with_appcontext_command("score-now")
def score_now() -> None:
    """Score everything in the submission buffer in this process."""
    from quiz.scoring.jobs import drain_submissions

    click.echo(f"scored {drain_submissions(max_seconds=current_app.config['SCORING_JOB_SECONDS'])}")


@with_appcontext_command("sweep")
def sweep() -> None:
    """Submit attempts whose deadline passed (their saved answers count)."""
    from quiz.scoring.jobs import sweep_expired_attempts

    click.echo(f"auto-submitted {sweep_expired_attempts()}")


@with_appcontext_command("create-admin")
@click.option("--username", required=True)
@click.option("--full-name", default="Quản trị hệ thống")
@click.option("--unit", "unit_code", default=None, help="Code of the account's unit.")
@click.option("--role", type=click.Choice(["admin", "organizer", "viewer"]), default="admin")
@click.password_option(help="Asked for if not given (at least 10 characters).")
def create_admin(
    username: str, full_name: str, unit_code: str | None, role: str, password: str
) -> None:
    """Create a staff account (an administrator by default), or reset its password."""
    from quiz.models import Staff, Unit

    if len(password) < 10:
        raise click.ClickException("the password needs at least 10 characters")
    unit = None
    if unit_code:
        unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            raise click.ClickException(f"no unit with code {unit_code}")
    elif role != "admin":
        raise click.ClickException("organizers and viewers need --unit")
    staff = db.session.scalar(select(Staff).where(Staff.username == username.lower()))
    created = staff is None
    if created:
        staff = Staff(username=username.lower())
        db.session.add(staff)
    staff.full_name = full_name
    staff.set_access(role, unit.id if unit else None, active=True)
    staff.set_password(password)  # for an existing account: every session of it ends
    db.session.commit()
    click.echo(f"{'Created' if created else 'Updated'} {role} account {staff.username}.")
