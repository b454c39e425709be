
app_name = "network"

urlpatterns = [
    # --- activity reports (helper activity) ---
    # --- meetings and action items (helper meetings) ---
    # --- calendar feeds (helper calendar) ---
]
