from __future__ import annotations

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from clinic.accounts.management.commands.createclinic import explain, read_password
from clinic.accounts.models import Clinic, Role, User
from clinic.accounts.services import staff_create


class Command(BaseCommand):
    help = "Add a staff member to a clinic with one role."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--clinic", required=True, metavar="NAME")
        parser.add_argument("--role", required=True, metavar="ROLE", help="clinician, supervisor or clinic_admin")
        parser.add_argument("--password")

    def handle(self, *args, **options) -> None:
        role = options["role"]
        if role not in Role.values:
            raise CommandError(f"Unknown role {role!r}; use one of: {', '.join(Role.values)}.")
        clinic = Clinic.objects.filter(name__iexact=options["clinic"]).first()
        if clinic is None:
            raise CommandError(f"No clinic named {options['clinic']!r}. Create it with createclinic first.")
        username = options["username"].strip()
        if not username:
            raise CommandError("The username cannot be empty.")
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"The username {username!r} is taken.")
        password = read_password(options, sys.stdin.isatty())
        try:
            user = staff_create(request=None, clinic=clinic, username=username, password=password, role=role)
        except ValidationError as error:
            raise CommandError(explain(error)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Added {user.username!r} to {clinic.name!r} as {user.get_role_display()}.")
        )
