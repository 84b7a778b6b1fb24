"""Network: spaces (co-working locations) and their meeting rooms."""
