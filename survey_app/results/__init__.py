"""The results blueprint."""
