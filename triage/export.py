"""Render a ``triage.reports.Report`` as DOCX (administrative document), Markdown or CSV.

The DOCX follows the presentation rules of Nghị định 30/2020/NĐ-CP (Phụ lục I): A4, Times New
Roman; margins top/bottom 20 mm, left 30 mm, right 15 mm; the issuing-body block top-left (parent
body upper case, issuing body upper case bold, a short rule under it, then "Số: .../BC-..."); the
national title (upper case bold, 12 pt) and motto (bold, 13 pt, rule under it) top-right, then
place and date in italics; the title centred bold; "Nơi nhận:" bottom-left (bold italic 12 pt,
entries 11 pt) and the signer block bottom-right. All texts come from ``profile.report``.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from giamsat.core.profile import Profile
from giamsat.triage.reports import Report, recipients_of

FONT = "Times New Roman"
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
FORMATS = ("docx", "md", "csv")


def vn_date_line(place: str, day: date) -> str:
    """ "Khánh Hòa, ngày 05 tháng 02 năm 2026": day < 10 and months 1-2 get a leading zero (NĐ 30)."""
    d = f"{day.day:02d}" if day.day < 10 else str(day.day)
    m = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {d} tháng {m} năm {day.year}"


def number_line(profile: Profile, number: int | None) -> str:
    # Unnumbered drafts leave the number blank for the clerk (văn thư) to fill in when issuing.
    num = f"{number:02d}" if number is not None else "       "
    return f"Số: {num}/{profile.report.symbol}"


# -- DOCX ------------------------------------------------------------------------------------------
def _run(p: Paragraph, text: str, size: float = 13, bold: bool = False, italic: bool = False) -> None:
    r = p.add_run(text)
    r.font.name = FONT
    r.font.size = Pt(size)
    r.bold = bold
    r.italic = italic
    r._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def _para(
    container,
    text: str = "",
    size: float = 13,
    bold: bool = False,
    italic: bool = False,
    align=WD_ALIGN_PARAGRAPH.CENTER,
    space_after: float = 0,
) -> Paragraph:
    p = container.add_paragraph()
    p.alignment = align
    p.paragraph_format.space_after = Pt(space_after)
    p.paragraph_format.space_before = Pt(0)
    if text:
        _run(p, text, size, bold, italic)
    return p


def _rule(p: Paragraph, indent_mm: float) -> None:
    """A solid horizontal rule under the text: bottom border of an indented empty paragraph."""
    p.paragraph_format.left_indent = Mm(indent_mm)
    p.paragraph_format.right_indent = Mm(indent_mm)
    p_pr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    borders.append(bottom)
    p_pr.append(borders)
    p.paragraph_format.space_after = Pt(6)
    for r in p.runs:
        r.font.size = Pt(2)


def _clear_first(cell) -> None:
    # A new cell holds one empty paragraph; remove it so the block starts at the top.
    first = cell.paragraphs[0]
    first._element.getparent().remove(first._element)


def _header(doc: DocxDocument, profile: Profile, report: Report, width_mm: float) -> None:
    rep = profile.report
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    left_w, right_w = width_mm * 0.42, width_mm * 0.58
    for cell, w in zip(table.rows[0].cells, (left_w, right_w), strict=True):
        cell.width = Mm(w)
    left, right = table.rows[0].cells
    _clear_first(left)
    _para(left, rep.parent_body.upper(), 13)
    _para(left, rep.issuing_body.upper(), 13, bold=True)
    _rule(_para(left, " "), left_w * 0.33)
    _para(left, number_line(profile, report.number), 13)
    _clear_first(right)
    _para(right, NATIONAL_TITLE, 12, bold=True)
    _para(right, MOTTO, 13, bold=True)
    _rule(_para(right, " "), right_w * 0.2)
    _para(right, vn_date_line(rep.place, report.issued), 13, italic=True)


def _footer(doc: DocxDocument, profile: Profile, report: Report, width_mm: float) -> None:
    rep = profile.report
    recipients = recipients_of(profile, report)
    table = doc.add_table(rows=1, cols=2)
    table.autofit = False
    left_w, right_w = width_mm * 0.5, width_mm * 0.5
    for cell, w in zip(table.rows[0].cells, (left_w, right_w), strict=True):
        cell.width = Mm(w)
    left, right = table.rows[0].cells
    _clear_first(left)
    _para(left, "Nơi nhận:", 12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    for i, r in enumerate(recipients):
        end = "." if i == len(recipients) - 1 else ";"
        _para(left, f"- {r}{end}", 11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _clear_first(right)
    _para(right, rep.signer_title.upper(), 13, bold=True)
    for _ in range(4):
        _para(right, "", 13)  # room for the signature and seal
    _para(right, rep.signer_name, 13, bold=True)


def to_docx(profile: Profile, report: Report, out: Path) -> Path:
    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(20), Mm(20)
    sec.left_margin, sec.right_margin = Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(13)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    width = 210 - 30 - 15
    _header(doc, profile, report, width)
    _para(doc, "", 13)
    _para(doc, report.title, 14, bold=True)
    _para(doc, report.subtitle, 14, bold=True)
    _rule(_para(doc, " "), width * 0.4)
    for s in report.sections:
        p = _para(doc, s.heading, 13, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, space_after=6)
        p.paragraph_format.space_before = Pt(6)
        for text in s.paragraphs:
            body = _para(doc, text, 13, align=WD_ALIGN_PARAGRAPH.JUSTIFY, space_after=6)
            body.paragraph_format.first_line_indent = Mm(10)
        for t in s.tables:
            _para(doc, t.name, 13, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT, space_after=3)
            table = doc.add_table(rows=1, cols=len(t.headers))
            table.style = "Table Grid"
            for cell, h in zip(table.rows[0].cells, t.headers, strict=True):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
                _run(cell.paragraphs[0], h, 12, bold=True)
            for row in t.rows:
                cells = table.add_row().cells
                for cell, value in zip(cells, row, strict=True):
                    _run(cell.paragraphs[0], value, 12)
            if not t.rows:
                _para(doc, "(không có số liệu)", 12, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
            _para(doc, "", 6)
    _para(doc, "", 13)
    _footer(doc, profile, report, width)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


# -- Markdown --------------------------------------------------------------------------------------
def _md_cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def to_markdown(profile: Profile, report: Report) -> str:
    rep = profile.report
    lines = [
        f"**{rep.parent_body.upper()}**  ",
        f"**{rep.issuing_body.upper()}**  ",
        f"{number_line(profile, report.number)}",
        "",
        f"**{NATIONAL_TITLE}**  ",
        f"**{MOTTO}**  ",
        f"*{vn_date_line(rep.place, report.issued)}*",
        "",
        f"# {report.title}",
        f"## {report.subtitle}",
        "",
    ]
    for s in report.sections:
        lines += [f"### {s.heading}", ""]
        for text in s.paragraphs:
            lines += [text, ""]
        for t in s.tables:
            lines += [f"*{t.name}*", ""]
            if not t.rows:
                lines += ["(không có số liệu)", ""]
                continue
            lines.append("| " + " | ".join(_md_cell(h) for h in t.headers) + " |")
            lines.append("|" + "---|" * len(t.headers))
            for i, row in enumerate(t.rows):
                cells = [_md_cell(v) for v in row]
                if t.links.get(i):
                    cells[0] = f"[{cells[0]}]({t.links[i]})"
                lines.append("| " + " | ".join(cells) + " |")
            lines.append("")
    lines += [
        "**Nơi nhận:**",
        *(f"- {r}" for r in recipients_of(profile, report)),
        "",
        f"**{rep.signer_title.upper()}**",
    ]
    if rep.signer_name:
        lines.append(f"**{rep.signer_name}**")
    return "\n".join(lines) + "\n"


# -- CSV -------------------------------------------------------------------------------------------
def to_csv(profile: Profile, report: Report) -> str:
    """One block per table (section, table name, header row, rows), for Excel: UTF-8 with BOM
    is added when written to a file."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["Báo cáo", report.subtitle])
    w.writerow(["Cơ quan", profile.report.issuing_body])
    w.writerow(["Ngày", vn_date_line(profile.report.place, report.issued)])
    for s in report.sections:
        for text in s.paragraphs:
            w.writerow([s.heading, "", text])
        for t in s.tables:
            w.writerow([])
            w.writerow([s.heading, t.name])
            w.writerow(["", "", *t.headers])
            for row in t.rows:
                w.writerow(["", "", *row])
    return buf.getvalue()


def write_report(profile: Profile, report: Report, fmt: str, out: Path) -> Path:
    if fmt == "docx":
        return to_docx(profile, report, out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "md":
        out.write_text(to_markdown(profile, report), encoding="utf-8")
    elif fmt == "csv":
        out.write_text(to_csv(profile, report), encoding="utf-8-sig")
    else:
        raise ValueError(f"định dạng không hỗ trợ: {fmt} (có: {', '.join(FORMATS)})")
    return out
