
app_name = "notifications"

urlpatterns = [
    # --- notifications pages (helper notif) ---
]
