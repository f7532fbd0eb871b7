from django.contrib import admin
from django.http import (
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.template.loader import render_to_string
from django.urls import include, path

# Registers the bounded <id:…> converter before any URL conf (the admin's get_urls too) uses it.
import config.converters  # noqa: F401

admin.site.site_header = "Reading lessons — teachers"
admin.site.site_title = "Reading lessons admin"
admin.site.index_title = "Courses, lessons and quizzes"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("", include("classrooms.urls")),
    path("", include("quiz.urls")),
    path("", include("courses.urls")),
]


# Our own error pages. Django's default handlers run the CSRF check again (they are decorated
# with requires_csrf_token), which reads request.POST again: a body Django could not parse the
# first time (a charset other than UTF-8, a body too large) raised once more inside the 400
# handler, then inside the 500 handler, and escaped as the server's bare 500 page. These parse
# nothing, and never show the exception's text.


def bad_request(request, exception=None):
    return HttpResponseBadRequest(render_to_string("400.html", request=None))


def permission_denied(request, exception=None):
    return HttpResponseForbidden(render_to_string("403.html", request=request))


def page_not_found(request, exception=None):
    return HttpResponseNotFound(render_to_string("404.html", request=request))


def server_error(request):
    # No request, no context: it must render with the database down and no context processor.
    return HttpResponseServerError(render_to_string("500.html", request=None))


handler400 = bad_request
handler403 = permission_denied
handler404 = page_not_found
handler500 = server_error
