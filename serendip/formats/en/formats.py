# English as written in Europe (our English is British): day before month, 24-hour clock.
DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

DAY_MONTH_FORMAT = "D j M"
DAY_MONTH_YEAR_FORMAT = "D j M Y"
WEEKDAY_FORMAT = "l j F"
WEEKDAY_YEAR_FORMAT = "l j F Y"
SHORT_DAY_FORMAT = "D j"
DAY_MONTH_TIME_FORMAT = "j M H:i"
