"""Which fields an edit changes: the one diff every service writes into its audit event."""

from __future__ import annotations

from collections.abc import Mapping


def changed_fields(stored: object, values: Mapping[str, object]) -> list[str]:
    """The names in `values` whose value differs from `stored`'s, sorted (compare with the stored row)."""
    return sorted(name for name, value in values.items() if getattr(stored, name) != value)
