from .models import Notification, Watch


class WatchedTargets:
    """What the signed-in user watches, read once per request at the first ``target in watching``
    (a watch button), however many buttons a page shows."""

    def __init__(self, user):
        self.user = user
        self.keys = None

    def __contains__(self, target) -> bool:
        if self.keys is None:
            rows = Watch.objects.filter(user=self.user).values_list(*(f"{name}_id" for name in Watch.TARGETS))
            self.keys = {(name, pk) for row in rows for name, pk in zip(Watch.TARGETS, row, strict=True) if pk}
        return (target._meta.model_name, target.pk) in self.keys


def inbox(request):
    """The signed-in user's unread count, for the Inbox link in the top navigation, and what they
    watch (for the watch buttons)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": Notification.objects.filter(recipient=user).unread().count(),
        "watching": WatchedTargets(user),
    }
