"""Render a ``triage.reports.Report`` as DOCX (administrative document), Markdown or CSV.

The DOCX follows the presentation rules of Nghị định 30/2020/NĐ-CP (Phụ lục I): A4, Times New
Roman; margins top/bottom 20 mm, left 30 mm, right 15 mm; the issuing-body block top-left (parent
body upper case, issuing body upper case bold, a short rule under it, then "Số: .../BC-..."); the
national title (upper case bold, 12 pt) and motto (bold, 13 pt, rule under it) top-right, then
place and date in italics; the title centred bold; "Nơi nhận:" bottom-left (bold italic 12 pt,
entries 11 pt) and the signer block bottom-right. All texts come from ``profile.report``.

What makes it signable as it comes out: the header's two columns are sized from the measured
width of their own lines (Times New Roman metrics, via Liberation Serif when installed), so
neither "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" nor the issuing body wraps - the table reaches into
the margins when it must, as printed letterheads do; page numbers top centre from page 2; the
document language is vi-VN; the signer block leaves room for signature and seal above the
signer's name; titles link to their article instead of printing URLs. ``pdf`` goes through
LibreOffice (``triage.pdf``).
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from giamsat.core.csvexport import safe_cell
from giamsat.core.profile import Profile
from giamsat.triage.reports import Report, recipients_of

FONT = "Times New Roman"
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
FORMATS = ("docx", "pdf", "md", "csv")
LANG = "vi-VN"
# Fonts with Times New Roman's metrics and every Vietnamese letter (Debian: fonts-liberation2;
# the older fonts-liberation lacks letters like "Ộ", which then fall back to a wider font).
_SERIF_DIRS = ("/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/liberation")
_SERIF = {(False, False): "Regular", (True, False): "Bold", (False, True): "Italic"}

# Report texts include crawled titles and posts, i.e. anything a stranger wrote. Each format gets
# one small sanitiser: DOCX refuses characters XML 1.0 does not allow (a control character in a
# title crashed `report --format docx`), Markdown would render ![image](http://…) and links,
# CSV cells could be formulas.
_XML_INVALID = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>!|~])")


# bidi embeddings, overrides and isolates: no use in Vietnamese, and in a post they reverse how the
# rest of a line is displayed (a report cell read backwards)
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def xml_safe(text: str) -> str:
    """``text`` without the characters an XML 1.0 document cannot hold (controls, lone surrogates)
    and without bidi controls."""
    return _BIDI.sub("", _XML_INVALID.sub("", text))


def md_safe(text: str) -> str:
    """``text`` as literal Markdown: markup characters escaped, line breaks kept as spaces."""
    out = _MD_SPECIAL.sub(r"\\\1", xml_safe(text)).replace("\r", " ").replace("\n", " ")
    return "\\" + out if out[:1] in ("#", "+", "-", "=") else out


def _web_link(url: str | None) -> str | None:
    """Only http(s) links are written (a stored URL from an import could be javascript:)."""
    return url if url and url.lower().startswith(("http://", "https://")) and " " not in url else None


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
def clean(text: str) -> str:
    return xml_safe(text)


@lru_cache(maxsize=512)
def text_mm(text: str, size: float, bold: bool = False, italic: bool = False) -> float:
    """Printed width of ``text`` in Times New Roman at ``size`` pt. Liberation Serif has the
    same metrics; without it, a generous estimate (upper case is wide) keeps lines unbroken."""
    from PIL import ImageFont

    style = _SERIF.get((bold, italic and not bold)) or _SERIF[(bold, False)]
    for folder in _SERIF_DIRS:
        try:
            font = ImageFont.truetype(f"{folder}/LiberationSerif-{style}.ttf", 1000)
        except OSError:
            continue
        return float(font.getlength(text)) / 1000 * size * 25.4 / 72
    per_char = 0.72 if text.isupper() else 0.5
    return len(text) * size * per_char * (1.08 if bold else 1.0) * 25.4 / 72


def _run(p: Paragraph, text: str, size: float = 13, bold: bool = False, italic: bool = False) -> None:
    r = p.add_run(xml_safe(text))
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


CELL_PADDING_MM = 2 * 1.9 + 1.5  # Word's default cell margins plus room for rounding


def header_widths(profile: Profile, report: Report, width_mm: float) -> tuple[float, float, float]:
    """(left mm, right mm, left font size): each letterhead column as wide as its widest line.
    The issuing body drops from 13 to 12 pt (both allowed by NĐ 30) when 13 would not fit."""
    rep = profile.report

    def left_need(size: float) -> float:
        return max(text_mm(rep.parent_body.upper(), size), text_mm(rep.issuing_body.upper(), size, bold=True))

    right = CELL_PADDING_MM + max(
        text_mm(NATIONAL_TITLE, 12, bold=True),
        text_mm(MOTTO, 13, bold=True),
        text_mm(vn_date_line(rep.place, report.issued), 13, italic=True),
    )
    size = 13.0 if left_need(13) + CELL_PADDING_MM + right <= width_mm else 12.0
    left = left_need(size) + CELL_PADDING_MM
    spare = width_mm - left - right
    if spare > 0:  # share what is left in the old proportion
        left += spare * 0.4
        right += spare * 0.6
    return left, right, size


def _set_widths(table: Any, widths_mm: list[float], indent_mm: float = 0) -> None:
    """Fixed layout with grid and cell widths: Word and LibreOffice both honour these."""
    tbl = table._tbl
    tbl_pr = tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(int(sum(widths_mm) * 56.7)))
    width.set(qn("w:type"), "dxa")
    for old in tbl_pr.findall(qn("w:tblW")):
        tbl_pr.remove(old)
    tbl_pr.append(width)
    if indent_mm:
        ind = OxmlElement("w:tblInd")
        ind.set(qn("w:w"), str(int(indent_mm * 56.7)))
        ind.set(qn("w:type"), "dxa")
        tbl_pr.append(ind)
    for col, w in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths_mm, strict=False):
        col.set(qn("w:w"), str(int(w * 56.7)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths_mm, strict=False):
            cell.width = Mm(w)


def _header(doc: DocxDocument, profile: Profile, report: Report, width_mm: float) -> None:
    rep = profile.report
    table = doc.add_table(rows=1, cols=2)
    table.autofit = False
    left_w, right_w, size = header_widths(profile, report, width_mm)
    overflow = max(0.0, left_w + right_w - width_mm)
    # a wider letterhead reaches into the (wide, 30 mm) left margin first
    _set_widths(table, [left_w, right_w], indent_mm=-min(overflow, 15.0) if overflow else 0)
    left, right = table.rows[0].cells
    _clear_first(left)
    _para(left, rep.parent_body.upper(), size)
    _para(left, rep.issuing_body.upper(), size, bold=True)
    _rule(_para(left, " "), left_w * 0.33)
    _para(left, number_line(profile, report.number), 13)
    _clear_first(right)
    _para(right, NATIONAL_TITLE, 12, bold=True)
    _para(right, MOTTO, 13, bold=True)
    _rule(_para(right, " "), right_w * 0.2)
    _para(right, vn_date_line(rep.place, report.issued), 13, italic=True)


def _footer(
    doc: DocxDocument, profile: Profile, report: Report, width_mm: float, signature_lines: int = 5
) -> None:
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
    for _ in range(signature_lines):
        _para(right, "", 13)  # room for the signature and seal (about 30 mm with 5 lines)
    # the signer's name from the profile; a dotted line to write it on when the profile has none
    _para(right, rep.signer_name or "." * 30, 13, bold=bool(rep.signer_name))


def _language(doc: DocxDocument) -> None:
    """vi-VN everywhere: spelling, hyphenation and the reader's voice use Vietnamese."""
    for style in (doc.styles["Normal"], *[st for st in doc.styles if st.type == 1]):
        r_pr = style.element.get_or_add_rPr()
        for old in r_pr.findall(qn("w:lang")):
            r_pr.remove(old)
        lang = OxmlElement("w:lang")
        for k in ("w:val", "w:eastAsia", "w:bidi"):
            lang.set(qn(k), LANG)
        r_pr.append(lang)
    doc.core_properties.language = LANG
    settings = doc.settings.element
    theme = OxmlElement("w:themeFontLang")
    theme.set(qn("w:val"), LANG)
    settings.append(theme)


