import codecs

from csp.constants import HEADER as CSP_HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.http.request import UnreadablePostError
from django.template.loader import render_to_string

# SQLite and PostgreSQL wording for a missing table or column: migrations were not run.
SCHEMA_MISMATCH = ("no such table", "no such column", "does not exist")

# What an unreachable store raises: the database, or the Redis that holds sessions and the
# cache when REDIS_URL is set (settings.CACHES). Either is "not saved — try again", a 503.
try:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    UNAVAILABLE = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)
except ImportError:  # pragma: no cover (redis is a dependency; without it, no Redis either)
    UNAVAILABLE = (OperationalError, InterfaceError)


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
        if not isinstance(exception, UNAVAILABLE):
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


def idle_clock() -> float:
    """Seconds since the epoch: what IdleSessionTimeoutMiddleware compares (tests move it)."""
    import time

    return time.time()


class IdleSessionTimeoutMiddleware:
    """Sign out a session left unused for SESSION_IDLE_MINUTES (shared classroom computers).

    The next request of such a session is logged out and sent to the log-in page with a
    message (htmx requests: a one-line 403 plus HX-Redirect, as FirstPasswordMiddleware does).
    The last-seen time is stored in the session at most once a minute, so a signed-in user's
    requests write the session row once a minute, not on every request; the timeout is
    therefore honoured to within a minute. Until the first stamp the user's last_login (set
    by every log-in, and already loaded) stands in for it. 0 minutes turns it off. Goes after
    AuthenticationMiddleware and MessageMiddleware.
    """

    LAST_SEEN = "_idle_last_seen"
    RESOLUTION = 60  # seconds between two writes of the last-seen time

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        limit = float(getattr(settings, "SESSION_IDLE_MINUTES", 0) or 0) * 60
        user = getattr(request, "user", None)
        if limit > 0 and user is not None:
            try:
                if user.is_authenticated:
                    response = self.check(request, limit)
                    if response is not None:
                        return response
            except UNAVAILABLE:
                return unavailable()  # the session and user rows are read here, before a view
        return self.get_response(request)

    def check(self, request, limit: float):
        now = int(idle_clock())
        last = request.session.get(self.LAST_SEEN)
        if not isinstance(last, int | float):
            # Not stamped yet (the first requests after logging in): the log-in time counts,
            # so the page after the log-in writes nothing; without one, stamp now.
            logged_in = getattr(request.user, "last_login", None)
            last = logged_in.timestamp() if logged_in else None
        if last is not None and now - last > limit:
            return self.sign_out(request, limit)
        if last is None or abs(now - last) >= self.RESOLUTION:  # abs: the clock went back
            request.session[self.LAST_SEEN] = now
        return None

    @staticmethod
    def sign_out(request, limit: float):
        from urllib.parse import urlencode, urlsplit

        from django.conf import settings
        from django.contrib import messages
        from django.contrib.auth import logout
        from django.http import HttpResponseRedirect
        from django.shortcuts import resolve_url

        logout(request)  # flushes the session: a new, anonymous one carries the message
        minutes = round(limit / 60)
        messages.info(
            request,
            f"You were signed out because this computer was not used for {minutes} "
            f"minute{'s' if minutes != 1 else ''}. Log in again to carry on.",
        )
        is_htmx = request.headers.get("HX-Request") == "true"
        if is_htmx:
            url = urlsplit(request.headers.get("HX-Current-URL", ""))
            back = url.path + (f"?{url.query}" if url.query else "")
        else:
            back = request.get_full_path() if request.method == "GET" else ""
        target = resolve_url(settings.LOGIN_URL)
        if back and urlsplit(back).path != target:
            target += "?" + urlencode({"next": back})  # the log-in view checks it is ours
        if not is_htmx:
            return HttpResponseRedirect(target)
        response = HttpResponse(
            "Signed out after being away: log in again.",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
        response["HX-Redirect"] = target
        return response


class RequestBodyGuardMiddleware:
    """Refuse a request body before Django parses it: larger than the cap (413; staff have a
    larger one, for article files), in a declared charset other than UTF-8 or undecodable
    (400). Files are taken from signed-in staff only: anyone else's file parts are skipped
    unstored (no page for learners or visitors has a file field).

    It works in process_view, so it must come before CsrfViewMiddleware (the first to read
    request.POST) in MIDDLEWARE; every middleware still adds its headers to the refusal.
    Without it, a body in "charset=utf-16" made Django raise BadRequest in the CSRF check and
    again in each error handler, and the server answered with its own bare 500 page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        length = content_length(request)
        staff = is_staff(request) if length else False
        limit = settings.MAX_STAFF_REQUEST_BYTES if staff else settings.MAX_REQUEST_BYTES
        if length > limit:
            return too_large(limit)
        if not length:
            return None
        if request.content_type == "multipart/form-data" and not staff:
            # No form for learners or visitors takes a file: never store one of theirs.
            request.upload_handlers = [RefuseFilesUploadHandler(request)]
        return self.check_charset(request)

    @staticmethod
    def check_charset(request):
        charset = request.content_params.get("charset")
        if charset is not None:
            try:
                known = codecs.lookup(charset).name
            except LookupError:
                return bad_request()
            if known != "utf-8":  # browsers send forms in UTF-8; Django decodes nothing else
                return bad_request()
            request.encoding = "utf-8"  # "UTF8", "utf_8"… as Django's own check spells it
        if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
            try:
                request.body.decode("utf-8")  # at most DATA_UPLOAD_MAX_MEMORY_SIZE is read
            except RequestDataTooBig:
                return too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
            except (UnicodeDecodeError, UnreadablePostError):
                return bad_request()
        return None


def content_length(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except (TypeError, ValueError):
        return 0  # Django reads no body then either


def is_staff(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


def bad_request() -> HttpResponse:
    return HttpResponse(render_to_string("400.html", request=None), status=400)


def too_large(limit: int) -> HttpResponse:
    megabytes = f"{limit / 1_000_000:.3g}"
    page = render_to_string("413.html", {"megabytes": megabytes}, request=None)
    return HttpResponse(page, status=413)


class RefuseFilesUploadHandler(FileUploadHandler):
    """An upload handler that stores no file: each file part is skipped, unread."""

    def new_file(self, *args, **kwargs):
        raise SkipFile

    def receive_data_chunk(self, raw_data, start):
        return None

    def file_complete(self, file_size):
        return None


# What django-csp's decorators (@csp, @csp_update, @csp_replace, @csp_exempt) leave on a response.
CSP_RESPONSE_ATTRS = tuple(
    f"_csp_{kind}{ro}" for kind in ("config", "update", "replace", "exempt") for ro in ("", "_ro")
)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's CSPMiddleware, with the header of the settings' policy built once.

    django-csp builds the header string anew for every response (~0.1 ms). Here the plain
    case, which is every response of this app, reuses the string built from
    CONTENT_SECURITY_POLICY (rebuilt when that setting is replaced): no decorator on the view,
    no nonce used, no report-only policy, no excluded URL prefixes, not a debug error page.
    Everything else goes through django-csp's own process_response unchanged.
    """

    _built: tuple[object, str] | None = None  # (the settings' policy object, its header)

    def process_response(self, request, response):
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        plain = (
            getattr(request, "_csp_nonce", None) is None
            and not getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            and not (policy or {}).get("EXCLUDE_URL_PREFIXES")
            and not (settings.DEBUG and response.status_code in (404, 500))
            and not any(hasattr(response, attr) for attr in CSP_RESPONSE_ATTRS)
        )
        if not plain:
            return super().process_response(request, response)
        built = ContentSecurityPolicyMiddleware._built
        if built is None or built[0] is not policy:
            built = ContentSecurityPolicyMiddleware._built = (policy, build_policy())
        if built[1] and CSP_HEADER not in response:
            response[CSP_HEADER] = built[1]
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
