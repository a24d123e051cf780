"""Command line: `flask --app wsgi content check`, `users create`, `demo`."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from course import accounts, demo
from course.content import check_course
from course.models import Role

content_cli = AppGroup("content", help="Check the course content.")
users_cli = AppGroup("users", help="Manage accounts.")


@content_cli.command("check")
@click.argument("path", required=False, type=click.Path(file_okay=False))
def content_check(path: str | None) -> None:
    """Validate the content tree (default: the configured one); exit 1 on any problem."""
    root = path or current_app.config["CONTENT_DIR"]
    course, problems = check_course(
        root, current_app.config["CONTENT_MAX_GRADE"], current_app.config["CONTENT_MAX_AVERAGE_GRADE"]
    )
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problem(s) in {root}", err=True)
        sys.exit(1)
    questions = sum(len(module.quiz.questions) for module in course.modules)
    click.echo(
        f"OK: {len(course.modules)} modules, {course.lesson_count} lessons, {questions} questions; "
        f"average reading grade {course.average_grade:.1f}"
    )


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--role", type=click.Choice([role.value for role in Role]), default=Role.LEARNER.value, show_default=True)
@click.option("--name", "display_name", required=True, help="Display name (may be a pseudonym).")
def users_create(email: str, password: str, role: str, display_name: str) -> None:
    """Create an account (the first admin of a fresh install comes from here)."""
    if len(password) < 10:
        raise click.BadParameter("use at least 10 characters", param_hint="--password")
    if "@" not in email:
        raise click.BadParameter("is not an email address", param_hint="--email")
    try:
        user = accounts.create_user(email, password, display_name, role)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {user.role} #{user.id} {user.email}")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load demo accounts and progress (safe to run again) and print the demo logins."""
    from course import get_course

    logins = demo.load_demo(get_course())
    click.echo("Demo data loaded. Log in at http://127.0.0.1:5000/login with:")
    for login in logins:
        click.echo(f"  {login.role:<12} {login.email:<28} password: {login.password}")
