"""Pages of the ledger: my balance and history."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from serendip.passport.selectors import member_for_user

from .api import sc
from .selectors import member_balance, member_postings


@login_required
def balance(request):
    member = member_for_user(request.user)
    if member is None:
        raise Http404("this account has no passport")
    entries = [
        {"created_at": p.transaction.created_at, "reason": p.transaction.reason, "amount": sc(p.amount)}
        for p in member_postings(member, limit=200)
    ]
    return render(request, "ledger/balance.html", {"balance": sc(member_balance(member)), "entries": entries})
