"""The code lists shared by every stage and their Vietnamese names (one vocabulary for the data
model, profiles, CLI, dashboard and reports). Codes stay ASCII slugs in storage; only display goes
through the label maps. ``tests/test_codes.py`` checks every list has a label for every code."""

from __future__ import annotations

KINDS: tuple[str, ...] = ("press", "social", "forum", "comment", "tip")
SENTIMENTS: tuple[str, ...] = ("tich-cuc", "trung-tinh", "tieu-cuc")
CATEGORIES: tuple[str, ...] = ("none", "phan-anh", "sai-su-that", "xau-doc")
SEVERITIES: tuple[str, ...] = ("khan", "cao", "trung-binh", "thap")  # most urgent first
ALERT_STATUSES: tuple[str, ...] = ("mo", "da-xac-nhan", "bo-qua", "da-gop", "tam-hoan")
ALERT_KINDS: tuple[str, ...] = ("risk", "watch", "spread", "spike", "source")
ROLES: tuple[str, ...] = ("monitor", "leader", "unit", "admin")
# Actions recorded in a ticket's event log (triage.tickets, alerts, duties, upgrade).
TICKET_ACTIONS: tuple[str, ...] = (
    "tao",
    "chuyen-trang-thai",
    "binh-luan",
    "phan-cong-lai",
    "dieu-chinh-phan-cong",
    "leo-thang",
    "gop-canh-bao",
    "kiem-tra-dinh-chinh",
    "doi-ma-don-vi",
)

KIND_LABELS = {
    "press": "Báo chí",
    "social": "Mạng xã hội",
    "forum": "Diễn đàn",
    "comment": "Bình luận",
    "tip": "Tin báo",
}
SENTIMENT_LABELS = {"tich-cuc": "Tích cực", "trung-tinh": "Trung tính", "tieu-cuc": "Tiêu cực"}
SEVERITY_LABELS = {"khan": "Khẩn", "cao": "Cao", "trung-binh": "Trung bình", "thap": "Thấp"}
SEVERITY_ICONS = {"khan": "🔴", "cao": "🟠", "trung-binh": "🟡", "thap": "⚪"}
# Short form for tables and filters; documents use CATEGORY_TITLES.
CATEGORY_LABELS = {
    "none": "Bình thường",
    "phan-anh": "Phản ánh",
    "sai-su-that": "Sai sự thật",
    "xau-doc": "Xấu, độc",
}
CATEGORY_TITLES = {
    "none": "Không phân loại",
    "phan-anh": "Phản ánh",
    "sai-su-that": "Thông tin sai sự thật",
    "xau-doc": "Thông tin xấu, độc",
}
ALERT_STATUS_LABELS = {
    "mo": "Mở",
    "da-xac-nhan": "Đã xác nhận",
    "bo-qua": "Bỏ qua",
    "da-gop": "Đã gộp",
    "tam-hoan": "Tạm hoãn",
}
ALERT_KIND_LABELS = {
    "risk": "Rủi ro",
    "watch": "Theo dõi",
    "spread": "Lan rộng",
    "spike": "Tăng đột biến",
    "source": "Tình trạng nguồn",
}
ROLE_LABELS = {
    "monitor": "Cán bộ giám sát",
    "leader": "Lãnh đạo",
    "unit": "Đơn vị xử lý",
    "admin": "Quản trị",
}
TICKET_ACTION_LABELS = {
    "tao": "Tạo phiếu",
    "chuyen-trang-thai": "Chuyển trạng thái",
    "binh-luan": "Bình luận",
    "phan-cong-lai": "Phân công lại",
    "dieu-chinh-phan-cong": "Điều chỉnh phân công",
    "leo-thang": "Nhắc quá hạn, báo cáo vượt cấp",
    "gop-canh-bao": "Gộp cảnh báo",
    "kiem-tra-dinh-chinh": "Kiểm tra đính chính",
    "doi-ma-don-vi": "Đổi mã đơn vị theo bộ máy mới",
}
# Source health as computed by crawlers.health.compute_status.
SOURCE_STATUS_LABELS = {
    "ok": "🟢 Bình thường",
    "loi": "🔴 Lỗi",
    "im-lang": "🟠 Im lặng bất thường",
    "tang-dot-bien": "🟡 Tăng đột biến",
    "chua-chay": "⚪ Chưa thu thập",
    "tat": "⚪ Tắt",
}

# What a person reads for each action recorded in the audit trail (ticket and alert history).
EVENT_ACTION_LABELS = {
    "tao": "Tạo",
    "create": "Tạo",
    "xac-nhan": "Xác nhận cảnh báo, tạo phiếu",
    "chuyen-trang-thai": "Chuyển trạng thái",
    "transition": "Chuyển trạng thái",
    "phan-cong-lai": "Giao lại đơn vị",
    "dieu-chinh-phan-cong": "Điều chỉnh phân công",
    "assign": "Giao đơn vị",
    "binh-luan": "Trao đổi",
    "comment": "Trao đổi",
    "leo-thang": "Nhắc hạn, báo cáo vượt cấp",
    "escalate": "Nhắc hạn, báo cáo vượt cấp",
    "gop-canh-bao": "Gộp thêm cảnh báo",
    "merge": "Gộp thêm cảnh báo",
    "tang-muc-do": "Nâng mức độ",
    "tu-dong-dong": "Tự động đóng",
    "kiem-tra-dinh-chinh": "Kiểm tra bài đính chính",
    "nhan-xu-ly": "Nhận xử lý",
    "tra-xu-ly": "Trả lại hàng đợi",
    "bo-qua": "Bỏ qua",
    "tam-hoan": "Tạm hoãn",
    "mo-lai": "Mở lại",
    "dat-mat-khau": "Đặt mật khẩu",
    "mo-khoa": "Mở khóa",
    "khoa": "Khóa",
    "doi-ma-don-vi": "Đổi mã đơn vị theo bộ máy mới",
}
