"""Create or update the PostgreSQL role Steady serves as; run as the owner, after every migrate.

    DATABASE_URL=postgres://steady_owner@db/steady python manage.py grant_app_role steady_app \
        --password-file /run/secrets/steady_app_password

The role may read and write Steady's tables but only SELECT and INSERT audit rows.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clinic.audit.roles import REFUSED_ON_AUDIT, RoleRefused, app_role_grant, database_url_for


class Command(BaseCommand):
    help = "Grant the serving role its privileges (only SELECT and INSERT on audit rows). Run as the owner."

    def add_arguments(self, parser) -> None:
        parser.add_argument("role", help="the role Steady serves as, e.g. steady_app")
        parser.add_argument(
            "--password-file", type=Path, help="a file holding the role's password (to create it or set it)"
        )
        parser.add_argument(
            "--print-url", action="store_true", help="print only the DATABASE_URL to serve with, as this role"
        )

    def handle(self, *args, role: str, password_file: Path | None, print_url: bool, **options) -> None:
        password = password_file.read_text(encoding="utf-8").strip() if password_file else None
        if print_url and not password:
            raise CommandError("--print-url needs --password-file.")
        try:
            grants = app_role_grant(role=role, password=password)
        except RoleRefused as error:
            raise CommandError(str(error)) from error
        allowed = [name for name in REFUSED_ON_AUDIT if grants.audit_privileges[name]]
        if allowed or not (grants.audit_privileges["SELECT"] and grants.audit_privileges["INSERT"]):
            raise CommandError(f"Role {role!r} still holds {', '.join(allowed) or 'too little'} on the audit table.")
        if print_url:
            self.stdout.write(database_url_for(role=role, password=password))
            return
        verb = "Created" if grants.created else "Updated"
        self.stdout.write(f"{verb} role {role}: Steady's tables, and only SELECT and INSERT on audit rows.")
