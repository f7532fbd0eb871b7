"""A teacher's pasted list of names, turned into student accounts with one-time passwords."""

import re
import unicodedata
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction

from accounts import one_time

from .models import Classroom, Enrolment

MAX_NAMES = 200


@dataclass(frozen=True)
class Slip:
    """What a student needs to sign in the first time; the password exists only here."""

    name: str
    username: str
    password: str


def parse_names(text: str) -> list[tuple[str, str]]:
    """One student per line: "First Last", "Last, First" or a single name. Blank lines and
    repeated lines are dropped."""
    names, seen = [], set()
    for line in (text or "").splitlines():
        line = " ".join(line.replace("\t", " ").split()).strip(" ,;")
        if not line:
            continue
        if "," in line:
            last, _, first = line.partition(",")
        else:
            first, _, last = line.rpartition(" ") if " " in line else (line, "", "")
        first, last = first.strip(), last.strip()
        key = (first.casefold(), last.casefold())
        if key not in seen:
            seen.add(key)
            names.append((first[:150], last[:150]))
    return names


def username_base(first: str, last: str) -> str:
    """ascii "maria.lopez": easy to type on any keyboard."""
    text = f"{first}.{last}" if last else first
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9.]+", "", text).strip(".")
    return (text or "student")[:140]


def free_username(base: str, taken: set[str]) -> str:
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}{n}"
    taken.add(candidate)
    return candidate


@transaction.atomic
def add_students(classroom: Classroom, text: str) -> list[Slip]:
    """Create an account for each name, enrol it, and return the sign-in slips."""
    names = parse_names(text)
    if not names:
        raise ValueError("Paste at least one name, one student per line.")
    if len(names) > MAX_NAMES:
        raise ValueError(f"Paste at most {MAX_NAMES} names at a time.")
    bases = {username_base(first, last) for first, last in names}
    taken = {
        u.lower()
        for u in User.objects.filter(
            username__iregex=r"^(" + "|".join(re.escape(b) for b in bases) + r")[0-9]*$"
        ).values_list("username", flat=True)
    }
    slips = []
    for first, last in names:
        user = User.objects.create_user(
            username=free_username(username_base(first, last), taken),
            first_name=first,
            last_name=last,
        )
        Enrolment.objects.create(classroom=classroom, student=user)
        slips.append(Slip(f"{first} {last}".strip(), user.username, one_time.issue(user)))
    return slips


def new_passwords(classroom: Classroom, student_ids) -> list[Slip]:
    """Fresh one-time passwords for students of this class (a teacher's reset)."""
    students = User.objects.filter(pk__in=student_ids, enrolments__classroom=classroom)
    return [
        Slip(f"{u.first_name} {u.last_name}".strip() or u.username, u.username, one_time.issue(u))
        for u in students.order_by("last_name", "first_name", "username")
    ]
