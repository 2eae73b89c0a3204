"""The keyed hash chain over the audit trail.

Each row stores the hash of the row before it (`prev_hash`), the id of the key that signed it
(`key_id`) and its own `hash`: HMAC-SHA256 under that key over a canonical JSON of its fields,
`prev_hash` and `key_id`. The keys live in the environment (settings.AUDIT_HMAC_KEYS), never in
the database, so whoever can write the table but does not hold the key cannot re-hash a changed
row. Changing, deleting or inserting a row breaks the chain from that row on.

Rows written before the chain was keyed have an empty `key_id` and a plain SHA-256 hash. They
may only form a prefix: once a keyed row appears, an unkeyed row after it is a break.
Removing rows from the end leaves a valid chain, which is why the head (count and last hash)
is also recorded outside the table (clinic/audit/management/head.py) and compared at verification.

The serialization below is frozen: changing it would make every existing row fail verification.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

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


def _canonical_time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _payload(values: dict, prev_hash: str) -> dict:
    payload = {name: values.get(name) for name in HASHED_FIELDS}
    payload["created_at"] = _canonical_time(values["created_at"])
    payload["prev_hash"] = prev_hash
    return payload


def _canonical(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def event_hash(values: dict, prev_hash: str) -> str:
    """The unkeyed hash of rows written before the chain was keyed: sha256, no secret."""
    return hashlib.sha256(_canonical(_payload(values, prev_hash))).hexdigest()


def event_mac(values: dict, prev_hash: str, *, key_id: str, key: str) -> str:
    """HMAC-SHA256 under `key` of one row's fields, the previous row's hash and the key's id."""
    payload = _payload(values, prev_hash) | {"key_id": key_id}
    return hmac.new(key.encode("utf-8"), _canonical(payload), hashlib.sha256).hexdigest()


def head_mac(*, count: int, head_hash: str, key_id: str, key: str) -> str:
    """HMAC of a recorded head, so that a head written without the key is not believed."""
    message = _canonical({"count": count, "hash": head_hash, "key_id": key_id})
    return hmac.new(key.encode("utf-8"), b"audit-head:" + message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None
    reason: str = ""
    unkeyed: int = 0  # rows at the start written before the chain was keyed
    head: str = GENESIS  # the hash of the last row checked
    # The hash of the row at each recorded position asked for, to compare with a recorded head.
    hash_at: Mapping[int, str] | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def chain_verify(rows: Iterable, *, keys: Mapping[str, str], positions: Iterable[int] = ()) -> ChainReport:
    """Walk rows in id order; report the first row whose link, key or content does not match.

    `positions` are counts (1 = the first row) whose row hash the report should carry.
    """
    wanted = set(positions)
    hash_at: dict[int, str] = {}
    prev = GENESIS
    checked = 0
    unkeyed = 0

    def broken(row, reason: str) -> ChainReport:
        return ChainReport(checked, row.id, reason, unkeyed, prev, hash_at)

    for row in rows:
        if row.prev_hash != prev:
            return broken(row, "its prev_hash does not match the row before it")
        values = {name: getattr(row, name) for name in HASHED_FIELDS}
        if row.key_id:
            key = keys.get(row.key_id)
            if key is None:
                return broken(row, f"it was signed with audit key id {row.key_id!r}, which is not configured")
            expected = event_mac(values, row.prev_hash, key_id=row.key_id, key=key)
        else:
            if unkeyed != checked:
                return broken(row, "it is unkeyed but comes after keyed rows")
            expected = event_hash(values, row.prev_hash)
        if not hmac.compare_digest(expected, row.hash):
            return broken(row, "its content does not match its hash")
        prev = row.hash
        checked += 1
        if not row.key_id:
            unkeyed += 1
        if checked in wanted:
            hash_at[checked] = row.hash
    return ChainReport(checked, None, "", unkeyed, prev, hash_at)
