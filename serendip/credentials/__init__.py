"""PURE: W3C Verifiable Credentials 2.0 secured with Data Integrity eddsa-jcs-2022.

No Django here: Ed25519 Multikey encoding (multikey.py), the eddsa-jcs-2022 cryptosuite
(eddsa_jcs.py), Bitstring Status Lists (status_list.py), did:web documents (did.py), the
shipped JSON-LD contexts (contexts.py) and credential verification with reasons (verify.py).
`serendip/rights/` issues and serves credentials with these.
"""
