"""Session lifetime bookkeeping and ending a person's sessions.

Sign-in stamps the session with its start and last activity (unix seconds); the
SessionLifetimeMiddleware ends it after SESSION_IDLE_SECONDS without a request or
SESSION_ABSOLUTE_SECONDS after sign-in, whichever comes first.
"""

from __future__ import annotations

import time
from importlib import import_module

from django.conf import settings

SIGNED_IN_AT = "steady_signed_in_at"
LAST_SEEN = "steady_last_seen"
# Set at sign-in when the person has a second factor: then they must give it, REQUIRE_2FA or not.
SECOND_FACTOR_EXPECTED = "steady_second_factor_expected"


def now_seconds() -> int:
    return int(time.time())


def sessions_end_for_user(user, *, keep_session_key: str | None = None) -> int:
    """Delete every stored session of `user` except `keep_session_key`; return how many were live.

    An indexed lookup of the session store's owner table (clinic/ops/sessions.py): no session is
    decoded, however many there are.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    return store.end_sessions_of(user.pk, keep_session_key=keep_session_key)
