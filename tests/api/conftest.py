"""Fixtures of the API tests: two communes, a campaign over both, accounts and their tokens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from survey_app.domain.accounts import api_tokens
from survey_app.models import Campaign, Role, Unit, User
from tests.public.public_support import RATING_CODES


@dataclass
class World:
    own: Unit
    other: Unit
    campaign: Campaign
    admin: User
    viewer: User
    staff: User  # unit staff of ``own`` only
    other_staff: User


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def answers(value: int = 4, **changes: int) -> dict[str, int]:
    """Every rating item answered ``value`` (0 = not applicable)."""
    return {**dict.fromkeys(RATING_CODES, value), **changes}


def submission(key: str, unit: str = "xa-minh", value: int = 4, **extra) -> dict:
    body = {"submission_key": key, "unit_code": unit, "answers": answers(value),
            "profile": {"respondent_type": "ca_nhan"}}
    body.update(extra)
    return body


@pytest.fixture
def world(make_unit, make_campaign, make_user) -> World:
    own = make_unit("xa-minh", "Xã Của Mình")
    other = make_unit("xa-khac", "Xã Khác")
    campaign = make_campaign([own, other], code="dot-1")
    admin, _ = make_user("quantri", Role.ADMIN)
    viewer, _ = make_user("nguoixem", Role.VIEWER)
    staff, _ = make_user("canbo-minh", units=[own])
    other_staff, _ = make_user("canbo-khac", units=[other])
    return World(own=own, other=other, campaign=campaign, admin=admin, viewer=viewer,
                 staff=staff, other_staff=other_staff)


@pytest.fixture
def token_for(app) -> Callable[[User], dict[str, str]]:
    """A fresh token of ``user``, as the Authorization header."""
    def make(user: User, name: str = "Hệ thống thử") -> dict[str, str]:
        return bearer(api_tokens.create_token(user, name).secret)
    return make
