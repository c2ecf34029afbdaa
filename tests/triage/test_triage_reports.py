"""Reports: daily briefing and monthly per-unit figures; DOCX checked part by part with
python-docx (NĐ 30/2020 layout), Markdown and CSV."""

from __future__ import annotations

import csv
from datetime import date, timedelta

import pytest
from docx import Document
from docx.shared import Mm

from giamsat.cli.triage import report_cmd
from giamsat.triage.export import vn_date_line, write_report
from giamsat.triage.reports import build_report, period_bounds, ticket_stats


@pytest.fixture
def busy(triage, users, items_factory, clock):
    """A day with a negative story answered in time and another left overdue."""
    (a,) = triage.ingest(
        items_factory(
            5,
            story_id="dat",
            topics=("dat-dai",),
            title="Tin đồn thu hồi đất ven biển Cam Ranh",
            kind="press",
        )
    )
    (b,) = triage.ingest(
        items_factory(
            3,
            story_id="yte",
            topics=("y-te",),
            category="phan-anh",
            title="Bệnh viện quá tải",
            prefix="y",
            sentiment="tieu-cuc",
        )
    )
    items_factory(
        4,
        story_id="dl",
        topics=("du-lich",),
        risk=0.1,
        category="none",
        sentiment="tich-cuc",
        title="Festival biển",
        prefix="d",
    )
    t1 = triage.confirm(users["giamsat1"], a.id)
    t2 = triage.confirm(users["giamsat1"], b.id)
    clock.advance(hours=3)
    triage.transition(users["nnmt"], t1.id, "da-phan-hoi", answer_text="Không có chủ trương thu hồi.")
    clock.advance(hours=30)  # t2 ("cao": 24 h) is now overdue and unanswered
    return t1, t2


