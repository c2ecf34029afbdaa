"""Writes the static pages of this fixture site (run once; its output is committed)."""

import html
import pathlib
import unicodedata

SITE = pathlib.Path(__file__).resolve().parent
NAV = """<header class="site-header"><div class="logo"><a href="/">BÁO THỬ NGHIỆM</a></div>
<nav class="menu"><ul><li><a href="/thoi-su/">Thời sự</a></li><li><a href="/kinh-te/">Kinh tế</a></li>
<li><a href="/xa-hoi/">Xã hội</a></li><li><a href="/phap-luat/">Pháp luật</a></li><li><a href="/du-lich/">Du lịch</a></li></ul></nav></header>"""
RELATED = """<aside class="related"><h3>Tin liên quan</h3><ul>
<li><a href="/articles/khac-1.html">Hội nghị tổng kết công tác năm của ngành nông nghiệp tỉnh</a></li>
<li><a href="/articles/khac-2.html">Ra mắt câu lạc bộ thể thao phường Bắc Nha Trang</a></li></ul></aside>"""
FOOT = """<footer class="site-footer"><p>Cơ quan chủ quản: Báo Thử Nghiệm. Giấy phép số 01/GP-BTTTT.</p>
<p><a href="/lien-he">Liên hệ quảng cáo</a> | <a href="/gioi-thieu">Giới thiệu</a></p></footer>"""


