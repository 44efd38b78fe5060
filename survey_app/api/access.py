"""Who calls the API: the owner of the bearer token, scoped by the staff access rules.

The token's owner becomes ``current_user`` for the request (never the session cookie: a
browser signed in to the staff pages gets nothing from the API without a token), so the same
rules as on the staff pages apply through ``auth`` and ``campaign_scope``:

- ``admin``: everything; ``viewer``: reads campaigns, units and results of every unit;
- ``unit_staff``: only the units assigned to them (another unit is 403, a campaign without
  any of their units 404); progress and submitting are for admin and unit staff, as the
  progress page and paper entry are; raw responses for admins only, as the raw-data sheet is.
"""

from __future__ import annotations

import hashlib

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user
from sqlalchemy import select

from ..auth import UNIT_WORK, can_see_unit, visible_unit_ids
from ..domain.accounts import api_tokens
from ..domain.campaigns.campaign_scope import campaigns_for
from ..extensions import db
from ..models import Campaign, CampaignState, Role, Unit, User
from .problems import ApiProblem

#: Endpoints anyone may read: the OpenAPI document and its page.
PUBLIC_ENDPOINTS = frozenset({"api.openapi_json", "api.docs"})
#: Who may read the anonymous raw responses (the results page offers them to admins only).
RAW_READERS = (Role.ADMIN,)
#: Who may submit responses (those who enter paper sheets).
SUBMITTERS = UNIT_WORK
#: Who may follow progress (those who see the progress page).
PROGRESS_READERS = UNIT_WORK
SEEN_STATES = (CampaignState.OPEN, CampaignState.CLOSED, CampaignState.APPROVED)

UNAUTHORIZED_HEADERS = {"WWW-Authenticate": 'Bearer realm="api"'}


def _bearer() -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def authenticate() -> None:
    """Before every API view: the bearer token's owner, or 401 (public endpoints excepted)."""
    if request.method == "POST":
        request.max_content_length = int(current_app.config["API_MAX_BODY"])
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    secret = _bearer()
    if secret is None:
        raise ApiProblem(401, "token_missing", headers=UNAUTHORIZED_HEADERS)
    found = api_tokens.authenticate(secret)
    if found is None:
        raise ApiProblem(401, "token_invalid",
                         detail="Mã truy cập không đúng, đã bị thu hồi, hoặc tài khoản đã bị "
                                "khóa.",
                         detail_en="The token is wrong or revoked, or its account is locked.",
                         headers={"WWW-Authenticate":
                                  'Bearer realm="api", error="invalid_token"'})
    token, user = found
    g.api_token = token
    g._login_user = user  # Flask-Login's current_user for this request, no session involved


def rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def rate_key() -> str:
    """Per token (its hash) when one is sent, else per client address."""
    secret = _bearer()
    if secret is not None:
        return "api-token:" + hashlib.sha256(secret[:api_tokens.MAX_SECRET].encode()).hexdigest()
    return "api-client:" + (get_remote_address() or "")


def user() -> User:
    return current_user._get_current_object()


def require_role(roles: tuple[Role, ...]) -> User:
    """The caller, if their role is one of ``roles``; else 403."""
    caller = user()
    if caller.role not in roles:
        raise ApiProblem(403)
    return caller


def visible_campaigns() -> list[Campaign]:
    """Campaigns the caller works on: with one of their units; drafts for admins only."""
    caller = user()
    states = tuple(CampaignState) if caller.role is Role.ADMIN else SEEN_STATES
    return campaigns_for(caller, states)


def campaign(code: str) -> Campaign:
    """The campaign with ``code`` if the caller may see it; 404 otherwise (either way)."""
    found = db.session.scalar(select(Campaign).where(Campaign.code == code)) \
        if "\x00" not in code else None
    if found is None or found.id not in {c.id for c in visible_campaigns()}:
        raise ApiProblem(404, detail=f"Không có đợt khảo sát mã “{code[:40]}” mà tài khoản "
                                     "được xem.",
                         detail_en=f"No campaign with code “{code[:40]}” visible to the "
                                   "account.")
    return found


def unit(code: str) -> Unit:
    """The unit with ``code``: 404 if none, 403 if it is another unit's (auth.require_unit)."""
    found = db.session.scalar(select(Unit).where(Unit.code == code)) \
        if "\x00" not in code else None
    if found is None:
        raise ApiProblem(404, detail=f"Không có đơn vị mã “{code[:40]}”.",
                         detail_en=f"No unit with code “{code[:40]}”.")
    if not can_see_unit(found.id, user()):
        raise ApiProblem(403, detail=f"Tài khoản không được xem dữ liệu của đơn vị "
                                     f"“{found.code}”.",
                         detail_en=f"The account may not see unit “{found.code}”.")
    return found


def visible_units() -> set[int] | None:
    """Ids of the units the caller may see; None means every unit."""
    return visible_unit_ids(user())
