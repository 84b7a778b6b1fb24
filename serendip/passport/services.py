"""Writes to passports: sign-up, profile and tag edits, the timeline, API tokens.

Every function is keyword-only and atomic; bad input raises a `serendip.errors` error before
anything is written.
"""

import functools
import hashlib
import hmac
import io
import re
import secrets
from collections.abc import Iterable, Mapping
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from serendip import fastsql
from serendip.errors import Conflict, InvalidInput
from serendip.l10n import language_choices
from serendip.tags import TagError, normalise_tag
from serendip.text import clean_text

from .billing import FIELDS as BILLING_FIELDS
from .billing import check_billing
from .models import (
    Activity,
    ApiToken,
    BillingDetails,
    Member,
    MemberTag,
    Photo,
    Session,
    Tag,
    TagKind,
    Verification,
    Visibility,
)

User = get_user_model()

MAX_TAGS_PER_KIND = 30
MIN_WEIGHT, MAX_WEIGHT = 0.1, 10.0
TOKEN_PREFIX_LENGTH = 12
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,200}")  # secrets.token_urlsafe's alphabet


def activity_record(*, member: Member, verb: str, summary: str, extra: dict | None = None) -> Activity:
    # Written on every check-in and exchange: one INSERT through fastsql, not the ORM's save().
    activity = Activity(
        member=member, verb=verb, summary=summary[:300], extra=extra or {}, created_at=timezone.now()
    )
    activity.pk = fastsql.insert(
        Activity,
        {f: getattr(activity, f) for f in ("member", "verb", "summary", "extra", "created_at")},
    )
    activity._state.adding = False
    activity._state.db = connection.alias
    return activity


@transaction.atomic
def member_signup(*, username: str, password: str, display_name: str, email: str = "") -> Member:
    username = clean_text(username, field="username", max_length=150)
    display_name = clean_text(display_name, field="display_name", max_length=80) or username
    if not username:
        raise InvalidInput(_("username cannot be empty"))
    try:
        User.username_validator(username)
        validate_password(password, user=User(username=username, email=email))
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages)) from exc
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(_("the username “%(username)s” is taken") % {"username": username})
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, password=password, email=email)
    except IntegrityError as exc:  # a concurrent sign-up took the name between check and insert
        raise Conflict(_("the username “%(username)s” is taken") % {"username": username}) from exc
    member = Member.objects.create(user=user, display_name=display_name)
    activity_record(member=member, verb="joined", summary="Joined Serendip")
    # No social capital yet: the welcome grant waits until the account is verified
    # (serendip/onboarding: member_verify), so sign-ups cannot farm it.
    return member


@transaction.atomic
def member_mark_verified(*, member: Member, how: str) -> bool:
    """Mark the passport verified (once): True if this call did it, False if it already was.
    One conditional UPDATE, so of two concurrent calls exactly one returns True."""
    if how not in Verification.values:
        raise InvalidInput(f"how must be one of {', '.join(Verification.values)}")
    now = timezone.now()
    done = Member.objects.filter(pk=member.pk, verified_at__isnull=True).update(
        verified_at=now, verified_how=how
    )
    if done:
        member.verified_at, member.verified_how = now, how
    return bool(done)