def _page_numbers(doc: DocxDocument) -> None:
    """Page numbers top centre, from the second page on (NĐ 30: not on the first page)."""
    sec = doc.sections[0]
    sec.different_first_page_header_footer = True
    p = sec.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "2"), ("end", None)):
        r = p.add_run()
        r.font.name = FONT
        r.font.size = Pt(13)
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            r._r.append(fld)
        elif text == "PAGE":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = " PAGE "
            r._r.append(instr)
        else:
            r.text = text or ""


def _hyperlink(p: Paragraph, text: str, url: str, size: float = 12) -> None:
    r_id = p.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    run = OxmlElement("w:r")
    r_pr = OxmlElement("w:rPr")
    for tag, val in (
        ("w:rFonts", FONT),
        ("w:color", "1F4E9A"),
        ("w:u", "single"),
        ("w:sz", str(int(size * 2))),
    ):
        el = OxmlElement(tag)
        if tag == "w:rFonts":
            for k in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                el.set(qn(k), val)
        else:
            el.set(qn("w:val"), val)
        r_pr.append(el)
    run.append(r_pr)
    t = OxmlElement("w:t")
    t.text = clean(text)
    t.set(qn("xml:space"), "preserve")
    run.append(t)
    link.append(run)
    p._p.append(link)


