"""The real app plus one bare endpoint, served together so that the benchmark's baseline
runs on the same server, workers and loopback as the submissions it is compared with."""

from survey_app import create_app

app = create_app()


@app.get("/bench/bare")
def bare() -> str:
    """The cheapest thing Flask can answer: no database, no template."""
    return "ok"
