"""Place names and keywords used to *select* gold items (never to label them).

Names of the four watched provinces come from ``vietnamadminunits`` (the pre-2025 provinces and
districts that became Khánh Hòa, Lâm Đồng, Hà Tĩnh and Lạng Sơn on 1/7/2025) plus the curated
additions below: districts merged away before the package's snapshot, spelling variants, and
well-known landmarks. Matching runs on folded text (``giamsat.core.text.fold``: lower case, no
diacritics); a name must start with a capital letter unless the whole text is lower case.

A *weak* name is also a common word or person name ("Chi Lăng", "Hữu Nghị", "Đức Trọng"): it counts
only after a place word ("huyện", "cửa khẩu", "núi"…) or beside a strong name of the same province.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from giamsat.core.text import fold, match_key


def _words(*parts: str) -> tuple[str, ...]:
    """``_words("a, b", "c")`` -> ``("a", "b", "c")``: long name lists stay readable."""
    return tuple(w.strip() for part in parts for w in part.split(",") if w.strip())


WATCHED = ("khanh-hoa", "lam-dong", "ha-tinh", "lang-son")
# pre-2025 province (vietnamadminunits key) -> current province slug
OLD_PROVINCES = {
    "tinhkhanhhoa": "khanh-hoa",
    "tinhninhthuan": "khanh-hoa",
    "tinhlamdong": "lam-dong",
    "tinhdaknong": "lam-dong",
    "tinhbinhthuan": "lam-dong",
    "tinhhatinh": "ha-tinh",
    "tinhlangson": "lang-son",
}
# names the package does not list: districts merged before its snapshot, variants, landmarks
EXTRA: dict[str, tuple[str, ...]] = {
    "tinhkhanhhoa": _words(
        "Khánh Hoà, Vân Phong, Bắc Vân Phong, Hòn Tre, Ponagar, Tháp Bà, Hòn Mun, Dốc Lết, Bình Ba, "
        "Nha Phu, Hòn Tằm, Hòn Chồng, Yang Bay, Song Tử Tây, Sinh Tồn, Nam Yết, Trường Sa Lớn, Đá Tây, "
        "Suối Dầu, Đầm Môn, Ninh Vân, Hòn Bà, Cam Ranh, Đá Bàn"
    ),
    "tinhninhthuan": _words(
        "Phan Rang, Tháp Chàm, Vĩnh Hy, Núi Chúa, Ninh Chữ, Cà Ná, Po Klong Garai, Pô Klông Garai, "
        "Hang Rái, Mũi Dinh, Bình Tiên, Ngoạn Mục, Tân Mỹ"
    ),
    "tinhlamdong": _words(
        "Đạ Tẻh, Đạ Tẽh, Cát Tiên, Đạ Huoai, Langbiang, Lang Biang, Tuyền Lâm, Đại Ninh, Liên Khương, "
        "Prenn, Datanla, Cam Ly, Pongour, Đan Kia, Suối Vàng, Tân Rai, Bidoup, Cầu Đất, Lâm Viên, "
        "Nam Ban, Thung lũng Tình Yêu"
    ),
    "tinhdaknong": _words(
        "Đăk Nông, Dak Nong, Đắc Nông, Đăk Glong, Đắk Glong, Đắk Rlấp, Đăk R lấp, Đắk R lấp, Tà Đùng, "
        "Nhân Cơ, Nam Nung, Đray Sáp, Dray Sáp"
    ),
    "tinhbinhthuan": _words(
        "Phú Quý, Mũi Né, Hòn Rơm, Bàu Trắng, Kê Gà, Tà Cú, Vĩnh Tân, Hàm Tiến, Cù Lao Câu, Vĩnh Hảo, "
        "Đa Mi, Lagi, Hàm Thuận"
    ),
    "tinhhatinh": _words(
        "Lộc Hà, Vũng Áng, Formosa, Thiên Cầm, Cầu Treo, Xuân Thành, Đồng Lộc, Kẻ Gỗ, Hương Tích, "
        "Sơn Dương, Tiên Điền, Kỳ Lợi, Kỳ Anh"
    ),
    "tinhlangson": _words(
        "Đồng Đăng, Tân Thanh, Hữu Nghị, Hữu Nghị Quan, Mẫu Sơn, Kỳ Lừa, Cốc Nam, Chi Ma, xứ Lạng, "
        "Nhị Thanh, Tam Thanh, Bình Nghi, Na Hình"
    ),
}
WEAK = {
    fold(n)
    for n in _words(
        "Hương Sơn, Bắc Sơn, Chi Lăng, Bảo Lâm, Tân Thanh, Hữu Nghị, Cát Tiên, Đại Ninh, Ninh Sơn, "
        "Vũ Quang, Xuân Thành, Đồng Lộc, Sơn Dương, Lộc Bình, Văn Quan, Cao Lộc, Bình Gia, Đức Trọng, "
        "Đức Linh, Đức Thọ, Lâm Hà, Gia Nghĩa, Bảo Lộc, Di Linh, Hồng Lĩnh, Phú Quý, La Gi, Tân Mỹ, "
        "Bình Tiên, Cam Ly, Nam Ban, Cầu Đất, Lâm Viên, Chi Ma, Tam Thanh, Nhị Thanh, Bình Nghi, "
        "Na Hình, Cốc Nam, Kỳ Lừa, Hương Tích, Tiên Điền, Kỳ Lợi, Bình Ba, Đá Tây, Sinh Tồn, Nam Yết, "
        "Suối Dầu, Suối Vàng, Đầm Môn, Ninh Vân, Hòn Bà, Đá Bàn, Vĩnh Tân, Hàm Tiến, Vĩnh Hảo, Đa Mi, "
        "Tà Cú, Hàm Thuận, Nhân Cơ, Nam Nung, Tân Rai, Liên Khương, Đan Kia, Thuận Bắc, Ninh Hải, "
        "Khánh Sơn, Thạch Hà, Can Lộc, Lộc Hà, Cẩm Xuyên, Kẻ Gỗ, Mũi Dinh, Hang Rái, Ngoạn Mục, Tuy Đức, "
        "Bác Ái, Tánh Linh, Hàm Tân, Bắc Bình, Tuy Phong"
    )
}
PLACE_WORDS = _words(
    "huyen, thi xa, tx, thanh pho, tp, thi tran, xa, phuong, tinh, cua khau, nui, deo, dao, vinh, "
    "ho, dam, song, bien, thac, cho, khu du lich, vuon quoc gia, cang, khu kinh te, nha may, "
    "thuy dien, quan dao, ai, dinh, chua, thap, san bay, bai"
)
OTHER_ALIASES = ("TP.HCM", "TPHCM", "TP HCM", "Sài Gòn", "Thừa Thiên Huế", "Vũng Tàu", "Bà Rịa")

# keywords with their diacritics (matched on ``match_key``; on the folded form only when the text
# itself has no diacritics): "bắc bộ" is not "bác bỏ", "đang" is not "Đảng".
# Topics of the taxonomy, for "topic-match" items outside the watched provinces:
TOPIC_WORDS: dict[str, tuple[str, ...]] = {
    "dat-dai": _words(
        "thu hồi đất, bồi thường, giải phóng mặt bằng, quy hoạch, sổ đỏ, lấn chiếm đất, tranh chấp đất, "
        "phân lô, đất rừng, cưỡng chế"
    ),
    "moi-truong": _words("ô nhiễm, rác thải, xả thải, nước thải, bãi rác, môi trường, cá chết"),
    "khoang-san": _words("khai thác cát, cát lậu, khoáng sản, mỏ đá, khai thác trái phép, hút cát"),
    "bien-dao": _words("ngư dân, tàu cá, đánh bắt, Biển Đông, IUU, nuôi trồng thủy sản, lồng bè"),
    "thien-tai": _words("bão số, áp thấp, lũ lụt, lũ quét, sạt lở, hạn hán, xâm nhập mặn, mưa lũ"),
    "nong-nghiep": _words("nông dân, vật nuôi, cây trồng, chăn nuôi, phá rừng, lâm tặc, thủy lợi"),
    "hanh-chinh": _words(
        "thủ tục hành chính, công chức, cán bộ, bổ nhiệm, kỷ luật, một cửa, dịch vụ công, tinh giản biên chế, "
        "sáp nhập"
    ),
    "chuyen-doi-so": _words("lừa đảo qua mạng, chính phủ điện tử, chuyển đổi số, an ninh mạng, hacker"),
    "dau-tu": _words("dự án, nhà đầu tư, vốn đầu tư, ngân sách, đầu tư công, chậm tiến độ"),
    "ha-tang": _words("cao tốc, quốc lộ, tai nạn giao thông, xây dựng trái phép, thi công"),
    "y-te": _words("bệnh viện, ngộ độc, dịch bệnh, sốt xuất huyết, bác sĩ, bệnh nhân, tiêm chủng"),
    "giao-duc": _words("học sinh, giáo viên, trường học, kỳ thi, học phí, lạm thu"),
    "an-ninh": _words("bắt giữ, khởi tố, tạm giam, trộm cắp, cướp, ma túy, đánh bạc, giết người"),
    "cong-thuong": _words("buôn lậu, hàng giả, hàng nhái, giá xăng, bình ổn giá, thủy điện, nhiệt điện"),
    "bien-gioi": _words("biên giới, cửa khẩu, xuất nhập cảnh, vượt biên"),
    "lao-dong-xa-hoi": _words("công nhân, bảo hiểm xã hội, tiền lương, hộ nghèo, trợ cấp, bạo hành trẻ"),
    "dan-toc-ton-giao": _words("đồng bào dân tộc, tôn giáo, nhà thờ, tà đạo, dân tộc thiểu số"),
}
# words that make an item a candidate for phan-anh / sai-su-that / xau-doc / bac-bo
SIGNAL_WORDS = _words(
    "tin đồn, sai sự thật, bác bỏ, đính chính, tung tin, thông tin sai, tin giả, thất thiệt, "
    "không có chuyện, xuyên tạc, bịa đặt, lan truyền, phản ánh, bức xúc, kêu cứu, khiếu nại, tố cáo, "
    "né tránh, sai phạm, tham nhũng, trái phép, nhũng nhiễu, vô trách nhiệm, làm ngơ, dân kêu, giải trình, "
    "lên tiếng, thực hư, cảnh báo"
)
# public affairs, to prefer comments that talk about the state and society
PUBLIC_WORDS = _words(
    "nhà nước, chính quyền, chính phủ, Đảng, công an, cán bộ, quan chức, lãnh đạo, tham nhũng, dân tộc, "
    "Trung Quốc, tàu khựa, Biển Đông, luật, thuế, biểu tình, cộng sản, Việt Nam, đất nước, bắc kỳ, nam kỳ, "
    "miền Bắc, miền Nam, người dân, xã hội, tỉnh, thành phố, chính sách, phản động"
)


@dataclass
class Name:
    key: str  # folded
    old: str  # pre-2025 province key
    province: str  # current slug
    weak: bool
    exact: set[str] = field(default_factory=set)  # the spellings with diacritics (match_key)


def _admin_db() -> Path:
    import vietnamadminunits

    return Path(vietnamadminunits.__file__).parent / "data" / "dataset.db"


def _key(name: str) -> str:
    return re.sub(r"[\s\-'’.]+", " ", fold(name)).strip()


def _exact(name: str) -> str:
    return re.sub(r"[\s\-'’.]+", " ", match_key(name)).strip()


@lru_cache(maxsize=1)
def watched_names() -> tuple[Name, ...]:
    """Every selection name of the four watched provinces (old provinces, old districts, extras)."""
    names: dict[str, Name] = {}
    with sqlite3.connect(f"file:{_admin_db()}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT DISTINCT provinceKey, provinceShort, districtShort FROM admin_units_legacy"
        ).fetchall()
    pairs: list[tuple[str, str]] = []
    for pk, pshort, dshort in rows:
        if pk in OLD_PROVINCES:
            pairs += [(pk, pshort), (pk, dshort)]
    pairs += [(pk, n) for pk, extra in EXTRA.items() for n in extra]
    for pk, raw in pairs:
        for part in re.split(r"\s+-\s+", raw):  # "Phan Rang - Tháp Chàm"
            key = _key(part)
            if len(key) < 4:
                continue
            name = names.setdefault(key, Name(key, pk, OLD_PROVINCES[pk], key in WEAK))
            name.exact.add(_exact(part))
    return tuple(names.values())


@lru_cache(maxsize=1)
def other_province_names() -> tuple[str, ...]:
    """Folded names of the provinces outside the watched four (pre-2025 and current)."""
    with sqlite3.connect(f"file:{_admin_db()}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT DISTINCT provinceKey, provinceShort FROM admin_units_legacy").fetchall()
    out = {_key(short) for pk, short in rows if pk not in OLD_PROVINCES}
    out |= {_key(a) for a in OTHER_ALIASES}
    out.discard(_key("Huế"))  # one syllable: also a flower and a given name
    out.add(_key("TP Huế"))
    return tuple(sorted(out))


def _pattern(keys: list[str]) -> re.Pattern[str]:
    alts = sorted({r"[\s\-.]+".join(map(re.escape, k.split(" "))) for k in keys}, key=len, reverse=True)
    return re.compile(r"(?<![a-z0-9])(" + "|".join(alts) + r")(?![a-z0-9])")


@lru_cache(maxsize=1)
def _watched_re() -> tuple[re.Pattern[str], dict[str, Name]]:
    by_key = {n.key: n for n in watched_names()}
    return _pattern(list(by_key)), by_key


@lru_cache(maxsize=1)
def _other_re() -> re.Pattern[str]:
    return _pattern(list(other_province_names()))


_PLACE_BEFORE = re.compile(
    r"(?:^|[^a-z0-9])(" + "|".join(sorted(PLACE_WORDS, key=len, reverse=True)) + r")\.?\s+$"
)


def folded(text: str) -> str:
    """Fold and turn apostrophes into spaces (same length as ``text``)."""
    return re.sub(r"['’]", " ", fold(text))


def _cased(text: str, start: int, end: int) -> bool:
    """A proper noun: one of its words capitalised, unless the whole text is lower case."""
    starts = [start] + [i + 1 for i in range(start, end - 1) if not text[i].isalnum()]
    return any(text[i].isupper() for i in starts) or not any(c.isupper() for c in text)


def watched_hits(text: str) -> list[Name]:
    """Watched-province names found in ``text`` (weak names only with a place word or a strong name)."""
    pattern, by_key = _watched_re()
    f = folded(text)
    strong: list[Name] = []
    weak: list[Name] = []
    for m in pattern.finditer(f):
        name = by_key[re.sub(r"[\s\-.]+", " ", m.group(1))]
        written = _exact(text[m.start() : m.end()])
        if not _cased(text, m.start(), m.end()) or (written != _key(written) and written not in name.exact):
            continue  # a common word, or the same letters with other diacritics ("Văn phòng")
        if not name.weak or _PLACE_BEFORE.search(f[max(0, m.start() - 20) : m.start()]):
            strong.append(name)
        else:
            weak.append(name)
    provinces = {n.province for n in strong}
    return strong + [n for n in weak if n.province in provinces]


def other_province_hit(text: str) -> bool:
    f = folded(text)
    return any(_cased(text, m.start(), m.end()) for m in _other_re().finditer(f))


def _found(text: str, words: tuple[str, ...]) -> list[str]:
    """The words present in ``text``, diacritics respected unless the text has none at all."""
    exact, folded_text = match_key(text), fold(text)
    bare = folded_text == text.lower()
    out = []
    for w in words:
        if re.search(rf"(?<!\w){re.escape(match_key(w))}(?!\w)", exact) or (
            bare and re.search(rf"(?<!\w){re.escape(fold(w))}(?!\w)", folded_text)
        ):
            out.append(w)
    return out


def topics_hit(text: str) -> list[str]:
    return [t for t, words in TOPIC_WORDS.items() if _found(text, words)]


def has_any(text: str, words: tuple[str, ...]) -> bool:
    return bool(_found(text, words))
