"""Sessions in PostgreSQL, as Django keeps them, with their owner indexed, and an outage a server error.

Each signed-in session's owner is kept in `SessionOwner` as the session is saved, re-keyed or
deleted, so `end_sessions_of(user)` is one indexed lookup instead of decoding every session.

Django's database store reports every database error while updating a session as `UpdateError`,
which SessionMiddleware answers with 400 Bad Request ("the session was deleted"). During a
PostgreSQL restart that turns a patient confirming their date of birth into a client error: the
load balancer and the logs blame the user, and nothing says to try again. A row that really is
gone stays a 400; a lost connection becomes the 500 it is.
"""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from clinic.ops.models import SessionOwner

UNREACHABLE = (OperationalError, InterfaceError)


class SessionStore(db.SessionStore):
    # (session key, user id) as SessionOwner has it, so an unchanged owner costs no query.
    _owner_recorded: tuple[str | None, str | None] | None = None

    def load(self) -> dict:
        data = super().load()
        if self.session_key is not None:  # a stored session: its owner row was written with it
            self._owner_recorded = (self.session_key, data.get(SESSION_KEY))
        return data

    def save(self, must_create: bool = False) -> None:
        try:
            super().save(must_create=must_create)
        except UpdateError as error:
            if isinstance(error.__context__, UNREACHABLE):
                raise error.__context__ from None
            raise
        self._record_owner()

    def _record_owner(self) -> None:
        key, user_id = self.session_key, (self._session_cache or {}).get(SESSION_KEY)
        if key is None or (key, user_id) == self._owner_recorded:
            return
        if user_id is None:
            SessionOwner.objects.filter(session_key=key).delete()
        else:
            SessionOwner.objects.update_or_create(session_key=key, defaults={"user_id": int(user_id)})
        self._owner_recorded = (key, user_id)

    def delete(self, session_key: str | None = None) -> None:
        key = session_key or self.session_key
        super().delete(session_key)
        if key is not None:
            SessionOwner.objects.filter(session_key=key).delete()

    @classmethod
    def end_sessions_of(cls, user_id: int, *, keep_session_key: str | None = None) -> int:
        """Delete every stored session of this user but `keep_session_key`; return how many were live."""
        keys = SessionOwner.objects.filter(user_id=user_id)
        if keep_session_key is not None:
            keys = keys.exclude(session_key=keep_session_key)
        sessions = cls.get_model_class().objects.filter(session_key__in=keys.values("session_key"))
        live = sessions.filter(expire_date__gt=timezone.now()).count()
        sessions.delete()
        keys.delete()
        return live

    @classmethod
    def clear_expired(cls) -> None:
        """Django's `clearsessions`: expired sessions go, and so do their owner rows."""
        super().clear_expired()
        SessionOwner.objects.exclude(session_key__in=cls.get_model_class().objects.values("session_key")).delete()

    async def asave(self, must_create: bool = False) -> None:
        try:
            await super().asave(must_create=must_create)
        except UpdateError as error:
            if isinstance(error.__context__, UNREACHABLE):
                raise error.__context__ from None
            raise
