"""Fixtures for the citizen form: a unit with a counter in an open campaign, compiled
catalogues, and a way to fetch a served form and post it back as a phone would."""

from __future__ import annotations





