"""Credential documents as the network issues them, signed with eddsa-jcs-2022, and the local
resolver our verifier uses (our DID document and status lists; nothing else, no network)."""

import datetime as dt
import re
from urllib.parse import quote

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from serendip.credentials import contexts, eddsa_jcs, status_list
from serendip.credentials.verify import Verification, verify_credential
from serendip.passport.models import Member

from . import issuer
from .models import IssuedCredential
from .selectors import Achievement, revoked_indexes

ISSUER_NAME = "Serendip"


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sign(unsigned: dict, *, now: dt.datetime | None = None) -> dict:
    options = {
        "type": eddsa_jcs.PROOF_TYPE,
        "cryptosuite": eddsa_jcs.CRYPTOSUITE,
        "created": iso(now or timezone.now()),
        "verificationMethod": issuer.issuer_method(),
        "proofPurpose": "assertionMethod",
    }
    return eddsa_jcs.secure(unsigned, options=options, key=issuer.issuer_key())


def status_entry(credential: IssuedCredential) -> dict:
    number, index = divmod(credential.pk, issuer.STATUS_LIST_SIZE)
    url = issuer.status_list_url(number)
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


def _frame(credential: IssuedCredential, *, context: list[str], types: list[str], name: str) -> dict:
    return {
        "@context": context,
        "id": f"urn:uuid:{credential.uid}",
        "type": ["VerifiableCredential", *types],
        "name": name,
        "issuer": {"id": issuer.issuer_did(), "name": ISSUER_NAME},
        "validFrom": iso(credential.issued_at),
        "validUntil": iso(credential.valid_until),
    }


def passport_document(
    credential: IssuedCredential, member: Member, tags: dict[str, dict[str, float]]
) -> dict:
    document = _frame(
        credential,
        context=[contexts.CREDENTIALS_V2, issuer.context_url()],
        types=["SerendipPassportCredential"],
        name=str(_("Serendip passport")),
    )
    document["description"] = str(
        _(
            "What this member offers and is interested in, as kept in their Serendip passport, "
            "and since when they are a member of the network."
        )
    )
    document["credentialSubject"] = {
        "type": "SerendipPassport",
        "name": member.display_name,
        "memberSince": member.created_at.date().isoformat(),
        "offers": [{"tag": t, "weight": w} for t, w in sorted(tags.get("offer", {}).items())],
        "interests": [{"tag": t} for t in sorted(tags.get("interest", {}))],
        "network": issuer.site_url("/"),
    }
    document["credentialStatus"] = status_entry(credential)
    return document


def _slug(text: str) -> str:
    # Every character but unreserved ones percent-encoded: the path segment decodes to the tag.
    return quote(text, safe="")


ACHIEVEMENTS = {
    "answers": (
        _("Accepted answers: {tag}"),
        _(
            "Answered questions tagged {tag!r} in the Serendip network; each answer was accepted by the "
            "member who asked."
        ),
    ),
    "meetings": (
        _("Confirmed meetings"),
        _(
            "Met other professionals at Serendip co-working spaces; "
            "each meeting was confirmed by both members."
        ),
    ),
    "introductions": (
        _("Introductions that led to a meeting"),
        _("Introduced members to each other who then met and both confirmed the meeting."),
    ),
}


def achievement_definition(kind: str, tag: str = "") -> dict:
    """The Open Badges Achievement (what was achieved, and the criteria), served at its own id."""
    title, criteria = (str(text) for text in ACHIEVEMENTS[kind])
    path = f"/credentials/achievements/{kind}" + (f"/{_slug(tag)}" if tag else "")
    badge = {
        "id": issuer.site_url(path),
        "type": ["Achievement"],
        "name": title.format(tag=tag),
        "description": criteria.format(tag=tag),
        "criteria": {"narrative": criteria.format(tag=tag)},
    }
    if tag:
        badge["tag"] = [tag]
    return badge


def achievement_document(credential: IssuedCredential, member: Member, achievement: Achievement) -> dict:
    badge = achievement_definition(achievement.kind, achievement.tag)
    document = _frame(
        credential,
        context=[contexts.CREDENTIALS_V2, contexts.OPEN_BADGES_V3],
        types=["OpenBadgeCredential"],
        name=badge["name"],
    )
    document["issuer"].update(type=["Profile"], url=issuer.site_url("/"))
    document["credentialSubject"] = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": member.display_name,
            }
        ],
        "achievement": badge,
        "result": [{"type": ["Result"], "value": str(achievement.count)}],
    }
    document["credentialStatus"] = status_entry(credential)
    return document


def status_list_credential(number: int, *, now: dt.datetime | None = None) -> dict:
    """Status list `number`, signed now (valid for a day; verifiers fetch it again)."""
    now = now or timezone.now()
    url = issuer.status_list_url(number)
    unsigned = {
        "@context": [contexts.CREDENTIALS_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.issuer_did(),
        "validFrom": iso(now),
        "validUntil": iso(now + dt.timedelta(days=1)),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": status_list.encode(
                revoked_indexes(number, issuer.STATUS_LIST_SIZE), length=issuer.STATUS_LIST_SIZE
            ),
        },
    }
    return sign(unsigned, now=now)


_STATUS_PATH = re.compile(r"^/credentials/status/(\d{1,12})$")


def resolve(url: str) -> dict | None:
    """Our own DID document and status lists, read locally; anything else is unknown."""
    if url == issuer.issuer_did():
        return issuer.did_document()
    prefix = issuer.site_url("")
    if isinstance(url, str) and url.startswith(prefix):
        match = _STATUS_PATH.match(url[len(prefix) :])
        if match:
            return status_list_credential(int(match.group(1)))
    return None


def credential_verify(document, *, now: dt.datetime | None = None) -> Verification:
    return verify_credential(
        document, resolve=resolve, now=now or timezone.now(), known_contexts=set(issuer.known_contexts())
    )
