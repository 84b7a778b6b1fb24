"""The Serendipity Machine as the platform runs it: one index per machine, shared by every web
process, kept fresh in each.

The index lives in a snapshot directory (`settings.MATCHING_SNAPSHOT_DIR`, default
`VAR_DIR/matching/`): generations of memory-mapped arrays (`serendip.matching.snapshot`), the
current one named by the file `CURRENT`. Every process maps the current generation read-only,
so the operating system holds one copy however many gunicorn workers there are. `serendip
matching rebuild` (nightly, from cron) writes a new generation; processes switch to it on their
next use. Without one (or when it is refused: another format version, a damaged file, logged as
an error), the first process to need it builds the index under a file lock and writes it, and the
others wait for that and map it. Between rebuilds each process applies `Engine.update` for
passports edited since its last look (one indexed query on `Member.updated_at`); those rows live
in a small private overlay. Feedback (answers, introductions, meetings) is learned at the build.
"""

import datetime as dt
import fcntl
import logging
import os
import shutil
import threading
from pathlib import Path

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from serendip.matching import Engine, Feedback, Profile
from serendip.matching.snapshot import SnapshotError
from serendip.passport.models import Member, MemberTag, Visibility

from .models import Question

log = logging.getLogger(__name__)

CURRENT = "CURRENT"  # names the current generation directory
KEEP_GENERATIONS = 2  # older ones are deleted (processes still mapping them keep their pages)
REBUILD_AFTER_CHANGES = 5000  # more passport edits than this since the last look: rebuild instead

_lock = threading.RLock()
CLOCK_MARGIN = dt.timedelta(seconds=5)

_state: dict = {"engine": None, "seen": None, "generation": None, "refused": None, "applied": {}}


