"""The Serendipity Machine as the platform runs it: one engine index per process, kept fresh.

The index is built once per process (or loaded from the snapshot `serendip matching rebuild`
writes) and then refreshed incrementally: each use applies `Engine.update` for passports
edited since the last look (one indexed query on `Member.updated_at`), so a web request never
rebuilds it. Feedback (answers, introductions, meetings) is learned at build time from the
database and, in this process, as it happens.
"""

import datetime as dt
import logging
import pickle
import threading
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Prefetch
from django.utils import timezone

from serendip.matching import Engine, Feedback, Profile
from serendip.passport.models import Member, MemberTag, Visibility

log = logging.getLogger(__name__)

SNAPSHOT_NAME = "matching-index.pickle"
REBUILD_AFTER_CHANGES = 5000  # more passport edits than this since the last look: rebuild instead

_lock = threading.RLock()
_state: dict = {"engine": None, "seen": None, "snapshot_mtime": None}


def snapshot_path() -> Path:
    return Path(settings.VAR_DIR) / SNAPSHOT_NAME


def recent_activity(member_ids=None) -> dict[int, int]:
    """Answers given in the last 30 days, per member: how active someone is right now."""
    from .models import Answer

    since = timezone.now() - dt.timedelta(days=30)
    answers = Answer.objects.filter(created_at__gte=since, deleted_at=None)
    if member_ids is not None:
        answers = answers.filter(author_id__in=member_ids)
    return dict(answers.values("author").annotate(n=Count("id")).values_list("author", "n"))


def profile_of(member: Member, activity: int = 0) -> Profile:
    """A member's passport as the engine sees it (uses prefetched member_tags)."""
    offers, needs, interests = {}, {}, {}
    for mt in member.member_tags.all():
        {"offer": offers, "need": needs, "interest": interests}[mt.kind][mt.tag.name] = mt.weight
    return Profile(
        id=str(member.pk),
        offers=offers,
        needs=needs,
        interests=list(interests),
        about=f"{member.headline}. {member.about}".strip(". "),
        hidden=member.visibility == Visibility.HIDDEN,
        open_to_matching=member.open_to_matching,
        recent_activity=float(activity),
    )


def _members():
    return Member.objects.prefetch_related(
        Prefetch("member_tags", queryset=MemberTag.objects.select_related("tag"))
    ).order_by("pk")


def feedback_history() -> list[Feedback]:
    """What the network has learned so far, oldest first, in the engine's terms."""
    from .models import Answer, Introduction, IntroductionStatus, Meeting, MeetingStatus

    events: list[tuple[dt.datetime, Feedback]] = []
    answers = Answer.objects.filter(deleted_at=None, question__deleted_at=None).select_related("question")
    for a in answers.prefetch_related("question__tags").iterator(chunk_size=2000):
        tags = [t.name for t in a.question.tags.all()]
        kind = "answer_accepted" if a.accepted else "answer_given"
        other = str(a.question.asker_id)
        events.append(
            (
                a.created_at,
                Feedback(kind=kind, member=str(a.author_id), other=other, tags=tags, text=a.question.title),
            )
        )
    for i in Introduction.objects.exclude(status=IntroductionStatus.PENDING).iterator(chunk_size=2000):
        kind = "introduction_accepted" if i.status == IntroductionStatus.ACCEPTED else "introduction_declined"
        events.append(
            (
                i.answered_at or i.created_at,
                Feedback(kind=kind, member=str(i.recipient_id), other=str(i.requester_id)),
            )
        )
    for m in Meeting.objects.filter(status=MeetingStatus.CONFIRMED).iterator(chunk_size=2000):
        events.append(
            (
                m.confirmed_at or m.created_at,
                Feedback(kind="meeting_confirmed", member=str(m.other_id), other=str(m.recorded_by_id)),
            )
        )
    events.sort(key=lambda e: e[0])
    return [f for _, f in events]


def build() -> Engine:
    started = timezone.now()
    activity = recent_activity()
    engine = Engine.build(
        [profile_of(m, activity.get(m.pk, 0)) for m in _members().iterator(chunk_size=2000)]
    )
    history = feedback_history()
    if history:
        engine.learn(history)
    _state.update(engine=engine, seen=started)
    return engine


def save_snapshot(engine: Engine, seen: dt.datetime) -> Path:
    path = snapshot_path()
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as f:
        pickle.dump({"engine": engine, "seen": seen}, f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)  # atomic: readers see the old snapshot or the new one, never half
    return path


def _load_snapshot_if_newer() -> bool:
    path = snapshot_path()
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return False
    if _state["snapshot_mtime"] == mtime:
        return False
    with path.open("rb") as f:
        data = pickle.load(f)  # our own file, written by save_snapshot
    _state.update(engine=data["engine"], seen=data["seen"], snapshot_mtime=mtime)
    return True


def engine() -> Engine:
    """The fresh engine for this process."""
    with _lock:
        _load_snapshot_if_newer()
        if _state["engine"] is None:
            build()
            return _state["engine"]
        now = timezone.now()
        changed = list(_members().filter(updated_at__gte=_state["seen"])[: REBUILD_AFTER_CHANGES + 1])
        if len(changed) > REBUILD_AFTER_CHANGES:
            return build()
        activity = recent_activity([m.pk for m in changed])
        for member in changed:
            _state["engine"].update(profile_of(member, activity.get(member.pk, 0)))
        _state["seen"] = now
        return _state["engine"]


def learn(events: list[Feedback]) -> None:
    """Teach this process's engine now (others learn at their next build)."""
    with _lock:
        if _state["engine"] is not None and events:
            _state["engine"].learn(events)


def reset() -> None:
    """Forget the in-process index (tests; after a rebuild)."""
    with _lock:
        _state.update(engine=None, seen=None, snapshot_mtime=None)
