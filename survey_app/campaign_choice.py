"""The campaign a staff page shows: ``?campaign=<code>`` on every page, the same way.

A page lists the campaigns the user sees (``campaign_scope.visible_campaigns`` or, where only
open ones make sense, ``campaigns_for``) and takes the one named by its code; an unknown or
out-of-scope code is a 404, never another campaign's numbers; without one, the page's default.
"""

from __future__ import annotations

from flask import abort, request

from .models import Campaign

#: Longest campaign code (``Campaign.code``); a longer one names nothing.
CODE_LENGTH = 40


def chosen_campaign(campaigns: list[Campaign], default: Campaign | None = None
                    ) -> Campaign | None:
    """The campaign of ``?campaign=<code>`` among ``campaigns`` (404 when it is not one of
    them), else ``default``, else the latest (``campaigns`` come latest first)."""
    code = request.args.get("campaign", "").strip()
    if not code:
        return default if default is not None else (campaigns[0] if campaigns else None)
    if len(code) <= CODE_LENGTH:
        for campaign in campaigns:
            if campaign.code == code:
                return campaign
    abort(404)
