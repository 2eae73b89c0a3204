"""The audit chain's head, recorded outside the audit table (by the audit commands only; no request writes it).

A chain verifies from its first row to its last, so deleting the newest rows (or every row)
leaves a chain that still verifies. The head (how many rows, and the last row's hash) is
therefore recorded elsewhere: one JSON line appended to settings.AUDIT_HEAD_FILE and the same
line in the log. Verification compares the trail with the last recorded head: the trail must
still have at least that many rows, and the row at that position must still have that hash.

Each recorded head carries an HMAC under the current audit key, so a head written by someone
without the key is refused rather than believed.
"""

from __future__ import annotations

import hmac
import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from clinic.audit.chain import ChainReport, head_mac

logger = logging.getLogger("clinic.audit.head")


@dataclass(frozen=True)
class Head:
    count: int
    hash: str
    key_id: str
    mac: str
    recorded_at: str = ""


def head_path() -> Path:
    return Path(settings.AUDIT_HEAD_FILE)


def head_record(report: ChainReport) -> Head:
    """Append the head of a verified chain to the head file and the log, and return it."""
    if not report.ok:
        raise ValueError("Only the head of an intact chain is recorded.")
    key_id, key = settings.AUDIT_HMAC_KEY_ID, settings.AUDIT_HMAC_KEY
    head = Head(
        count=report.checked,
        hash=report.head,
        key_id=key_id,
        mac=head_mac(count=report.checked, head_hash=report.head, key_id=key_id, key=key),
        recorded_at=timezone.now().isoformat(timespec="seconds"),
    )
    line = json.dumps(asdict(head), sort_keys=True)
    path = head_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as file:
        file.write(line + "\n")
    logger.info("audit head recorded: %s", line)
    return head


class HeadUnreadable(Exception):
    """The head file exists but its last line is not a head this server can believe."""


def head_last() -> Head | None:
    """The last recorded head, or None if none was ever recorded here."""
    path = head_path()
    if not path.exists():
        return None
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not lines:
        return None
    try:
        fields = json.loads(lines[-1])
        head = Head(
            count=int(fields["count"]),
            hash=str(fields["hash"]),
            key_id=str(fields["key_id"]),
            mac=str(fields["mac"]),
            recorded_at=str(fields.get("recorded_at", "")),
        )
    except (ValueError, KeyError, TypeError) as error:
        raise HeadUnreadable(f"the last line of {path} is not a recorded head") from error
    key = settings.AUDIT_HMAC_KEYS.get(head.key_id)
    if key is None:
        raise HeadUnreadable(f"the last recorded head was signed with audit key id {head.key_id!r}, not configured")
    expected = head_mac(count=head.count, head_hash=head.hash, key_id=head.key_id, key=key)
    if not hmac.compare_digest(expected, head.mac):
        raise HeadUnreadable("the last recorded head's signature does not match: it was not written by Steady")
    return head


def head_compare(report: ChainReport, head: Head) -> str:
    """Why the trail no longer matches the recorded head, or "" if it does."""
    if report.checked < head.count:
        return (
            f"the trail has {report.checked} event(s) but {head.count} were recorded at "
            f"{head.recorded_at or 'an earlier check'}: rows were removed"
        )
    if head.count and (report.hash_at or {}).get(head.count) != head.hash:
        return f"event number {head.count} no longer has the hash recorded at {head.recorded_at or 'an earlier check'}"
    return ""


@dataclass(frozen=True)
class TrailCheck:
    report: ChainReport
    previous: Head | None  # the head recorded before this check
    problem: str  # "" when the chain is intact and matches the previous head

    @property
    def ok(self) -> bool:
        return not self.problem


def trail_check() -> TrailCheck:
    """Verify every row's link and key, then compare with the last recorded head."""
    from clinic.audit.chain import chain_verify
    from clinic.audit.models import AuditEvent

    try:
        previous = head_last()
    except HeadUnreadable as error:
        rows = AuditEvent.objects.order_by("id").iterator(chunk_size=5000)
        return TrailCheck(chain_verify(rows, keys=settings.AUDIT_HMAC_KEYS), None, str(error))
    positions = [previous.count] if previous else []
    rows = AuditEvent.objects.order_by("id").iterator(chunk_size=5000)
    report = chain_verify(rows, keys=settings.AUDIT_HMAC_KEYS, positions=positions)
    if not report.ok:
        problem = f"audit event id {report.broken_at}: {report.reason}"
    elif previous is not None:
        problem = head_compare(report, previous)
    else:
        problem = ""
    return TrailCheck(report, previous, problem)
