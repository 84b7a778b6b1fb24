"""Ledger: social-capital accounts and transactions, and the verifiable log.

`tlog`, `note`, `tiles` and `witness` are pure cores (no Django) usable by any auditor:
`from serendip.ledger import tlog, note`.
"""
