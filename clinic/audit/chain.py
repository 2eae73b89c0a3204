"""The hash chain over the audit trail.

Each row stores the hash of the row before it (`prev_hash`) and its own `hash`: sha256 over a
canonical JSON of its fields and `prev_hash`. Changing, deleting or inserting a row anywhere
breaks the chain from that row on, and `manage.py verify_audit_chain` names the first break.

The serialization below is frozen: changing it would make every existing row fail verification.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

GENESIS = "0" * 64
# The fields that the hash covers, in no particular order (the JSON keys are sorted).
HASHED_FIELDS = (
    "created_at",
    "clinic_id",
    "actor_id",
    "username",
    "action",
    "object_type",
    "object_id",
    "patient_id",
    "detail",
    "ip_address",
)


class Chained(Protocol):
    id: int
    prev_hash: str
    hash: str


def _canonical_time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(values: dict, prev_hash: str) -> str:
    """sha256 of the canonical serialization of one row's fields and the previous row's hash."""
    payload = {name: values.get(name) for name in HASHED_FIELDS}
    payload["created_at"] = _canonical_time(values["created_at"])
    payload["prev_hash"] = prev_hash
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def chain_verify(rows: Iterable) -> ChainReport:
    """Walk rows in id order; report the first row whose link or content does not match."""
    prev = GENESIS
    checked = 0
    for row in rows:
        if row.prev_hash != prev:
            return ChainReport(checked, row.id, "its prev_hash does not match the row before it")
        values = {name: getattr(row, name) for name in HASHED_FIELDS}
        if event_hash(values, row.prev_hash) != row.hash:
            return ChainReport(checked, row.id, "its content does not match its hash")
        prev = row.hash
        checked += 1
    return ChainReport(checked)
