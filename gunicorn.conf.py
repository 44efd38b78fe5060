"""gunicorn reads this file from the project folder (its default ``./gunicorn.conf.py``).

Settings stay on the command line (docs/operations.md); this only adds the start-up notes,
said once by the master process whether or not the app is preloaded.
"""


def on_starting(server):
    """Before the workers start: what the operator should know (the SQLite version)."""
    try:
        from survey_app import create_app
        from survey_app.database import startup_notes

        startup_notes(create_app())
    except Exception as error:  # the workers will report it properly; never block start
        server.log.warning("Start-up notes unavailable: %s", error)
