from __future__ import annotations

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from clinic.accounts import demo

# Each app that has demo data offers `demo.load(cast)`; they run in this order.
DEMO_APPS = ["patients", "assessments", "selfreport", "guidance"]


class Command(BaseCommand):
    help = "Load the demo clinics, staff and invented patients. Safe to run again."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        cast = demo.load()
        for app in DEMO_APPS:
            try:
                module = import_module(f"clinic.{app}.demo")
            except ModuleNotFoundError:
                continue
            module.load(cast)
        self.stdout.write(f"Demo accounts (password for all: {demo.DEMO_PASSWORD}):")
        for user, what in [
            (cast.alice, "clinician"),
            (cast.erin, "clinician"),
            (cast.bob, "supervisor"),
            (cast.carol, "clinic admin"),
            (cast.dave, "clinician at another clinic"),
        ]:
            self.stdout.write(f"  {user.username:<6} {what}, {user.clinic.name}")
