"""A patient on a phone fills in a form through a link; the clinician then sees it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from clinic.assessments.instruments import SOWS
from clinic.assessments.models import Assessment
from clinic.selfreport.services import patient_link_issue
from tests.browser.conftest import axe_violations, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def token(patient, alice) -> str:
    return patient_link_issue(request=None, patient=patient, created_by=alice)[1]


def confirm_date_of_birth(page, patient, *, continue_label: str = "Continue") -> None:
    born = patient.date_of_birth
    page.get_by_label(re.compile("^(Month|Mes)$")).fill(str(born.month))
    page.get_by_label(re.compile("^(Day|Día)$")).fill(str(born.day))
    page.get_by_label(re.compile("^(Year|Año)$")).fill(str(born.year))
    page.get_by_role("button", name=continue_label).click()


def choose(page, prompt: str, answer: str) -> None:
    # Each question is a group named by its legend; the answers are labelled buttons inside it.
    page.get_by_role("group", name=re.compile(re.escape(str(prompt)))).locator("label", has_text=answer).click()


def test_a_patient_completes_a_sows_in_spanish_on_a_phone_and_the_clinician_sees_it(
    phone, browser, live_server, patient, token
):
    phone.goto(f"/p/{token}/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("A short form from your clinic")
    expect(phone.get_by_role("complementary")).to_contain_text("988")
    phone.get_by_role("link", name="Español").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Un formulario corto de su clínica")
    expect(phone.locator("html")).to_have_attribute("lang", "es")

    confirm_date_of_birth(phone, patient, continue_label="Continuar")
    expect(phone).to_have_url(re.compile(r"/p/form/$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("¿Cómo se siente?")
    for item in SOWS.items:
        with_spanish = {
            "anxious": "Siento ansiedad o nervios",
            "craving": "Tengo ganas de consumir ahora mismo",
        }
        prompt = with_spanish.get(item.key, f"{item.number}.")
        group = phone.get_by_role("group", name=re.compile(rf"^{item.number}\. "))
        if item.key in with_spanish:
            expect(group).to_contain_text(prompt)
        group.locator("label", has_text="Bastante").click()
    choose(phone, "¿Cuándo usó 7-OH por última vez?", "Hace entre 12 y 24 horas")
    phone.get_by_role("button", name="Enviar mis respuestas").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Gracias")
    expect(phone.get_by_text("Sus respuestas se enviaron a su clínica.")).to_be_visible()

    assessment = Assessment.objects.get()
    assert assessment.completed_by == "patient" and assessment.total == 48

    context = browser.new_context(base_url=live_server.url)
    clinician = context.new_page()
    clinician.set_default_timeout(10_000)
    sign_in(clinician, "alice", PASSWORD)
    clinician.goto(f"/patients/{patient.pk}/")
    links = clinician.get_by_role("region", name="Forms for the patient to fill in")
    expect(links).to_contain_text("Completed")
    expect(links).to_contain_text("total 48")
    context.close()


def test_the_answers_can_be_given_with_the_keyboard_alone(phone, patient, token):
    phone.goto(f"/p/{token}/")
    confirm_date_of_birth(phone, patient)
    first = phone.get_by_role("group", name=re.compile(r"^1\. ")).get_by_role("radio").first
    first.focus()
    phone.keyboard.press("Space")
    phone.keyboard.press("ArrowDown")
    expect(phone.get_by_role("group", name=re.compile(r"^1\. ")).get_by_role("radio").nth(1)).to_be_checked()


def test_the_form_fits_a_320_pixel_screen_without_sideways_scrolling(phone, patient, token):
    phone.set_viewport_size({"width": 320, "height": 640})
    phone.goto(f"/p/{token}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 320
    confirm_date_of_birth(phone, patient)
    phone.get_by_role("link", name="Español").click()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 320
    box = phone.get_by_role("group", name=re.compile(r"^1\. ")).locator("label").first.bounding_box()
    assert box["height"] >= 44  # a comfortable touch target


def test_the_patient_pages_have_no_accessibility_violations(phone, patient, token):
    phone.goto(f"/p/{token}/")
    assert axe_violations(phone) == [], "start page"

    phone.get_by_role("button", name="Continue").click()  # nothing typed: the date of birth errors
    expect(phone.get_by_role("alert")).to_contain_text("There is a problem")
    assert axe_violations(phone) == [], "start page with errors"

    confirm_date_of_birth(phone, patient)
    expect(phone.get_by_role("heading", level=1)).to_have_text("How are you feeling?")
    assert axe_violations(phone) == [], "form"

    choose(phone, SOWS.items[0].prompt, "A little")
    phone.get_by_role("button", name="Send my answers").click()
    summary = phone.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_count(len(SOWS.items) - 1 + 1)  # and the last-use question
    assert axe_violations(phone) == [], "form with errors"

    summary.get_by_role("link").first.click()
    for item in SOWS.items[1:]:
        choose(phone, item.prompt, "Not at all")
    choose(phone, "When did you last use 7-OH?", "I'd rather not say")
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert axe_violations(phone) == [], "thank-you page"


def test_a_used_link_page_has_no_accessibility_violations(phone, patient, token):
    phone.goto(f"/p/{'q' * 43}/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("This link does not work")
    assert axe_violations(phone) == []


def test_a_clinician_creates_a_link_and_emails_it_from_the_patient_page(page, patient):
    # Pages under /p/ send no Referer, so Chromium posted `Origin: null` from them and Django's
    # CSRF check answered 403: the staff side of links now lives under the patient's record.
    from django.core import mail

    patient.email = "jordan@example.org"
    patient.save()
    sign_in(page, "alice", PASSWORD)
    page.goto(f"/patients/{patient.pk}/")
    page.get_by_role("region", name="Forms for the patient to fill in").get_by_role(
        "button", name="Create a link"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"SOWS link for {patient.name}")
    link = page.get_by_role("textbox", name="Link").input_value()
    page.get_by_role("button", name="Email it to jordan@example.org").click()
    expect(page.get_by_text("The link was emailed to jordan@example.org.")).to_be_visible()
    [message] = mail.outbox
    assert message.to == ["jordan@example.org"] and link in message.body
