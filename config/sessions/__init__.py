"""Django's database session store, reading the session row with a query compiled once.

Every signed-in request reads its session row first; compiling that small query each time
cost about as much CPU as running it (see config.prepared). Set as SESSION_ENGINE
("config.sessions"; with a cache in front: "config.sessions.cached").
"""

import logging

from django.contrib.sessions.backends import db
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone

from config.prepared import DATETIME, TEXT, PreparedQuery


def _live_session(key, now):
    from django.contrib.sessions.models import Session

    return Session.objects.filter(session_key=key, expire_date__gt=now)


_session = PreparedQuery(_live_session, key=TEXT, now=DATETIME)


class PreparedLoad:
    """db.SessionStore's row read (the same rows, the same handling of a bad key)."""

    def _get_session_from_db(self):
        try:
            rows = _session(key=self.session_key, now=timezone.now())
        except SuspiciousOperation as error:
            logger = logging.getLogger(f"django.security.{error.__class__.__name__}")
            logger.warning(str(error))
            rows = []
        if not rows:
            self._session_key = None
            return None
        return rows[0]


class SessionStore(PreparedLoad, db.SessionStore):
    pass
