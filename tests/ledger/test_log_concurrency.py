"""On PostgreSQL: writers and integrators racing keep the log gap-free and every checkpoint
consistent with the next."""

from io import StringIO

import pytest
from django.core.management import call_command

from serendip.ledger import log, tlog
from serendip.ledger.models import LogCheckpoint, LogEntry, Transaction
from serendip.ledger.services import Leg, member_account, network_account, transaction_record
from tests.concurrency import run_concurrently
from tests.ledger.test_log_integration import configure_ledger

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _ledger(settings, tmp_path):
    configure_ledger(settings, tmp_path)


def test_concurrent_appends_and_integrations_keep_the_log_consistent(make_member):
    members = [make_member() for _ in range(4)]
    network = network_account()

    def writer(k):
        account = member_account(members[k % len(members)])
        for i in range(10):
            transaction_record(
                kind="answer_accepted",
                reason="race",
                subject=f"race:{k}:{i}",
                legs=[Leg(network, -1), Leg(account, 1)],
            )
            if i % 3 == 0:
                log.log_integrate()

    results = run_concurrently([lambda k=k: writer(k) for k in range(8)] + [log.log_integrate] * 4)
    assert not [r for r in results if isinstance(r, Exception)], results
    cp = log.log_integrate()
    assert cp.size == LogEntry.objects.count() == Transaction.objects.count() == 4 + 80
    assert list(LogEntry.objects.values_list("index", flat=True)) == list(range(cp.size))
    hashes = [tlog.leaf_hash(bytes(d)) for d in LogEntry.objects.values_list("data", flat=True)]
    for c in LogCheckpoint.objects.all():
        assert bytes(c.root) == tlog.root(hashes[: c.size])
    out = StringIO()
    call_command("ledger", "verify", stdout=out)
    assert "ledger verify: OK" in out.getvalue()
