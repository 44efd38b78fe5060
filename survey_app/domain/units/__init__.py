"""Units and their counters: administration, CSV import, survey links and posters."""
