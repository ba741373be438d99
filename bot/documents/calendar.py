"""A training session as an .ics calendar event, with an alarm (RFC 5545, via icalendar)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Alarm, Calendar, Event


@dataclass(frozen=True)
class CalendarEntry:
    uid: str  # stable per session, so a calendar updates the event instead of adding another
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    location: str  # the place, or the link to join
    url: str | None
    stamp: datetime
    alarm_before: timedelta = timedelta(hours=1)
    alarm_text: str = ""


def training_event(entry: CalendarEntry) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Voces//trainings//ES")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", entry.stamp)
    event.add("dtstart", entry.starts_at)
    event.add("dtend", entry.ends_at)
    event.add("summary", entry.title)
    event.add("description", entry.description)
    event.add("location", entry.location)
    if entry.url:
        event.add("url", entry.url)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", entry.alarm_text or entry.title)
    alarm.add("trigger", -entry.alarm_before)
    event.add_component(alarm)
    calendar.add_component(event)
    return calendar.to_ical()
