"""Log-in throttling (django-axes): who the client is, and a limit per address.

Two locks, both for `AXES_COOLOFF_TIME` (15 minutes), on the student and the admin log-in
forms alike (one counter for both: an attacker gets no extra tries by switching forms):

* per username + address: `AXES_FAILURE_LIMIT` (5) wrong passwords for one account from one
  address pause that account from that address (axes' own lock, `AXES_LOCKOUT_PARAMETERS`);
* per address, over all usernames: `LOGIN_FAILURE_LIMIT_PER_ADDRESS` (20) failures from one
  address pause every log-in from it. This stops a password spray (a few guesses at many
  accounts). axes has a single failure limit for all its parameter combinations, so this
  second limit is counted here, from the same `AccessAttempt` rows axes keeps: a failure
  followed by a successful log-in is forgotten (`AXES_RESET_ON_SUCCESS`), so a class behind
  one school address that mistypes now and then does not add up to the limit.

The address is the client's, as the trusted reverse proxies saw it (`client_ip_address`).
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from ipware.ip import get_client_ip


def client_ip_address(request) -> str | None:
    """The client's address (`AXES_CLIENT_IP_CALLABLE`).

    With no proxy configured (`TRUSTED_PROXY_COUNT` 0) it is `REMOTE_ADDR` and
    X-Forwarded-For is ignored: anyone can send that header. Behind N trusted proxies it is
    the Nth address from the right of X-Forwarded-For: each proxy appends the address it
    received the request from, so the right-most N entries are written by our proxies and
    whatever the client put to their left is ignored. django-ipware counts only the proxies
    listed in the header (the last one is `REMOTE_ADDR`), hence `proxy_count=N - 1`; not
    strict, so a forged extra entry on the left is skipped rather than making ipware drop
    the whole header (and fall back to the proxy's own address, shared by everyone).
    """
    remote_addr = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return remote_addr
    address, _routable = get_client_ip(
        request,
        proxy_count=proxies - 1,
        request_header_order=["HTTP_X_FORWARDED_FOR"],
        strict=False,
        algorithm="modern",
    )
    return address or remote_addr  # header missing or too short: not through the proxies


class AxesHandler(AxesDatabaseHandler):
    """axes' database handler plus the per-address limit (`AXES_HANDLER`).

    A request refused by this limit gets `request.axes_address_locked = True`, so the
    locked-out page can say that log-in is paused for everyone at this address.
    """

    def address_failures(self, request) -> int:
        """Failed log-ins from the request's address within the cool-off, over all usernames."""
        address = getattr(request, "axes_ip_address", None)
        if not address:
            return 0
        recent = AccessAttempt.objects.filter(
            ip_address=address, attempt_time__gte=get_cool_off_threshold(request)
        )
        return recent.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def is_address_locked(self, request) -> bool:
        limit = settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS
        locked = settings.AXES_LOCK_OUT_AT_FAILURE and self.address_failures(request) >= limit
        if locked:
            request.axes_address_locked = True
        return locked

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or self.is_address_locked(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or request.axes_locked_out:
            return
        if self.is_whitelisted(request, credentials) or not self.is_address_locked(request):
            return
        request.axes_locked_out = True
        request.axes_credentials = credentials
        user_locked_out.send(
            "axes",
            request=request,
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        )
