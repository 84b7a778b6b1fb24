"""The session engine (settings.SESSION_ENGINE): Django's database sessions in `passport.Session`,
which also records the signed-in user, so that "sign out everywhere" can end every session."""

import re

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore

# Keys Django itself makes: 32 of [a-z0-9]. Anything else in the cookie (a NUL, say, which
# PostgreSQL refuses in a query) is no session at all, without asking the database.
_KEY = re.compile(r"[a-z0-9]{32}")


class SessionStore(DbSessionStore):
    @classmethod
    def get_model_class(cls):
        from .models import Session

        return Session

    def _validate_session_key(self, key):
        return bool(key) and _KEY.fullmatch(key) is not None

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        try:
            session.user_pk = int(data[SESSION_KEY])
        except (KeyError, TypeError, ValueError):
            session.user_pk = None
        return session
