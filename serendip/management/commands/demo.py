"""`serendip demo`: seed the small demo network. Safe to run again: nothing is duplicated."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction

from serendip import demo_data
from serendip.errors import Conflict, InvalidInput
from serendip.exchange.models import Question
from serendip.exchange.services import (
    answer_accept,
    answer_create,
    introduction_create,
    meeting_confirm,
    meeting_record,
    outcome_record,
    question_ask,
)
from serendip.l10n import language_for_country
from serendip.network.models import OpeningHours, Room, Space
from serendip.network.services import booking_create
from serendip.notifications.services import email_mark_verified
from serendip.onboarding.services import member_verify
from serendip.passport.models import Member, Verification, Visibility
from serendip.passport.services import activity_record, member_set_tags
from serendip.presence.selectors import member_checkin_on, member_checkin_today
from serendip.presence.services import checkin_create

User = get_user_model()


class Command(BaseCommand):
    help = "Seed the demo network (spaces, members with tags, today's check-ins); idempotent."

    @transaction.atomic
    def handle(self, *args, **options):
        spaces = {}
        for name, slug, city, country, tz, seats, price in demo_data.SPACES:
            spaces[slug], _ = Space.objects.update_or_create(
                slug=slug,
                defaults=dict(
                    name=name,
                    city=city,
                    country=country,
                    timezone=tz,
                    seats=seats,
                    seat_price=Decimal(price),
                    language=language_for_country(country),
                ),
            )
        for slug, room, capacity, cents, amenities in demo_data.ROOMS:
            Room.objects.update_or_create(
                space=spaces[slug],
                name=room,
                defaults=dict(capacity=capacity, hourly_price_cents=cents, amenities=amenities),
            )

        members = {}
        # One hash for the shared demo password: hashing it per user costs ~0.2 s each.
        password_hash = make_password(demo_data.DEMO_PASSWORD)
        for username, name, headline, offers, needs, interests in demo_data.MEMBERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create(username=username, password=password_hash)
            if username == "operator" and not user.is_staff:
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            member, created = Member.objects.get_or_create(
                user=user,
                defaults=dict(
                    display_name=name,
                    headline=headline,
                    # The two who read their own language are on their lobby screens (public).
                    visibility=Visibility.PUBLIC
                    if len(members) % 5 or username in demo_data.LANGUAGES
                    else Visibility.MEMBERS,
                    language=demo_data.LANGUAGES.get(username, ""),
                ),
            )
            if created:
                activity_record(member=member, verb="joined", summary="Joined Serendip")
                member_verify(member=member, how=Verification.OPERATOR)  # the welcome grant
            member_set_tags(member=member, offers=offers, needs=needs, interests=interests)
            if not user.email:  # a verified demo address, so the demo outbox shows their email
                user.email = f"{username}@demo.serendip.example"
                user.save(update_fields=["email"])
                email_mark_verified(member=member)
            members[username] = member
        spaces["utrecht-cs"].hosts.add(members["host"])
        booked = self._rooms(spaces, members)

        made = 0
        for slug, usernames in demo_data.TODAY.items():
            space = spaces[slug]
            today = space.local_today()
            for username in usernames:
                member = members[username]
                if member_checkin_on(member, today) is not None:
                    continue
                try:
                    checkin_create(
                        member=member, space_id=space.pk, date=today, focus=demo_data.FOCUS.get(username, "")
                    )
                    made += 1
                except Conflict:
                    pass  # full (a host may have shrunk the space): the demo is still usable
        self._exchange(members)
        self.stdout.write(
            f"Demo network: {len(spaces)} spaces, {len(members)} members, {made} new check-ins today.\n"
            f"Room bookings: {booked} new.\n"
            f"Log in with password {demo_data.DEMO_PASSWORD!r} as:\n"
            f"  member    ada       (Python developer, checked in at Utrecht CS)\n"
            f"  member    sanne     (reads Dutch; checked in at Utrecht CS)\n"
            f"  member    marco     (reads Italian; checked in at Milano Isola Lab)\n"
            f"  host      host      (hosts Seats2meet Utrecht CS)\n"
            f"  operator  operator  (staff: /admin/)"
        )

    def _rooms(self, spaces: dict, members: dict) -> int:
        """Opening hours for every demo space, and a few room bookings (each made once)."""
        for slug, hours in demo_data.OPENING_HOURS.items():
            for weekday, opens, closes in hours:
                OpeningHours.objects.update_or_create(
                    space=spaces[slug],
                    weekday=weekday,
                    defaults=dict(opens=dt.time.fromisoformat(opens), closes=dt.time.fromisoformat(closes)),
                )
        made = 0
        for username, slug, room_name, days, start, end, title in demo_data.BOOKINGS:
            space = spaces[slug]
            date = space.local_today() + dt.timedelta(days=days)
            room = Room.objects.get(space=space, name=room_name)
            try:
                booking_create(
                    member=members[username],
                    room_id=room.pk,
                    starts_at=dt.datetime.combine(date, dt.time.fromisoformat(start)),
                    ends_at=dt.datetime.combine(date, dt.time.fromisoformat(end)),
                    title=title,
                )
                made += 1
            except (Conflict, InvalidInput):
                pass  # booked by an earlier run, or already past today: nothing twice
        return made

    def _exchange(self, members: dict) -> None:
        """Questions, answers, introductions and meetings, once (skipped when already seeded)."""
        if Question.objects.filter(asker__user__username__in=list(members)).exists():
            return
        for asker, title, tags, answers, accepted, rating in demo_data.QUESTIONS:
            q = question_ask(asker=members[asker], title=title, tags=tags)
            for author, body in answers:
                a = answer_create(author=members[author], question_id=q.pk, body=body)
                if author == accepted:
                    answer_accept(asker=members[asker], answer_id=a.pk, rating=rating)
        for requester, recipient in demo_data.INTRODUCTIONS:
            introduction_create(member=members[requester], recipient_id=members[recipient].pk)
        for recorder, other, outcome in demo_data.MEETINGS:
            checkin = member_checkin_today(members[recorder])
            if checkin is None:
                continue
            try:
                meeting = meeting_record(
                    member=members[recorder], other_id=members[other].pk, date=checkin.date
                )
            except Conflict:
                continue
            meeting_confirm(member=members[other], meeting_id=meeting.pk, rating=5)
            outcome_record(
                member=members[recorder],
                meeting_id=meeting.pk,
                kind=outcome,
                value_cents=150000 if outcome == "paid_work" else None,
            )
