"""Which learners a teacher may see: the students of the classes they teach."""

from django.contrib.auth.models import User


def learners_taught_by(user):
    """None (everyone) for a superuser; otherwise the ids of their classes' students."""
    if user.is_superuser:
        return None
    return User.objects.filter(enrolments__classroom__teachers=user).values("pk")
