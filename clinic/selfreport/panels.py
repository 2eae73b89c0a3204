"""The patient links panel on the patient page: issue a link, see each link's state, revoke."""

from __future__ import annotations

from django.http import HttpRequest

from clinic.patients.models import Patient
from clinic.patients.page import Panel
from clinic.selfreport.forms import LinkIssueForm
from clinic.selfreport.selectors import patient_links_of

SHOWN_LINKS = 10


def links_panel(request: HttpRequest, patient: Patient) -> Panel:
    # One query, whatever the number of links; completed ones are on the timeline too.
    links = list(patient_links_of(patient)[: SHOWN_LINKS + 1])
    return Panel(
        region="side",
        template="selfreport/_links_panel.html",
        context={
            "links": links[:SHOWN_LINKS],
            "more": len(links) > SHOWN_LINKS,
            "form": LinkIssueForm(),
            "patient": patient,
        },
    )
