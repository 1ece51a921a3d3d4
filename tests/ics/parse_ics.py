#!/usr/bin/python3
"""Parses an iCalendar file with a real parser (python3-icalendar) and prints
one line per event, sorted: UID|DTSTART|DTEND|SUMMARY|CATEGORIES, instants in
UTC as YYYYMMDDTHHMMSSZ. Exit 2 when the file does not parse as RFC 5545 or an
event lacks what a calendar app needs (UID, DTSTART, DTSTAMP). Used by the
end-to-end test of `rampart freeze ics` (tests/e2e/freeze_test.cc)."""
import datetime
import sys

import icalendar


def utc(value):
    dt = value.dt
    if not isinstance(dt, datetime.datetime) or dt.tzinfo is None:
        raise ValueError("not a UTC date-time: %r" % (dt,))
    return dt.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def main():
    if len(sys.argv) != 2:
        print("usage: parse_ics.py FILE", file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1], "rb") as f:
            cal = icalendar.Calendar.from_ical(f.read())
        if cal.name != "VCALENDAR" or str(cal.get("VERSION")) != "2.0" or not cal.get("PRODID"):
            raise ValueError("not a VCALENDAR 2.0 with a PRODID")
        lines = []
        for event in cal.walk("VEVENT"):
            for needed in ("UID", "DTSTART", "DTSTAMP"):
                if event.get(needed) is None:
                    raise ValueError("event without " + needed)
            end = event.get("DTEND")
            cats = event.get("CATEGORIES")
            cat_list = []
            if cats is not None:
                for c in cats if isinstance(cats, list) else [cats]:
                    cat_list.extend(str(x) for x in c.cats)
            lines.append("|".join([
                str(event.get("UID")), utc(event.get("DTSTART")),
                utc(end) if end is not None else "", str(event.get("SUMMARY", "")),
                ",".join(cat_list)]))
    except Exception as e:  # any parse failure is a malformed file
        print("parse_ics: %s" % e, file=sys.stderr)
        return 2
    for line in sorted(lines):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
