"""API for social capital: GET /me/ledger, and proofs from the verifiable log."""

import base64
import datetime as dt

from django.conf import settings
from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from serendip.apitypes import Id, current_member, responses
from serendip.errors import NotFound

from . import log, tlog
from .models import UNITS_PER_SC, Posting
from .selectors import member_balance, member_postings

router = Router(tags=["ledger"])


class EntryOut(Schema):
    """One of my postings, with its transaction."""

    transaction_id: int
    kind: str
    reason: str
    amount: str = Field(description='SC with two decimals, e.g. "7.50"; negative when spent')
    created_at: dt.datetime

    @staticmethod
    def resolve_kind(p: Posting) -> str:
        return p.transaction.kind

    @staticmethod
    def resolve_reason(p: Posting) -> str:
        return p.transaction.reason

    @staticmethod
    def resolve_amount(p: Posting) -> str:
        return sc(p.amount)

    @staticmethod
    def resolve_created_at(p: Posting) -> dt.datetime:
        return p.transaction.created_at


class LedgerOut(Schema):
    balance: str
    entries: list[EntryOut]


def sc(units: int) -> str:
    sign = "-" if units < 0 else ""
    units = abs(units)
    return f"{sign}{units // UNITS_PER_SC}.{units % UNITS_PER_SC:02d}"


@router.get(
    "/me/ledger",
    response=responses({200: LedgerOut}),
    summary="My social-capital balance and history, newest first",
)
def my_ledger(request, limit: int = Query(100, ge=1, le=1000)):
    member = current_member(request)
    return {"balance": sc(member_balance(member)), "entries": member_postings(member, limit=limit)}


# Proofs from the verifiable log -------------------------------------------------------


class OpeningOut(Schema):
    posting: int  # the position of my posting in the leaf's "postings"
    salt: str | None  # base64 of the opening of its commitment (version-2 leaves); null in version 1


class ProofOut(Schema):
    transaction_id: int
    leaf_index: int
    leaf: str  # base64 of the leaf: the transaction as canonical JSON (RFC 8785)
    amount: str  # what it moved on my account, SC
    openings: list[OpeningOut]  # which postings are mine, and how to open their commitments
    tree_size: int
    root: str  # base64 root hash of the checkpoint
    checkpoint: str  # the signed checkpoint (C2SP tlog-checkpoint note), with cosignatures
    inclusion_proof: list[str]  # base64 hashes, leaf side first (RFC 6962 PATH)
    tlog_proof: str  # the same as a c2sp.org/tlog-proof@v1 text


class HistoryProofOut(Schema):
    transaction_id: int
    leaf_index: int
    leaf: str
    amount: str
    openings: list[OpeningOut]
    inclusion_proof: list[str]


class HistoryOut(Schema):
    format: str  # "serendip-ledger-proofs/v2"
    origin: str
    log_key: str  # the log's verifier key; check it against one you trust, not only this copy
    account: str  # my account's public id: what my commitments open to
    balance: str  # my balance, SC: the sum of my postings in these leaves
    tree_size: int
    root: str
    checkpoint: str
    proofs: list[HistoryProofOut]


PROOFS_FORMAT = "serendip-ledger-proofs/v2"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _openings(m: log.MemberLeaf) -> list[dict]:
    return [{"posting": i, "salt": None if salt is None else _b64(salt)} for i, salt in m.openings]


@router.get(
    "/ledger/transactions/{transaction_id}/proof",
    response=responses({200: ProofOut}, 404),
    summary="Proof that one of my transactions is in the public log (leaf, openings, inclusion proof)",
)
def transaction_proof(request, transaction_id: Id):
    member = current_member(request)
    _account, _balance, found = log.member_leaves(member, transaction_id=transaction_id)
    if not found:
        raise NotFound(f"no transaction {transaction_id} of yours")
    (m,) = found
    cp, (proof,) = log.proofs_for([m.index])
    signed = log.checkpoint_note(cp)
    return {
        "transaction_id": m.transaction_id,
        "leaf_index": m.index,
        "leaf": _b64(m.data),
        "amount": sc(m.amount),
        "openings": _openings(m),
        "tree_size": cp.size,
        "root": _b64(bytes(cp.root)),
        "checkpoint": signed,
        "inclusion_proof": [_b64(h) for h in proof],
        "tlog_proof": tlog.TlogProof(m.index, tuple(proof), signed).to_text(),
    }


@router.get(
    "/me/ledger/proofs",
    response=responses({200: HistoryOut}),
    summary="My verifiable history: every leaf of my transactions with its openings and proof,"
    " against one checkpoint (check it with `serendip ledger verify --proofs FILE`)",
)
def my_ledger_proofs(request, response: HttpResponse, download: bool = False):
    member = current_member(request)
    account, balance, leaves = log.member_leaves(member)
    cp, proofs = log.proofs_for([m.index for m in leaves])
    if download:
        response["Content-Disposition"] = 'attachment; filename="serendip-ledger-proofs.json"'
    return {
        "format": PROOFS_FORMAT,
        "origin": settings.LEDGER_ORIGIN,
        "log_key": log.log_verifier_key(),
        "account": account,
        "balance": sc(balance),
        "tree_size": cp.size,
        "root": _b64(bytes(cp.root)),
        "checkpoint": log.checkpoint_note(cp),
        "proofs": [
            {
                "transaction_id": m.transaction_id,
                "leaf_index": m.index,
                "leaf": _b64(m.data),
                "amount": sc(m.amount),
                "openings": _openings(m),
                "inclusion_proof": [_b64(h) for h in proof],
            }
            for m, proof in zip(leaves, proofs, strict=True)
        ],
    }
