from __future__ import annotations

import secrets
import time

from django.core.management.base import BaseCommand, CommandError

from clinic.dashboard.synthetic import CLINIC_NAME, SUPERVISOR, Seeder, SyntheticClinicExists, clinician_username


class Command(BaseCommand):
    help = (
        "Build a synthetic clinic of invented patients for benchmarks, with bulk inserts. "
        "Refuses if the synthetic clinic already has patients, unless --reset."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--patients", type=int, default=10_000)
        parser.add_argument("--assessments-per-patient", type=int, default=50)
        parser.add_argument("--clinicians", type=int, help="default: one per 400 patients, at least 2")
        parser.add_argument("--password", help="for every synthetic staff account; default: a new random one")
        parser.add_argument("--seed", type=int, default=7, help="random seed, so a run can be repeated exactly")
        parser.add_argument("--reset", action="store_true", help="replace the synthetic clinic's patients")

    def handle(self, *args, **options) -> None:
        patients, per_patient = options["patients"], options["assessments_per_patient"]
        if not 1 <= patients <= 200_000 or not 0 <= per_patient <= 500:
            raise CommandError("--patients 1..200000 and --assessments-per-patient 0..500")
        clinicians = options["clinicians"] or max(2, patients // 400)
        password = options["password"] or secrets.token_urlsafe(12)
        seeder = Seeder(patients, per_patient, clinicians, password, seed=options["seed"], out=self.stdout)
        started = time.monotonic()
        self.stdout.write(
            f"Seeding {CLINIC_NAME}: {patients} patients, {per_patient} assessments each, {clinicians} clinicians"
        )
        try:
            counts = seeder.run(reset=options["reset"])
        except SyntheticClinicExists:
            raise CommandError(f"{CLINIC_NAME} already has patients. Run again with --reset to replace them.") from None
        took = time.monotonic() - started
        self.stdout.write(", ".join(f"{n} {name}" for name, n in counts.items()) + f" in {took:.1f} s")
        self.stdout.write(
            f"Staff: {SUPERVISOR} (supervisor), {clinician_username(1)} … {clinician_username(clinicians)}"
            f" (clinicians); password for all: {password}"
        )
