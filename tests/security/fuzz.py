"""Property-based fuzzing of Steady's forms, through the test client.

Each app lists its forms in `tests/<app>/fuzz_targets.py` as `TARGETS`, a list of `FormTarget`
(the same way it lists its URLs for the permission matrix). `test_fuzz_forms.py` posts random
and hostile input to every target and asserts two things a user or attacker would notice:

- the server never answers with an error (no 500, no exception escaping the view);
- nothing is saved half-way: when the form is refused, the state the target names is unchanged;
  when it is accepted, the target's `check_saved` says what a complete save looks like.

Add a form:

    from tests.security.fuzz import FormTarget, form_data, hillcrest_ids, words

    TARGETS = [
        FormTarget(
            name="visit_create",
            url=lambda w: reverse("patients:visit_create", args=[w.patient.pk]),
            actor="alice",
            # A function of the world when the strategy needs its ids: here Hillcrest's, smuggled in.
            data=lambda w: form_data({"kind": st.sampled_from(["intake", "phone"]), "notes": words()},
                                     foreign=hillcrest_ids(w)),
            state=lambda w: Visit.objects.count(),
            check_saved=lambda w, before, after: after == before + 1,  # or assert inside, return None
            baseline=lambda w: {"kind": "intake", "notes": "Doing better."},
        ),
    ]

`prepare` runs once per target (a half-way sign-in, a patient's confirmed link); `before_each`
before every submission, to put back what the previous one used up (a revoked or completed
link, a rate limit), so each submission reaches the code behind it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from types import SimpleNamespace
from typing import Any

from django.http import HttpResponse
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from clinic.audit.models import AuditEvent

FUZZ_MODULES = [
    "tests.accounts.fuzz_targets",
    "tests.audit.fuzz_targets",
    "tests.patients.fuzz_targets",
    "tests.assessments.fuzz_targets",
    "tests.selfreport.fuzz_targets",
    "tests.guidance.fuzz_targets",
    "tests.dashboard.fuzz_targets",
    "tests.ops.fuzz_targets",
]
# FUZZ_EXAMPLES=500 runs every target longer, for a deeper search than the suite's bounded one.
MAX_EXAMPLES = 30
EXAMPLES_OVERRIDE = int(os.environ.get("FUZZ_EXAMPLES", "0"))

HOSTILE_SAMPLES = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "' OR '1'='1",
    "'; DROP TABLE accounts_user; --",
    "1; SELECT pg_sleep(10)",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "../../../../etc/passwd",
    "%00%0d%0a",
    "\r\nSet-Cookie: x=1",
    "\u202eevil\u202c",
    "\ufeff",
    "🙂" * 40,
    "Ω" * 300,
    "9" * 40,
    "-1",
    "0",
    "1e309",
    "NaN",
    "-0",
    "null",
    "[]",
    "2026-02-30",
    "9999-12-31",
    "0001-01-01",
    "0000-00-00",
    "\\",
    "=cmd|' /C calc'!A0",
]


def huge_text() -> st.SearchStrategy[str]:
    """Up to 100 000 characters, cheaply: a short piece repeated."""
    return st.builds(lambda piece, times: piece * times, st.text(min_size=1, max_size=4), st.integers(1_000, 25_000))


def hostile_text() -> st.SearchStrategy[str]:
    """Strings an attacker would try, random unicode (NUL included), numbers and huge strings."""
    return st.one_of(
        st.sampled_from(HOSTILE_SAMPLES),
        st.text(max_size=200),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        huge_text(),
    )


def words(max_size: int = 120) -> st.SearchStrategy[str]:
    """Plausible free text: any printable characters (no control characters), short."""
    return st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=max_size)


# Dates and times a form might receive, as the browser sends them, with the calendar's extremes.
EDGE_DATES = ["0001-01-01", "9999-12-31", "2026-02-29", "1899-12-31"]
EDGE_DATETIMES = ["0001-01-01T00:00", "9999-12-31T23:59", "2026-03-08T02:30", "2026-11-01T01:30"]


def date_inputs(start: dt.date = dt.date(1900, 1, 1), end: dt.date = dt.date(2030, 12, 31)) -> st.SearchStrategy[str]:
    plain = st.dates(start, end).map(str)
    return st.one_of(plain, plain, plain, st.sampled_from(EDGE_DATES))  # an extreme one time in four


def past_datetime_inputs(days: int = 3 * 365) -> st.SearchStrategy[str]:
    """datetime-local values from `days` ago up to a day ago, sometimes an extreme."""
    now = dt.datetime.now()
    recent = st.datetimes(now - dt.timedelta(days=days), now - dt.timedelta(days=1)).map(
        lambda moment: moment.strftime("%Y-%m-%dT%H:%M")
    )
    return st.one_of(recent, recent, recent, st.sampled_from(EDGE_DATETIMES))


def audited(action: str, object_type: str) -> int:
    """How many audit events of this action name this kind of object (e.g. "patients.visit")."""
    return AuditEvent.objects.filter(action=action, object_type=object_type).count()


def hostile_value() -> st.SearchStrategy[Any]:
    """A form value: usually one string, sometimes the same field sent several times."""
    return st.one_of(hostile_text(), st.lists(hostile_text(), min_size=2, max_size=3))


# A value that stands for "leave this field out".
_DROPPED = object()
# The sweep: each field of a valid baseline in turn gets each of these (or goes missing).
SWEEP_VALUES: tuple[Any, ...] = ("' OR '1'='1", "a\x00b", "9" * 40, "A" * 100_000, _DROPPED)

# Fields a form does not offer but an attacker may add (mass assignment, other tenants).
SMUGGLED_FIELDS = ("clinic", "clinic_id", "is_superuser", "is_staff", "id", "pk", "patient", "actor")


def _with(base: dict, name: str, value: Any) -> dict:
    changed = dict(base)
    if value is _DROPPED:
        changed.pop(name, None)
    else:
        changed[name] = value
    return changed


def form_data(
    fields: dict[str, st.SearchStrategy],
    *,
    smuggled: tuple[str, ...] = SMUGGLED_FIELDS,
    foreign: dict[str, st.SearchStrategy] | None = None,
) -> st.SearchStrategy[dict]:
    """Submissions for a form whose fields have the given plausible-value strategies.

    Mostly a plausible submission with one field made hostile or left out, so that input gets
    past the other fields' validation and deep into the view and its service; otherwise a
    plausible submission plus fields the form never offered, or every field hostile or missing.
    `foreign` gives smuggled fields real ids of another clinic's objects (see `hillcrest_ids`).
    """
    foreign = foreign or {}
    plausible = st.fixed_dictionaries(fields)
    extras = {name: hostile_value() for name in smuggled if name not in fields}
    extras |= {name: st.one_of(ids, hostile_value()) for name, ids in foreign.items() if name not in fields}
    with_extras = st.builds(lambda base, extra: base | extra, plausible, st.fixed_dictionaries({}, optional=extras))
    chaos = st.fixed_dictionaries(
        {}, optional={name: st.one_of(s, hostile_value()) for name, s in fields.items()} | extras
    )
    if not fields:  # a button with no fields (revoke...): only what an attacker adds
        return with_extras
    one_bad = st.builds(
        _with, plausible, st.sampled_from(sorted(fields)), st.one_of(hostile_value(), st.just(_DROPPED))
    )
    # one_of picks a branch uniformly: three in five submissions have exactly one bad field.
    return st.one_of(one_bad, one_bad, one_bad, with_extras, chaos)


def hillcrest_ids(world: SimpleNamespace) -> dict[str, st.SearchStrategy[str]]:
    """Ids of Hillcrest's objects (Dave's clinic) under the field names a form might take them by.

    The world's Hillcrest objects come from the apps' `setup_world` (tests/<app>/routes.py).
    """
    ids = {
        ("clinic", "clinic_id"): world.other_clinic.pk,
        ("patient", "patient_id", "patient_pk"): world.dave_patient.pk,
        ("actor", "clinician", "assigned_clinician", "created_by", "recorded_by", "entered_by", "user"): world.dave.pk,
        ("visit", "visit_id"): world.dave_visit.pk,
        ("provider", "provider_id"): world.dave_provider.pk,
        ("link", "link_id"): world.dave_link.pk,
        ("plan", "plan_id"): world.dave_plan.pk,
    }
    return {name: st.just(str(pk)) for names, pk in ids.items() for name in names}


def redirected(response: HttpResponse) -> bool:
    return response.status_code in (301, 302, 303)


@dataclass(frozen=True)
class FormTarget:
    name: str
    url: Callable[[SimpleNamespace], str]
    # The submissions; or a function of the world giving them, when they need the world's ids.
    data: st.SearchStrategy[dict] | Callable[[SimpleNamespace], st.SearchStrategy[dict]]
    # The world attribute of the signed-in user; None for an anonymous visitor.
    actor: str | None = None
    method: str = "POST"
    # Anything the client must do first (sign in half-way, enrol a device...).
    prepare: Callable[[Client, SimpleNamespace], None] | None = None
    # Anything to put back before each submission (a used-up link, a rate limit...).
    before_each: Callable[[Client, SimpleNamespace], None] | None = None
    # What the form may write, in a comparable form (counts, a row's values...).
    state: Callable[[SimpleNamespace], Any] = lambda world: None
    # How to tell the form was accepted; refused forms must leave `state` unchanged.
    saved: Callable[[HttpResponse], bool] = redirected
    # Asserts that an accepted form saved everything it should: (world, before, after).
    check_saved: Callable[[SimpleNamespace, Any, Any], None] | None = None
    # A submission the form accepts; the sweep spoils one field of it at a time.
    baseline: Callable[[SimpleNamespace], dict] | None = None
    max_examples: int = MAX_EXAMPLES


def load_targets() -> list[FormTarget]:
    targets = []
    for dotted in FUZZ_MODULES:
        try:
            module = import_module(dotted)
        except ModuleNotFoundError as error:
            if error.name is None or not dotted.startswith(error.name):
                raise
            continue
        targets.extend(module.TARGETS)
    return targets


def fuzz(target: FormTarget, world: SimpleNamespace) -> None:
    """Send the sweep and `target.max_examples` random submissions; assert no error, no partial save."""
    client = Client()
    if target.actor:
        client.force_login(getattr(world, target.actor))
    if target.prepare:
        target.prepare(client, world)
    url = target.url(world)
    send = client.post if target.method == "POST" else client.get
    strategy = target.data if isinstance(target.data, st.SearchStrategy) else target.data(world)

    @settings(
        max_examples=EXAMPLES_OVERRIDE or target.max_examples,
        deadline=None,
        database=None,  # no .hypothesis folder in the project
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )
    @given(data=strategy)
    def submit(data: dict) -> None:
        if target.before_each:
            target.before_each(client, world)
        before = target.state(world)
        response = send(url, data)  # an exception in the view fails the test here
        assert response.status_code < 500, f"{target.name} answered {response.status_code}"
        after = target.state(world)
        if target.saved(response):
            if target.check_saved is not None:
                # A check may assert, or return a bool: False fails too (a bare lambda's result is easy to lose).
                assert target.check_saved(world, before, after) is not False, (
                    f"{target.name} saved {before!r} -> {after!r}"
                )
        else:
            assert after == before, f"{target.name} refused the form but changed {before!r} to {after!r}"

    for spoiled in _sweep(target.baseline(world) if target.baseline else {}):
        submit = example(data=spoiled)(submit)
    submit()


def _sweep(baseline: dict) -> list[dict]:
    """The baseline with each field in turn replaced by each sweep value (explicit examples,
    run before the random ones), so every field's path through the view is tried for sure."""
    return [_with(baseline, name, value) for name in baseline for value in SWEEP_VALUES]
