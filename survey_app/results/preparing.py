"""The page shown while results are being computed: a progress bar, then on to the download,
the results page or the approval question (``domain/results/background``).

A view whose parts the cache holds goes on directly (``prepared`` returns None). Otherwise a
job computes them in the background; the request waits ``RESULTS_WAIT_SECONDS`` for it and,
if it is not done by then, answers this page. ``static/results_progress.js`` polls
``results.progress`` and, when the job is done, goes to the same address with ``job=<id>``
(for approval: sends the same form again). That address is served directly from then on,
computing synchronously whatever changed meanwhile, so a campaign taking responses cannot
keep anyone waiting in a loop. Without JavaScript the page reloads itself
(``<noscript><meta refresh>``); approval has a "Tiếp tục" button.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from flask import abort, current_app, jsonify, render_template, request
from flask_babel import gettext

from ..auth import ALL_STAFF, acting_user, roles_required
from ..domain.campaigns.campaign_scope import visible_campaigns
from ..domain.results import background, presented
from ..models import Campaign

NOT_FOUND = "Không tìm thấy việc tính kết quả này (đường dẫn sai hoặc đã quá một ngày)."
#: Seconds between reloads of the page without JavaScript.
REFRESH_SECONDS = 3


def _enabled() -> bool:
    return bool(current_app.config.get("RESULTS_IN_BACKGROUND", True))


def _continued_job() -> background.Job | None:
    """The finished (or failed) job this request continues from (``?job=<id>``)."""
    job = background.find(str(request.args.get("job", "")))
    return job if job is not None and job.state != "running" else None


def prepared(campaign: Campaign, parts: Sequence[str], title: str):
    """None when the view can go on now; else the progress page (200)."""
    if not _enabled() or presented.snapshot_of(campaign) is not None:
        return None
    if request.method == "GET" and _continued_job() is not None:
        return None
    job = background.start(campaign, parts)
    if job is None:
        return None
    job = background.wait(job, current_app.config.get("RESULTS_WAIT_SECONDS", 2.0))
    if job.state == "done":
        return None
    return _page(campaign, job, title)


def _next_url(job: background.Job) -> str:
    query = [(key, value) for key, value in request.args.items(multi=True) if key != "job"]
    return f"{request.path}?{urlencode([*query, ('job', job.id)])}"


def _page(campaign: Campaign, job: background.Job, title: str):
    again = request.full_path.rstrip("?") if request.method == "GET" else None
    fields = [(key, value) for key, value in request.form.items(multi=True)
              if key != "csrf_token"] if request.method == "POST" else []
    return render_template(
        "results/preparing.html", campaign=campaign, job=job, title=title,
        text=progress_text(job), again=again, next_url=_next_url(job) if again else None,
        fields=fields, action=request.path, refresh=REFRESH_SECONDS)


def progress_text(job: background.Job) -> str:
    """What the bar says: "Đang tính kết quả: 2/6 phần…"."""
    if job.state == "done":
        return gettext("Đã tính xong kết quả.")
    if job.state == "failed":
        return job.message or gettext("Không tính được kết quả.")
    return gettext("Đang tính kết quả: %(done)d/%(total)d phần…", done=job.done,
                   total=job.total)


@roles_required(*ALL_STAFF)
def progress(job: str):
    """How far the job is, for the progress bar (JSON); only for a campaign the user sees."""
    found = background.find(job)
    if found is None or found.campaign_id not in {campaign.id for campaign in
                                                   visible_campaigns(acting_user())}:
        abort(404, description=NOT_FOUND)
    return jsonify(state=found.state, done=found.done, total=found.total,
                   percent=found.percent, text=progress_text(found))
