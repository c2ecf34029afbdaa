"""Social sources against local servers speaking the platforms' formats: YouTube Data API v3 and
Facebook Graph API JSON (errors included), XenForo forum threads, Telegram channel previews."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from support.fixture_site import TEST_SETTINGS, json_body, source

from giamsat.crawlers.runner import crawl
from giamsat.storage.base import Query

JSON = {"Content-Type": "application/json; charset=UTF-8"}


def yt_error(code: int, reason: str, message: str) -> tuple[int, dict, bytes]:
    # the documented error body of Google APIs
    body = {
        "error": {
            "code": code,
            "message": message,
            "errors": [{"message": message, "domain": "youtube.quota", "reason": reason}],
        }
    }
    return code, JSON, json_body(body)


def youtube_api(state: dict):
    def route(path: str, q: dict) -> tuple[int, dict, bytes]:
        state.setdefault("calls", []).append((path, q))
        if q.get("key") != ["test-key"]:
            return yt_error(400, "keyInvalid", "API key not valid. Please pass a valid API key.")
        if state.get("quota"):
            return yt_error(
                403, "quotaExceeded", "The request cannot be completed because you have exceeded your quota."
            )
        method = path.rsplit("/", 1)[1]
        if method == "search":
            if q.get("pageToken") == ["P2"]:
                items = [{"kind": "youtube#searchResult", "id": {"kind": "youtube#video", "videoId": "v3"}}]
                return 200, JSON, json_body({"kind": "youtube#searchListResponse", "items": items})
            items = [
                {"kind": "youtube#searchResult", "id": {"kind": "youtube#video", "videoId": v}}
                for v in ("v1", "v2")
            ]
            return (
                200,
                JSON,
                json_body({"kind": "youtube#searchListResponse", "nextPageToken": "P2", "items": items}),
            )
        if method == "videos":
            items = [
                {
                    "kind": "youtube#video",
                    "id": v,
                    "snippet": {
                        "publishedAt": "2026-11-22T10:00:00Z",
                        "channelId": "UC1",
                        "title": f"Sạt lở đèo Khánh Lê ({v})",
                        "description": "Cận cảnh sạt lở trên đèo Khánh Lê, Khánh Hòa",
                        "channelTitle": "Kênh KH",
                    },
                    "statistics": {"viewCount": "1500", "likeCount": "40", "commentCount": "2"},
                }
                for v in q["id"][0].split(",")
            ]
            return 200, JSON, json_body({"kind": "youtube#videoListResponse", "items": items})
        if method == "commentThreads":
            vid = q["videoId"][0]
            if vid == "v2":
                return yt_error(
                    403,
                    "commentsDisabled",
                    "The video identified by the videoId parameter has disabled comments.",
                )
            if vid == "v3" and state.setdefault("rate", 0) < 1:
                state["rate"] += 1
                return yt_error(
                    403,
                    "rateLimitExceeded",
                    "The request cannot be completed because you have exceeded your rate limit.",
                )
            items = [
                {
                    "kind": "youtube#commentThread",
                    "id": f"t-{vid}",
                    "snippet": {
                        "videoId": vid,
                        "totalReplyCount": 3,
                        "topLevelComment": {
                            "id": f"c-{vid}",
                            "snippet": {
                                "textOriginal": "Nguy hiểm quá, đề nghị tỉnh xử lý",
                                "authorDisplayName": "Người xem",
                                "likeCount": 7,
                                "publishedAt": "2026-11-22T11:00:00Z",
                            },
                        },
                    },
                }
            ]
            return 200, JSON, json_body({"kind": "youtube#commentThreadListResponse", "items": items})
        return 404, JSON, b"{}"

    return route


def test_youtube_api(site, tmp_store, crawl_profile, monkeypatch):
    state: dict = {}
    site.state.api_routes["/youtube/v3/"] = youtube_api(state)
    monkeypatch.setenv("YOUTUBE_API_KEY", "test-key")
    src = [
        source(
            "yt-kh",
            "youtube",
            "https://www.youtube.com/",
            scope="province",
            kind="social",
            options={"query": "Khánh Hòa", "api_base": f"{site.url}/youtube/v3"},
        )
    ]
    rep = crawl(crawl_profile, tmp_store, src, settings=TEST_SETTINGS).sources["yt-kh"]
    assert rep.fatal is None and rep.new == 5, rep  # 3 videos (2 search pages) + 2 comments
    video = tmp_store.get_item_by_url("https://www.youtube.com/watch?v=v1")
    assert video.engagement.views == 1500 and video.kind == "social"
    comments = [i for i in tmp_store.iter_items(Query(source_ids=["yt-kh"], kinds=["comment"]))]
    assert len(comments) == 2 and comments[0].engagement.likes == 7
    assert any("tắt bình luận" in w for w in rep.warnings)
    assert state["rate"] == 1  # rate limit answered once, retried with backoff

    state["quota"] = True
    rep = crawl(crawl_profile, tmp_store, src, settings=TEST_SETTINGS).sources["yt-kh"]
    assert "quotaExceeded" in rep.fatal
    assert tmp_store.get_doc("sources", "yt-kh")["last_error"].startswith("hết hạn mức")

    monkeypatch.setenv("YOUTUBE_API_KEY", "wrong")
    assert (
        "không hợp lệ" in crawl(crawl_profile, tmp_store, src, settings=TEST_SETTINGS).sources["yt-kh"].fatal
    )
    monkeypatch.delenv("YOUTUBE_API_KEY")
    assert (
        "YOUTUBE_API_KEY"
        in crawl(crawl_profile, tmp_store, src, settings=TEST_SETTINGS).sources["yt-kh"].fatal
    )


def graph_api(state: dict, base: str):
    def route(path: str, q: dict) -> tuple[int, dict, bytes]:
        if q.get("access_token") != ["tok"]:
            err = {
                "error": {
                    "message": "Error validating access token: Session has expired",
                    "type": "OAuthException",
                    "code": 190,
                    "error_subcode": 463,
                    "fbtrace_id": "AbC",
                }
            }
            return 400, JSON, json_body(err)
        if state.get("limit"):
            err = {
                "error": {
                    "message": "(#4) Application request limit reached",
                    "type": "OAuthException",
                    "is_transient": True,
                    "code": 4,
                    "fbtrace_id": "AbD",
                }
            }
            return 403, JSON, json.dumps(err, separators=(",", ":")).encode()
        after = q.get("after", [""])[0]
        n0 = 0 if not after else 2

        def post(n: int) -> dict:
            return {
                "id": f"123_{n}",
                "message": f"Thông báo số {n} của UBND phường Nha Trang về lịch cắt điện",
                "created_time": f"2026-11-2{n}T01:00:00+0000",
                "permalink_url": f"https://www.facebook.com/123/posts/{n}",
                "shares": {"count": n * 10},
                "reactions": {"data": [], "summary": {"total_count": n * 100}},
                "comments": {"data": [], "summary": {"total_count": n}},
            }

        body = {"data": [post(n0 + 1), post(n0 + 2)], "paging": {"cursors": {"before": "B", "after": "A2"}}}
        if not after:
            body["paging"]["next"] = f"{base}/v19.0/123/feed?access_token=tok&limit=2&after=A2"
        return 200, JSON, json_body(body)

    return route


def test_facebook_graph_feed(site, tmp_store, crawl_profile, monkeypatch):
    state: dict = {}
    site.state.api_routes["/v19.0/"] = graph_api(state, site.url)
    monkeypatch.setenv("FACEBOOK_ACCESS_TOKEN", "tok")
    src = [
        source(
            "fb-nt",
            "facebook",
            "https://www.facebook.com/123",
            scope="province",
            kind="social",
            options={"api_base": f"{site.url}/v19.0", "limit": 2},
        )
    ]
    rep = crawl(crawl_profile, tmp_store, src, settings=TEST_SETTINGS).sources["fb-nt"]
    assert (rep.new, rep.fetched) == (4, 2), rep
    item = tmp_store.get_item_by_url("https://www.facebook.com/123/posts/3")
    assert (item.engagement.likes, item.engagement.comments, item.engagement.shares) == (300, 3, 30)
    assert item.published.isoformat() == "2026-11-23T01:00:00+00:00"
    state["limit"] = True
    rep = crawl(crawl_profile, tmp_store, src, settings=TEST_SETTINGS).sources["fb-nt"]
    assert "giới hạn tần suất" in rep.fatal
    monkeypatch.setenv("FACEBOOK_ACCESS_TOKEN", "expired")
    assert "190" in crawl(crawl_profile, tmp_store, src, settings=TEST_SETTINGS).sources["fb-nt"].fatal


def xf_post(pid: int, author: str, text: str, quote: str = "", reactions: str = "") -> str:
    q = (
        f'<blockquote class="bbCodeBlock bbCodeBlock--quote"><div class="bbCodeBlock-content">{quote}</div></blockquote>'
        if quote
        else ""
    )
    r = f'<div class="reactionsBar"><a class="reactionsBar-link">{reactions}</a></div>' if reactions else ""
    return (
        f'<article class="message message--post" data-author="{author}" data-content="post-{pid}" id="js-post-{pid}">'
        f'<header class="message-attribution"><ul class="message-attribution-main"><li><a href="/forum/t/cat-lau.101/post-{pid}">'
        f'<time class="u-dt" datetime="2026-11-22T21:{pid % 60:02d}:00+0700">22/11/2026</time></a></li></ul></header>'
        f'<div class="message-body"><div class="bbWrapper">{q}{text}</div></div>{r}</article>'
    )


FORUM_LIST = """<html><body><div class="structItemContainer">
<div class="structItem structItem--thread"><div class="structItem-title"><a class="labelLink" href="/forum/f/diem-bao.33/?prefix_id=1">Thảo luận</a>
<a href="/forum/t/cat-lau.101/">Cát lậu trên sông Cái Nha Trang, ai biết gì không?</a></div>
<div class="structItem-cell--meta"><dl><dt>Trả lời</dt><dd>3</dd></dl></div>
<div class="structItem-cell--latest"><time class="structItem-latestDate" datetime="2026-11-22T21:40:00+0700">21:40</time></div></div>
</div></body></html>"""


def forum(path: str, q: dict) -> tuple[int, dict, bytes]:
    html = {"text/html": 1}
    if path.startswith("/forum/f/"):
        return 200, {"Content-Type": "text/html; charset=utf-8"}, FORUM_LIST.encode()
    if path == "/forum/t/cat-lau.101/":
        posts = (
            xf_post(
                1,
                "thanhnien_kh",
                "Tối nào cũng thấy tàu hút cát trên sông Cái, bờ sông sạt hết rồi.",
                reactions="A, B và 12 người khác",
            )
            + xf_post(2, "ongbay", "Nhà mình mất 300 m² đất vườn.", quote="Tối nào cũng thấy tàu hút cát")
            + '<a class="pageNav-jump pageNav-jump--next" href="/forum/t/cat-lau.101/page-2">Tiếp</a>'
        )
        return (
            200,
            {"Content-Type": "text/html; charset=utf-8"},
            f"<html><body><h1 class='p-title-value'>Cát lậu trên sông Cái Nha Trang, ai biết gì không?</h1>{posts}</body></html>".encode(),
        )
    if path == "/forum/t/cat-lau.101/page-2":
        posts = xf_post(3, "mod", "Đã báo cho công an xã, mọi người bình tĩnh.")
        return (
            200,
            {"Content-Type": "text/html; charset=utf-8"},
            f"<html><body><h1 class='p-title-value'>Cát lậu</h1>{posts}</body></html>".encode(),
        )
    del html
    return 404, {}, b""


def test_xenforo_forum(site, tmp_store, crawl_profile):
    site.state.api_routes["/forum/"] = forum
    src = [source("voz-kh", "forum", f"{site.url}/forum/f/diem-bao.33/", scope="province", kind="forum")]
    rep = crawl(crawl_profile, tmp_store, src, settings=TEST_SETTINGS).sources["voz-kh"]
    assert rep.new == 3, rep
    first = tmp_store.get_item_by_url(f"{site.url}/forum/t/cat-lau.101/post-1")
    assert first.kind == "forum" and first.title.startswith("Cát lậu") and first.author == "thanhnien_kh"
    assert first.engagement.likes == 14
    reply = tmp_store.get_item_by_url(f"{site.url}/forum/t/cat-lau.101/post-2")
    assert reply.kind == "comment" and reply.text == "Nhà mình mất 300 m² đất vườn."  # quote left out
    site.state.log.clear()
    again = crawl(crawl_profile, tmp_store, src, settings=TEST_SETTINGS).sources["voz-kh"]
    assert again.skipped_seen == 1 and not site.state.requests_to("/forum/t/")


def telegram(path: str, q: dict) -> tuple[int, dict, bytes]:
    before = q.get("before", [""])[0]
    ids = (8, 9) if before == "10" else (10, 11, 12)

    def msg(n: int) -> str:
        return (
            f'<div class="tgme_widget_message_wrap"><div class="tgme_widget_message" data-post="kenhkh/{n}">'
            f'<div class="tgme_widget_message_owner_name"><span>Kênh tin Khánh Hòa</span></div>'
            f'<div class="tgme_widget_message_text">Tin số {n}: mưa lớn ở Nha Trang<br/>Bà con chú ý an toàn</div>'
            f'<span class="tgme_widget_message_views">1.{n}K</span>'
            f'<a class="tgme_widget_message_date" href="https://t.me/kenhkh/{n}"><time datetime="2026-11-22T0{n % 10}:00:00+00:00">09:00</time></a>'
            f"</div></div>"
        )

    prev = '<link rel="prev" href="/tg/s/kenhkh?before=10">' if not before else ""
    html = f"<html><head>{prev}</head><body>{''.join(msg(n) for n in ids)}</body></html>"
    return 200, {"Content-Type": "text/html; charset=utf-8"}, html.encode()


def test_telegram_channel_preview(site, tmp_store, crawl_profile):
    site.state.api_routes["/tg/"] = telegram
    src = [source("tg-kh", "telegram", f"{site.url}/tg/s/kenhkh", scope="province", kind="social")]
    rep = crawl(crawl_profile, tmp_store, src, settings=TEST_SETTINGS).sources["tg-kh"]
    assert rep.new == 5, rep
    item = tmp_store.get_item_by_url("https://t.me/kenhkh/11")
    assert item.text == "Tin số 11: mưa lớn ở Nha Trang\nBà con chú ý an toàn"
    assert item.title == "Tin số 11: mưa lớn ở Nha Trang"
    assert item.engagement.views == 1110 and item.author == "Kênh tin Khánh Hòa"
    again = crawl(crawl_profile, tmp_store, src, settings=TEST_SETTINGS).sources["tg-kh"]
    assert again.new == 0 and not any("before" in r["query"] for r in site.state.log[-2:])


def test_query_helpers_roundtrip():
    # guards the route helpers above: parse_qs of the spider's URLs
    assert parse_qs(urlsplit("http://x/y?a=1&b=2").query) == {"a": ["1"], "b": ["2"]}
