"""The token: long enough that guessing is hopeless, and never stored."""

from __future__ import annotations

import base64
import hashlib

from clinic.selfreport.models import PatientLink
from clinic.selfreport.selectors import patient_link_find
from clinic.selfreport.services import patient_link_issue, patient_link_url


def test_a_token_carries_256_random_bits_in_43_url_safe_characters(patient, alice):
    tokens = {patient_link_issue(request=None, patient=patient, created_by=alice)[1] for _ in range(20)}
    assert len(tokens) == 20
    for token in tokens:
        assert len(token) == 43
        assert len(base64.urlsafe_b64decode(token + "=")) == 32  # 256 bits, well over 128


def test_only_the_sha256_of_the_token_is_stored(patient, alice):
    link, token = patient_link_issue(request=None, patient=patient, created_by=alice)
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = PatientLink.objects.filter(pk=link.pk).values().get()
    assert not any(token in str(value) for value in stored.values())


def test_the_token_finds_its_link_and_nothing_else_does(patient, alice):
    link, token = patient_link_issue(request=None, patient=patient, created_by=alice)
    assert patient_link_find(token) == link
    assert patient_link_find(link.token_hash) is None
    assert patient_link_find(token[:-1] + ("A" if token[-1] != "A" else "B")) is None


def test_the_link_is_built_from_the_public_site_address(patient, alice, settings):
    settings.SITE_URL = "https://steady.example.org"
    _, token = patient_link_issue(request=None, patient=patient, created_by=alice)
    assert patient_link_url(token) == f"https://steady.example.org/p/{token}/"
