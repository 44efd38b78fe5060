"""The province of the default demo: Gia Lai since 1 July 2025 (Bình Định merged into it).

For demonstration only (docs/units.md): the departments are the sở, ban, ngành a province has
after the 2025 reorganisation and the communes and wards are names of Gia Lai's communes after
1/7/2025 as far as they are known here, without an official list at hand; a real install
imports its own list (Đơn vị → Nhập danh sách từ tệp CSV).
"""

from __future__ import annotations

import unicodedata

PROVINCE = ("tinh-gia-lai", "Tỉnh Gia Lai")

#: (code, name, procedure fields its counter offers; None: the whole list).
DEPARTMENTS = [
    ("gl-vp-ubnd", "Văn phòng Ủy ban nhân dân tỉnh", None),
    ("gl-so-noi-vu", "Sở Nội vụ", ["ld_tbxh", "khac"]),
    ("gl-so-tu-phap", "Sở Tư pháp", ["ho_tich", "chung_thuc", "tu_phap", "khac"]),
    ("gl-so-tai-chinh", "Sở Tài chính", ["dkkd", "khac"]),
    ("gl-so-cong-thuong", "Sở Công Thương", ["dkkd", "khac"]),
    ("gl-so-nn-mt", "Sở Nông nghiệp và Môi trường", ["dat_dai", "khac"]),
    ("gl-so-xay-dung", "Sở Xây dựng", ["xay_dung", "khac"]),
    ("gl-so-kh-cn", "Sở Khoa học và Công nghệ", None),
    ("gl-so-gd-dt", "Sở Giáo dục và Đào tạo", None),
    ("gl-so-y-te", "Sở Y tế", None),
    ("gl-so-vh-tt-dl", "Sở Văn hóa, Thể thao và Du lịch", None),
    ("gl-so-dt-tg", "Sở Dân tộc và Tôn giáo", None),
    ("gl-so-ngoai-vu", "Sở Ngoại vụ", None),
    ("gl-thanh-tra", "Thanh tra tỉnh", None),
    ("gl-bql-kkt", "Ban Quản lý Khu kinh tế tỉnh", ["dkkd", "xay_dung", "dat_dai", "khac"]),
    ("gl-ttphcc", "Trung tâm Phục vụ hành chính công tỉnh", None),
    ("gl-cong-an", "Công an tỉnh", None),
    ("gl-thue", "Thuế tỉnh Gia Lai", ["dkkd", "khac"]),
    ("gl-bhxh", "Bảo hiểm xã hội tỉnh", ["ld_tbxh", "khac"]),
    ("gl-kho-bac", "Kho bạc Nhà nước khu vực tỉnh Gia Lai", None),
]

#: The Sở Nội vụ runs the province's survey; the organiser is the province it serves.
ORGANISING_DEPARTMENT = "gl-so-noi-vu"

WARDS = [
    "Quy Nhơn", "Quy Nhơn Đông", "Quy Nhơn Tây", "Quy Nhơn Nam", "Quy Nhơn Bắc",
    "Bình Định", "An Nhơn", "An Nhơn Đông", "An Nhơn Nam", "An Nhơn Bắc",
    "Bồng Sơn", "Hoài Nhơn", "Tam Quan", "Hoài Nhơn Đông", "Hoài Nhơn Tây", "Hoài Nhơn Nam",
    "Hoài Nhơn Bắc", "Pleiku", "Hội Phú", "Thống Nhất", "Diên Hồng", "An Phú", "An Khê",
    "An Bình", "Ayun Pa",
]

COMMUNES = [
    # former Bình Định province
    "Vân Canh", "Canh Vinh", "Canh Liên", "Tây Sơn", "Bình Hiệp", "Bình Khê", "Bình An",
    "Bình Phú", "Phù Cát", "Xuân An", "Ngô Mây", "Cát Tiến", "Đề Gi", "Hòa Hội", "Hội Sơn",
    "Phù Mỹ", "An Lương", "Bình Dương", "Phù Mỹ Đông", "Phù Mỹ Tây", "Phù Mỹ Nam",
    "Phù Mỹ Bắc", "Tuy Phước", "Tuy Phước Đông", "Tuy Phước Tây", "Tuy Phước Bắc",
    "Vĩnh Thạnh", "Vĩnh Thịnh", "Vĩnh Quang", "Vĩnh Sơn", "An Lão", "An Hòa", "An Toàn",
    "An Vinh", "Hoài Ân", "Ân Hảo", "Ân Tường", "Kim Sơn", "Vạn Đức", "Nhơn Châu",
    # former Gia Lai province
    "Biển Hồ", "Gào", "Ia Ly", "Chư Păh", "Ia Khươl", "Ia Phí", "Đak Đoa", "Kon Gang",
    "Ia Băng", "KDang", "Mang Yang", "Lơ Pang", "Kon Chiêng", "Hra", "Ayun", "Kbang",
    "Kông Bơ La", "Tơ Tung", "Sơn Lang", "Đak Rong", "Krong", "Kông Chro", "Ya Ma",
    "Chư Krey", "SRó", "Đăk Song", "Chơ Long", "Đak Pơ", "Ya Hội", "Ia Grai", "Ia Hrung",
    "Ia Krái", "Ia O", "Ia Chia", "Đức Cơ", "Ia Dơk", "Ia Krêl", "Chư Prông", "Bàu Cạn",
    "Ia Boòng", "Ia Lâu", "Ia Pia", "Ia Tôr", "Chư Sê", "Bờ Ngoong", "Ia Ko", "Al Bá",
    "Chư Pưh", "Ia Le", "Ia Hrú", "Phú Thiện", "Chư A Thai", "Ia Hiao", "Ia Pa", "Ia Tul",
    "Pờ Tó", "Phú Túc", "Ia Rsai", "Uar", "Chư Rcăm", "Ia Dreh", "Ia Rbol", "Ia Sao",
    "Ia Púch", "Ia Mơ",
]

#: The commune whose admin account the demo creates, and its divisions.
DEMO_COMMUNE = "Vân Canh"
DIVISIONS = [
    ("ttphcc", "Trung tâm Phục vụ hành chính công xã Vân Canh"),
    ("vp", "Văn phòng HĐND và UBND xã Vân Canh"),
    ("kinh-te", "Phòng Kinh tế xã Vân Canh"),
    ("vh-xh", "Phòng Văn hóa – Xã hội xã Vân Canh"),
]


def slug(name: str) -> str:
    """``"Phù Mỹ Đông"`` → ``"phu-my-dong"``: a unit code from a Vietnamese name."""
    decomposed = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return "-".join("".join(ch if ch.isalnum() else " " for ch in plain).split())


def commune_code(name: str, ward: bool = False) -> str:
    return f"gl-{'phuong' if ward else 'xa'}-{slug(name)}"


def places() -> list[tuple[str, str]]:
    """(code, full name) of every ward and commune."""
    return ([(commune_code(name, ward=True), f"Phường {name}") for name in WARDS]
            + [(commune_code(name), f"Xã {name}") for name in COMMUNES])
