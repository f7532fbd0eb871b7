"""Log-in by username in any case: "MARIA", "Maria" and "maria" are the same account."""

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from config.prepared import INTEGER, PreparedQuery

UserModel = get_user_model()

# The signed-in user's row, read on every request: compiled once (see config.prepared).
_user_by_id = PreparedQuery(lambda pk: UserModel._default_manager.filter(pk=pk), pk=INTEGER)


def find_user(username: str):
    """The account a typed username means, ignoring case.

    Legacy accounts may differ only in case ("Maria" and "maria"); then only an exact match
    counts. None if there is no such account.
    """
    field = UserModel.USERNAME_FIELD
    matches = list(UserModel._default_manager.filter(**{f"{field}__iexact": username})[:2])
    if len(matches) == 1:
        return matches[0]
    if not matches:
        return None
    try:
        return UserModel._default_manager.get_by_natural_key(username)
    except UserModel.DoesNotExist:
        return None


class CaseInsensitiveModelBackend(ModelBackend):
    """ModelBackend (permissions, `is_active`) with a case-insensitive username look-up."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(UserModel.USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = find_user(username)
        if user is None:
            # Hash anyway, so an unknown username takes as long as a wrong password.
            UserModel().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """ModelBackend's, with the query compiled once; a malformed id is nobody."""
        try:
            pk = UserModel._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        rows = _user_by_id(pk=pk)
        if rows and self.user_can_authenticate(rows[0]):
            return rows[0]
        return None

    async def aauthenticate(self, request, username=None, password=None, **kwargs):
        return await sync_to_async(self.authenticate)(
            request, username=username, password=password, **kwargs
        )


def lockout_username(request, credentials=None) -> str:
    """django-axes counts failed log-ins per username: "SAM", "Sam" and "sam" count as one,
    on the student and the admin log-in forms alike."""
    if credentials:
        username = credentials.get(UserModel.USERNAME_FIELD)
    else:
        username = getattr(request, "POST", {}).get(UserModel.USERNAME_FIELD)
    return (username or "").casefold()
