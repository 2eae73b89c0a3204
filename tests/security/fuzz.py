"""Property-based fuzzing of Steady's forms, through the test client.

Each app lists its forms in `tests/<app>/fuzz_targets.py` as `TARGETS`, a list of `FormTarget`
(the same way it lists its URLs for the permission matrix). `test_fuzz_forms.py` posts random
and hostile input to every target and asserts two things a user or attacker would notice:

- the server never answers with an error (no 500, no exception escaping the view);
- nothing is saved half-way: when the form is refused, the state the target names is unchanged;
  when it is accepted, the target's `check_saved` says what a complete save looks like.

Add a form:

    from tests.security.fuzz import FormTarget, form_data, hostile_text

    TARGETS = [
        FormTarget(
            name="visit_create",
            url=lambda w: reverse("patients:visit_create", args=[w.patient.pk]),
            actor="alice",
            data=form_data({"kind": st.sampled_from(["intake", "phone"]), "note": hostile_text()}),
            state=lambda w: Visit.objects.count(),
            check_saved=lambda w, before, after: after == before + 1,
        ),
    ]
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from types import SimpleNamespace
from typing import Any, Callable

from django.http import HttpResponse
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

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
MAX_EXAMPLES = 30

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


def form_data(fields: dict[str, st.SearchStrategy], *, smuggled: tuple[str, ...] = SMUGGLED_FIELDS) -> st.SearchStrategy[dict]:
    """Submissions for a form whose fields have the given plausible-value strategies.

    Mostly a plausible submission with one field made hostile or left out, so that input gets
    past the other fields' validation and deep into the view and its service; otherwise a
    plausible submission plus fields the form never offered, or every field hostile or missing.
    """
    plausible = st.fixed_dictionaries(fields)
    one_bad = st.builds(_with, plausible, st.sampled_from(sorted(fields)), st.one_of(hostile_value(), st.just(_DROPPED)))
    extras = {name: hostile_value() for name in smuggled if name not in fields}
    with_extras = st.builds(lambda base, extra: base | extra, plausible, st.fixed_dictionaries({}, optional=extras))
    chaos = st.fixed_dictionaries({}, optional={name: st.one_of(s, hostile_value()) for name, s in fields.items()} | extras)
    # one_of picks a branch uniformly: three in five submissions have exactly one bad field.
    return st.one_of(one_bad, one_bad, one_bad, with_extras, chaos)


def redirected(response: HttpResponse) -> bool:
    return response.status_code in (301, 302, 303)


@dataclass(frozen=True)
class FormTarget:
    name: str
    url: Callable[[SimpleNamespace], str]
    data: st.SearchStrategy[dict]
    # The world attribute of the signed-in user; None for an anonymous visitor.
    actor: str | None = None
    method: str = "POST"
    # Anything the client must do first (sign in half-way, enrol a device...).
    prepare: Callable[[Client, SimpleNamespace], None] | None = None
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

    @settings(
        max_examples=target.max_examples,
        deadline=None,
        database=None,  # no .hypothesis folder in the project
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )
    @given(data=target.data)
    def submit(data: dict) -> None:
        before = target.state(world)
        response = send(url, data)  # an exception in the view fails the test here
        assert response.status_code < 500, f"{target.name} answered {response.status_code}"
        after = target.state(world)
        if target.saved(response):
            if target.check_saved is not None:
                target.check_saved(world, before, after)
        else:
            assert after == before, f"{target.name} refused the form but changed {before!r} to {after!r}"

    for spoiled in _sweep(target.baseline(world) if target.baseline else {}):
        submit = example(data=spoiled)(submit)
    submit()


def _sweep(baseline: dict) -> list[dict]:
    """The baseline with each field in turn replaced by each sweep value (explicit examples,
    run before the random ones), so every field's path through the view is tried for sure."""
    return [_with(baseline, name, value) for name in baseline for value in SWEEP_VALUES]
