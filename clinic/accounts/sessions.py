"""Session lifetime bookkeeping and ending a person's sessions.

Sign-in stamps the session with its start and last activity (unix seconds); the
SessionLifetimeMiddleware ends it after SESSION_IDLE_SECONDS without a request or
SESSION_ABSOLUTE_SECONDS after sign-in, whichever comes first.
"""

from __future__ import annotations

import time

from django.contrib.sessions.models import Session
from django.utils import timezone

SIGNED_IN_AT = "steady_signed_in_at"
LAST_SEEN = "steady_last_seen"
# Set at sign-in when the person has a second factor: then they must give it, REQUIRE_2FA or not.
SECOND_FACTOR_EXPECTED = "steady_second_factor_expected"


def now_seconds() -> int:
    return int(time.time())


def sessions_end_for_user(user, *, keep_session_key: str | None = None) -> int:
    """Delete every stored session of `user` except `keep_session_key`; return how many ended.

    Works with the database session store (Django's default, which Steady uses). Live sessions
    are few (they last 12 hours at most), so decoding each is cheap.
    """
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.session_key == keep_session_key:
            continue
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended
