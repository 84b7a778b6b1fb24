"""Passport: members, their tags (offer / need / interest), their timeline and API tokens."""