def snapshot_dir() -> Path:
    configured = getattr(settings, "MATCHING_SNAPSHOT_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "matching"


def current_generation() -> Path | None:
    """The directory of the current snapshot, or None if none was written yet."""
    root = snapshot_dir()
    try:
        name = (root / CURRENT).read_text().strip()
    except FileNotFoundError:
        return None
    return root / name if name else None


def recent_activity(member_ids=None) -> dict[int, int]:
    """Answers given in the last 30 days, per member: how active someone is right now."""
    from .models import Answer

    since = timezone.now() - dt.timedelta(days=30)
    answers = Answer.objects.filter(created_at__gte=since, deleted_at=None)
    if member_ids is not None:
        answers = answers.filter(author_id__in=member_ids)
    return dict(answers.values("author").annotate(n=Count("id")).values_list("author", "n"))


def _profile(row: tuple, tags: dict[str, dict[str, float]], activity: int) -> Profile:
    pk, headline, about, visibility, open_to_matching = row
    return Profile(
        id=str(pk),
        offers=tags.get("offer", {}),
        needs=tags.get("need", {}),
        interests=list(tags.get("interest", {})),
        about=f"{headline}. {about}".strip(". "),
        hidden=visibility == Visibility.HIDDEN,
        open_to_matching=open_to_matching,
        recent_activity=float(activity),
    )


def profiles(members=None) -> list[Profile]:
    """Passports as the engine sees them, read as plain rows (model instances for 60,000 members
    and their tags cost ten times more)."""
    # Deleted passports (their user is inactive) are not in the index at all.
    qs = Member.objects.filter(user__is_active=True).order_by("pk")
    tag_rows = MemberTag.objects.all()
    if members is not None:
        ids = [m.pk for m in members]
        qs, tag_rows = qs.filter(pk__in=ids), tag_rows.filter(member_id__in=ids)
    tags: dict[int, dict[str, dict[str, float]]] = {}
    for member_id, kind, name, weight in tag_rows.values_list(
        "member_id", "kind", "tag__name", "weight"
    ).iterator(chunk_size=20000):
        tags.setdefault(member_id, {}).setdefault(kind, {})[name] = weight
    activity = recent_activity(None if members is None else [m.pk for m in members])
    rows = qs.values_list("pk", "headline", "about", "visibility", "open_to_matching")
    return [
        _profile(row, tags.get(row[0], {}), activity.get(row[0], 0))
        for row in rows.iterator(chunk_size=20000)
    ]


# Learning replays history in Python; the most recent events are what matters (the engine
# keeps the latest few thousand questions anyway), so older ones are left out of a build.
LEARN_ANSWERS = 3_000
LEARN_PAIR_EVENTS = 3_000


def feedback_history() -> list[Feedback]:
    """The most recent things the network learned from, oldest first, in the engine's terms."""
    from .models import Answer, Introduction, IntroductionStatus, Meeting, MeetingStatus

    events: list[tuple[dt.datetime, Feedback]] = []
    answers = (
        Answer.objects.filter(deleted_at=None, question__deleted_at=None)
        .order_by("-created_at")
        .values_list(
            "created_at", "author_id", "accepted", "question_id", "question__asker_id", "question__title"
        )[:LEARN_ANSWERS]
    )
    answers = list(answers)
    question_tags: dict[int, list[str]] = {}
    tag_rows = Question.tags.through.objects.filter(question_id__in={a[3] for a in answers})
    for question_id, name in tag_rows.values_list("question_id", "tag__name"):
        question_tags.setdefault(question_id, []).append(name)
    for created, author, accepted, question_id, asker, title in answers:
        kind = "answer_accepted" if accepted else "answer_given"
        tags = question_tags.get(question_id, [])
        events.append(
            (created, Feedback(kind=kind, member=str(author), other=str(asker), tags=tags, text=title))
        )
    pair_events: list[tuple[dt.datetime, Feedback]] = []
    intros = (
        Introduction.objects.exclude(status=IntroductionStatus.PENDING)
        .order_by("-created_at")
        .values_list("answered_at", "created_at", "status", "recipient_id", "requester_id")[
            :LEARN_PAIR_EVENTS
        ]
    )
    for answered, created, status, recipient, requester in intros:
        kind = "introduction_accepted" if status == IntroductionStatus.ACCEPTED else "introduction_declined"
        pair_events.append(
            (answered or created, Feedback(kind=kind, member=str(recipient), other=str(requester)))
        )
    meetings = (
        Meeting.objects.filter(status=MeetingStatus.CONFIRMED)
        .order_by("-created_at")
        .values_list("confirmed_at", "created_at", "other_id", "recorded_by_id")[:LEARN_PAIR_EVENTS]
    )
    for confirmed, created, other, recorder in meetings:
        pair_events.append(
            (confirmed or created, Feedback(kind="meeting_confirmed", member=str(other), other=str(recorder)))
        )
    pair_events.sort(key=lambda e: e[0])
    events += pair_events[-LEARN_PAIR_EVENTS:]
    events.sort(key=lambda e: e[0])
    return [f for _, f in events]


def build() -> Engine:
    """Build the index from the database in this process (seconds at seed scale)."""
    started = timezone.now()
    engine = Engine.build(profiles())
    history = feedback_history()
    if history:
        engine.learn(history)
    _state.update(engine=engine, seen=started, generation=None, applied={})
    return engine


def save_snapshot(engine: Engine, seen: dt.datetime) -> Path:
    """Write a new generation and make it the current one (atomically: readers see the old
    generation or the new one, never half)."""
    root = snapshot_dir()
    root.mkdir(parents=True, exist_ok=True)
    name = f"{timezone.now():%Y%m%dT%H%M%S%f}-{os.getpid()}"
    path = engine.save(root / name, meta={"seen": seen.isoformat()})
    tmp = root / f"{CURRENT}.{os.getpid()}.tmp"
    tmp.write_text(name + "\n")
    tmp.replace(root / CURRENT)
    generations = sorted(p for p in root.iterdir() if p.is_dir())
    for old in generations[:-KEEP_GENERATIONS]:
        if old.name != name:
            shutil.rmtree(old, ignore_errors=True)
    return path


def _load_snapshot_if_newer() -> bool:
    path = current_generation()
    if path is None or path.name in (_state["generation"], _state["refused"]):
        return False
    try:
        engine = Engine.load(path)
        seen = dt.datetime.fromisoformat(engine.snapshot_meta["seen"])
    except (SnapshotError, KeyError, TypeError, ValueError) as exc:
        log.error("matching snapshot %s refused, rebuilding it: %s", path, exc)
        _state["refused"] = path.name
        return False
    _state.update(engine=engine, seen=seen, generation=path.name, applied={})
    return True


def _build_shared() -> None:
    """Build the index once for the whole machine: under a file lock, so of several processes
    needing it at once one builds and writes it and the others map what it wrote."""
    root = snapshot_dir()
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if _load_snapshot_if_newer():
                return
            started = timezone.now()
            engine = build()
            save_snapshot(engine, started)
            if not _load_snapshot_if_newer():  # map what was written, so this process shares it too
                _state.update(engine=engine, seen=started)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def engine() -> Engine:
    """The fresh engine for this process."""
    with _lock:
        _load_snapshot_if_newer()
        if _state["engine"] is None:
            _build_shared()
            return _state["engine"]
        # Look back a little before the last look: an edit whose transaction committed just after
        # it carries an earlier timestamp. What was already applied (same timestamp) is skipped.
        since = _state["seen"] - CLOCK_MARGIN
        rows = Member.objects.filter(updated_at__gte=since).values_list("pk", "updated_at")
        rows = list(rows[: REBUILD_AFTER_CHANGES + 1])
        if len(rows) > REBUILD_AFTER_CHANGES:
            _state["engine"] = None
            _build_shared()
            return _state["engine"]
        applied = _state["applied"]
        fresh = [(pk, at) for pk, at in rows if applied.get(pk) != at]
        if fresh:
            found = profiles([Member(pk=pk) for pk, _ in fresh])
            for profile in found:
                _state["engine"].update(profile)
            for gone in {str(pk) for pk, _ in fresh} - {p.id for p in found}:
                _state["engine"].remove(gone)  # a deleted passport
        _state["applied"] = dict(rows)
        _state["seen"] = max(_state["seen"], timezone.now() - CLOCK_MARGIN)
        return _state["engine"]


def forget(member_id: int) -> None:
    """Drop a member from this process's index now (a deleted passport); other processes drop
    it when they next look for edited passports."""
    with _lock:
        if _state["engine"] is not None:
            _state["engine"].remove(str(member_id))


def reset() -> None:
    """Forget the in-process index (tests; after a rebuild)."""
    with _lock:
        _state.update(engine=None, seen=None, generation=None, refused=None, applied={})
