"""The audit log in words: every action's Vietnamese name, and before/after as the list of
fields that changed (the stored JSON stays as it is; this is only how people read it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Every action the application records, by its stored code.
ACTION_NAMES: dict[str, str] = {
    "login.success": "Đăng nhập thành công",
    "login.failure": "Đăng nhập sai mật khẩu",
    "login.refused": "Đăng nhập bị tạm khóa (sai nhiều lần)",
    "logout": "Đăng xuất",
    "user.create": "Tạo tài khoản",
    "user.update": "Sửa tài khoản",
    "user.activate": "Mở lại tài khoản",
    "user.deactivate": "Khóa tài khoản",
    "user.reset_password": "Cấp lại mật khẩu",
    "user.change_password": "Tự đổi mật khẩu",
    "unit.create": "Thêm đơn vị",
    "unit.update": "Sửa đơn vị",
    "unit.activate": "Kích hoạt lại đơn vị",
    "unit.deactivate": "Ngừng hoạt động đơn vị",
    "unit.import": "Nhập danh sách đơn vị từ tệp",
    "unit.history": "Cập nhật thời gian hiệu lực, đơn vị tiền thân của đơn vị",
    "counter.create": "Thêm quầy",
    "counter.update": "Sửa quầy",
    "counter.activate": "Khôi phục quầy",
    "counter.revoke": "Thu hồi quầy",
    "counter.regenerate_token": "Cấp lại mã QR quầy",
    "campaign.create": "Tạo đợt khảo sát",
    "campaign.state": "Đổi trạng thái đợt khảo sát",
    "campaign.targets": "Sửa đơn vị tham gia và chỉ tiêu",
    "instrument.publish": "Công bố phiên bản bộ phiếu",
    "sheet_batch.create": "In phiếu khảo sát",
    "paper_entry.create": "Nhập phiếu giấy",
    "paper_entry.correct": "Sửa phiếu giấy đã nhập",
    "paper_entry.scan": "Nhập phiếu giấy từ bản quét",
    "paper_entry.scan_comment": "Gõ ý kiến viết tay của phiếu quét",
    "paper_entry.verify": "Nhập kiểm tra (nhập kép)",
    "scan_page.discard": "Bỏ trang phiếu quét đang chờ",
    "api_token.create": "Tạo khóa API",
    "api_token.revoke": "Thu hồi khóa API",
    "paper_entry.resolve": "Xử lý chênh lệch nhập kép",
    "responses.import": "Nhập phiếu từ tệp",
    "response.flag_burst": "Gắn cờ phiếu dồn dập",
    "response.review": "Xem xét phiếu bị gắn cờ",
    "response.collect": "Nhận phiếu do cán bộ gửi (ODK Collect, API)",
    "results.approve": "Phê duyệt kết quả",
}

OBJECT_NAMES: dict[str, str] = {
    "user": "Tài khoản", "unit": "Đơn vị", "counter": "Quầy", "campaign": "Đợt khảo sát",
    "instrument_version": "Bộ phiếu", "sheet_batch": "Lô phiếu in", "response": "Phiếu",
    "scan_page": "Trang phiếu quét", "api_token": "Khóa API", "sheet": "Tờ phiếu in",
}

#: Names of the fields that appear in before/after.
FIELD_NAMES: dict[str, str] = {
    "state": "Trạng thái", "is_active": "Đang hoạt động", "active": "Đang hoạt động",
    "name": "Tên", "full_name": "Họ tên", "code": "Mã", "kind": "Loại", "parent": "Thuộc",
    "role": "Vai trò", "units": "Đơn vị", "unit": "Đơn vị", "kiosk": "Máy tính bảng",
    "kiosk_language": "Liên kết ngôn ngữ trên máy tính bảng",
    "file": "Tệp", "imported": "Số phiếu đã nhập", "already_present": "Số phiếu đã có từ trước",
    "invalid": "Số phiếu không hợp lệ", "count": "Số phiếu", "campaign": "Đợt",
    "serial": "Số phiếu in", "status": "Tình trạng", "decision": "Quyết định",
    "flag_reason": "Lý do gắn cờ", "burst": "Loạt phiếu", "matches": "Khớp lần nhập đầu",
    "snapshot_version": "Phiên bản phê duyệt", "answers": "Câu trả lời",
    "profile": "Thông tin người trả lời", "comment": "Ý kiến", "field_codes": "Lĩnh vực",
    "targets": "Chỉ tiêu", "flagged_unreviewed": "Phiếu gắn cờ chưa xem xét",
    "valid_from": "Hiệu lực từ", "valid_to": "Hiệu lực đến", "predecessors": "Đơn vị tiền thân",
    "created": "Đơn vị mới", "updated": "Đơn vị cập nhật", "links": "Liên kết tiền thân mới",
}

#: Stored values shown in words.
VALUE_NAMES: dict[str, str] = {
    "draft": "Bản nháp", "open": "Đang mở", "closed": "Đã đóng", "approved": "Đã phê duyệt",
    "valid": "Hợp lệ", "invalid": "Không hợp lệ", "flagged": "Bị gắn cờ",
    "rejected": "Bị loại sau xem xét", "clear": "Chấp nhận", "keep": "Giữ loại trừ",
    "admin": "Quản trị", "unit_staff": "Cán bộ đơn vị", "viewer": "Người xem",
}

MISSING = "—"
#: Longest value shown in a list (a long comment is cut, with "…").
VALUE_LENGTH = 120


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str


def action_name(action: str) -> str:
    """The Vietnamese name of an action; its code when the application no longer knows it."""
    return ACTION_NAMES.get(action, action)


def object_text(object_type: str | None, object_id: str | None) -> str:
    """"Quầy 3", "Đơn vị xa-thu": what the event was about."""
    if not object_type:
        return ""
    name = OBJECT_NAMES.get(object_type, object_type)
    return f"{name} {object_id}" if object_id else name


def value_text(value: Any) -> str:
    """A stored value as a person reads it."""
    if value is None or value == "":
        return MISSING
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, Mapping):
        text = "; ".join(f"{FIELD_NAMES.get(str(k), k)}: {value_text(v)}"
                         for k, v in value.items())
    elif isinstance(value, list | tuple):
        text = ", ".join(value_text(item) for item in value)
    else:
        text = VALUE_NAMES.get(str(value), str(value))
    return text if len(text) <= VALUE_LENGTH else text[:VALUE_LENGTH - 1] + "…"


def changes(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
            ) -> list[FieldChange]:
    """The fields that changed, in the order recorded; every field when only one side is
    there (a creation, a deletion, a one-off action)."""
    before, after = before or {}, after or {}
    both = bool(before) and bool(after)
    rows = []
    for key in dict.fromkeys([*before, *after]):
        old, new = before.get(key), after.get(key)
        if both and old == new:
            continue
        rows.append(FieldChange(FIELD_NAMES.get(key, key), value_text(old) if before else "",
                                value_text(new) if after else ""))
    return rows
