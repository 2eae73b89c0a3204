from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from clinic.audit.models import Action, AuditEvent
from clinic.guidance.pages import GuidancePageError, all_pages, load_pages, parse_page, render_markdown
from tests.conftest import signed_in

SLUGS = list(all_pages())
SAFETY = "Steady never proposes, computes or schedules a dose of any medication or a taper amount"
H1 = re.compile(rb"<h1[\s>]")


def test_the_library_holds_the_seven_pages_the_issue_asks_for():
    assert set(SLUGS) == {
        "what-is-7-oh",
        "recognising-withdrawal",
        "supervised-tapering",
        "buprenorphine-referral",
        "harm-reduction",
        "crisis-and-resources",
        "regulation",
    }


@pytest.mark.parametrize("slug", SLUGS)
def test_every_page_renders_with_its_sources_version_date_and_the_safety_line(alice_client, slug):
    page = all_pages()[slug]
    response = alice_client.get(reverse("guidance:page", args=[slug]))
    assert response.status_code == 200
    assert len(H1.findall(response.content)) == 1
    text = unescape(response.content.decode())
    assert f">{page.title}</h1>" in text
    assert "Sources" in text
    for source in page.sources:
        assert source in text
    assert f"Version {page.version}" in text
    assert page.last_reviewed.isoformat() in text
    # What the facts describe and when someone last checked them are two different dates.
    assert f'content as of <time datetime="{page.content_as_of.isoformat()}">' in text
    assert f'last reviewed <time datetime="{page.last_reviewed.isoformat()}">' in text
    assert SAFETY in text


@pytest.mark.parametrize("slug", SLUGS)
def test_no_page_names_a_milligram_amount(slug):
    body = all_pages()[slug].body
    assert not re.search(r"\d\s*(mg|milligram|mcg|ml)\b", body, re.IGNORECASE)


def test_reading_a_page_is_audited_with_its_version(alice_client, alice):
    alice_client.get(reverse("guidance:page", args=["harm-reduction"]))
    event = AuditEvent.objects.get(action=Action.VIEW, object_type="guidance.page")
    assert (event.object_id, event.detail, event.actor, event.clinic) == (
        "harm-reduction",
        f"version {all_pages()['harm-reduction'].version}",
        alice,
        alice.clinic,
    )


@pytest.mark.parametrize("who", ["alice", "bob", "carol", "dave"])
def test_every_staff_role_of_any_clinic_can_read_the_library(request, who):
    client = signed_in(request.getfixturevalue(who))
    index = client.get(reverse("guidance:index"))
    assert index.status_code == 200
    for page in all_pages().values():
        assert reverse("guidance:page", args=[page.slug]).encode() in index.content
    assert client.get(reverse("guidance:page", args=["regulation"])).status_code == 200


def test_an_unknown_page_is_not_found(alice_client):
    assert alice_client.get(reverse("guidance:page", args=["dosing-table"])).status_code == 404
    assert not AuditEvent.objects.filter(object_type="guidance.page").exists()


def test_links_between_pages_point_at_the_pages_themselves(alice_client):
    html = alice_client.get(reverse("guidance:page", args=["supervised-tapering"])).content.decode()
    assert f'href="{reverse("guidance:page", args=["buprenorphine-referral"])}"' in html
    for href in re.findall(r'href="([^"]+)"', html):
        if href.startswith("/guidance/pages/"):
            assert alice_client.get(href).status_code == 200, href


def test_a_page_cannot_inject_html_or_script_links():
    html = render_markdown(
        "<script>alert(1)</script>\n\nText <b onclick=x>bold</b> [click](javascript:alert(1)) ![x](http://e.test/i.png)\n\n# Title\n"
    )
    assert "<script" not in html and "<b" not in html and "javascript:" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert "<h1" not in html  # the page template owns the one <h1>


def test_the_header_is_parsed_without_yaml():
    header, body = parse_page("---\ntitle: A: b\nsources:\n- One\n- Two\nversion: 2.1\n---\n\nBody\n")
    assert header == {"title": "A: b", "sources": ["One", "Two"], "version": "2.1"}
    assert body == "Body\n"


def _write(tmp_path, name, text):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


GOOD = "---\ntitle: T\nslug: {slug}\nsummary: S\nversion: 1.0\ncontent_as_of: 2025-12-01\nlast_reviewed: 2026-01-02\norder: 1\nsources:\n- A source\n---\nBody\n"


def test_a_page_missing_its_sources_or_date_is_refused_with_its_file_name(tmp_path):
    _write(tmp_path, "bad.md", GOOD.format(slug="bad").replace("sources:\n- A source\n", ""))
    with pytest.raises(GuidancePageError, match="bad.md: missing sources"):
        load_pages(tmp_path)
    _write(tmp_path, "bad.md", GOOD.format(slug="bad").replace("2026-01-02", "last spring"))
    with pytest.raises(GuidancePageError, match="last_reviewed"):
        load_pages(tmp_path)


def test_a_page_needs_the_date_its_content_describes_and_it_cannot_follow_the_review(tmp_path):
    _write(tmp_path, "bad.md", GOOD.format(slug="bad").replace("content_as_of: 2025-12-01\n", ""))
    with pytest.raises(GuidancePageError, match="bad.md: missing content_as_of"):
        load_pages(tmp_path)
    _write(tmp_path, "bad.md", GOOD.format(slug="bad").replace("2025-12-01", "2026-02-01"))
    with pytest.raises(GuidancePageError, match="content_as_of cannot be after last_reviewed"):
        load_pages(tmp_path)


def test_a_page_whose_slug_differs_from_its_file_name_is_refused(tmp_path):
    _write(tmp_path, "one.md", GOOD.format(slug="two"))
    with pytest.raises(GuidancePageError, match="must match the file name"):
        load_pages(tmp_path)


def test_pages_are_parsed_once_per_process():
    assert all_pages() is all_pages()