def test_period_bounds():
    assert period_bounds("monthly", date(2026, 2, 14)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert period_bounds("yearly", date(2026, 7, 1)) == (date(2026, 1, 1), date(2026, 12, 31))
    assert period_bounds("weekly", date(2026, 11, 26)) == (date(2026, 11, 23), date(2026, 11, 29))
    assert period_bounds("quarterly", date(2026, 11, 26)) == (date(2026, 10, 1), date(2026, 12, 31))
    with pytest.raises(ValueError):
        period_bounds("ad-hoc", date(2026, 1, 1))


def test_vn_date_line_pads_small_days_and_months():
    assert vn_date_line("Khánh Hòa", date(2026, 11, 23)) == "Khánh Hòa, ngày 23 tháng 11 năm 2026"
    assert vn_date_line("Khánh Hòa", date(2026, 2, 5)) == "Khánh Hòa, ngày 05 tháng 02 năm 2026"
    assert vn_date_line("Khánh Hòa", date(2026, 4, 5)) == "Khánh Hòa, ngày 05 tháng 4 năm 2026"


def test_daily_briefing_content(profile, tmp_store, busy, clock):
    report = build_report(
        profile, tmp_store, "daily", date(2026, 11, 23), now=clock.now, issued=date(2026, 11, 23)
    )
    text = {s.heading: s for s in report.sections}
    overview = text["I. TỔNG QUAN TÌNH HÌNH THÔNG TIN"]
    assert (
        "ghi nhận 12 tin, bài" in overview.paragraphs[0]
        and "8 tin, bài có sắc thái tiêu cực" in overview.paragraphs[0]
    )
    kinds = {r[0]: r[1] for r in overview.tables[0].rows}
    assert kinds == {"Mạng xã hội": "7", "Báo chí": "5"}
    topics = text["II. CHỦ ĐỀ VÀ ĐỊA BÀN ĐƯỢC QUAN TÂM"].tables[0].rows
    assert topics[0][:2] == ["Đất đai", "5"]
    negative = text["III. TIN, BÀI TIÊU CỰC NỔI BẬT"].tables[0]
    # the title links to the article; no column of URLs
    assert negative.rows[0][0] == "Tin đồn thu hồi đất ven biển Cam Ranh"
    assert negative.headers == ["Tiêu đề", "Số bài", "Số nguồn", "Tương tác"]
    assert negative.links[0].startswith("https://")
    assert "IV. THÔNG TIN ĐÍNH CHÍNH, BÁC BỎ" in text
    assert "làm phát sinh 2 cảnh báo" in text["V. CẢNH BÁO TỪ TIN, BÀI TRONG KỲ"].paragraphs[0]
    assert text["VI. TÌNH HÌNH XỬ LÝ PHIẾU"].paragraphs[0] == (
        "Tin, bài trong ngày đã được chuyển thành 2 phiếu; trong ngày đã phản hồi 1 phiếu; "
        "đến cuối kỳ báo cáo còn 0 phiếu quá hạn chưa phản hồi."
    )
    # the daily briefing opens with five lines and a chart
    assert len(report.summary) == 5 and "Ghi nhận 12 tin, bài" in report.summary[0]
    assert report.chart_png and report.chart_png.startswith(b"\x89PNG")
    next_day = build_report(profile, tmp_store, "daily", date(2026, 11, 24), now=clock.now)
    assert next_day.sections[-1].paragraphs[0] == (
        "Tin, bài trong ngày đã được chuyển thành 0 phiếu; trong ngày đã phản hồi 0 phiếu; "
        "đến cuối kỳ báo cáo còn 1 phiếu quá hạn chưa phản hồi."
    )


def test_alerts_and_tickets_count_by_the_items_date(profile, tmp_store, busy, clock):
    """The audit's 23/11 case: the alerts were opened (and the tickets confirmed) on a later day
    than the posts; the report of the posts' day still counts them."""
    later = build_report(profile, tmp_store, "daily", date(2026, 11, 25), now=clock.now)
    alerts = next(s for s in later.sections if "CẢNH BÁO" in s.heading)
    assert "làm phát sinh 0 cảnh báo" in alerts.paragraphs[0]


def test_official_denials_have_their_own_heading(profile, tmp_store, triage, items_factory, clock):
    items_factory(
        2,
        story_id="bacbo",
        title="Công an tỉnh bác bỏ tin đồn sơ tán Nha Trang",
        sentiment="tieu-cuc",
        prefix="bb",
        source_id="baokhanhhoa",
    )
    from giamsat.core.timeutil import to_local

    from .conftest import T0

    report = build_report(profile, tmp_store, "daily", to_local(T0).date(), now=clock.now)
    negative = next(s for s in report.sections if "TIÊU CỰC" in s.heading)
    denials = next(s for s in report.sections if "ĐÍNH CHÍNH" in s.heading)
    assert all("bác bỏ" not in r[0] for t in negative.tables for r in t.rows)
    assert denials.tables[0].rows[0][0] == "Công an tỉnh bác bỏ tin đồn sơ tán Nha Trang"


def test_leader_variant_is_one_page(profile, tmp_store, busy, clock, tmp_path):
    report = build_report(profile, tmp_store, "daily", date(2026, 11, 23), now=clock.now, variant="leader")
    assert len(report.summary) == 5 and len(report.sections) == 2
    assert len(report.sections[0].tables[0].rows) <= 5
    out = write_report(profile, report, "docx", tmp_path / "lanh-dao.docx")
    assert "bản tóm tắt cho lãnh đạo" in "\n".join(p.text for p in Document(str(out)).paragraphs)


def test_ticket_stats_per_unit(busy, triage, users, clock):
    stats = ticket_stats(triage.list_tickets(users["admin"]), clock.now)
    assert (stats["so-nnmt"].received, stats["so-nnmt"].answered, stats["so-nnmt"].on_time) == (1, 1, 1)
    assert stats["so-nnmt"].median_hours == 3.0
    assert (stats["so-y-te"].received, stats["so-y-te"].answered, stats["so-y-te"].overdue) == (1, 0, 1)


def test_monthly_report_per_unit_table(profile, tmp_store, busy, clock):
    report = build_report(profile, tmp_store, "monthly", date(2026, 11, 5), now=clock.now)
    units = next(s for s in report.sections if "THEO ĐƠN VỊ" in s.heading)
    rows = {r[0]: r for r in units.tables[0].rows}
    assert rows["Sở Nông nghiệp và Môi trường"][1:] == ["1", "1", "1 (100,0%)", "0", "3,0"]
    assert rows["Sở Y tế"][1:5] == ["1", "0", "0 (0%)", "1"]
    assert rows["Tổng cộng"][1] == "2"
    volume = next(s for s in report.sections if "DIỄN BIẾN" in s.heading)
    assert volume.tables[0].rows == [["23/11/2026", "12"]]


def test_docx_is_a_vietnamese_administrative_document(profile, tmp_store, busy, clock, tmp_path):
    report = build_report(
        profile, tmp_store, "daily", date(2026, 11, 23), now=clock.now, issued=date(2026, 11, 23), number=12
    )
    out = write_report(profile, report, "docx", tmp_path / "diem-tin.docx")
    doc = Document(str(out))
    sec = doc.sections[0]
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)
    assert 20 <= round(sec.top_margin.mm) <= 25 and 20 <= round(sec.bottom_margin.mm) <= 25
    assert 30 <= round(sec.left_margin.mm) <= 35 and 15 <= round(sec.right_margin.mm) <= 20
    head = doc.tables[0]
    left = [p for p in head.cell(0, 0).paragraphs if p.text.strip()]
    right = [p for p in head.cell(0, 1).paragraphs if p.text.strip()]
    assert left[0].text == "UBND TỈNH KHÁNH HÒA"
    assert left[1].text == "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH" and left[1].runs[0].bold
    assert left[2].text == "Số: 12/BC-SVHTTDL"
    assert right[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and right[0].runs[0].bold
    assert right[1].text == "Độc lập - Tự do - Hạnh phúc" and right[1].runs[0].bold
    assert right[2].text == "Khánh Hòa, ngày 23 tháng 11 năm 2026" and right[2].runs[0].italic
    # the rules under the issuing body and the motto are paragraph bottom borders
    ruled = [
        p
        for p in head.cell(0, 0).paragraphs + head.cell(0, 1).paragraphs
        if p._p.pPr is not None
        and p._p.pPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}pBdr") is not None
    ]
    assert len(ruled) == 2
    body = [p for p in doc.paragraphs if p.text.strip()]
    title = next(p for p in body if p.text == "BÁO CÁO")
    assert title.runs[0].bold and title.alignment == 1  # centred
    assert any(p.text == "Điểm tin báo chí, mạng xã hội ngày 23/11/2026" for p in body)
    fonts = {r.font.name for p in doc.paragraphs for r in p.runs if r.text.strip()}
    assert fonts == {"Times New Roman"}
    sizes = {r.font.size.pt for p in body for r in p.runs if r.font.size}
    assert sizes <= {12.0, 13.0, 14.0}  # 12: the chart caption
    # language, page numbers from page 2, header columns wide enough for one line each
    styles = doc.styles.element.xml
    assert 'w:lang w:val="vi-VN"' in styles and doc.core_properties.language == "vi-VN"
    assert sec.different_first_page_header_footer and "PAGE" in sec.header._element.xml
    from giamsat.triage.export import NATIONAL_TITLE, text_mm

    left_w, right_w = (c.width.mm for c in head.rows[0].cells)
    assert right_w > text_mm(NATIONAL_TITLE, 12, bold=True) + 3.8
    assert left_w > text_mm("SỞ THÔNG TIN VÀ TRUYỀN THÔNG", 12, bold=True) + 3.8
    foot = doc.tables[-1]
    recipients = [p.text for p in foot.cell(0, 0).paragraphs]
    assert recipients[0] == "Nơi nhận:" and foot.cell(0, 0).paragraphs[0].runs[0].italic
    assert "- Thường trực Tỉnh ủy (để b/c);" in recipients and recipients[-1] == "- Lưu: VT."
    assert foot.cell(0, 1).paragraphs[0].text == "GIÁM ĐỐC"
    assert any(
        "Tin đồn thu hồi đất ven biển Cam Ranh" in c.text
        for t in doc.tables
        for row in t.rows
        for c in row.cells
    )
    assert Mm(1)  # keep the import meaningful for readers: sizes above are in mm


