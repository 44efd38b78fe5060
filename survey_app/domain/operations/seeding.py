"""The Vân Canh demonstration data: units, counters, an open campaign, an admin account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ...extensions import db
from ...models import Campaign, CampaignState, CampaignUnit, Counter, Role, Unit, UnitKind, User
from ..accounts.accounts import create_user
from ..campaigns.instruments import published_version, sync_shipped_instruments

COMMUNES = [
    ("tt-van-canh", "Thị trấn Vân Canh"),
    ("xa-canh-hien", "Xã Canh Hiển"),
    ("xa-canh-hiep", "Xã Canh Hiệp"),
    ("xa-canh-hoa", "Xã Canh Hòa"),
    ("xa-canh-lien", "Xã Canh Liên"),
    ("xa-canh-thuan", "Xã Canh Thuận"),
    ("xa-canh-vinh", "Xã Canh Vinh"),
]

# Agencies with the procedure fields their counters see (None: the whole list).
AGENCIES = [
    ("vp-hdnd-ubnd", "Văn phòng HĐND và UBND huyện", None),
    ("p-noi-vu", "Phòng Nội vụ", None),
    ("p-tu-phap", "Phòng Tư pháp", ["ho_tich", "chung_thuc", "tu_phap", "khac"]),
    ("p-tc-kh", "Phòng Tài chính – Kế hoạch", ["dkkd", "khac"]),
    ("p-tn-mt", "Phòng Tài nguyên và Môi trường", ["dat_dai", "khac"]),
    ("p-ld-tbxh", "Phòng Lao động – Thương binh và Xã hội", ["ld_tbxh", "khac"]),
    ("p-vh-tt", "Phòng Văn hóa và Thông tin", None),
    ("p-kt-ht", "Phòng Kinh tế và Hạ tầng", ["xay_dung", "khac"]),
    ("p-nn-ptnt", "Phòng Nông nghiệp và Phát triển nông thôn", None),
    ("p-gd-dt", "Phòng Giáo dục và Đào tạo", None),
    ("p-y-te", "Phòng Y tế", None),
    ("thanh-tra", "Thanh tra huyện", None),
]

# Illustrative dossier counts for the period (N of Yamane's formula), by unit code.
DEMO_TRANSACTIONS = {
    "tt-van-canh": 1200, "xa-canh-hien": 420, "xa-canh-hiep": 380, "xa-canh-hoa": 310,
    "xa-canh-lien": 260, "xa-canh-thuan": 450, "xa-canh-vinh": 520, "vp-hdnd-ubnd": 150,
    "p-noi-vu": 90, "p-tu-phap": 640, "p-tc-kh": 330, "p-tn-mt": 1000, "p-ld-tbxh": 700,
    "p-vh-tt": 60, "p-kt-ht": 300, "p-nn-ptnt": 120, "p-gd-dt": 80, "p-y-te": 110,
    "thanh-tra": 40,
}

DEMO_CAMPAIGN = "demo"
DEMO_ADMIN = "admin"


@dataclass
class SeedReport:
    """What a seeding run created; an empty report means the demo was already there."""

    units: int = 0
    counters: int = 0
    campaign: bool = False
    admin_password: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.units or self.counters or self.campaign or self.admin_password)


def seed_demo(today: date) -> SeedReport:
    """Create whatever part of the demo is missing (caller commits); never changes the rest."""
    report = SeedReport()
    sync_shipped_instruments()
    units = _ensure_units(report)
    _ensure_campaign(units, today, report)
    if db.session.scalar(select(User.id).filter_by(username=DEMO_ADMIN)) is None:
        _, report.admin_password = create_user(DEMO_ADMIN, "Quản trị Phòng Nội vụ", Role.ADMIN)
    return report


def _ensure_units(report: SeedReport) -> list[Unit]:
    wanted = [(code, name, UnitKind.COMMUNE, None) for code, name in COMMUNES]
    wanted += [(code, name, UnitKind.AGENCY, fields) for code, name, fields in AGENCIES]
    existing = {unit.code: unit for unit in db.session.scalars(select(Unit))}
    units = []
    for code, name, kind, fields in wanted:
        unit = existing.get(code)
        if unit is None:
            unit = Unit(code=code, name=name, kind=kind, field_codes=fields)
            db.session.add(unit)
            report.units += 1
        if not unit.counters:
            unit.counters.append(Counter(name="Quầy tiếp nhận và trả kết quả"))
            report.counters += 1
        units.append(unit)
    return units


def _ensure_campaign(units: list[Unit], today: date, report: SeedReport) -> None:
    if db.session.scalar(select(Campaign.id).filter_by(code=DEMO_CAMPAIGN)) is not None:
        return
    version = published_version("sipas-2640")
    campaign = Campaign(code=DEMO_CAMPAIGN, name=f"Khảo sát sự hài lòng năm {today.year} "
                                                 "(bản trình diễn)",
                        instrument_version=version, starts_on=date(today.year, 1, 1),
                        deadline=date(today.year, 12, 20), state=CampaignState.OPEN,
                        headline_method="mean-of-elements", valid_threshold=0.5)
    campaign.targets = [CampaignUnit(unit=unit, transactions_n=DEMO_TRANSACTIONS.get(unit.code))
                        for unit in units]
    db.session.add(campaign)
    report.campaign = True
