"""``flask ...`` commands for operators: accounts now, media, jobs and search as they arrive."""

from __future__ import annotations

import secrets
import sys

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from archive.auth import operations as accounts
from archive.auth.models import Role, User
from archive.errors import ValidationError
from archive.extensions import db

users = AppGroup("users", help="Manage accounts and API tokens.")


def _read_password() -> str:
    """A password from a hidden prompt on a terminal, or the first line of standard input."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(1)


@users.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]), help="What the account may do.")
@click.option("--name", default="", help="The person's or venue's name as shown in the app.")
def create_user(email: str, role: str, name: str) -> None:
    """Create an account; the password comes from a prompt or standard input, never an argument."""
    try:
        user = accounts.create_user(email, _read_password(), role, name)
    except ValidationError as exc:
        _fail("; ".join(exc.errors.values()))
    click.echo(f"Created {user.role} {user.email}.")


@users.command("token")
@click.argument("email")
@click.option("--label", default="cli", help="A note saying what the token is for.")
def create_token(email: str, label: str) -> None:
    """Print a new API bearer token for EMAIL (and nothing else, so scripts can capture it)."""
    user = db.session.scalar(select(User).where(User.email == accounts.normalise_email(email)))
    if user is None:
        _fail(f"No account for {email}. Create it with: flask users create {email} --role ROLE")
    click.echo(accounts.issue_token(user, label))


@users.command("list")
def list_users() -> None:
    """List accounts with their role and state."""
    rows = db.session.scalars(select(User).order_by(User.email)).all()
    if not rows:
        click.echo("No accounts yet. Create one with: flask users create EMAIL --role admin")
    for user in rows:
        state = "active" if user.active else "switched off"
        click.echo(f"{user.email}\t{user.role}\t{state}")


@users.command("ensure-admin")
@click.option("--email", default="admin@archive.local", show_default=True, help="E-mail of the first admin.")
def ensure_admin(email: str) -> None:
    """Create a first admin with a generated password, printed once, unless an admin exists."""
    exists = db.session.scalar(select(User.id).where(User.role == Role.ADMIN.value).limit(1))
    if exists is not None:
        click.echo("An admin account exists already.")
        return
    password = secrets.token_urlsafe(12)
    accounts.create_user(email, password, Role.ADMIN.value, "Administrator")
    click.echo("")
    click.echo("  First admin account created; this password is shown only once:")
    click.echo(f"    e-mail:   {email}")
    click.echo(f"    password: {password}")
    click.echo("")


def init_app(app: Flask) -> None:
    """Register the command groups."""
    app.cli.add_command(users)
