"""Send a user who signed in with a one-time password to "Choose your own password" first."""

from contextlib import suppress
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse

from config.middleware import UNAVAILABLE, unavailable

from . import one_time


class FirstPasswordMiddleware:
    """Every request of a signed-in user whose password must change, except the change page,
    log-out and static files, goes to the `first_password` page (admin pages included).

    htmx requests get a one-line 403 instead of a redirect to swap in, plus HX-Redirect so
    htmx loads the change page. Goes after AuthenticationMiddleware and MessageMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        try:
            # The session's mark first: for nearly every request it is False, and the path
            # check (three reverse() calls) is then not needed.
            must_change = (
                user is not None
                and user.is_authenticated
                and one_time.session_requires_change(request)
                and not self.exempt(request.path)
            )
        except UNAVAILABLE:
            # The session and user rows are read here, before any view: a locked database is
            # the same "not saved — try again" as anywhere else, not a traceback.
            return unavailable()
        if must_change:
            return self.choose_password_first(request)
        return self.get_response(request)

    @staticmethod
    def exempt(path: str) -> bool:
        prefixes = [p for p in (settings.STATIC_URL, settings.MEDIA_URL) if p and p != "/"]
        if any(path.startswith(prefix) for prefix in prefixes):
            return True
        exempt = {reverse("first_password"), reverse("logout")}
        with suppress(NoReverseMatch):
            exempt.add(reverse("admin:logout"))
        return path in exempt

    @staticmethod
    def choose_password_first(request):
        target = reverse("first_password")
        is_htmx = request.headers.get("HX-Request") == "true"
        if is_htmx:
            # Come back to the page htmx was on, not to the fragment it asked for.
            url = urlsplit(request.headers.get("HX-Current-URL", ""))
            back = url.path + (f"?{url.query}" if url.query else "")
        else:
            back = request.get_full_path() if request.method == "GET" else ""
        if back:
            target += "?" + urlencode({"next": back})  # the change page checks it is ours
        if is_htmx:
            response = HttpResponse(
                "Choose a new password first.",
                status=403,
                content_type="text/plain; charset=utf-8",
            )
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)
