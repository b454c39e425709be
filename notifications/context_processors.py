from .models import Notification


def inbox(request):
    """The signed-in user's unread count, for the Inbox link in the top navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": Notification.objects.filter(recipient=user).unread().count()}
