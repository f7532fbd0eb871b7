"""One-time passwords: a teacher prints one on a sign-in slip; the student must replace it.

    password = one_time.issue(user)   # sets it, marks "must choose a new password", saves
    one_time.is_required(user)        # True until the user has chosen their own password

While the mark is set, `accounts.middleware.FirstPasswordMiddleware` sends every request of
that user to the "Choose your own password" page (`first_password`).
"""

import secrets

from axes.utils import reset as reset_lockouts
from django.db import transaction
from django.utils import timezone

from .models import PasswordChange

# Lower-case letters and digits without the look-alikes 0/o, 1/l/i: easy to copy from paper.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
LENGTH = 10  # 31**10 ≈ 2**49, ample behind the log-in throttle
SESSION_KEY = "accounts_must_choose_password"


def new_password() -> str:
    """A random readable password from `secrets`, shown in two groups: "k7mwp-3xq9t"."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{chars[: LENGTH // 2]}-{chars[LENGTH // 2 :]}"


@transaction.atomic
def issue(user) -> str:
    """Give `user` a new one-time password and return it in plain text (for the slip only).

    The user must choose their own password at the next log-in. Any earlier password stops
    working, every session of the user ends (Django checks the password hash per session),
    and a log-in lockout of the account is lifted.
    """
    password = new_password()
    user.set_password(password)
    if user.pk is None:
        user.save()
    else:
        user.save(update_fields=["password"])
    PasswordChange.objects.update_or_create(
        user=user, defaults={"required": True, "issued_at": timezone.now()}
    )
    unlock(user)
    return password


def is_required(user) -> bool:
    """Must this user choose a new password before anything else?"""
    if user is None or not user.is_authenticated:
        return False
    return PasswordChange.objects.filter(user_id=user.pk, required=True).exists()


def clear(user) -> None:
    """The user has chosen their own password: lift the mark (and any log-in lockout)."""
    PasswordChange.objects.filter(user_id=user.pk, required=True).update(
        required=False, changed_at=timezone.now()
    )
    unlock(user)


def unlock(user) -> None:
    """Forget failed log-ins of this account (django-axes), whatever address they came from."""
    reset_lockouts(username=user.get_username())


# The mark, cached in the session (set at log-in; a new one-time password ends all sessions).


def note_login(sender, request, user, **kwargs) -> None:
    """`user_logged_in` receiver: remember in the session whether the mark is set."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_KEY] = is_required(user)


def session_requires_change(request) -> bool:
    """The signed-in user's mark, from the session (from the database once if not there)."""
    session = request.session
    if SESSION_KEY not in session:
        session[SESSION_KEY] = is_required(request.user)
    return bool(session[SESSION_KEY])


def forget_in_session(request) -> None:
    request.session[SESSION_KEY] = False