def test_markdown_and_csv(profile, tmp_store, busy, clock, tmp_path):
    report = build_report(
        profile, tmp_store, "monthly", date(2026, 11, 23), now=clock.now, issued=date(2026, 12, 1)
    )
    md = write_report(profile, report, "md", tmp_path / "r.md").read_text(encoding="utf-8")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in md and "*Khánh Hòa, ngày 01 tháng 12 năm 2026*" in md
    assert "| Sở Nông nghiệp và Môi trường | 1 | 1 | 1 (100,0%) | 0 | 3,0 |" in md
    assert "[Tin đồn thu hồi đất ven biển Cam Ranh](https://" in md
    raw = write_report(profile, report, "csv", tmp_path / "r.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM so Excel reads UTF-8
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert ["", "", "Sở Nông nghiệp và Môi trường", "1", "1", "1 (100,0%)", "0", "3,0"] in rows


def test_report_cmd_writes_file(profile, tmp_store, busy, tmp_path):
    out = tmp_path / "nam.docx"
    assert report_cmd(profile, tmp_store, "yearly", "23/11/2026", "docx", out) == 0
    assert Document(str(out)).paragraphs
    import typer

    with pytest.raises(typer.BadParameter, match="nam-truyen-thong-chinh-sach"):
        report_cmd(profile, tmp_store, "fortnightly", None, "docx", out)
    with pytest.raises(typer.BadParameter, match="khoảng ngày"):
        report_cmd(profile, tmp_store, "ad-hoc", None, "docx", out)
    with pytest.raises(typer.BadParameter):
        report_cmd(profile, tmp_store, "daily", "31/02/2026", "md", out)


def test_report_uses_no_item_loading(profile, tmp_store, busy, clock, monkeypatch):
    def boom(*a, **k):
        raise AssertionError("reports must not stream items")

    monkeypatch.setattr(tmp_store, "iter_items", boom)
    build_report(profile, tmp_store, "monthly", date(2026, 11, 1), now=clock.now + timedelta(days=1))
