"""API for social capital: GET /me/ledger."""

import datetime as dt

from ninja import Query, Router, Schema

from serendip.api import current_member

from .models import UNITS_PER_SC
from .selectors import member_balance, member_postings

router = Router(tags=["ledger"])


class EntryOut(Schema):
    transaction_id: int
    kind: str
    reason: str
    amount: str  # SC with two decimals, e.g. "7.50"; negative when spent
    created_at: dt.datetime


class LedgerOut(Schema):
    balance: str
    entries: list[EntryOut]


def sc(units: int) -> str:
    sign = "-" if units < 0 else ""
    units = abs(units)
    return f"{sign}{units // UNITS_PER_SC}.{units % UNITS_PER_SC:02d}"


@router.get("/me/ledger", response=LedgerOut, summary="My social-capital balance and history, newest first")
def my_ledger(request, limit: int = Query(100, ge=1, le=1000)):
    member = current_member(request)
    return {
        "balance": sc(member_balance(member)),
        "entries": [
            {
                "transaction_id": p.transaction_id,
                "kind": p.transaction.kind,
                "reason": p.transaction.reason,
                "amount": sc(p.amount),
                "created_at": p.transaction.created_at,
            }
            for p in member_postings(member, limit=limit)
        ],
    }
