"""Responses: the citizen form's submissions, CSV imports, anti-stuffing flags and their review."""
