"""Serendip: a network of co-working spaces where knowledge is the currency."""
