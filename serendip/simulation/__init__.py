"""`serendip simulate`: a seed-scale network through bulk inserts, and the invariant checks."""
