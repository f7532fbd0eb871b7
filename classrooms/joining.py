"""Students joining a class by its code."""

from .models import Classroom, Enrolment, normalize_code


class JoinError(Exception):
    """Shown to the student as is."""


def find_class(code: str) -> Classroom:
    classroom = Classroom.objects.filter(join_code=normalize_code(code)).first()
    if classroom is None:
        raise JoinError("No class has that code. Check it with your teacher.")
    if not classroom.joining_open:
        raise JoinError("This class is not taking new students. Ask your teacher to add you.")
    return classroom


def join(user, code: str) -> tuple[Classroom, bool]:
    """(the class, whether the student was added now); joining twice is harmless."""
    classroom = find_class(code)
    _, created = Enrolment.objects.get_or_create(classroom=classroom, student=user)
    return classroom, created