@transaction.atomic
def member_update(
    *,
    member: Member,
    display_name: str | None = None,
    headline: str | None = None,
    about: str | None = None,
    visibility: str | None = None,
    open_to_matching: bool | None = None,
    language: str | None = None,
) -> Member:
    changed = []
    if display_name is not None:
        display_name = clean_text(display_name, field="display_name", max_length=80)
        if not display_name:
            raise InvalidInput(_("display_name cannot be empty"))
        member.display_name = display_name
        changed.append("display_name")
    if headline is not None:
        member.headline = clean_text(headline, field="headline", max_length=120)
        changed.append("headline")
    if about is not None:
        member.about = clean_text(about, field="about", max_length=2000)
        changed.append("about")
    if visibility is not None:
        if visibility not in Visibility.values:
            raise InvalidInput(f"visibility must be one of {', '.join(Visibility.values)}")
        member.visibility = visibility
        changed.append("visibility")
    if open_to_matching is not None:
        member.open_to_matching = bool(open_to_matching)
        changed.append("open_to_matching")
    if language is not None:
        # "" is "as my browser"; otherwise exactly one of our codes (no "nl-BE": pages pick the
        # variant themselves), so what is stored is what the switcher and the API show.
        if language and language not in dict(language_choices()):
            codes = ", ".join(code for code, _name in language_choices())
            raise InvalidInput(f"language must be empty (as the browser asks) or one of {codes}")
        member.language = language
        changed.append("language")
    if changed:
        member.save(update_fields=[*changed, "updated_at"])
        activity_record(
            member=member, verb="passport_updated", summary="Updated passport", extra={"fields": changed}
        )
    return member


TagInput = Mapping[str, float] | Iterable[str]


def _tag_problems(raw: TagInput | None, *, kind: str) -> tuple[dict[str, float], list[str]]:
    """Normalise one kind's tags: ({name: weight}, every problem found), not stopping at the first."""
    if raw is None:
        return {}, []
    items = raw.items() if isinstance(raw, Mapping) else ((t, 1.0) for t in raw)
    result: dict[str, float] = {}
    problems: list[str] = []
    for name, weight in items:
        try:
            tag = normalise_tag(name)
        except TagError as exc:
            problems.append(f"{kind} tag {name!r}: {exc}")
            continue
        try:
            weight = float(weight)
        except (TypeError, ValueError):
            problems.append(f"{kind} tag {tag!r}: weight must be a number")
            continue
        if not (MIN_WEIGHT <= weight <= MAX_WEIGHT):
            problems.append(f"{kind} tag {tag!r}: weight must be between {MIN_WEIGHT} and {MAX_WEIGHT}")
            continue
        result[tag] = max(weight, result.get(tag, 0.0))
    if len(result) > MAX_TAGS_PER_KIND:
        problems.append(f"at most {MAX_TAGS_PER_KIND} {kind} tags (got {len(result)})")
    return result, problems


def check_tags(raw: TagInput | None, *, kind: str) -> dict[str, float]:
    """Normalise one kind's tags: {name: weight}. Duplicates after normalisation keep the larger weight.
    Every problem is reported at once (joined with "; "), not only the first."""
    result, problems = _tag_problems(raw, kind=kind)
    if problems:
        raise InvalidInput("; ".join(problems))
    return result


def tags_get_or_create(names: Iterable[str]) -> dict[str, Tag]:
    names = set(names)
    existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=n) for n in sorted(names - existing.keys())]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)  # a concurrent writer may add the same
        existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    return existing


@transaction.atomic
def member_set_tags(
    *,
    member: Member,
    offers: TagInput | None = None,
    needs: TagInput | None = None,
    interests: TagInput | None = None,
) -> None:
    """Replace the given kinds of tags (a kind passed as None is left as it is)."""
    wanted: dict[str, dict[str, float]] = {}
    problems: list[str] = []
    for kind, raw in ((TagKind.OFFER, offers), (TagKind.NEED, needs), (TagKind.INTEREST, interests)):
        if raw is not None:
            wanted[kind], found = _tag_problems(raw, kind=kind)
            problems += found
    if problems:  # all of them at once: a passport edit should not take one round trip per typo
        raise InvalidInput("; ".join(problems))
    if not wanted:
        return
    tags = tags_get_or_create(name for by_name in wanted.values() for name in by_name)
    Member.objects.select_for_update().filter(pk=member.pk).first()  # serialise edits of one passport
    current = {
        (mt.kind, mt.tag.name): mt.weight
        for mt in MemberTag.objects.filter(member=member, kind__in=wanted).select_related("tag")
    }
    target = {(kind, name): w for kind, by_name in wanted.items() for name, w in by_name.items()}
    if current == target:
        return
    MemberTag.objects.filter(member=member, kind__in=wanted).delete()
    MemberTag.objects.bulk_create(
        MemberTag(member=member, tag=tags[name], kind=kind, weight=w) for (kind, name), w in target.items()
    )
    member.save(update_fields=["updated_at"])
    added = sorted(f"{k}:{n}" for k, n in target.keys() - current.keys())
    removed = sorted(f"{k}:{n}" for k, n in current.keys() - target.keys())
    parts = []
    if added:
        parts.append("added " + _some([a.split(":", 1)[1] for a in added]))
    if removed:
        parts.append("removed " + _some([r.split(":", 1)[1] for r in removed]))
    activity_record(
        member=member,
        verb="tags_changed",
        summary="Changed tags: " + ("; ".join(parts) or "new weights"),
        extra={"added": added, "removed": removed},
    )


