"""Presence: check-ins (a member's seat at a space on a date), capacity and who is here."""
