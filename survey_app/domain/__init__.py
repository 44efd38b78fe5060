"""The platform's rules by domain: each package holds its services and queries.

A view or command calls a domain service; services use the models (``survey_app.models``)
and the database session. The pure parts (``analysis``, ``questionnaires``, the mark reader
in ``paper.reading``) know nothing of Flask. docs/architecture.md draws the layers.
"""
