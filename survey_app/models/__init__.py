"""All models, importable from one place (Alembic's autogenerate needs them loaded)."""

from ..orm import Base, utcnow
from .audit import AuditEvent
from .campaigns import CAMPAIGN_STATE_LABELS, Campaign, CampaignState, CampaignUnit
from .instruments import InstrumentVersion
from .responses import Answer, Channel, Response, ResponseStatus
from .results import ResultCache, ResultRevision, ResultSnapshot
from .sheets import Sheet, SheetBatch, VerificationEntry
from .units import Counter, Unit, UnitKind
from .users import LoginFailure, Role, User, user_unit

__all__ = [
    "CAMPAIGN_STATE_LABELS", "Answer", "AuditEvent", "Base", "Campaign", "CampaignState",
    "CampaignUnit", "Channel", "Counter", "InstrumentVersion", "LoginFailure", "Response",
    "ResponseStatus", "ResultCache", "ResultRevision", "ResultSnapshot", "Role", "Sheet",
    "SheetBatch", "Unit", "UnitKind",
    "User", "VerificationEntry", "user_unit", "utcnow",
]
