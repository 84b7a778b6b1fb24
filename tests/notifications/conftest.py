"""Helpers for the reach tests: verified addresses, a local SMTP sink."""

import socket
import threading
import time

import pytest

from serendip.notifications.services import email_mark_verified
from tests.network.conftest import make_room, open_space  # noqa: F401  (shared fixtures)


@pytest.fixture
def verify():
    def make(member, email=None):
        member.user.email = email or f"{member.user.username}@example.org"
        member.user.save(update_fields=["email"])
        email_mark_verified(member=member)
        return member

    return make


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """An aiosmtpd server on a free port that keeps what it receives. `hold_at=n` makes the
    n-th MAIL FROM wait (before any data is accepted) until `release()`."""

    def __init__(self, hold_at: int | None = None):
        from aiosmtpd.controller import Controller

        self.messages: list[bytes] = []
        self.mail_from = 0
        self.hold_at = hold_at
        self.holding = threading.Event()
        self._release = threading.Event()
        sink = self

        class Handler:
            async def handle_MAIL(self, server, session, envelope, address, mail_options):
                sink.mail_from += 1
                if sink.hold_at is not None and sink.mail_from == sink.hold_at:
                    sink.holding.set()
                    while not sink._release.is_set():
                        await _sleep(0.05)
                envelope.mail_from = address
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                sink.messages.append(envelope.original_content or envelope.content)
                return "250 Message accepted"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def release(self):
        self._release.set()

    def message_ids(self) -> list[str]:
        from email import message_from_bytes

        return [message_from_bytes(m)["Message-ID"] for m in self.messages]

    def wait_for(self, n: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while len(self.messages) < n and time.monotonic() < deadline:
            time.sleep(0.05)


async def _sleep(seconds):
    import asyncio

    await asyncio.sleep(seconds)


@pytest.fixture
def smtp_sink(settings):
    sink = Sink()
    sink.controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield sink
    sink.release()
    sink.controller.stop()
