"""All models, importable from one place (Alembic's autogenerate needs them loaded)."""

from ..orm import Base, utcnow
from .api_tokens import ApiToken
from .audit import AuditEvent
from .campaigns import CAMPAIGN_STATE_LABELS, Campaign, CampaignState, CampaignUnit
from .instruments import InstrumentVersion
from .responses import Answer, Channel, Response, ResponseStatus
from .results import ResultCache, ResultRevision, ResultSnapshot
from .scans import SCAN_STATE_LABELS, ScanCrop, ScanPage, ScanState
from .sheets import Sheet, SheetBatch, VerificationEntry
from .units import Counter, Unit, UnitKind, UnitSuccession
from .users import LoginFailure, Role, User, user_unit

__all__ = [
    "CAMPAIGN_STATE_LABELS", "SCAN_STATE_LABELS", "Answer", "ApiToken", "AuditEvent", "Base",
    "Campaign", "CampaignState", "CampaignUnit", "Channel", "Counter", "InstrumentVersion",
    "LoginFailure", "Response", "ResponseStatus", "ResultCache", "ResultRevision",
    "ResultSnapshot", "Role", "ScanCrop", "ScanPage", "ScanState", "Sheet", "SheetBatch", "Unit",
    "UnitKind", "UnitSuccession", "User", "VerificationEntry", "user_unit", "utcnow",
]
