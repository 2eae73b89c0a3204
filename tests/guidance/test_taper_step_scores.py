"""The taper plan page shows, beside each step, the scores recorded while that step ran."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone

from clinic.guidance import services
from tests.guidance.conftest import record_assessment


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _scores_cell(html: str, step_text: str) -> str:
    row = re.search(rf"<tr>(?:(?!</tr>).)*{re.escape(step_text)}(?:(?!</tr>).)*</tr>", html, re.S).group(0)
    return re.search(r'<td class="step-scores small">(.*?)</td>', row, re.S).group(1)


def test_each_step_lists_the_scores_from_its_date_until_the_next_step(alice_client, alice, patient, dave, dave_patient):
    today = timezone.localdate()
    first, second = today - dt.timedelta(days=10), today - dt.timedelta(days=4)
    plan = services.taper_plan_create(request=None, actor=alice, patient=patient, start_date=first, goals="Goals.")
    services.taper_step_add(request=None, actor=alice, plan=plan, date=first, text="First step as written")
    services.taper_step_add(request=None, actor=alice, plan=plan, date=second, text="Second step as written")
    record_assessment(patient, alice, code="COWS", total=20, at=_at(first - dt.timedelta(days=1)))  # before the plan
    record_assessment(patient, alice, code="COWS", total=14, at=_at(first + dt.timedelta(days=2)))
    record_assessment(patient, alice, code="SOWS", total=22, at=_at(second - dt.timedelta(days=1), 20))
    record_assessment(patient, alice, code="COWS", total=6, at=_at(second))
    record_assessment(dave_patient, dave, code="COWS", total=33, at=_at(second))  # another clinic's patient

    html = alice_client.get(reverse("guidance:taper_detail", kwargs={"pk": plan.pk})).content.decode()
    during_first = _scores_cell(html, "First step as written")
    during_second = _scores_cell(html, "Second step as written")
    assert "COWS 14 (moderate)" in during_first and "SOWS 22" in during_first
    assert "COWS 6 (mild)" in during_second
    assert "COWS 20" not in html and "33" not in during_first + during_second
    assert "COWS 14" not in during_second


def test_a_step_with_no_scores_says_none_recorded(alice_client, alice, patient):
    plan = services.taper_plan_create(
        request=None, actor=alice, patient=patient, start_date=timezone.localdate(), goals="Goals."
    )
    services.taper_step_add(request=None, actor=alice, plan=plan, date=timezone.localdate(), text="Only step")
    html = alice_client.get(reverse("guidance:taper_detail", kwargs={"pk": plan.pk})).content.decode()
    assert "none recorded" in _scores_cell(html, "Only step")


def test_the_tapering_page_describes_what_the_plan_page_does():
    from clinic.guidance.pages import all_pages

    body = all_pages()["supervised-tapering"].body
    assert "each step lists the withdrawal scores recorded from the step's date until the next step's date" in body
