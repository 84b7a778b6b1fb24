"""Questions, answers, introductions, meetings and outcomes."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from serendip.passport.models import Member


class QuestionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("question status", "Open")
    ANSWERED = "answered", pgettext_lazy("question status", "Answered (an answer was accepted)")
    DELETED = "deleted", pgettext_lazy("question status", "Deleted")


class Question(models.Model):
    asker = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="questions")
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=5000, blank=True)
    tags = models.ManyToManyField("passport.Tag", related_name="questions", blank=True)
    # "Here at my space today": routed to the people in the building as well as network-wide.
    space = models.ForeignKey(
        "network.Space", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class QuestionRoute(models.Model):
    """A member a question was routed to, with why: what "Questions for you" lists."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="routes")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="routed_questions")
    score = models.FloatField()
    reasons = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-score"]
        constraints = [models.UniqueConstraint(fields=["question", "member"], name="route_once_per_member")]
        indexes = [models.Index(fields=["member", "-created_at"], name="route_member_recent")]

    def __str__(self) -> str:
        return f"question {self.question_id} routed to {self.member_id}"


class Answer(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="answers")
    body = models.TextField(max_length=5000)
    accepted = models.BooleanField(default=False)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-accepted", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["question"], condition=Q(accepted=True), name="one_accepted_answer"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="answer_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"answer {self.pk} to question {self.question_id}"


class IntroductionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", pgettext_lazy("introduction status", "Accepted")
    DECLINED = "declined", _("Declined (no thanks)")


class Introduction(models.Model):
    """`requester` would like to meet `recipient`, who accepts or declines.

    `introducer` is the member who made the introduction, when it was not the requester
    asking from a match themselves; they earn when the two later confirm a meeting.
    """

    requester = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="introductions_sent")
    recipient = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="introductions_received")
    introducer = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="introductions_made"
    )
    message = models.CharField(max_length=500, blank=True)
    reasons = models.JSONField(default=list, blank=True)  # why the match was suggested
    status = models.CharField(
        max_length=10, choices=IntroductionStatus.choices, default=IntroductionStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(requester=F("recipient")), name="introduction_not_to_self"),
            models.UniqueConstraint(
                fields=["requester", "recipient"],
                condition=Q(status="pending"),
                name="one_pending_introduction_per_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requester_id} -> {self.recipient_id} ({self.status})"


class MeetingStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the other to confirm")
    CONFIRMED = "confirmed", _("Confirmed by both")


class Meeting(models.Model):
    """Two members met at a space on a date. Counts once the other member confirms."""

    recorded_by = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="meetings_recorded")
    other = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="meetings_to_confirm")
    space = models.ForeignKey("network.Space", on_delete=models.PROTECT, related_name="meetings")
    date = models.DateField()
    introduction = models.ForeignKey(
        Introduction, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    status = models.CharField(max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PENDING)
    # Members in a canonical order, so (a, b) and (b, a) on one day are the same meeting.
    member_low = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    member_high = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(recorded_by=F("other")), name="meeting_not_with_self"),
            models.UniqueConstraint(
                fields=["member_low", "member_high", "date"], name="one_meeting_per_pair_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"meeting {self.pk}: {self.recorded_by_id} and {self.other_id} on {self.date}"


class MeetingRating(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="ratings")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="one_rating_per_member"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="meeting_rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} rated meeting {self.meeting_id} {self.rating}/5"


class OutcomeKind(models.TextChoices):
    PAID_WORK = "paid_work", _("Led to paid work")
    COLLABORATION = "collaboration", _("New collaboration")
    LEARNED = "learned", _("Learned something useful")
    NOTHING_YET = "nothing_yet", _("Nothing yet")


class Outcome(models.Model):
    """What a meeting led to, as one member tells it (the seed's "1 in 6 got paid work")."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="outcomes")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(max_length=15, choices=OutcomeKind.choices)
    value_cents = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="value of paid work, in euro cents"
    )
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="one_outcome_per_member_per_meeting"),
            models.CheckConstraint(condition=Q(kind__in=OutcomeKind.values), name="outcome_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"meeting {self.meeting_id}: {self.kind}"
