"""Sessions in PostgreSQL, as Django keeps them, except that a database outage is a server error.

Django's database store reports every database error while updating a session as `UpdateError`,
which SessionMiddleware answers with 400 Bad Request ("the session was deleted"). During a
PostgreSQL restart that turns a patient confirming their date of birth into a client error: the
load balancer and the logs blame the user, and nothing says to try again. A row that really is
gone stays a 400; a lost connection becomes the 500 it is.
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.db import InterfaceError, OperationalError

UNREACHABLE = (OperationalError, InterfaceError)


class SessionStore(db.SessionStore):
    def save(self, must_create: bool = False) -> None:
        try:
            super().save(must_create=must_create)
        except UpdateError as error:
            if isinstance(error.__context__, UNREACHABLE):
                raise error.__context__ from None
            raise

    async def asave(self, must_create: bool = False) -> None:
        try:
            await super().asave(must_create=must_create)
        except UpdateError as error:
            if isinstance(error.__context__, UNREACHABLE):
                raise error.__context__ from None
            raise
