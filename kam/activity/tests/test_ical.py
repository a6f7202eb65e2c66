"""The iCal text (RFC 5545): CRLF lines, folding at 75 octets without splitting a character,
TEXT escaping, UTC times."""

from datetime import datetime, timedelta, timezone

from kam.activity import ical
from kam.activity.tests.conftest import utc

RIGA_SUMMER = timezone(timedelta(hours=3))


def test_text_escapes_backslash_semicolon_comma_and_newlines():
    assert ical.escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_a_long_line_folds_at_75_octets_and_never_inside_a_character():
    line = "DESCRIPTION:" + "ā" * 60  # 12 + 120 octets
    folded = ical.fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == line
    assert len(parts[0].encode()) == 75 - 1  # a 32nd "ā" would need octets 75 and 76
    assert ical.fold("SUMMARY:short") == "SUMMARY:short"


def test_calendar_has_one_vevent_per_event_crlf_and_utc_times():
    events = [
        ical.Event(
            uid="activity-1@kam",
            starts_at=datetime(2025, 6, 10, 10, 0, tzinfo=RIGA_SUMMER),
            ends_at=datetime(2025, 6, 10, 11, 30, tzinfo=RIGA_SUMMER),
            summary="Visit: Aurora, SIA",
            description="Prices; terms",
        ),
        ical.Event(
            uid="activity-2@kam",
            starts_at=utc(2025, 6, 11, 7),
            ends_at=utc(2025, 6, 11, 7, 30),
            summary="Call",
            status="TENTATIVE",
        ),
    ]
    text = ical.calendar(events, name="KAM schedule", stamp=utc(2025, 6, 1, 12))
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")  # every line ends with CRLF
    assert text.count("BEGIN:VEVENT\r\n") == 2 and text.count("END:VEVENT\r\n") == 2
    assert "DTSTART:20250610T070000Z\r\nDTEND:20250610T083000Z\r\n" in text
    assert "SUMMARY:Visit: Aurora\\, SIA\r\n" in text
    assert "DESCRIPTION:Prices\\; terms\r\n" in text
    assert text.count("DTSTAMP:20250601T120000Z\r\n") == 2
    assert "UID:activity-2@kam\r\n" in text and "STATUS:TENTATIVE\r\n" in text
