"""Command line: `flask --app wsgi content check`, `users create|list|role|deactivate|reactivate`,
`groups list`, `demo`."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from course import accounts, demo, demo_groups, groups, user_admin
from course.content import check_course
from course.content.checks import strategy_table
from course.models import Role

content_cli = AppGroup("content", help="Check the course content.")
users_cli = AppGroup("users", help="Manage accounts.")
groups_cli = AppGroup("groups", help="See every group.")
maintenance_cli = AppGroup("maintenance", help="Housekeeping to run from cron or a timer.")


@maintenance_cli.command("purge")
def maintenance_purge() -> None:
    """Delete sessions past their end and registrations never confirmed (safe to run at any time)."""
    from course import sessions

    ended = sessions.purge_expired()
    unconfirmed = accounts.purge_expired_confirmations()
    click.echo(f"Deleted {ended} ended session(s) and {unconfirmed} unconfirmed registration(s).")


@content_cli.command("check")
@click.argument("path", required=False, type=click.Path(file_okay=False))
def content_check(path: str | None) -> None:
    """Validate the content tree (default: the configured one); exit 1 on any problem."""
    root = path or current_app.config["CONTENT_DIR"]
    course, problems = check_course(
        root, current_app.config["CONTENT_MAX_GRADE"], current_app.config["CONTENT_MAX_AVERAGE_GRADE"]
    )
    click.echo("Blind strategies answer without reading; a quiz fails when one reaches its pass mark.")
    for module in course.modules:
        click.echo(strategy_table(module.quiz, f"{module.slug} quiz, blind strategies over the whole pool"))
    if course.knowledge_check is not None:
        click.echo(strategy_table(course.knowledge_check, "knowledge check, blind strategies over the whole bank"))
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problem(s) in {root}", err=True)
        sys.exit(1)
    questions = sum(len(module.quiz.questions) for module in course.modules)
    bank = len(course.knowledge_check.questions) if course.knowledge_check else 0
    click.echo(
        f"OK: {len(course.modules)} modules, {course.lesson_count} lessons, {questions} questions, "
        f"{bank} knowledge-check questions; "
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


def _user_or_fail(email: str):
    user = accounts.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account has the email address {email}.")
    return user


@users_cli.command("list")
@click.option("--search", default="", help="Only accounts whose email or display name contains this.")
def users_list(search: str) -> None:
    """List accounts: id, role, status, email, display name."""
    page, number = None, 1
    while page is None or page.has_next:
        page = user_admin.search_users(search, number, per_page=500)
        for user in page.items:
            status = "active" if user.active else "deactivated"
            click.echo(f"#{user.id:<6} {user.role:<12} {status:<12} {user.email:<40} {user.display_name}")
        number += 1


@users_cli.command("role")
@click.argument("email")
@click.argument("role", type=click.Choice([role.value for role in Role]))
def users_role(email: str, role: str) -> None:
    """Give an account a role (learner, facilitator, admin)."""
    user = _user_or_fail(email)
    user_admin.change_role(None, user, role)
    click.echo(f"{user.email} is now a {user.role}.")


@users_cli.command("deactivate")
@click.argument("email")
def users_deactivate(email: str) -> None:
    """Stop an account from logging in and hide it from dashboards; its history is kept."""
    user = _user_or_fail(email)
    user_admin.set_active(None, user, False)
    click.echo(f"{user.email} is deactivated.")


@users_cli.command("reactivate")
@click.argument("email")
def users_reactivate(email: str) -> None:
    """Let a deactivated account log in again."""
    user = _user_or_fail(email)
    user_admin.set_active(None, user, True)
    click.echo(f"{user.email} can log in again.")


@groups_cli.command("list")
def groups_list() -> None:
    """List every group: id, learners, status, name, facilitator."""
    for summary in groups.all_groups():
        status = "archived" if summary.group.archived_at else "open"
        click.echo(
            f"#{summary.group.id:<5} {summary.member_count:>5} learners  {status:<9} "
            f"{summary.group.name}  (facilitator: {summary.facilitator_name})"
        )


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load demo accounts and progress (safe to run again) and print the demo logins."""
    from course.loaded import get_course

    course = get_course()
    logins = demo.load_demo(course)
    demo_groups.load_demo_groups(course)
    from course import demo_lasting, demo_outcomes

    demo_outcomes.add_demo_outcomes(course)
    demo_lasting.add_demo_lasting(course)
    click.echo("Demo data loaded. Log in with:")
    for login in logins:
        click.echo(f"  {login.role:<12} {login.email:<28} password: {login.password}")
