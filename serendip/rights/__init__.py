"""Members' rights over their data: export (GDPR art. 15/20), erasure (art. 17), and the
passport as W3C Verifiable Credentials. Sits above every domain (it reads and erases them all)."""
