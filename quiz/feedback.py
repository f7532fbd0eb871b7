"""Learning from teachers: how often each kind of generated question is rejected, and why.

The admin shows the figures per kind ("Rejections by kind"); generation passes the rejection
shares to the ranking, so kinds teachers keep rejecting are chosen less often.
"""

from dataclasses import dataclass

from django.db.models import Count, Q

from .models import TEACHER_ORIGIN, Question, QuestionKind, RejectionReason, Status

MIN_REVIEWED = 5  # below this many reviewed questions a kind's share is noise, not a signal


@dataclass(frozen=True)
class KindRejections:
    kind: str
    label: str
    reviewed: int  # published + rejected
    rejected: int
    reasons: tuple[int, ...]  # one count per RejectionReason, in its order

    @property
    def share(self) -> float:
        return self.rejected / self.reviewed if self.reviewed else 0.0


def rejections_by_kind() -> list[KindRejections]:
    """Generated questions teachers have reviewed, per kind, most reviewed first. One query."""
    reasons = {
        f"reason_{reason}": Count("pk", filter=Q(rejection_reason=reason))
        for reason in RejectionReason.values
    }
    rows = (
        Question.objects.filter(status__in=[Status.PUBLISHED, Status.REJECTED])
        .exclude(origin=TEACHER_ORIGIN)
        .exclude(kind="")
        .values("kind")
        .annotate(
            reviewed=Count("pk"),
            rejected=Count("pk", filter=Q(status=Status.REJECTED)),
            **reasons,
        )
        .order_by("-reviewed", "kind")
    )
    labels = dict(QuestionKind.choices)
    return [
        KindRejections(
            kind=row["kind"],
            label=labels.get(row["kind"], row["kind"]),
            reviewed=row["reviewed"],
            rejected=row["rejected"],
            reasons=tuple(row[name] for name in reasons),
        )
        for row in rows
    ]


def rejection_penalties(min_reviewed: int = MIN_REVIEWED) -> dict[str, float]:
    """kind -> share of its reviewed generated questions that teachers rejected (0..1)."""
    return {row.kind: row.share for row in rejections_by_kind() if row.reviewed >= min_reviewed}
