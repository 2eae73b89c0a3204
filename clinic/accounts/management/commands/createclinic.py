from __future__ import annotations

import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from clinic.accounts.models import Clinic, User
from clinic.accounts.services import clinic_create


def read_password(options: dict, stdin_is_tty: bool) -> str:
    """The --password option, or a prompt typed twice."""
    if options.get("password"):
        return options["password"]
    if not stdin_is_tty:
        raise CommandError("No --password given and no terminal to ask for one.")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password (again): "):
        raise CommandError("The two passwords differ.")
    return first


def explain(error: ValidationError) -> str:
    return " ".join(error.messages)


class Command(BaseCommand):
    help = "Create a clinic and its first clinic admin."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name")
        parser.add_argument("--admin", required=True, metavar="USERNAME")
        parser.add_argument("--password")

    def handle(self, *args, **options) -> None:
        name = options["name"].strip()
        if not name:
            raise CommandError("The clinic name cannot be empty.")
        if Clinic.objects.filter(name__iexact=name).exists():
            raise CommandError(f"A clinic named {name!r} already exists.")
        if User.objects.filter(username__iexact=options["admin"]).exists():
            raise CommandError(f"The username {options['admin']!r} is taken.")
        password = read_password(options, sys.stdin.isatty())
        try:
            clinic, admin = clinic_create(name=name, admin_username=options["admin"], admin_password=password)
        except ValidationError as error:
            raise CommandError(explain(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Created clinic {clinic.name!r} with clinic admin {admin.username!r}."))