def _some(names: list[str], *, shown: int = 5) -> str:
    """ "a, b, c, d, e and 3 more" for the stored (English) summary; the timeline shows its own
    line in the reader's language (passport.timeline)."""
    if len(names) <= shown:
        return ", ".join(names)
    return ", ".join(names[:shown]) + f" and {len(names) - shown} more"


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, user) -> tuple[ApiToken, str]:
    """Issue a bearer token. The raw token is returned once and never stored."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        prefix=raw[:TOKEN_PREFIX_LENGTH],
        digest=_digest(raw),
        auth_hash=user.get_session_auth_hash(),
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS),
    )
    return token, raw


def token_authenticate(*, raw: str) -> ApiToken | None:
    """The live token for a raw bearer string, or None (unknown, wrong, expired or revoked).

    Every API request runs this, so it is one statement (fastsql): the token, its user and the
    user's passport together; `user.member` is then answered without another query."""
    if not _TOKEN_SHAPE.fullmatch(raw or ""):
        return None  # not a token we issue (and nothing that could upset the query: NUL, non-ASCII)
    sql = _token_sql()
    now = ApiToken._meta.get_field("expires_at").get_db_prep_save(timezone.now(), connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [raw[:TOKEN_PREFIX_LENGTH], now])
        row = cursor.fetchone()
    if row is None:
        return None
    token = fastsql.load(ApiToken, row)
    if not hmac.compare_digest(token.digest, _digest(raw)):
        return None
    user = fastsql.load(User, row, fastsql.width(ApiToken))
    if not user.is_active or not hmac.compare_digest(token.auth_hash, user.get_session_auth_hash()):
        return None  # a disabled account, or a password changed since the token was issued
    member = fastsql.load(Member, row, fastsql.width(ApiToken) + fastsql.width(User))
    User.member.related.set_cached_value(user, member)  # None caches "no passport"
    token.user = user
    return token


@functools.cache
def _token_sql() -> str:
    qn = connection.ops.quote_name
    return (
        f"SELECT {fastsql.columns(ApiToken, 't')}, {fastsql.columns(User, 'u')},"
        f" {fastsql.columns(Member, 'm')}"
        f" FROM {qn(ApiToken._meta.db_table)} t"
        f" JOIN {qn(User._meta.db_table)} u ON u.{qn(User._meta.pk.column)} = t.{qn('user_id')}"
        f" LEFT JOIN {qn(Member._meta.db_table)} m ON m.{qn('user_id')} = u.{qn(User._meta.pk.column)}"
        f" WHERE t.{qn('prefix')} = %s AND t.{qn('revoked_at')} IS NULL AND t.{qn('expires_at')} > %s"
    )


@transaction.atomic
def token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def user_sign_out_everywhere(*, user, keep_session_key: str | None = None) -> dict[str, int]:
    """Revoke every live API token of `user` and end their browser sessions (all of them, or
    all but `keep_session_key`). Returns how many of each were ended."""
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    sessions = Session.objects.filter(user_pk=user.pk)
    if keep_session_key:
        sessions = sessions.exclude(session_key=keep_session_key)
    ended, _by_type = sessions.delete()
    return {"tokens": tokens, "sessions": ended}


