from django.conf import settings
from django.db import models


class PasswordChange(models.Model):
    """Whether an account must choose its own password before doing anything else.

    Set by `accounts.one_time.issue` (a teacher's one-time password), cleared when the user
    chooses a password of their own (first-password page or an e-mailed reset link).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_change"
    )
    required = models.BooleanField("must choose a new password", default=False)
    issued_at = models.DateTimeField("one-time password issued", null=True, blank=True)
    changed_at = models.DateTimeField("own password chosen", null=True, blank=True)

    class Meta:
        verbose_name = "password change"

    def __str__(self):
        return f"{self.user}: {'must choose a password' if self.required else 'own password'}"
