"""The inbox, preferences, watches and the log of mails sent to the user."""
