"""English as KAM writes it: day first, one format for every date (issue 7 §7).

Django's English mixes "Nov. 30, 2026" (DATE_FORMAT) and "11/30/2026" (SHORT_DATE_FORMAT) on
one page, and month-first reads wrong to Latvian and Russian colleagues. Names Django defines
for English and not set here (number separators, first day of week...) stay Django's.
"""

DATE_FORMAT = "j M Y"  # 30 Nov 2026
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"  # 30 Nov 2026, 14:05
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "M Y"  # Nov 2026
MONTH_DAY_FORMAT = "j M"
FIRST_DAY_OF_WEEK = 1  # Monday
# What a typed date may look like: ISO first (the date inputs send it), then day-first.
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2026-11-30
    "%d.%m.%Y",  # 30.11.2026
    "%d/%m/%Y",  # 30/11/2026
    "%d %b %Y",  # 30 Nov 2026
    "%d %B %Y",  # 30 November 2026
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
]
