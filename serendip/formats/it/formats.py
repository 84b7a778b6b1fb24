# Italian: Django's formats for the rest ("29/11/2026"), but a date without a weekday (Django
# writes "l d F Y" for DATETIME_FORMAT); months in lower case (see serendip/formats/__init__.py).
DATETIME_FORMAT = "j F Y, H:i"
DAY_MONTH_FORMAT = "D j b"
DAY_MONTH_YEAR_FORMAT = "D j b Y"
WEEKDAY_FORMAT = "l j F"
WEEKDAY_YEAR_FORMAT = "l j F Y"
SHORT_DAY_FORMAT = "D j"
DAY_MONTH_TIME_FORMAT = "j b H:i"
