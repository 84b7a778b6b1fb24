# Italian: Django's formats for the rest ("29/11/2026"), but a date without a weekday (Django
# writes "l d F Y" for DATETIME_FORMAT); months in lower case (see serendip/formats/__init__.py).
from serendip.formats.lower_months import (  # noqa: F401 (Django reads these names from this module)
    DAY_MONTH_FORMAT,
    DAY_MONTH_TIME_FORMAT,
    DAY_MONTH_YEAR_FORMAT,
    SHORT_DAY_FORMAT,
    WEEKDAY_FORMAT,
    WEEKDAY_YEAR_FORMAT,
)

DATETIME_FORMAT = "j F Y, H:i"
