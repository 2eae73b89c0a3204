"""What makes a clinical record correctable: it can be marked "entered in error" and then stops counting.

A record type joins by inheriting `Correctable` (one nullable column, so SQLite adds it in place
and keeps the triggers other apps hold on the table) and registering a `RecordKind` in
clinic.patients.corrections. Its default manager, `objects`, leaves out entries in error, so
every reader written with `Model.objects` or a related manager (`patient.visits`) honours a
correction without knowing about it; only the history (timeline, corrections) reads
`every_entry`. Raw SQL (the dashboard's triggers) filters on `entered_in_error_at IS NULL` itself.
"""

from __future__ import annotations

from django.db import models


class CountedManager(models.Manager):
    """The entries that count: everything but entries in error."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(entered_in_error_at__isnull=True)


class EveryEntryManager(models.Manager):
    """Every entry, in error or not: for the history, never for a count."""


class Correctable(models.Model):
    # Set once, by corrections.record_mark_in_error, with a Correction row saying who and why.
    entered_in_error_at = models.DateTimeField("entered in error at", null=True, blank=True, editable=False)

    objects = CountedManager()
    every_entry = EveryEntryManager()

    class Meta:
        abstract = True

    @property
    def is_in_error(self) -> bool:
        return self.entered_in_error_at is not None
