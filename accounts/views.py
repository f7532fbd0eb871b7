"""Sign-up, log-in/out, the first-password page and the e-mailed password reset."""

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from . import one_time
from .forms import LoginForm, OwnPasswordForm, ResetRequestForm, SignUpForm

BACKEND = "accounts.backends.CaseInsensitiveModelBackend"


def safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return ""


@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "HEAD", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend=BACKEND)
        messages.success(
            request,
            f"Welcome, {user.first_name}! Your account is ready: from now on your answers and "
            f"progress are saved. You log in as “{user.get_username()}”.",
        )
        return redirect(safe_next(request) or "courses:course_list")
    return TemplateResponse(
        request, "registration/signup.html", {"form": form, "next": safe_next(request)}
    )


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def first_password(request: HttpRequest) -> HttpResponse:
    """ "Choose your own password" after a one-time password: no old password asked."""
    if not one_time.is_required(request.user):
        # Only for a one-time password: anyone else changes it by knowing the old one.
        one_time.forget_in_session(request)
        return redirect(safe_next(request) or "courses:course_list")
    form = OwnPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()  # clears the mark
        update_session_auth_hash(request, user)  # stay signed in
        one_time.forget_in_session(request)
        messages.success(request, "Your new password is saved. Use it next time you log in.")
        return redirect(safe_next(request) or "courses:course_list")
    return TemplateResponse(
        request, "registration/first_password.html", {"form": form, "next": safe_next(request)}
    )


log_in = auth_views.LoginView.as_view(
    authentication_form=LoginForm, redirect_authenticated_user=True
)
log_out = auth_views.LogoutView.as_view()

password_reset = auth_views.PasswordResetView.as_view(form_class=ResetRequestForm)
password_reset_done = auth_views.PasswordResetDoneView.as_view()
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    form_class=OwnPasswordForm, success_url=reverse_lazy("password_reset_complete")
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view()
