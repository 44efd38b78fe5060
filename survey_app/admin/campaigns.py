"""Administration of campaigns: list, create, targets per unit, open/close."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth import acting_user, is_unscoped, visible_unit_ids
from ..confirmation import ask, confirmed
from ..domain.campaigns import campaign_admin
from ..domain.campaigns.instruments import campaign_blocks, instrument_of
from ..domain.results.result_settings import method_name, weighting_name
from ..extensions import db
from ..models import Campaign, CampaignState, CampaignUnit, Unit
from ..unit_tree import tree_order
from . import questions
from .campaign_forms import CampaignForm, StateForm, read_targets
from .common import admin_change, admin_only, in_scope, managed_campaign
from .forms import ActionForm, options

#: Buttons shown for each state: (target state, label). Approval lives with the results.
STATE_BUTTONS = {
    CampaignState.DRAFT: [(CampaignState.OPEN, "Mở đợt khảo sát")],
    CampaignState.OPEN: [(CampaignState.CLOSED, "Đóng đợt khảo sát")],
    CampaignState.CLOSED: [(CampaignState.OPEN, "Mở lại đợt khảo sát")],
    CampaignState.APPROVED: [],
}


def _active_units(organiser_id: int | None = None) -> list[Unit]:
    """Active units a campaign may cover, in tree order: the organiser's subtree, or (no
    organiser yet) the signed-in admin's part of the tree."""
    allowed = campaign_admin.coverable_unit_ids(organiser_id)
    query = in_scope(select(Unit).where(Unit.is_active), Unit.id)
    if allowed is not None:
        query = query.where(Unit.id.in_(allowed))
    return [unit for unit, _ in tree_order(db.session.scalars(query))]


def _fill_choices(form: CampaignForm) -> None:
    versions = campaign_admin.published_versions()
    form.instrument_version_id.choices = options((v.id, f"{v.label} — {v.title}")
                                                 for v in versions)
    blocks = {}
    for version in versions:
        for block in instrument_of(version).blocks:
            blocks.setdefault(block.code, f"{block.title} ({block.code})")
    form.optional_blocks.choices = options(blocks.items())
    organisers = tree_order(db.session.scalars(in_scope(select(Unit).where(Unit.is_active),
                                                        Unit.id)))
    top = [(0, "— Toàn hệ thống (không thuộc đơn vị nào) —")] \
        if is_unscoped(acting_user()) else []
    form.organiser_id.choices = options(top + [(unit.id, "\u2003" * depth + unit.name)
                                               for unit, depth in organisers])
    form.unit_ids.choices = options((unit.id, unit.name) for unit in _active_units())


@admin_only
def campaigns():
    """Every campaign with its period and state."""
    query = select(Campaign).options(selectinload(Campaign.instrument_version),
                                     selectinload(Campaign.targets),
                                     selectinload(Campaign.organiser))
    allowed = visible_unit_ids(acting_user())
    if allowed is not None:
        query = query.where(Campaign.organiser_id.in_(allowed))
    rows = db.session.scalars(query.order_by(Campaign.starts_on.desc(), Campaign.id.desc()))
    return render_template("admin/campaigns.html", campaigns=rows.all())


@admin_only
def campaign_new():
    """Create a draft campaign from a published instrument version."""
    form = CampaignForm()
    _fill_choices(form)
    if request.method == "GET":
        form.unit_ids.data = [choice.value for choice in form.unit_ids.choices]
        user = acting_user()
        if not is_unscoped(user) and user.units:
            form.organiser_id.data = user.units[0].id
    error = None
    if form.validate_on_submit():
        data = campaign_admin.CampaignData(
            code=form.code.data.strip().lower(), name=form.name.data,
            instrument_version_id=form.instrument_version_id.data,
            starts_on=form.starts_on.data, deadline=form.deadline.data,
            headline_method=form.headline_method.data, weighting=form.weighting.data,
            min_compare_responses=form.min_compare_responses.data,
            valid_threshold=form.valid_threshold.share,
            margin_of_error=form.margin_of_error.share,
            optional_blocks=list(form.optional_blocks.data or []),
            unit_ids=list(form.unit_ids.data or []),
            organiser_id=form.organiser_id.data or None)
        with admin_change() as change:
            campaign = campaign_admin.create_campaign(data, actor=change.actor)
        error = change.refusal
        if error is None:
            flash("Đã tạo đợt khảo sát (bản nháp). Hãy nhập số hồ sơ N hoặc chỉ tiêu của từng "
                  "đơn vị rồi mở đợt.", "success")
            return redirect(url_for("admin.campaign_detail", campaign_id=campaign.id))
    status = 400 if error or form.errors else 200
    return render_template("admin/campaign_form.html", form=form, error=error), status


def _detail(campaign: Campaign, error: str | None = None, status: int = 200,
            typed: dict | None = None):
    targets = {row.unit_id: row for row in db.session.scalars(
        select(CampaignUnit).where(CampaignUnit.campaign_id == campaign.id))}
    return render_template("admin/campaign_detail.html", campaign=campaign,
                           units=_active_units(campaign.organiser_id)
                           + [row.unit for row in targets.values() if not row.unit.is_active],
                           targets=targets, typed=typed, error=error,
                           buttons=STATE_BUTTONS[campaign.state], form=ActionForm(),
                           method_name=method_name, weighting_name=weighting_name,
                           block_names=_block_names(campaign),
                           import_limit=current_app.config["IMPORT_MAX_UPLOAD"] // 2**20), status


def _block_names(campaign: Campaign) -> list[str]:
    """The switched-on optional blocks by their titles, not their codes."""
    instrument = instrument_of(campaign.instrument_version)
    return [instrument.block(code).title for code in campaign_blocks(campaign)]


@admin_only
def campaign_detail(campaign_id: int):
    """A campaign's settings, its targets table and its state buttons."""
    return _detail(managed_campaign(campaign_id))


@admin_only
def campaign_targets(campaign_id: int):
    """Save which units take part and each one's dossier count N or fixed target."""
    campaign = managed_campaign(campaign_id)
    unit_ids = [unit.id for unit in _active_units(campaign.organiser_id)] \
        + [row.unit_id for row in campaign.targets]
    targets, problems = read_targets(request.form, list(dict.fromkeys(unit_ids)))
    error = problems[0] if problems else None
    if error is None:
        with admin_change() as change:
            campaign_admin.set_targets(campaign, targets, actor=change.actor)
        error = change.refusal
    if error:
        return _detail(campaign, error, 400, typed=request.form)
    flash("Đã lưu chỉ tiêu của các đơn vị.", "success")
    return redirect(url_for("admin.campaign_detail", campaign_id=campaign.id))


@admin_only
def campaign_state(campaign_id: int):
    """Open, close or reopen; a forbidden move is refused with a 409 and a reason."""
    campaign = managed_campaign(campaign_id)
    form = StateForm()
    if not form.validate_on_submit() or form.target.data not in set(CampaignState):
        return _detail(campaign, "Trạng thái yêu cầu không hợp lệ.", 400)
    target = CampaignState(form.target.data)
    if target is CampaignState.CLOSED and campaign.state is CampaignState.OPEN \
            and not confirmed():
        return ask(questions.close_campaign(campaign))
    with admin_change() as change:
        campaign_admin.change_state(campaign, target, actor=change.actor)
    if change.refusal:
        return _detail(managed_campaign(campaign_id), change.refusal, 409)
    flash(f"Đợt khảo sát chuyển sang trạng thái “{target.label}”.", "success")
    return redirect(url_for("admin.campaign_detail", campaign_id=campaign.id))
