"""Fixtures of the OpenRosa tests: a unit in an open campaign, its collector and ODK client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from survey_app.models import Campaign, Unit, User
from tests.openrosa.openrosa_support import Collector, filled, full_answers


@dataclass
class Field:
    """A unit in an open campaign, the staff account collecting there, and its client."""

    unit: Unit
    campaign: Campaign
    user: User
    odk: Collector


@pytest.fixture
def field_site(client, make_unit, make_campaign, make_user) -> Field:
    unit = make_unit("xa-dong", "Xã Đông")
    campaign = make_campaign([unit], code="dot-1")
    user, password = make_user("dieutra-dong", units=[unit])
    return Field(unit=unit, campaign=campaign, user=user,
                 odk=Collector(client, "/openrosa/dot-1/xa-dong", user.username, password))


@pytest.fixture
def odk(field_site) -> Collector:
    return field_site.odk


@pytest.fixture
def xform(odk) -> str:
    """The XForm the server serves for the campaign at the unit."""
    return odk.xform()


@pytest.fixture
def instance(xform) -> Callable[..., str]:
    """``instance(instance_id, **answers)``: a complete, valid instance of the served form."""
    def make(instance_id: str | None = None, *, meta_namespace: bool = False,
             value: str = "4", **changes: str) -> str:
        return filled(xform, full_answers(value, **changes), instance_id,
                      meta_namespace=meta_namespace)
    return make