def _opening(doc: DocxDocument, report: Report, width_mm: float) -> None:
    if report.summary:
        _para(doc, "TÓM TẮT", 13, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, space_after=3)
        for line in report.summary:
            body = _para(
                doc,
                f"- {line}",
                13,
                align=WD_ALIGN_PARAGRAPH.JUSTIFY,
                space_after=0 if report.variant == "leader" else 2,
            )
            body.paragraph_format.first_line_indent = Mm(10)
    if report.chart_png:
        p = _para(doc, "", 13, space_after=0)
        # the leader's one-page version keeps the chart small enough for the page
        p.add_run().add_picture(
            io.BytesIO(report.chart_png), width=Mm(62 if report.variant == "leader" else 150)
        )
        _para(doc, report.chart_caption, 12, italic=True, space_after=6)


def to_docx(profile: Profile, report: Report, out: Path) -> Path:
    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(20), Mm(20)
    sec.left_margin, sec.right_margin = Mm(30), Mm(15)
    sec.header_distance = Mm(10)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(13)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    _language(doc)
    _page_numbers(doc)
    width = 210 - 30 - 15
    compact = report.variant == "leader"  # one page: no spacer lines
    _header(doc, profile, report, width)
    if not compact:
        _para(doc, "", 13)
    _para(doc, report.title, 14, bold=True)
    title = report.subtitle + (" (bản tóm tắt cho lãnh đạo)" if report.variant == "leader" else "")
    _para(doc, title, 14, bold=True)
    _rule(_para(doc, " "), width * 0.4)
    _opening(doc, report, width)
    for s in report.sections:
        p = _para(doc, s.heading, 13, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, space_after=6)
        p.paragraph_format.space_before = Pt(6)
        p.paragraph_format.keep_with_next = True
        for text in s.paragraphs:
            body = _para(doc, text, 13, align=WD_ALIGN_PARAGRAPH.JUSTIFY, space_after=6)
            body.paragraph_format.first_line_indent = Mm(10)
        for t in s.tables:
            cap = _para(doc, t.name, 13, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT, space_after=3)
            cap.paragraph_format.keep_with_next = True
            if not t.rows:
                _para(doc, "(không có số liệu)", 12, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
                continue
            table = doc.add_table(rows=1, cols=len(t.headers))
            table.style = "Table Grid"
            table.autofit = False
            first = width - 22 * (len(t.headers) - 1) if len(t.headers) > 2 else width * 0.6
            widths = [first] + [(width - first) / (len(t.headers) - 1)] * (len(t.headers) - 1)
            _set_widths(table, widths)
            for cell, h in zip(table.rows[0].cells, t.headers, strict=True):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
                _run(cell.paragraphs[0], h, 12, bold=True)
            for i, row in enumerate(t.rows):
                cells = table.add_row().cells
                for j, (cell, value) in enumerate(zip(cells, row, strict=True)):
                    if j == 0 and t.links.get(i):
                        _hyperlink(cell.paragraphs[0], value, t.links[i])
                    else:
                        if j > 0:
                            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
                        _run(cell.paragraphs[0], value, 12)
            _para(doc, "", 6)
    if not compact:
        _para(doc, "", 13)
    _footer(doc, profile, report, width, signature_lines=2 if compact else 5)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


# -- Markdown --------------------------------------------------------------------------------------
def _md_cell(value: str) -> str:
    return md_safe(value)


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
    if report.summary:
        lines += ["**TÓM TẮT**", "", *(f"- {line}" for line in report.summary), ""]
    for s in report.sections:
        lines += [f"### {s.heading}", ""]
        for text in s.paragraphs:
            lines += [md_safe(text), ""]
        for t in s.tables:
            lines += [f"*{md_safe(t.name)}*", ""]
            if not t.rows:
                lines += ["(không có số liệu)", ""]
                continue
            lines.append("| " + " | ".join(_md_cell(h) for h in t.headers) + " |")
            lines.append("|" + "---|" * len(t.headers))
            for i, row in enumerate(t.rows):
                cells = [_md_cell(v) for v in row]
                link = _web_link(t.links.get(i))
                if link:
                    cells[0] = f"[{cells[0]}]({link.replace('(', '%28').replace(')', '%29')})"
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
    writer = csv.writer(buf)

    class _Safe:  # every cell neutralised against formula injection (core.csvexport.safe_cell)
        @staticmethod
        def writerow(row: list[str]) -> None:
            writer.writerow([safe_cell(str(v)) for v in row])

    w = _Safe()
    w.writerow(["Báo cáo", report.subtitle])
    w.writerow(["Cơ quan", profile.report.issuing_body])
    w.writerow(["Ngày", vn_date_line(profile.report.place, report.issued)])
    for line in report.summary:
        w.writerow(["Tóm tắt", "", line])
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
    if fmt == "pdf":
        from giamsat.triage.pdf import docx_to_pdf

        with tempfile.TemporaryDirectory(prefix="giamsat-docx-") as tmp:
            docx = to_docx(profile, report, Path(tmp) / (out.stem + ".docx"))
            return docx_to_pdf(docx, out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "md":
        out.write_text(to_markdown(profile, report), encoding="utf-8")
    elif fmt == "csv":
        out.write_text(to_csv(profile, report), encoding="utf-8-sig")
    else:
        raise ValueError(f"định dạng không hỗ trợ: {fmt} (có: {', '.join(FORMATS)})")
    return out
