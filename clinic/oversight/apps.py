from django.apps import AppConfig


class OversightConfig(AppConfig):
    """The audit trail's browser for supervisors and clinic admins: search it, export it.

    It sits above patients and accounts (it names staff and finds patients by record number), so
    the audit trail itself (clinic.audit) stays at the bottom and knows no domain.
    """

    name = "clinic.oversight"
    label = "oversight"
    verbose_name = "Audit trail browser"

    def ready(self) -> None:
        from clinic.accounts.models import Role
        from clinic.accounts.navigation import NavItem, register_nav

        register_nav(
            NavItem("audit:list", "Audit trail", roles=frozenset({Role.SUPERVISOR, Role.CLINIC_ADMIN}), order=40)
        )