def page(slug, title, sapo, paras, published, author="Minh Anh", lang="vi", canonical=None):
    canonical = canonical or f"/articles/{slug}.html"
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paras)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<title>{html.escape(title)} - Báo Thử Nghiệm</title>
<meta property="og:title" content="{html.escape(title)}">
<meta property="og:description" content="{html.escape(sapo)}">
<meta property="article:published_time" content="{published}">
<meta name="author" content="{author}">
<link rel="canonical" href="{canonical}">
</head><body>{NAV}
<main><article><h1 class="title">{html.escape(title)}</h1>
<div class="meta"><span class="author">{author}</span> <time datetime="{published}">{published[:10]}</time></div>
<h2 class="sapo">{html.escape(sapo)}</h2>
<div class="content">{body}</div></article>{RELATED}</main>{FOOT}</body></html>
"""


A = {
    "kh-sat-lo": (
        "Sạt lở nghiêm trọng trên đèo Khánh Lê sau mưa lớn",
        "Mưa lớn kéo dài nhiều ngày khiến nhiều điểm trên đèo Khánh Lê, tỉnh Khánh Hòa bị sạt lở, giao thông bị chia cắt.",
        [
            "Theo Sở Giao thông vận tải tỉnh Khánh Hòa, từ đêm qua đến sáng nay, mưa lớn đã gây sạt lở taluy dương tại ba vị trí trên đèo Khánh Lê, đất đá tràn xuống mặt đường.",
            "Lực lượng chức năng đã cắm biển cảnh báo, bố trí người hướng dẫn phương tiện đi đường tránh qua quốc lộ 26 và khẩn trương huy động máy móc thông tuyến.",
            "Người dân được khuyến cáo hạn chế di chuyển qua khu vực đèo trong những ngày mưa lớn để bảo đảm an toàn.",
        ],
        "2026-03-05T07:30:00+07:00",
    ),
    "kh-cat-lau": (
        "Người dân phản ánh tình trạng khai thác cát lậu trên sông Cái Nha Trang",
        "Nhiều hộ dân ven sông Cái, thành phố Nha Trang phản ánh tàu hút cát hoạt động cả ban đêm, gây sạt lở bờ sông.",
        [
            "Theo phản ánh của người dân, mỗi đêm có từ ba đến bốn tàu hút cát hoạt động trên đoạn sông gần cầu Xóm Bóng, tiếng máy nổ kéo dài đến sáng.",
            "Nhiều đoạn bờ sông đã bị sạt lở, ảnh hưởng đến đất sản xuất của các hộ dân. Chính quyền địa phương cho biết sẽ phối hợp với công an kiểm tra, xử lý.",
            "Sở Tài nguyên và Môi trường tỉnh Khánh Hòa đề nghị người dân tiếp tục cung cấp thông tin để xử lý dứt điểm tình trạng khai thác cát trái phép.",
        ],
        "2026-03-05T09:15:00+07:00",
    ),
    "hn-ket-xe": (
        "Ùn tắc kéo dài trên đường vành đai 3 Hà Nội giờ cao điểm",
        "Chiều qua, đường vành đai 3 trên cao tại Hà Nội ùn tắc nhiều giờ do va chạm giữa hai xe tải.",
        [
            "Vụ va chạm xảy ra khoảng 17 giờ tại đoạn qua quận Thanh Xuân, khiến hàng nghìn phương tiện nối đuôi nhau nhích từng mét.",
            "Lực lượng cảnh sát giao thông đã có mặt phân luồng, đến 20 giờ cùng ngày giao thông mới trở lại bình thường.",
            "Sở Xây dựng Hà Nội cho biết đang nghiên cứu giải pháp giảm ùn tắc cho tuyến đường này trong giờ cao điểm.",
        ],
        "2026-03-05T18:40:00+07:00",
    ),
    "kh-du-lich": (
        "Nha Trang đón lượng khách quốc tế tăng mạnh dịp đầu năm",
        "Lượng khách quốc tế đến Nha Trang, Khánh Hòa trong hai tháng đầu năm tăng hơn 30% so với cùng kỳ.",
        [
            "Theo Sở Du lịch tỉnh Khánh Hòa, các thị trường Hàn Quốc, Trung Quốc và Nga tiếp tục dẫn đầu về lượng khách đến Nha Trang.",
            "Nhiều khách sạn ven biển đạt công suất phòng trên 80%, các tour tham quan vịnh Nha Trang và đảo Hòn Tre luôn kín chỗ.",
            "Ngành du lịch tỉnh đang tăng cường kiểm tra, xử lý tình trạng chặt chém du khách để giữ hình ảnh điểm đến.",
        ],
        "2026-03-04T08:00:00+07:00",
    ),
    "flaky": (
        "Khánh Hòa khởi công dự án nâng cấp đường ven biển Cam Ranh",
        "Sáng nay, UBND tỉnh Khánh Hòa tổ chức lễ khởi công dự án nâng cấp tuyến đường ven biển đoạn qua Cam Ranh.",
        [
            "Dự án có tổng mức đầu tư hơn 800 tỉ đồng, dài 12 km, dự kiến hoàn thành sau hai năm thi công.",
            "Lãnh đạo tỉnh yêu cầu chủ đầu tư và nhà thầu bảo đảm chất lượng, tiến độ, đồng thời làm tốt công tác giải phóng mặt bằng.",
            "Tuyến đường hoàn thành sẽ kết nối sân bay Cam Ranh với các khu du lịch phía nam tỉnh.",
        ],
        "2026-03-03T10:00:00+07:00",
    ),
    "cp1258": (
        "Bệnh viện tỉnh Khánh Hòa tiếp nhận nhiều ca sốt xuất huyết",
        "Bệnh viện Đa khoa tỉnh Khánh Hòa cho biết số ca sốt xuất huyết nhập viện tăng mạnh trong tuần qua.",
        [
            "Trong tuần qua, bệnh viện tiếp nhận hơn 120 ca sốt xuất huyết, chủ yếu là người dân ở Nha Trang và Cam Lâm.",
            "Ngành y tế khuyến cáo người dân diệt lăng quăng, ngủ màn và đến cơ sở y tế ngay khi có dấu hiệu sốt cao.",
            "Sở Y tế đã chỉ đạo các đơn vị tăng cường giám sát, phun hóa chất tại các ổ dịch.",
        ],
        "2026-03-02T15:00:00+07:00",
    ),
    "the-thao": (
        "Giải bóng đá thanh niên toàn quốc chính thức khởi tranh",
        "Giải bóng đá thanh niên toàn quốc năm nay quy tụ 16 đội bóng, thi đấu theo thể thức vòng tròn hai lượt.",
        [
            "Lễ khai mạc diễn ra tối qua với sự tham dự của đông đảo cổ động viên và đại diện các câu lạc bộ.",
            "Ban tổ chức cho biết giải đấu là cơ hội để các cầu thủ trẻ cọ xát, chuẩn bị cho các giải đấu khu vực.",
            "Trận chung kết dự kiến diễn ra vào cuối tháng tới, được truyền hình trực tiếp trên sóng quốc gia.",
        ],
        "2026-03-05T20:00:00+07:00",
    ),
    "khac-1": (
        "Hội nghị tổng kết công tác năm của ngành nông nghiệp tỉnh",
        "Ngành nông nghiệp tỉnh Khánh Hòa tổ chức hội nghị tổng kết công tác năm và triển khai nhiệm vụ năm mới.",
        [
            "Năm qua, giá trị sản xuất nông nghiệp của tỉnh Khánh Hòa tăng khá, nhiều mô hình sản xuất hiệu quả được nhân rộng.",
            "Hội nghị đề ra mục tiêu phát triển nông nghiệp công nghệ cao, gắn với chế biến và tiêu thụ sản phẩm.",
        ],
        "2026-03-01T08:00:00+07:00",
    ),
}
EN = (
    "Nha Trang beaches draw record numbers of foreign tourists",
    "The coastal city of Nha Trang in Khanh Hoa province welcomed a record number of international visitors this spring.",
    [
        "Hotels along Tran Phu street reported occupancy above eighty percent for most of February, according to the provincial tourism department.",
        "Visitors from South Korea, China and Russia made up the majority of arrivals, with direct flights landing at Cam Ranh airport every day.",
        "Local authorities said they would step up inspections to stop overcharging of tourists at restaurants and on boat tours.",
    ],
    "2026-03-04T12:00:00+07:00",
)

for slug, (t, s, ps, d) in A.items():
    (SITE / "articles" / f"{slug}.html").write_text(page(slug, t, s, ps, d), encoding="utf-8")
(SITE / "articles" / "kh-english.html").write_text(page("kh-english", *EN, lang="en"), encoding="utf-8")
# windows-1258 bytes, charset only in the HTTP header (the handler adds it)
t, s, ps, d = A["cp1258"]
cp = page("cp1258", t, s, ps, d).replace('<meta charset="utf-8">', "")
# cp1258 has no precomposed tone vowels: encode from NFD like real cp1258 pages
TONES = "\u0300\u0301\u0303\u0309\u0323"


def to_cp1258(text):
    out = []
    for ch in text:
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        d = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in d if c not in TONES))
        out.append((base + "".join(c for c in d if c in TONES)).encode("cp1258"))
    return b"".join(out)


(SITE / "articles" / "cp1258.html").write_bytes(to_cp1258(cp))
(SITE / "articles" / "empty.html").write_text(
    f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Trang trống</title></head><body>{NAV}<main></main>{FOOT}</body></html>",
    encoding="utf-8",
)
# TCVN3 (ABC font) text: Latin-1 bytes that only look Vietnamese in a .Vn font
tcvn = "Ng\xadêi d©n ph¶n ¸nh t×nh tr¹ng khai th¸c c¸t lËu trªn s«ng C¸i Nha Trang, tØnh Kh¸nh Hßa. " * 6
(SITE / "articles" / "tcvn3.html").write_bytes(
    (
        "<html><head><meta charset='windows-1252'><title>Kh¸nh Hßa</title></head><body><article><h1>Kh¸nh Hßa: c¸t lËu</h1>"
        + "".join(f"<p>{tcvn}</p>" for _ in range(3))
        + "</article></body></html>"
    ).encode("cp1252")
)
(SITE / "private" / "secret.html").write_text(
    page(
        "secret",
        "Trang nội bộ tỉnh Khánh Hòa",
        "Trang này bị chặn bởi robots.txt, không được thu thập dù có trong feed của tỉnh Khánh Hòa.",
        ["Nội dung nội bộ không được thu thập, theo robots.txt của trang web này ở Khánh Hòa."],
        "2026-03-01T08:00:00+07:00",
    ),
    encoding="utf-8",
)
(SITE / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n", encoding="utf-8")
print("ok")
