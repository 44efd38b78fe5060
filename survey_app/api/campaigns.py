"""API views of campaigns: the list, one campaign, its progress, results and snapshots."""

from __future__ import annotations

from typing import Any

from flask import Response
from sqlalchemy import select

from ..domain.campaigns.progress import campaign_progress
from ..domain.results import presented
from ..errors import DomainError
from ..extensions import db
from ..models import Campaign, ResultSnapshot
from ..support.dates import today_local
from ..support.lazy import lazy_module
from . import access
from .blueprint import bp, problems
from .problems import ApiProblem
from .schemas import (
    CampaignListSchema,
    CampaignSchema,
    ProgressSchema,
    ResultsArgs,
    ResultsSchema,
    SinceArgs,
    SnapshotArgs,
    SnapshotListSchema,
)
from .timing import as_of, since_utc

results_service = lazy_module("survey_app.domain.results.results")  # pandas, on first use


def _latest_snapshots(campaign_ids: list[int]) -> dict[int, ResultSnapshot]:
    latest: dict[int, ResultSnapshot] = {}
    if not campaign_ids:
        return latest
    for snapshot in db.session.scalars(select(ResultSnapshot)
                                       .where(ResultSnapshot.campaign_id.in_(campaign_ids))
                                       .order_by(ResultSnapshot.version)):
        latest[snapshot.campaign_id] = snapshot
    return latest


def _campaign_item(campaign: Campaign, snapshot: ResultSnapshot | None,
                   visible: set[int] | None) -> dict[str, Any]:
    version = campaign.instrument_version
    return {
        "code": campaign.code, "name": campaign.name, "state": campaign.state.value,
        "state_label": campaign.state.label, "starts_on": campaign.starts_on,
        "deadline": campaign.deadline, "created_at": campaign.created_at,
        "instrument": {"code": version.code, "version": version.version,
                       "title": version.title},
        "optional_blocks": list(campaign.optional_blocks or []),
        "headline_method": campaign.headline_method, "weighting": campaign.weighting,
        "units": sorted(target.unit.code for target in campaign.targets
                        if visible is None or target.unit_id in visible),
        "approved": None if snapshot is None else {"version": snapshot.version,
                                                   "approved_at": snapshot.approved_at},
    }


@bp.arguments(SinceArgs, location="query")
@bp.response(200, CampaignListSchema)
@problems(422)
def campaigns(args: dict[str, Any]):
    """Campaigns the account works on

    Non-draft campaigns with at least one unit the account may see (admins see drafts too),
    newest first. With `since`: only those created, or approved, after that moment.
    """
    moment = as_of()
    since = since_utc(args["since"])
    found = access.visible_campaigns()
    latest = _latest_snapshots([campaign.id for campaign in found])
    if since is not None:
        found = [campaign for campaign in found if campaign.created_at > since or (
            campaign.id in latest and latest[campaign.id].approved_at > since)]
    visible = access.visible_units()
    return {"as_of": moment, "items": [_campaign_item(campaign, latest.get(campaign.id), visible)
                                       for campaign in found]}


@bp.response(200, CampaignSchema)
@problems(404)
def campaign(code: str):
    """One campaign"""
    found = access.campaign(code)
    return _campaign_item(found, _latest_snapshots([found.id]).get(found.id),
                          access.visible_units())


@bp.response(200, ProgressSchema)
@problems(403, 404)
def progress(code: str):
    """Progress of a campaign

    Valid responses per unit the account may see, by channel, against the required sample
    and the even pace (the staff progress page). Admins and unit staff.
    """
    user = access.require_role(access.PROGRESS_READERS)
    found = access.campaign(code)
    report = campaign_progress(found, user, today_local())
    return {
        "campaign": found.code, "today": report.today, "elapsed_share": report.elapsed_share,
        "days_left": report.days_left,
        "units": [{"unit_code": row.unit.code, "unit_name": row.unit.name,
                   "required": row.required, "source": row.source, "valid": row.valid,
                   "by_channel": row.by_channel, "flagged": row.flagged,
                   "expected": row.expected, "reached": row.reached, "behind": row.behind}
                  for row in report.rows],
    }


@bp.arguments(ResultsArgs, location="query")
@bp.response(200, ResultsSchema)
@problems(404, 409, 422)
def results(args: dict[str, Any], code: str):
    """Results of a campaign

    The same document as `flask compute-index --format json` (docs/results-json.md). An
    approved campaign's is its latest approved snapshot, frozen: later data never changes
    it. Unit staff get only their units' entries (ranks stay district ranks).
    """
    found = access.campaign(code)
    try:
        document = presented.scoped(presented.campaign_results(found, by=args["by"]), access.user())
    except DomainError as error:
        raise ApiProblem(409, "results_unavailable", detail=str(error),
                         detail_en="The results cannot be computed with the campaign's "
                                   "settings (see the Vietnamese detail).") from error
    return Response(results_service.results_json(document), mimetype="application/json")


@bp.arguments(SnapshotArgs, location="query")
@bp.response(200, SnapshotListSchema)
@problems(404, 422)
def snapshots(args: dict[str, Any], code: str):
    """Approved snapshots of a campaign

    Every approval, oldest first; with `since`, only those approved after that moment.
    The latest is what `results` serves.
    """
    moment = as_of()
    found = access.campaign(code)
    query = select(ResultSnapshot).where(ResultSnapshot.campaign_id == found.id)
    since = since_utc(args["since"])
    if since is not None:
        query = query.where(ResultSnapshot.approved_at > since)
    rows = db.session.scalars(query.order_by(ResultSnapshot.version))
    return {"as_of": moment, "items": [
        {"version": row.version, "approved_at": row.approved_at,
         "approved_by": row.approved_by.username, "computed_at": row.computed_at,
         "method": row.method, "n_responses": row.n_responses,
         "response_fingerprint": row.response_fingerprint, "xlsx_sha256": row.xlsx_sha256}
        for row in rows]}
