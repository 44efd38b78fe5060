"""The demonstration data, in two scenarios that can live in one database (docs/units.md).

- ``province`` (the default): today's two-tier shape. Gia Lai province, its departments
  (sở, ban, ngành) and its communes and wards, one counter each; the commune of Vân Canh
  with its divisions; a campaign of this year organised by the province (run by its Sở Nội
  vụ) and a small one of Vân Canh over its divisions; the province's and the commune's
  admin accounts.
- ``district-2021``: the Vân Canh district of 2021 (its 7 communes and 12 agencies) under a
  historical district unit, with its 2021 campaign, closed.

Both get the installation's admin account (``admin``, every unit) if it is missing, and, when
their campaign is created, generated responses (``demo_responses``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from ...extensions import db
from ...models import Campaign, CampaignState, CampaignUnit, Counter, Role, Unit, UnitKind, User
from ..accounts.accounts import create_user
from ..campaigns.instruments import published_version, sync_shipped_instruments
from . import demo_gia_lai as gia_lai
from . import demo_responses

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

PROVINCE = "province"
DISTRICT_2021 = "district-2021"
SCENARIOS = (PROVINCE, DISTRICT_2021)

#: The campaigns each scenario creates.
DEMO_CAMPAIGN = "demo"
COMMUNE_CAMPAIGN = "demo-van-canh"
DISTRICT_CAMPAIGN = "demo-2021"
DISTRICT = ("huyen-van-canh", "Huyện Vân Canh (tỉnh Bình Định cũ, trước 1/7/2025)")

#: Accounts: the installation's admin, the province's (Sở Nội vụ), one commune's.
DEMO_ADMIN = "admin"
PROVINCE_ADMIN = "sonoivu"
COMMUNE_ADMIN = "vancanh"
#: Responses generated when a scenario's campaign is created, unless told otherwise.
DEFAULT_RESPONSES = 6000
#: The fixed sample target per unit of the province scenario's campaigns.
PROVINCE_SAMPLE = 40
#: How many of the demo commune's divisions the province's campaign covers.
PROVINCE_DIVISIONS = 3

COUNTER_NAME = "Quầy tiếp nhận và trả kết quả"


@dataclass
class SeedReport:
    """What a seeding run created; an empty report means the demo was already there."""

    units: int = 0
    counters: int = 0
    campaigns: list[str] = field(default_factory=list)
    responses: int = 0
    #: (username, what the account is, its generated password) of each account created.
    accounts: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.units or self.counters or self.campaigns or self.accounts)

    @property
    def admin_password(self) -> str | None:
        return next((password for name, _, password in self.accounts if name == DEMO_ADMIN),
                    None)


def seed_demo(today: date, scenario: str = PROVINCE, responses: int = 0) -> SeedReport:
    """Create whatever part of ``scenario`` is missing (caller commits); never changes the
    rest. ``responses`` are generated into a campaign created by this run."""
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}")
    report = SeedReport()
    sync_shipped_instruments()
    if scenario == PROVINCE:
        _province(today, responses, report)
    else:
        _district_2021(responses, report)
    _account(DEMO_ADMIN, "Quản trị hệ thống", Role.ADMIN, [], report,
             "quản trị toàn hệ thống (mọi đơn vị)")
    return report


def _account(username: str, full_name: str, role: Role, units: list[Unit],
             report: SeedReport, what: str) -> None:
    if db.session.scalar(select(User.id).filter_by(username=username)) is None:
        _, password = create_user(username, full_name, role, units)
        report.accounts.append((username, what, password))


def _unit(code: str, name: str, kind: UnitKind, parent: Unit | None, report: SeedReport,
          fields: list[str] | None = None, counter: bool = True) -> Unit:
    unit = db.session.scalar(select(Unit).filter_by(code=code))
    if unit is None:
        unit = Unit(code=code, name=name, kind=kind, parent=parent, field_codes=fields)
        db.session.add(unit)
        report.units += 1
    if counter and not unit.counters:
        unit.counters.append(Counter(name=COUNTER_NAME))
        report.counters += 1
    return unit


def _campaign(code: str, name: str, organiser: Unit, units: list[Unit], starts_on: date,
              deadline: date, state: CampaignState, transactions: dict[str, int],
              report: SeedReport, fixed_target: int | None = None) -> Campaign | None:
    """The campaign, created with its targets unless it exists (then None)."""
    if db.session.scalar(select(Campaign.id).filter_by(code=code)) is not None:
        return None
    campaign = Campaign(code=code, name=name, instrument_version=published_version("sipas-2640"),
                        organiser=organiser, starts_on=starts_on, deadline=deadline,
                        state=state, headline_method="mean-of-elements", valid_threshold=0.5)
    campaign.targets = [CampaignUnit(unit=unit, transactions_n=transactions.get(unit.code),
                                     fixed_target=fixed_target) for unit in units]
    db.session.add(campaign)
    db.session.flush()
    report.campaigns.append(code)
    return campaign


def _deadline(today: date) -> date:
    """The demo campaigns' deadline: 20/12, the results' legal date; seeded later in
    December, the end of the year, so that the demo still has a campaign open today."""
    legal = date(today.year, 12, 20)
    return legal if today <= legal else date(today.year, 12, 31)


def _province(today: date, responses: int, report: SeedReport) -> None:
    code, name = gia_lai.PROVINCE
    province = _unit(code, name, UnitKind.PROVINCE, None, report, counter=False)
    members = [_unit(code, name, UnitKind.DEPARTMENT, province, report, fields)
               for code, name, fields in gia_lai.DEPARTMENTS]
    # The demo commune is surveyed at its divisions' counters, so it has none of its own: a
    # poster there would lead to no open campaign.
    demo_code = gia_lai.commune_code(gia_lai.DEMO_COMMUNE)
    members += [_unit(code, name, UnitKind.COMMUNE, province, report, counter=code != demo_code)
                for code, name in gia_lai.places()]
    commune = db.session.scalar(select(Unit).filter_by(code=demo_code))
    divisions = [_unit(f"{commune.code}-{suffix}", name, UnitKind.DIVISION, commune, report)
                 for suffix, name in gia_lai.DIVISIONS]
    db.session.flush()
    # The province's campaign covers the demo commune through three of its divisions (its
    # one-stop centre first): the province's results drill down into the commune.
    members = [member for member in members if member.id != commune.id]
    members += divisions[:PROVINCE_DIVISIONS]
    # The commune's campaign first: the province's, made last, is the one pages open with.
    small = _campaign(COMMUNE_CAMPAIGN, f"Khảo sát sự hài lòng năm {today.year} — các bộ phận "
                      "của xã Vân Canh (bản trình diễn)", commune, divisions,
                      date(today.year, 1, 1), _deadline(today), CampaignState.OPEN,
                      {}, report)
    if small is not None:
        for target in small.targets:
            target.fixed_target = PROVINCE_SAMPLE
        report.responses += demo_responses.generate(small, min(responses, 200), today, seed=7)
    # Illustrative dossier counts N, a stable spread by position; the province fixes a sample
    # of 40 per unit (as provinces do), which the generated responses reach for most units.
    transactions = {unit.code: 150 + (index * 137) % 1400 for index, unit in enumerate(members)}
    campaign = _campaign(DEMO_CAMPAIGN, f"Khảo sát sự hài lòng năm {today.year} — tỉnh Gia Lai "
                         "(bản trình diễn)", province, members, date(today.year, 1, 1),
                         _deadline(today), CampaignState.OPEN, transactions, report,
                         fixed_target=PROVINCE_SAMPLE)
    if campaign is not None:
        report.responses += demo_responses.generate(campaign, responses, today)
    _account(PROVINCE_ADMIN, "Quản trị Sở Nội vụ tỉnh Gia Lai", Role.ADMIN, [province], report,
             "quản trị cấp tỉnh (Sở Nội vụ): tỉnh Gia Lai và mọi đơn vị thuộc tỉnh")
    _account(COMMUNE_ADMIN, "Quản trị UBND xã Vân Canh", Role.ADMIN, [commune], report,
             "quản trị cấp xã: xã Vân Canh và các bộ phận của xã")


def _district_2021(responses: int, report: SeedReport) -> None:
    code, name = DISTRICT
    district = _unit(code, name, UnitKind.DISTRICT, None, report, counter=False)
    units = [_unit(code, name, UnitKind.COMMUNE, district, report) for code, name in COMMUNES]
    units += [_unit(code, name, UnitKind.DEPARTMENT, district, report, fields)
              for code, name, fields in AGENCIES]
    db.session.flush()
    campaign = _campaign(DISTRICT_CAMPAIGN, "Khảo sát sự hài lòng năm 2021 — huyện Vân Canh "
                         "(bản trình diễn)", district, units, date(2021, 1, 1),
                         date(2021, 12, 20), CampaignState.CLOSED, DEMO_TRANSACTIONS, report)
    if campaign is not None:
        report.responses += demo_responses.generate(campaign, responses, date(2021, 12, 20),
                                                    seed=2021)
