from django.apps import AppConfig


class GuidanceConfig(AppConfig):
    name = "clinic.guidance"
    label = "guidance"

    def ready(self) -> None:
        from clinic.accounts.models import Role
        from clinic.accounts.navigation import NavItem, register_nav
        from clinic.guidance import (
            checks,  # noqa: F401 (registers the page check)
            panels,
            safety_rules,
            summary,
        )
        from clinic.patients.page import register_panel
        from clinic.patients.summary import register_summary_part

        safety_rules.register_all()
        register_panel(panels.guidance_cards_panel, order=50)
        register_panel(panels.taper_panel, order=60)
        register_panel(panels.referrals_panel, order=70)
        register_summary_part(summary.care_part, order=30)
        register_nav(NavItem("guidance:index", "Guidance", roles=frozenset(Role), order=30))
