"""The app's URLs plus a trivial /hello/ view: the baseline of the saturation benchmark.

/hello/ goes through the whole middleware stack (sessions, CSRF, auth, htmx) but touches no
database table: what a request costs before the app does any work.
"""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns


def hello(request):
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [path("hello/", hello), *app_urlpatterns]
