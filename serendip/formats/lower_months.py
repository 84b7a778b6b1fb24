"""The named formats Dutch and Italian share: day before month, months in lower case and
abbreviated with `b` ("zo 29 nov", "dom 29 nov"); each language's formats.py imports them."""

DAY_MONTH_FORMAT = "D j b"
DAY_MONTH_YEAR_FORMAT = "D j b Y"
WEEKDAY_FORMAT = "l j F"
WEEKDAY_YEAR_FORMAT = "l j F Y"
SHORT_DAY_FORMAT = "D j"
DAY_MONTH_TIME_FORMAT = "j b H:i"
