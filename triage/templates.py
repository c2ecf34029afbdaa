"""Vietnamese notification texts (e-mail subject/body; the webhook sends the same text).

Plain text on purpose: it reads the same in a mail client, Zalo, Telegram or Slack.
"""

from __future__ import annotations

from giamsat.core.codes import CATEGORY_TITLES as CATEGORY_LABELS
from giamsat.core.codes import SEVERITY_LABELS
from giamsat.core.model import Alert, Item, Ticket
from giamsat.core.periods import Period, period_label
from giamsat.core.profile import Profile, ReportSchedule
from giamsat.core.timeutil import fmt_date, fmt_datetime
from giamsat.triage.workflow import label


def sev(s: str | None) -> str:
    return SEVERITY_LABELS.get(s or "", s or "")


def _units(profile: Profile, codes: list[str]) -> str:
    return ", ".join(profile.unit_name(c) for c in codes) or "(không)"


def alert_opened(profile: Profile, alert: Alert) -> tuple[str, str]:
    subject = f"[giamsat] Cảnh báo {sev(alert.severity).lower()}: {alert.title[:120]}"
    lines = [
        f"Cảnh báo mới ({sev(alert.severity)}) - mã {alert.id}",
        f"Nội dung: {alert.title}",
        f"Loại: {CATEGORY_LABELS.get(alert.category or '', alert.category or '')}",
        f"Lan truyền: {alert.reach.get('items', 0)} bài, {alert.reach.get('sources', 0)} nguồn",
        "Lý do: " + "; ".join(alert.reasons[:5]),
        "Đề nghị cán bộ giám sát xem xét, xác nhận hoặc bỏ qua.",
    ]
    return subject, "\n".join(lines)


def official_answer_found(profile: Profile, ticket: Ticket, answer: Item) -> tuple[str, str]:
    subject = f"[giamsat] Đã có thông tin chính thức cho phiếu {ticket.id}: {ticket.title[:100]}"
    lines = [
        f"Phiếu {ticket.id} ({sev(ticket.severity)}): {ticket.title}",
        f"Đã ghi nhận thông tin chính thức/đính chính: {(answer.title or answer.text[:200]).strip()}",
        f"Đường dẫn: {answer.url}",
        "Đề nghị đơn vị chủ trì kiểm tra, cập nhật nội dung trả lời và đóng phiếu nếu vụ việc đã được giải quyết.",
    ]
    return subject, "\n".join(lines)


def ticket_assigned(profile: Profile, ticket: Ticket) -> tuple[str, str]:
    subject = f"[giamsat] Giao xử lý phiếu {ticket.id}: {ticket.title[:120]}"
    lines = [
        f"Phiếu {ticket.id} ({sev(ticket.severity)}) được giao cho đơn vị.",
        f"Nội dung: {ticket.title}",
        f"Đơn vị chủ trì: {profile.unit_name(ticket.lead_unit)}",
        f"Đơn vị phối hợp: {_units(profile, ticket.co_units)}",
    ]
    if ticket.due_ack:
        lines.append(f"Hạn tiếp nhận: {fmt_datetime(ticket.due_ack)}")
    if ticket.due:
        lines.append(f"Hạn phản hồi: {fmt_datetime(ticket.due)}")
    lines.append("Đề nghị đơn vị xác minh và cung cấp thông tin/đính chính đúng hạn.")
    return subject, "\n".join(lines)


def ticket_escalated(profile: Profile, ticket: Ticket, kind: str) -> tuple[str, str]:
    what = "tiếp nhận" if kind == "ack" else "phản hồi"
    due = ticket.due_ack if kind == "ack" else ticket.due
    subject = f"[giamsat] QUÁ HẠN {what.upper()} phiếu {ticket.id}: {ticket.title[:100]}"
    lines = [
        f"Phiếu {ticket.id} ({sev(ticket.severity)}) đã quá hạn {what} ({fmt_datetime(due)}).",
        f"Nội dung: {ticket.title}",
        f"Đơn vị chủ trì: {profile.unit_name(ticket.lead_unit)}",
        f"Trạng thái hiện tại: {label(ticket.status)}",
        "Đề nghị lãnh đạo đơn vị chỉ đạo xử lý ngay.",
    ]
    return subject, "\n".join(lines)


def ticket_answered(profile: Profile, ticket: Ticket) -> tuple[str, str]:
    subject = f"[giamsat] Đơn vị đã phản hồi phiếu {ticket.id}"
    lines = [
        f"{profile.unit_name(ticket.lead_unit)} đã phản hồi phiếu {ticket.id}: {ticket.title}",
        f"Nội dung phản hồi: {ticket.answer_text or ''}",
        f"Đường dẫn: {ticket.answer_url or '(không)'}",
        "Đề nghị cán bộ giám sát kiểm tra và đóng phiếu.",
    ]
    return subject, "\n".join(lines)


def ticket_returned(profile: Profile, ticket: Ticket, note: str) -> tuple[str, str]:
    subject = f"[giamsat] Phiếu {ticket.id} được trả lại: {label(ticket.status)}"
    lines = [
        f"{profile.unit_name(ticket.lead_unit)} đã chuyển phiếu {ticket.id} sang '{label(ticket.status)}'.",
        f"Lý do: {note}",
        "Đề nghị đơn vị đầu mối xem xét giao lại.",
    ]
    return subject, "\n".join(lines)


def source_problem(source_id: str, status: str, detail: str) -> tuple[str, str]:
    subject = f"[giamsat] Nguồn {source_id}: {status}"
    return subject, f"Nguồn thu thập {source_id} đang ở trạng thái '{status}'. {detail}".strip()


def report_reminder(
    profile: Profile, schedule: ReportSchedule, period: Period, days_left: int
) -> tuple[str, str]:
    due = fmt_date(period.due) if period.due else ""
    when = "hôm nay" if days_left == 0 else f"còn {days_left} ngày"
    subject = f"[giamsat] Nhắc hạn báo cáo ({when}): {schedule.name[:100]}"
    lines = [
        f"{schedule.name} {period_label(period)}",
        f"Hạn nộp: trước ngày {due} ({when}).",
        f"Kỳ báo cáo: từ {fmt_date(period.start)} đến {fmt_date(period.end)}.",
    ]
    recipients = schedule.recipients or profile.report.recipients
    if recipients:
        lines.append("Nơi nhận: " + "; ".join(recipients) + ".")
    if schedule.source:
        lines.append(f"Căn cứ: {schedule.source}")
    lines.append(f"Lập báo cáo: giamsat report {schedule.id} --date {period.end.isoformat()} --format docx")
    return subject, "\n".join(lines)
