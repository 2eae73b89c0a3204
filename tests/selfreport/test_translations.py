"""The Spanish is there for everything a patient reads, and the compiled catalogue is committed."""

from __future__ import annotations

import gettext
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from clinic.assessments.instruments import SOWS, SOWS_GOSSOP

LOCALE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES"


@pytest.mark.parametrize("instrument", [SOWS, SOWS_GOSSOP], ids=lambda i: i.code)
def test_every_prompt_and_answer_of_the_patient_instruments_has_spanish(instrument):
    for item in instrument.items:
        texts = [item.prompt] + [choice.label for choice in item.choices]
        for text in texts:
            with translation.override("en"):
                english = str(text)
            with translation.override("es"):
                spanish = str(text)
            assert spanish != english, f"{instrument.code} {item.key}: {english!r} has no Spanish"


def _po_entries(path: Path) -> dict[str, str]:
    """msgid -> msgstr for the translated singular entries of a .po file (a small reader, enough here)."""
    entries, key, current = {}, None, {}
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith(("msgid ", "msgstr ", "msgid_plural ", "msgstr[")):
            key, _, literal = line.partition(" ")
            current[key] = json.loads(literal)
        elif line.startswith('"') and key:
            current[key] += json.loads(line)
        elif not line.strip():
            if current.get("msgid") and current.get("msgstr") and "msgid_plural" not in current:
                entries[current["msgid"]] = current["msgstr"]
            key, current = None, {}
    return entries


def test_the_committed_compiled_catalogue_matches_the_po_file():
    po, mo = LOCALE / "django.po", LOCALE / "django.mo"
    assert mo.exists(), "compile with `msgfmt -o django.mo django.po` and commit the .mo"
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    written = _po_entries(po)
    assert written, "the .po has no translations"
    stale = {msgid for msgid, msgstr in written.items() if compiled.get(msgid) != msgstr}
    assert not stale, f"recompile the .mo; these differ: {sorted(stale)[:5]}"
