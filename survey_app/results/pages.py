"""Results pages: the district's ranked units, one unit's detail and its comments."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext
from sqlalchemy import select

from ..auth import (
    ALL_STAFF,
    acting_user,
    can_see_unit,
    manages_campaign,
    roles_required,
    visible_unit_ids,
)
from ..campaign_choice import chosen_campaign
from ..domain.campaigns.campaign_scope import visible_campaigns
from ..domain.results import background, presented
from ..domain.results.charts import ChartRow, interval_chart
from ..domain.results.cuts import UNIT_PAGE_CUTS
from ..domain.results.exports import tables
from ..extensions import db
from ..models import CampaignState, Unit
from ..support.dates import local_date
from ..support.formatting import date_text
from ..support.lazy import lazy_module
from . import preparing
from .forms import ApproveForm

levels = lazy_module("survey_app.domain.results.levels")  # pandas, on first use
PREPARING = lazy_gettext("Đang chuẩn bị trang kết quả")


def display_helpers() -> dict[str, Any]:
    """Number display (83,94; "—" when undefined) and labels for every results template."""
    return {"show": tables.show, "show_count": tables.show_count,
            "sample_label": tables.sample_label, "comparison_label": tables.comparison_label,
            "method_label": tables.method_label, "points_text": tables.points_text,
            "unit_notes": tables.unit_notes, "setting_lines": tables.setting_lines,
            "change_text": tables.change_text, "district_name": tables.district_name,
            "compare_heading": tables.compare_heading,
            "response_rate_text": tables.response_rate_text,
            "instrument_label": tables.instrument_label, "element_title": tables.element_title,
            "criterion_text": tables.criterion_text, "stat": tables.stat,
            "local_day": lambda moment: date_text(local_date(moment))}


def _overall_row(label: str, entry: dict[str, Any]) -> ChartRow:
    overall = tables.stat(entry, "overall")
    return ChartRow(label, overall.get("index"), overall.get("ci_low"), overall.get("ci_high"))


@roles_required(*ALL_STAFF)
def index():
    """District summary and the units ranked by PAR points, for the chosen campaign."""
    user = acting_user()
    campaigns = visible_campaigns(user)
    campaign = chosen_campaign(campaigns)
    if campaign is None:
        return render_template("results/index.html", campaigns=[], campaign=None)
    waiting = preparing.prepared(campaign, background.parts_of(), PREPARING)
    if waiting is not None:
        return waiting
    results = presented.scoped(presented.campaign_results(campaign), user)
    sections = tables.ranking_sections(results.get("units") or [])
    units = [unit for _, rows in sections for unit in rows]
    district = results.get("district") or {}
    chart = interval_chart([_overall_row(u.get("unit_name") or "", u) for u in units] +
                           [_overall_row(tables.district_name(results), district)],
                           "Chỉ số chung của các đơn vị, khoảng tin cậy 95%") if units else None
    return render_template(
        "results/index.html", campaigns=campaigns, campaign=campaign, results=results,
        units=units, sections=sections, district=district, chart=chart,
        snapshot=presented.snapshot_of(campaign),
        scoped=presented.is_scoped(user), excluded=tables.excluded_lines(results),
        approve_form=ApproveForm(campaign=campaign.code),
        can_approve=campaign.state is CampaignState.CLOSED and manages_campaign(campaign, user))


@roles_required(*ALL_STAFF)
def unit(code: str):
    """One unit: overall, elements, criteria, cuts by field and channel, and comments."""
    campaigns = visible_campaigns(acting_user())
    campaign = chosen_campaign(campaigns)
    unit_row = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit_row is None or campaign is None:
        abort(404)
    if not can_see_unit(unit_row.id):
        abort(403)
    waiting = preparing.prepared(campaign, background.parts_of(
        cuts=[cut.name for cut in UNIT_PAGE_CUTS]), PREPARING)
    if waiting is not None:
        return waiting
    results = presented.results_with_cuts(campaign, tuple(cut.name for cut in UNIT_PAGE_CUTS))
    entry = presented.unit_entry(results, code)
    if entry is None:
        abort(404)
    elements = tables.element_codes(results)
    element_chart = interval_chart(
        [ChartRow(tables.element_title(results, element),
                  *(tables.stat(entry, "elements", element).get(k)
                    for k in ("index", "ci_low", "ci_high"))) for element in elements],
        f"Chỉ số theo yếu tố — {entry.get('unit_name')}")
    labels = results.get("labels") or {}
    element_items = labels.get("element_items") or {}
    criteria_by_element = [(element, element_items.get(element) or
                            [c for c in tables.criterion_codes(results)
                             if c.rstrip("0123456789") == element])
                           for element in elements]
    cuts = []
    for cut in UNIT_PAGE_CUTS:
        rows = presented.group_rows(results["cuts"].get(cut.name) or {}, code)
        chart = interval_chart([_overall_row(group.get("label") or tables.show(None), e)
                                for group, e in rows], f"{cut.title} — {entry.get('unit_name')}")
        cuts.append((cut.title, rows, chart if rows else None))
    query = request.args.get("q", "")[:200]
    comments, n_comments = presented.comments(campaign, unit_row, query)
    return render_template(
        "results/unit.html", campaigns=campaigns, campaign=campaign, unit=unit_row,
        results=results, entry=entry, elements=elements, element_chart=element_chart,
        criteria_by_element=criteria_by_element, cuts=cuts, comments=comments,
        n_comments=n_comments, query=query, comment_limit=presented.COMMENT_LIMIT,
        snapshot=presented.snapshot_of(campaign))


@roles_required(*ALL_STAFF)
def level(code: str):
    """One level of the tree: the unit's summary and its children ranked; a leaf's page is
    the unit page."""
    user = acting_user()
    campaigns = visible_campaigns(user)
    campaign = chosen_campaign(campaigns)
    unit_row = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit_row is None or campaign is None:
        abort(404)
    organiser = campaign.organiser
    top = organiser is not None and unit_row.id == organiser.id
    if not top and not can_see_unit(unit_row.id):
        abort(403)
    waiting = preparing.prepared(campaign, background.parts_of(levels=True), PREPARING)
    if waiting is not None:
        return waiting
    results = presented.campaign_results(campaign, levels=True)
    found = levels.level_of(results, campaign, unit_row)
    if not found["children"] or (len(found["children"]) == 1
                                 and found["children"][0]["unit_code"] == code):
        return redirect(url_for("results.unit", code=code, campaign=campaign.code))
    found = levels.scoped(found, visible_unit_ids(user))
    return render_template("results/level.html", campaigns=campaigns, campaign=campaign,
                           results=results, level=found, scoped=presented.is_scoped(user))
