# Dutch: Django's formats for the rest ("29 november 2026", "29-11-2026"); ours use lower-case
# abbreviated months ("zo 29 nov").
DAY_MONTH_FORMAT = "D j b"
DAY_MONTH_YEAR_FORMAT = "D j b Y"
WEEKDAY_FORMAT = "l j F"
WEEKDAY_YEAR_FORMAT = "l j F Y"
SHORT_DAY_FORMAT = "D j"
DAY_MONTH_TIME_FORMAT = "j b H:i"
