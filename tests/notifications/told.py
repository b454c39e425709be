"""What the event tests read back: the events of a kind and who each one reached."""

from notifications.models import Event


def events(kind, **where) -> list[Event]:
    """The recorded events of ``kind`` (matching ``where``), oldest first."""
    return list(Event.objects.filter(kind=kind, **where).order_by("pk"))


def told(event: Event) -> set:
    """The users ``event`` made a notification for."""
    return {notification.recipient for notification in event.notifications.select_related("recipient")}
