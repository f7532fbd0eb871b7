"""Which learners a teacher may see: the students of the classes they teach."""

from .models import Enrolment


def learners_taught_by(user):
    """None (everyone) for a superuser; otherwise the ids of their classes' students.

    Straight from the enrolments (no join to the users or the classes): every scoped report
    query carries this subquery, and a teacher of big classes has thousands of students."""
    if user.is_superuser:
        return None
    return Enrolment.objects.filter(classroom__teachers=user).values("student_id")
