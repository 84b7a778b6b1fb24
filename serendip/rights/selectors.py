"""Reads for members' rights: what links a table to a member (found dynamically, so tables
other apps add later are covered too), the achievements a member has earned, credentials."""

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q

from serendip.exchange.models import Answer, Introduction, Meeting, MeetingStatus, Question
from serendip.ledger.models import Transaction, TxKind
from serendip.passport.models import Member

from .models import DataExport, IssuedCredential


def member_links() -> list[tuple[type[models.Model], models.Field]]:
    """Every (model, foreign key) that points at a member or their user account, in every
    installed app (auto-created many-to-many tables included)."""
    User = get_user_model()
    found = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model in (Member, User):
                found.append((model, field))
    return found


def rows_of(member: Member, model: type[models.Model], field: models.Field) -> models.QuerySet:
    target = member.user_id if field.related_model is not Member else member.pk
    return model._default_manager.filter(**{field.attname: target})


@dataclass(frozen=True)
class Achievement:
    key: str  # "answers:<tag>", "meetings", "introductions"
    kind: str
    tag: str
    count: int


def achievements_of(member: Member) -> list[Achievement]:
    """What the confirmations and the ledger prove the member did for others: answers accepted
    by their askers (per tag; not deleted, earning not reversed), meetings both members
    confirmed, introductions that led to a confirmed meeting."""
    reversed_subjects = set(
        Transaction.objects.filter(
            kind=TxKind.ANSWER_ACCEPTED, beneficiary=member, reversed_by__isnull=False
        ).values_list("subject", flat=True)
    )
    answers = (
        Answer.objects.filter(author=member, accepted=True, deleted_at=None, question__deleted_at=None)
        .exclude(question__asker=member)
        .values_list("pk", "question_id")
    )
    question_ids = {q for pk, q in answers if f"answer:{pk}" not in reversed_subjects}
    per_tag: dict[str, int] = {}
    tag_rows = Question.tags.through.objects.filter(question_id__in=question_ids).values_list(
        "tag__name", flat=True
    )
    for name in tag_rows:
        per_tag[name] = per_tag.get(name, 0) + 1
    found = [Achievement(f"answers:{t}", "answers", t, n) for t, n in sorted(per_tag.items())]
    meetings = Meeting.objects.filter(status=MeetingStatus.CONFIRMED).filter(
        Q(member_low=member) | Q(member_high=member)
    )
    if n := meetings.count():
        found.append(Achievement("meetings", "meetings", "", n))
    introductions = (
        Introduction.objects.filter(introducer=member, meetings__status=MeetingStatus.CONFIRMED)
        .distinct()
        .count()
    )
    if introductions:
        found.append(Achievement("introductions", "introductions", "", introductions))
    return found


def revoked_indexes(number: int, size: int) -> set[int]:
    """Bits set in status list `number`: its revoked credentials."""
    ids = IssuedCredential.objects.filter(
        pk__gte=number * size, pk__lt=(number + 1) * size, revoked_at__isnull=False
    ).values_list("pk", flat=True)
    return {pk - number * size for pk in ids}


def credentials_of(member: Member) -> list[IssuedCredential]:
    return list(IssuedCredential.objects.filter(member=member).order_by("-id"))


def exports_of(member: Member) -> list[DataExport]:
    """The member's prepared or pending exports (without their bytes), newest first."""
    return list(DataExport.objects.filter(member=member).defer("data")[:5])


def export_of(member: Member, export_id: int) -> DataExport | None:
    return DataExport.objects.filter(member=member, pk=export_id).first()
