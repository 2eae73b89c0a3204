"""Which staff member each stored session belongs to, so ending someone's sessions is one indexed query.

Django keeps the user's id inside each session's encoded data; finding someone's sessions would
mean decoding every row (seconds at tens of thousands of rows, long enough for deactivating a
compromised account to time out). The session store (clinic/ops/sessions.py) keeps this table in
step with every session it creates, re-keys or deletes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SessionOwner(models.Model):
    session_key = models.CharField(max_length=40, primary_key=True)
    # Indexed (a foreign key is): "every session of this person" is an index lookup.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"session of user {self.user_id}"
