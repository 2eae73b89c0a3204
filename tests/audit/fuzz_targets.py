"""The audit browser's search form, for the fuzzer in tests/security/fuzz.py."""

from __future__ import annotations

from django.urls import reverse
from hypothesis import strategies as st

from clinic.audit.models import Action, AuditEvent
from tests.security.fuzz import FormTarget, form_data

SEARCH = form_data(
    {
        "person": st.integers(min_value=0, max_value=50).map(str),
        "patient": st.one_of(st.integers(min_value=0, max_value=50).map(str), st.just("R-0001")),
        "action": st.sampled_from(Action.values),
        "date_from": st.dates().map(str),
        "date_to": st.dates().map(str),
        "page": st.integers(min_value=-3, max_value=10).map(str),
    }
)


def _baseline(world) -> dict:
    return {
        "person": str(world.alice.pk),
        "patient": "R-0001",
        "action": "view",
        "date_from": "2026-01-01",
        "date_to": "2026-12-31",
        "page": "1",
    }


def _exports(world) -> int:
    return AuditEvent.objects.filter(action=Action.EXPORT).count()


TARGETS = [
    FormTarget(
        name="audit_search",
        url=lambda w: reverse("audit:list"),
        method="GET",
        actor="bob",
        data=SEARCH,
        # Reading writes one thing only: the record that the trail was viewed.
        state=lambda w: (
            AuditEvent.objects.exclude(action=Action.SIGN_IN).exclude(detail__startswith="audit trail page").count()
        ),
        baseline=_baseline,
    ),
    FormTarget(
        name="audit_export",
        url=lambda w: reverse("audit:export"),
        method="GET",
        actor="bob",
        data=SEARCH,
        state=_exports,
        saved=lambda response: response.status_code == 200,
        check_saved=lambda w, before, after: after == before + 1,  # every export is audited, once
        baseline=_baseline,
    ),
]
