# Dutch: Django's formats for the rest ("29 november 2026", "29-11-2026"); ours use lower-case
# abbreviated months ("zo 29 nov").
from serendip.formats.lower_months import (  # noqa: F401 (Django reads these names from this module)
    DAY_MONTH_FORMAT,
    DAY_MONTH_TIME_FORMAT,
    DAY_MONTH_YEAR_FORMAT,
    SHORT_DAY_FORMAT,
    WEEKDAY_FORMAT,
    WEEKDAY_YEAR_FORMAT,
)
