from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

# SQLite and PostgreSQL wording for a missing table or column: migrations were not run.
SCHEMA_MISMATCH = ("no such table", "no such column", "does not exist")


class DatabaseUnavailableMiddleware:
    """A locked or unreachable database is a "not saved — try again", never a traceback.

    SQLite waits for its busy timeout and PostgreSQL for its connection timeout first; only
    when that runs out does the learner see this 503 (htmx shows it as "not saved").
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        if isinstance(exception, DatabaseError) and any(
            sign in str(exception) for sign in SCHEMA_MISMATCH
        ):
            return None  # a deployment mistake (migrations not run), not a busy database
        return unavailable()


def unavailable() -> HttpResponse:
    """The "not saved — try again" page, for middleware that reads the database itself."""
    response = HttpResponse(render_to_string("503.html", request=None), status=503)
    response["Retry-After"] = "5"
    return response
