"""What each irreversible or disruptive administrative action asks before it is done."""

from __future__ import annotations

from flask import url_for

from ..confirmation import Question
from ..models import Campaign, Counter, Unit, User
from ..support.dates import today_local
from ..support.formatting import date_text


def regenerate_counter(counter: Counter) -> Question:
    return Question(
        title=f"Cấp mã QR mới cho quầy “{counter.name}” — {counter.unit.name}?",
        button="Cấp mã QR mới, áp phích cũ ngừng hoạt động",
        back=url_for("admin.counters", unit_id=counter.unit_id),
        consequences=[
            "Mã QR và đường dẫn đang in trên các áp phích của quầy này ngừng hoạt động ngay: "
            "người dân quét áp phích cũ sẽ không trả lời được.",
            "Sau khi cấp, hãy in áp phích mới (trang Áp phích) và dán thay áp phích cũ.",
            "Các phiếu quầy đã nhận vẫn được giữ và vẫn được tính.",
        ])


def deactivate_counter(counter: Counter) -> Question:
    return Question(
        title=f"Thu hồi quầy “{counter.name}” — {counter.unit.name}?",
        button="Thu hồi quầy",
        back=url_for("admin.counters", unit_id=counter.unit_id),
        consequences=[
            "Đường dẫn, mã QR và chế độ máy tính bảng của quầy ngừng nhận phiếu ngay.",
            "Các phiếu quầy đã nhận vẫn được giữ và vẫn được tính.",
            "Có thể khôi phục quầy sau; mã QR cũ khi đó hoạt động lại.",
        ])


def deactivate_unit(unit: Unit) -> Question:
    return Question(
        title=f"Ngừng hoạt động {unit.name}?",
        button="Ngừng hoạt động đơn vị",
        back=url_for("admin.units"),
        consequences=[
            f"Mọi đường dẫn khảo sát và mã QR của {len(unit.counters)} quầy thuộc đơn vị "
            "ngừng nhận phiếu ngay.",
            "Các phiếu đơn vị đã nhận vẫn được giữ và vẫn được tính.",
            "Có thể kích hoạt lại đơn vị sau.",
        ])


def close_campaign(campaign: Campaign) -> Question:
    today = today_local()
    lines = ["Từ lúc đóng, mã QR, máy tính bảng và việc nhập phiếu giấy của đợt này không "
             "còn nhận phiếu."]
    if today < campaign.deadline:
        lines.append(f"Hạn chót là {date_text(campaign.deadline)}: đóng hôm nay là đóng sớm "
                     f"{(campaign.deadline - today).days} ngày.")
    lines.append("Có thể mở lại đợt đã đóng, cho đến khi kết quả được phê duyệt.")
    return Question(title=f"Đóng đợt khảo sát “{campaign.name}”?", button="Đóng đợt khảo sát",
                    back=url_for("admin.campaign_detail", campaign_id=campaign.id),
                    consequences=lines)


def reset_password(user: User) -> Question:
    return Question(
        title=f"Cấp lại mật khẩu cho {user.full_name} ({user.username})?",
        button="Cấp lại mật khẩu",
        back=url_for("admin.users"),
        consequences=[
            "Mật khẩu hiện tại ngừng dùng được ngay và mọi phiên đăng nhập của người này "
            "kết thúc.",
            "Mật khẩu mới chỉ hiện một lần ở trang sau; hãy trao tận tay. Người dùng phải đổi "
            "mật khẩu ở lần đăng nhập tới.",
        ])


def lock_user(user: User) -> Question:
    return Question(
        title=f"Khóa tài khoản {user.full_name} ({user.username})?",
        button="Khóa tài khoản",
        back=url_for("admin.users"),
        consequences=["Người này bị đăng xuất ngay và không đăng nhập được nữa.",
                      "Có thể mở lại tài khoản sau; dữ liệu đã nhập vẫn được giữ."])
