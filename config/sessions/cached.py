"""cached_db sessions (a cache in front, the database behind) with the prepared row read."""

from django.contrib.sessions.backends import cached_db

from config.sessions import PreparedLoad


class SessionStore(PreparedLoad, cached_db.SessionStore):
    pass
