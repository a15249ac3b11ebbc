"""Calendar files (RFC 5545) for shifts, built with icalendar."""

from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from marketplace.board.models import Shift


def shifts_calendar(shifts: Iterable[Shift], *, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Citizen Coin//Volunteering shifts//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for shift in shifts:
        calendar.add_component(_event(shift))
    return calendar.to_ical()


def _event(shift: Shift) -> Event:
    opportunity = shift.opportunity
    event = Event()
    host = settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "citizencoin"
    event.add("uid", f"shift-{shift.pk}@{host}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", shift.start)
    event.add("dtend", shift.end)
    event.add("summary", f"{opportunity.title} ({opportunity.group.name})")
    event.add("description", opportunity.description)
    where = ", ".join(part for part in (opportunity.address, opportunity.postcode) if part)
    if where:
        event.add("location", where)
    return event
