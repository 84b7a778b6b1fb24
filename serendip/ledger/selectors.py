"""Reads of the ledger: balances, a member's history, the books' own consistency check."""

from django.db.models import Sum

from serendip.passport.models import Member

from .models import Account, Posting


def member_balance(member: Member) -> int:
    account = Account.objects.filter(member=member).only("balance").first()
    return account.balance if account else 0


def member_postings(member: Member, *, limit: int = 100):
    """The member's postings, newest first, each with its transaction (kind, reason)."""
    return (
        Posting.objects.filter(account__member=member).select_related("transaction").order_by("-id")[:limit]
    )


def balance_mismatches() -> list[str]:
    """Accounts whose cached balance differs from the sum of their postings (should be none),
    and a line if all postings together do not sum to zero."""
    sums = dict(
        Posting.objects.values("account").annotate(total=Sum("amount")).values_list("account", "total")
    )
    problems = [a.public_id for a in Account.objects.all() if a.balance != sums.get(a.pk, 0)]
    if sum(sums.values()) != 0:
        problems.append("postings do not sum to zero")
    return problems
