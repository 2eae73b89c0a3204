"""The permission matrix: every URL of the project, who may reach it, and how to call it.

Each app declares its routes in `tests/<app>/routes.py` as a list `ROUTES` of `Route`, and may
offer `setup_world(world)` to create the objects its URLs need. `test_permission_matrix.py`
collects them all and fails when a URL pattern exists that no route classifies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from types import SimpleNamespace

ROUTE_MODULES = [
    "tests.accounts.routes",
    "tests.audit.routes",
    "tests.patients.routes",
    "tests.assessments.routes",
    "tests.selfreport.routes",
    "tests.guidance.routes",
    "tests.dashboard.routes",
    "tests.ops.routes",
]

CLINICIAN = "clinician"
SUPERVISOR = "supervisor"
CLINIC_ADMIN = "clinic_admin"
STAFF = frozenset({CLINICIAN, SUPERVISOR, CLINIC_ADMIN})
PATIENT_STAFF = frozenset({CLINICIAN, SUPERVISOR})
OVERSIGHT = frozenset({SUPERVISOR, CLINIC_ADMIN})


@dataclass(frozen=True)
class Route:
    name: str  # the URL name, with its namespace
    allowed: frozenset[str] = frozenset()  # roles at the world's clinic that succeed
    method: str = "GET"
    kwargs: Callable[[SimpleNamespace], dict] | None = None
    data: Callable[[SimpleNamespace], dict] | None = None
    # Public routes need no sign-in (sign-in page, health check, patient links).
    public: bool = False
    # Whether the URL names an object of the world's clinic: then Dave, of another clinic, gets 404.
    # Left as None it is True for any non-public URL with arguments; say False for shared content.
    scoped: bool | None = field(default=None)
    # Signing out ends at the sign-in page by design.
    signs_out: bool = False

    def __post_init__(self) -> None:
        if self.scoped is None:
            object.__setattr__(self, "scoped", self.kwargs is not None and not self.public)

    @property
    def id(self) -> str:
        return f"{self.method} {self.name}"


def load_modules() -> list:
    modules = []
    for dotted in ROUTE_MODULES:
        try:
            modules.append(import_module(dotted))
        except ModuleNotFoundError as error:
            if error.name is None or not dotted.startswith(error.name):
                raise
    return modules


def all_routes() -> list[Route]:
    return [route for module in load_modules() for route in module.ROUTES]


def setup_world(world: SimpleNamespace) -> SimpleNamespace:
    for module in load_modules():
        setup = getattr(module, "setup_world", None)
        if setup is not None:
            setup(world)
    return world
