"""Demo clinics and staff for `make run`. Invented people; loading twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from clinic.accounts.models import Clinic, Role, User

DEMO_PASSWORD = "steady-demo-password"


@dataclass
class Cast:
    clinic: Clinic
    other_clinic: Clinic
    alice: User  # clinician
    bob: User  # supervisor
    carol: User  # clinic admin
    dave: User  # clinician at the other clinic
    erin: User  # a second clinician at Alice's clinic


def _staff(clinic: Clinic, username: str, first: str, last: str, role: str) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"clinic": clinic, "role": role, "first_name": first, "last_name": last}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def load() -> Cast:
    riverside, _ = Clinic.objects.get_or_create(name="Riverside Recovery Clinic")
    hillcrest, _ = Clinic.objects.get_or_create(name="Hillcrest Health Center")
    return Cast(
        clinic=riverside,
        other_clinic=hillcrest,
        alice=_staff(riverside, "alice", "Alice", "Moreno", Role.CLINICIAN),
        bob=_staff(riverside, "bob", "Bob", "Okafor", Role.SUPERVISOR),
        carol=_staff(riverside, "carol", "Carol", "Nguyen", Role.CLINIC_ADMIN),
        dave=_staff(hillcrest, "dave", "Dave", "Keller", Role.CLINICIAN),
        erin=_staff(riverside, "erin", "Erin", "Walsh", Role.CLINICIAN),
    )