@transaction.atomic
def user_password_change(*, user, old_password: str, new_password: str, keep_session_key: str | None) -> None:
    """Change the password; every API token and every other session ends with the old one."""
    if not user.check_password(old_password):
        raise InvalidInput(_("the current password is wrong"))
    try:
        validate_password(new_password, user=user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages)) from exc
    user.set_password(new_password)
    user.save(update_fields=["password"])
    user_sign_out_everywhere(user=user, keep_session_key=keep_session_key)


@transaction.atomic
def member_edit(
    *,
    member: Member,
    offers: TagInput | None = None,
    needs: TagInput | None = None,
    interests: TagInput | None = None,
    **fields,
) -> Member:
    """Profile fields and tags in one all-or-nothing edit (what the passport form and PATCH /me do)."""
    member_update(member=member, **fields)
    member_set_tags(member=member, offers=offers, needs=needs, interests=interests)
    return member


# --- billing details ----------------------------------------------------------------------


@transaction.atomic
def billing_details_set(*, member: Member, **fields: str | None) -> BillingDetails | None:
    """Replace the member's billing details (a field left out is emptied); with every field empty
    they are removed. InvalidInput names every problem at once. Issued invoices keep the details
    they were issued with."""
    unknown = sorted(set(fields) - set(BILLING_FIELDS))
    if unknown:
        raise InvalidInput(f"unknown billing fields: {', '.join(unknown)}")
    clean, errors = check_billing(fields)
    if errors:
        raise InvalidInput("; ".join(f"{field}: {problem}" for field, problem in errors.items()))
    if not any(clean.values()):
        BillingDetails.objects.filter(member=member).delete()
        return None
    details, _created = BillingDetails.objects.update_or_create(member=member, defaults=clean)
    return details


# --- profile pictures ---------------------------------------------------------------------


PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
PHOTO_SIZE = 256
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def check_photo(data: bytes) -> bytes:
    """An upload -> a square 256 px JPEG without EXIF, judged by its content, not its name.
    Raises InvalidInput for anything that is not a JPEG, PNG, WebP or GIF picture of sane size."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not data:
        raise InvalidInput(_("choose a picture to upload"))
    if len(data) > PHOTO_MAX_BYTES:
        raise InvalidInput(_("a picture may be at most %(mb)s MB") % {"mb": PHOTO_MAX_BYTES // (1024 * 1024)})
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in PHOTO_FORMATS:
                raise InvalidInput(_("a picture must be a JPEG, PNG, WebP or GIF"))
            if probe.width * probe.height > PHOTO_MAX_PIXELS:
                raise InvalidInput(_("that picture has too many pixels"))
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            img = ImageOps.exif_transpose(img)  # the way the camera was held, then EXIF is dropped
            img = ImageOps.fit(img.convert("RGB"), (PHOTO_SIZE, PHOTO_SIZE), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            img.save(out, "JPEG", quality=85, optimize=True)  # no exif= argument: nothing carried over
            return out.getvalue()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise InvalidInput(_("that file is not a picture we can read")) from exc


@transaction.atomic
def member_photo_set(*, member: Member, data: bytes) -> Member:
    """Set (or replace) the member's profile picture."""
    jpeg = check_photo(data)
    Photo.objects.update_or_create(member=member, defaults={"data": jpeg})
    member.photo_version += 1
    member.save(update_fields=["photo_version"])
    activity_record(member=member, verb="photo_changed", summary="Changed profile picture")
    return member


@transaction.atomic
def member_photo_remove(*, member: Member) -> Member:
    """Back to initials."""
    Photo.objects.filter(member=member).delete()
    if member.photo_version:
        member.photo_version = 0
        member.save(update_fields=["photo_version"])
        activity_record(member=member, verb="photo_removed", summary="Removed profile picture")
    return member
