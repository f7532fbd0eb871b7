"""Students: join a class by its code."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from . import joining
from .models import normalize_code


@require_http_methods(["GET", "HEAD", "POST"])
def join(request: HttpRequest, code: str = "") -> HttpResponse:
    """GET: the code form (filled in from a link like /join/ABC123/). POST: join. A visitor who
    is not signed in is sent to log in or sign up first and comes back here."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    code = normalize_code(request.POST.get("code", code))
    error = ""
    if request.method == "POST":
        try:
            classroom, created = joining.join(request.user, code)
        except joining.JoinError as problem:
            error = str(problem)
        else:
            if created:
                messages.success(request, f"You joined {classroom.name}.")
            else:
                messages.info(request, f"You are already in {classroom.name}.")
            return redirect("courses:course_list")
    status = 400 if error else 200
    return TemplateResponse(
        request, "classrooms/join.html", {"code": code, "error": error}, status=status
    )
