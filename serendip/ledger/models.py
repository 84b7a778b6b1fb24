"""Double-entry social-capital accounts, transactions and postings.

Amounts are integers of 1/100 SC ("units"), never floats. A transaction's postings sum to
zero; an account's balance is the sum of its postings (the `balance` column is a cache
updated in the same database transaction, and `ledger_balances_match` checks it). Only the
network account (the issuer) may go below zero: a database constraint holds the rest.
Transactions and postings are append-only: corrections are new compensating transactions.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

UNITS_PER_SC = 100


class AccountKind(models.TextChoices):
    NETWORK = "network", _("Network (issuer)")
    MEMBER = "member", pgettext_lazy("ledger account kind", "Member")
    SPACE = "space", pgettext_lazy("ledger account kind", "Space")


class Account(models.Model):
    kind = models.CharField(max_length=10, choices=AccountKind.choices)
    member = models.OneToOneField(
        "passport.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="account"
    )
    space = models.OneToOneField(
        "network.Space", null=True, blank=True, on_delete=models.PROTECT, related_name="account"
    )
    # The id the public log shows: pseudonymous for members, never a name or e-mail.
    public_id = models.CharField(max_length=48, unique=True)
    balance = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="network") | Q(balance__gte=0), name="account_balance_not_negative"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="network", member__isnull=True, space__isnull=True)
                    | Q(kind="member", member__isnull=False, space__isnull=True)
                    | Q(kind="space", member__isnull=True, space__isnull=False)
                ),
                name="account_owner_matches_kind",
            ),
            models.UniqueConstraint(fields=["kind"], condition=Q(kind="network"), name="one_network_account"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} account {self.public_id}"


class TxKind(models.TextChoices):
    WELCOME_GRANT = "welcome_grant", _("Welcome grant")
    ANSWER_ACCEPTED = "answer_accepted", _("Accepted answer")
    MEETING_CONFIRMED = "meeting_confirmed", _("Confirmed meeting")
    INTRODUCTION = "introduction", _("Introduction that led to a meeting")
    SEAT = "seat", pgettext_lazy("ledger transaction kind", "Seat")
    SEAT_REFUND = "seat_refund", _("Seat refund")
    REVERSAL = "reversal", _("Reversal")
    ACCOUNT_CLOSED = "account_closed", _("Account closed (returned to the network)")


class Transaction(models.Model):
    kind = models.CharField(max_length=20, choices=TxKind.choices)
    reason = models.CharField(max_length=300)
    # What earned or cost it, e.g. "answer:12", "checkin:40": a link, and for earnings also the
    # idempotency key (with kind) so the same contribution never pays twice.
    subject = models.CharField(max_length=60)
    # No index of its own: tx_beneficiary_kind (beneficiary, kind, created_at) serves lookups by it.
    beneficiary = models.ForeignKey(
        "passport.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # The other member of the exchange (the asker, the other side of a meeting): for the
    # diminishing-returns rule on repeated earnings between the same two members.
    counterpart = models.ForeignKey(
        "passport.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            # The same contribution never pays twice; a check-in is paid and refunded at most once.
            models.UniqueConstraint(
                fields=["kind", "subject", "beneficiary"], name="transaction_once_per_subject"
            ),
        ]
        indexes = [models.Index(fields=["beneficiary", "kind", "created_at"], name="tx_beneficiary_kind")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind}: {self.reason}"


class Posting(models.Model):
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="postings")
    # No index of its own: posting_account_recent (account, -id) serves every lookup by account.
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings", db_index=False)
    amount = models.BigIntegerField()  # units of 1/100 SC; credit > 0, debit < 0

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="posting_not_zero")]
        indexes = [models.Index(fields=["account", "-id"], name="posting_account_recent")]

    def __str__(self) -> str:
        return f"{self.amount:+d} to {self.account_id}"


class PostingOpening(models.Model):
    """The salt (opening) behind a member posting's commitment in its version-2 leaf
    (`ledger/leaf.py`): kept by the operator beside the posting, never in the log, and given
    only to the account holder, in their proofs download. Append-only, like the posting.

    Keyed by (transaction, account): a transaction posts at most once to an account."""

    # No indexes of their own: posting_opening_once (transaction, account) serves every lookup.
    transaction = models.ForeignKey(
        Transaction, on_delete=models.PROTECT, related_name="openings", db_index=False
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+", db_index=False)
    salt = models.BinaryField()  # 32 random bytes

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["transaction", "account"], name="posting_opening_once"),
        ]

    def __str__(self) -> str:
        return f"opening of transaction {self.transaction_id}'s posting to account {self.account_id}"


class LogState(models.Model):
    """The one row that orders the log: ledger writers lock it, so leaf order is commit order."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.BigIntegerField(default=0)  # entries appended (the next entry's index)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="log_state_singleton")]

    def __str__(self) -> str:
        return f"log of {self.size} entries"


class LogEntry(models.Model):
    """A leaf of the verifiable log: one ledger transaction as canonical JSON (RFC 8785), with
    pseudonymous account ids and no personal data. Append-only; `index` is its leaf index."""

    index = models.BigIntegerField(primary_key=True)
    transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, related_name="log_entry")
    data = models.BinaryField()

    class Meta:
        ordering = ["index"]

    def __str__(self) -> str:
        return f"leaf {self.index} (transaction {self.transaction_id})"


class LogTile(models.Model):
    """The latest version of one C2SP tile (level >= 0) or entry bundle (level -1).

    Tiles only grow by appending, so the latest version of each (level, index) holds every
    narrower one: a partial tile of any published width is served by slicing it (tiles.py's
    storage contract). Written only by `log_integrate`, with the checkpoint it belongs to."""

    level = models.SmallIntegerField()  # 0..63 hash tiles; -1 entry bundles
    index = models.BigIntegerField()
    width = models.PositiveSmallIntegerField()  # hashes or entries held, 1..256
    data = models.BinaryField()

    class Meta:
        ordering = ["level", "index"]
        constraints = [
            models.UniqueConstraint(fields=["level", "index"], name="log_tile_position"),
            models.CheckConstraint(condition=Q(width__gte=1, width__lte=256), name="log_tile_width"),
        ]

    def __str__(self) -> str:
        return f"tile {self.level}/{self.index} of width {self.width}"


class LogCheckpoint(models.Model):
    """A signed tree head (C2SP tlog-checkpoint) the log published, with the witness
    cosignatures collected for it. The latest one's size is how far the log is integrated."""

    size = models.BigIntegerField(unique=True)
    root = models.BinaryField()  # 32-byte RFC 6962 root hash
    note = models.TextField()  # the checkpoint signed by the log's key (signed-note text)
    cosignatures = models.TextField(blank=True, default="")  # witness signature lines, newline-ended
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-size"]

    def __str__(self) -> str:
        return f"checkpoint at size {self.size}"
