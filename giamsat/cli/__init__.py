"""The ``giamsat`` command line: a thin layer that turns library errors into clear messages.

Every command takes the active profile and store from the global options
(``--profile`` / ``GIAMSAT_PROFILE``, ``--store`` / ``GIAMSAT_STORE``). Library errors
(``giamsat.core.errors``) become one line on stderr and their exit code: 2 for bad configuration,
4 for a stale edit, 5 for a permission refused.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from giamsat import __version__
from giamsat.cli import vi

vi.install()  # before any command is built: typer's own words in Vietnamese

from giamsat.cli import crawl as crawl_cli  # noqa: E402
from giamsat.cli import triage as triage_cli  # noqa: E402
from giamsat.cli.es import es_app  # noqa: E402
from giamsat.cli.output import esc, json_text, parse_day, plain  # noqa: E402
from giamsat.context import get_context, set_context  # noqa: E402
from giamsat.core.errors import GiamsatError  # noqa: E402
from giamsat.core.timeutil import VN_TZ, parse_vn_date  # noqa: E402
from giamsat.crawlers.runner import load_sources_file  # noqa: E402
from giamsat.dashboard.auth import set_password  # noqa: E402
from giamsat.triage.service import Triage  # noqa: E402

console = Console()
err = Console(stderr=True)

app = typer.Typer(
    name="giamsat",
    help="Giám sát báo chí, mạng xã hội và xử lý thông tin sai sự thật, xấu độc cho một tỉnh.\n\n"
    "Ví dụ: giamsat demo   |   giamsat --profile lam-dong crawl --once",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


@app.callback()
def _global(
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            "-p",
            help="Hồ sơ tỉnh: tên (khanh-hoa) hoặc đường dẫn YAML. Mặc định GIAMSAT_PROFILE hoặc khanh-hoa.",
        ),
    ] = None,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            "-s",
            help="Kho dữ liệu: sqlite:///đường/dẫn.db hoặc http(s)://máy-chủ-ES:9200. Mặc định GIAMSAT_STORE.",
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Ghi nhật ký chi tiết.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("scrapy", "twisted", "urllib3", "elastic_transport", "trafilatura", "htmldate", "filelock"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else logging.WARNING)
    if verbose:  # child processes (the crawl runs Scrapy in one) log in detail too
        os.environ["GIAMSAT_LOG_LEVEL"] = "DEBUG"
    set_context(store=store, profile=profile)


def _progress() -> Any:
    """A progress bar on stderr with counts ("1.234/5.000" or "1.234 tin" when the total is
    unknown), rate and elapsed time."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


# -- set-up --------------------------------------------------------------------------------
@app.command()
def init() -> None:
    """Kiểm tra hồ sơ tỉnh và tạo/nâng cấp kho dữ liệu.

    Ví dụ: giamsat --store sqlite:///var/lib/giamsat/kh.db init
    """
    ctx = get_context()
    profile = ctx.profile
    store = ctx.store
    console.print(f"Hồ sơ: [bold]{esc(profile.province.name)}[/] ({esc(profile.path)})")
    console.print(f"Kho dữ liệu: {esc(store.uri)}")
    console.print(
        f"{len(profile.sources)} nguồn, {len(profile.topics)} chủ đề, {len(profile.units)} đơn vị, "
        f"{len(profile.routing.rules)} quy tắc điều phối, {len(profile.users)} người dùng, "
        f"{len(profile.report_calendar)} báo cáo trong lịch"
    )
    # Old unit codes on stored tickets still display as the current units; rewriting them is a
    # separate, audited step the administrator runs on purpose.
    old = Triage(profile, store).count_old_unit_codes()
    if old:
        console.print(
            f"[yellow]{old} phiếu còn mang mã đơn vị cũ[/] (vẫn hiển thị tên đơn vị hiện nay). "
            "Đổi mã có ghi vết: giamsat units upgrade --as admin (xem trước: --dry-run)"
        )


@app.command("profile")
def profile_check(
    path: Annotated[str | None, typer.Argument(help="Tên hoặc đường dẫn hồ sơ cần kiểm tra")] = None,
) -> None:
    """Kiểm tra một hồ sơ tỉnh (YAML); lỗi ghi rõ tệp, khóa và yêu cầu, thoát mã 2.

    Ví dụ: giamsat profile config/profiles/lam-dong.yaml
    """
    from giamsat.core.profile import available_profiles, load_profile

    p = load_profile(path or get_context().settings.profile)
    console.print(f"[green]Hợp lệ[/]: {esc(p.path)} — {esc(p.province.name)}")
    console.print(
        plain(
            f"{len(p.units)} đơn vị (đầu mối: {p.coordinating_unit.name}), {len(p.topics)} chủ đề, "
            f"{len(p.routing.rules)} quy tắc điều phối, {len(p.report_calendar)} báo cáo trong lịch"
        )
    )
    # Worth fixing, never fatal: each works as it is.
    for line in p.old_code_uses():
        console.print(f"[yellow]Lưu ý[/]: {esc(line)}", highlight=False)
    missing = p.missing_sources()
    if missing:
        console.print(
            f"[yellow]Lưu ý[/]: chưa ghi căn cứ (source:) cho {esc(', '.join(missing))}", highlight=False
        )
    bare = [t.code for t in p.topics if not t.lexicon]
    if bare:
        console.print(
            f"[yellow]Lưu ý[/]: chủ đề chưa có từ vựng (lexicon): {esc(', '.join(bare))}", highlight=False
        )
    console.print(plain("Các hồ sơ có sẵn: " + ", ".join(available_profiles())))


# -- crawl, process, run ---------------------------------------------------------------------
@app.command()
def crawl(
    once: Annotated[
        bool,
        typer.Option("--once/--loop", help="Thu thập một lượt rồi dừng (mặc định), hoặc lặp theo chu kỳ."),
    ] = True,
    sources: Annotated[
        Path | None,
        typer.Option("--sources", help="Tệp YAML có danh sách 'sources:' (thay cho nguồn trong hồ sơ)."),
    ] = None,
    source: Annotated[str | None, typer.Option("--source", help="Chỉ thu thập nguồn có id này.")] = None,
) -> None:
    """Thu thập tin từ các nguồn (RSS, trang tin, MXH, diễn đàn) vào kho.

    Ví dụ: giamsat crawl --once --source baokhanhhoa
    """
    ctx = get_context()
    code = crawl_cli.crawl_cmd(ctx.profile, ctx.store, once, sources, source)
    raise typer.Exit(code or 0)


@app.command()
def sources() -> None:
    """Tình trạng các nguồn tin: lần thành công, lỗi gần nhất, số tin/ngày, cảnh báo im lặng/đột biến.

    Ví dụ: giamsat sources
    """
    ctx = get_context()
    code = crawl_cli.sources_cmd(ctx.profile, ctx.store)
    raise typer.Exit(code or 0)


@app.command()
def tip(
    actor: Annotated[str, typer.Option("--as", help="Tên đăng nhập người nhập tin (trong hồ sơ).")],
    url: Annotated[str | None, typer.Option("--url", help="Đường dẫn bài viết/bài đăng.")] = None,
    text: Annotated[
        str | None, typer.Option("--text", help="Nội dung dán vào (khi không có đường dẫn).")
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="Tiêu đề (tùy chọn).")] = None,
    screenshot: Annotated[
        Path | None, typer.Option("--screenshot", help="Ảnh chụp màn hình (tùy chọn).")
    ] = None,
) -> None:
    """Nhập tin do cán bộ phát hiện (tip): một đường dẫn hoặc nội dung dán vào.

    Ví dụ: giamsat tip --text "Trên nhóm Zalo lan truyền tin sắp sơ tán toàn bộ Nha Trang" --as giamsat1
    """
    ctx = get_context()
    code = crawl_cli.tip_cmd(ctx.profile, ctx.store, url, text, title, screenshot, ctx.user(actor).username)
    raise typer.Exit(code or 0)


@app.command("import")
def import_export(
    path: Annotated[Path, typer.Argument(help="Tệp CSV/JSON xuất từ công cụ lắng nghe MXH hoặc nền tảng.")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="Định dạng (xem docs/social-import.md); mặc định tự nhận.")
    ] = None,
    source_id: Annotated[str, typer.Option("--source", help="Id nguồn ghi cho các bài nhập.")] = "import",
) -> None:
    """Nhập tệp xuất bài đăng MXH (Facebook, YouTube, TikTok, công cụ lắng nghe).

    Ví dụ: giamsat import exports/facebook-group.csv --format facebook
    """
    ctx = get_context()
    code = crawl_cli.import_cmd(ctx.profile, ctx.store, path, fmt, source_id)
    raise typer.Exit(code or 0)


@app.command()
def process(
    limit: Annotated[int | None, typer.Option(help="Xử lý tối đa N tin.")] = None,
    batch: Annotated[int, typer.Option(help="Số tin mỗi lô.")] = 256,
    loop: Annotated[
        bool,
        typer.Option("--loop", help="Chạy liên tục như một worker (kèm nhắc hạn, leo thang, gửi thông báo)."),
    ] = False,
    tick: Annotated[float, typer.Option(help="Giây giữa hai vòng khi --loop.")] = 5.0,
) -> None:
    """Phân tích (NLP) các tin mới trong kho và mở/cập nhật cảnh báo.

    Ví dụ: giamsat process --limit 1000
    Ví dụ: giamsat process --loop   (worker, dùng cùng 'giamsat run --no-process')
    """
    from giamsat.pipeline import process_pending, work_forever

    ctx = get_context()
    if loop:
        work_forever(ctx.profile, ctx.store, tick_seconds=tick)
        return
    with _progress() as progress:
        task = progress.add_task("Phân tích tin", total=limit)
        report = process_pending(
            ctx.profile, ctx.store, batch=batch, limit=limit, on_progress=lambda n: progress.advance(task, n)
        )
    console.print(
        f"Đã phân tích {report.enriched} tin ({report.failed} lỗi); {report.alerts} cảnh báo mở/cập nhật."
    )
    for e in report.errors:
        err.print(f"[red]{esc(e)}[/]")


@app.command()
def run(
    sources: Annotated[Path | None, typer.Option("--sources", help="Tệp YAML nguồn thay cho hồ sơ.")] = None,
    tick: Annotated[float, typer.Option(help="Giây giữa hai vòng kiểm tra.")] = 5.0,
    cycles: Annotated[int | None, typer.Option(help="Dừng sau N vòng (để thử).")] = None,
    with_processing: Annotated[
        bool,
        typer.Option(
            "--process/--no-process",
            help="Tự phân tích và xử lý cảnh báo (tắt khi có worker riêng: 'giamsat process --loop').",
        ),
    ] = True,
) -> None:
    """Chạy liên tục: thu thập theo chu kỳ từng nguồn, phân tích, cảnh báo, nhắc hạn và leo thang.

    Ví dụ: giamsat run --sources config/sources-local.yaml
    """
    from giamsat.pipeline import run_forever

    ctx = get_context()
    pool = None
    if sources:
        pool = load_sources_file(sources)
    run_forever(
        ctx.profile, ctx.store, sources=pool, tick_seconds=tick, max_cycles=cycles, process=with_processing
    )


# -- NLP -------------------------------------------------------------------------------------
@app.command()
def analyze(
    in_path: Annotated[Path, typer.Argument(help="Tệp JSONL vào: mỗi dòng có ít nhất 'id' và 'text'.")],
    out: Annotated[Path, typer.Option("-o", "--output", help="Tệp JSONL kết quả.")],
    entities: Annotated[
        str, typer.Option(help="Nhận dạng thực thể: all, relevant (tin liên quan/rủi ro) hoặc none.")
    ] = "relevant",
) -> None:
    """Phân tích một tệp JSONL (ngôn ngữ, địa danh, cảm xúc, chủ đề, phân loại, rủi ro, điều phối).

    Dòng hỏng được báo kèm số dòng và bỏ qua; các dòng còn lại vẫn được xử lý.

    Ví dụ: giamsat analyze posts.jsonl -o posts.analyzed.jsonl --entities none
    """
    if entities not in ("all", "relevant", "none"):
        raise typer.BadParameter("--entities: all, relevant hoặc none")
    ctx = get_context()
    mode: bool | str = {"all": True, "none": False}.get(entities, "relevant")
    from giamsat.analyze import analyze_file  # scikit-learn loads only for the NLP commands

    stats = analyze_file(in_path, out, ctx.profile, entities=mode)
    console.print(
        plain(
            f"Kết quả: {out} — đọc {stats['read']} dòng, ghi {stats['written']}, "
            f"{stats['bad']} dòng lỗi, {stats['seconds']} giây"
        )
    )
    for message in stats["errors"][:20]:
        err.print(plain(f"  {message}"))
    if len(stats["errors"]) > 20:
        err.print(plain(f"  … và {len(stats['errors']) - 20} dòng lỗi khác"))


@app.command()
def train(
    out: Annotated[Path | None, typer.Option(help="Thư mục ghi mô hình (mặc định nlp/artifacts).")] = None,
    use_labels: Annotated[
        bool, typer.Option(help="Dùng cả quyết định của cán bộ trong kho làm nhãn.")
    ] = True,
) -> None:
    """Huấn luyện lại mọi mô hình (tái lập được: seed cố định) từ dữ liệu kèm theo và ../shared/data.

    Ví dụ: giamsat train --out /tmp/models
    """
    from giamsat.nlp.train import ARTIFACTS_DIR, TRAIN_STEPS, train_all, write_model_card

    ctx = get_context()
    target = out or ARTIFACTS_DIR
    with _progress() as progress:
        task = progress.add_task("Huấn luyện", total=len(TRAIN_STEPS))
        started: list[str] = []

        def on_step(name: str) -> None:
            if started:
                progress.advance(task)
            started.append(name)
            progress.update(task, description=f"Huấn luyện: {name}")

        meta = train_all(
            ctx.settings.data_dir,
            target,
            ctx.profile,
            store=ctx.store if use_labels else None,
            on_step=on_step,
        )
        progress.update(task, completed=len(TRAIN_STEPS))
    write_model_card(meta, target)
    console.print(
        f"Đã huấn luyện phiên bản {meta['version']} ({meta['size_mb']} MB) trong {meta['seconds']} giây: {esc(target)}"
    )


@app.command("eval")
def evaluate(
    sample: Annotated[
        int | None, typer.Option(help="Chỉ lấy N mẫu kiểm tra mỗi bộ (nhanh, dùng trong CI).")
    ] = None,
    only: Annotated[list[str] | None, typer.Option("--only", help="Chỉ các bộ này (lặp lại được).")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Ghi kết quả JSON.")] = None,
    md_out: Annotated[
        Path | None, typer.Option("--markdown", help="Ghi bảng Markdown (kèm ma trận nhầm lẫn).")
    ] = None,
    gold: Annotated[
        str | None,
        typer.Option(
            "--gold",
            help="Chấm trên bộ dữ liệu vàng của dự án (train, dev hoặc test; test chỉ chấm một lần mỗi phiên bản mô hình).",
        ),
    ] = None,
    stories: Annotated[
        str | None,
        typer.Option("--stories", help="Chấm gom tin theo sự kiện (B-cubed) trên các cửa sổ dev hoặc test."),
    ] = None,
    models: Annotated[
        Path | None, typer.Option("--models", help="Thư mục mô hình (mặc định: mô hình kèm theo).")
    ] = None,
) -> None:
    """Đánh giá trên tập test của các bộ dữ liệu công khai, so với điểm đã công bố; hoặc trên bộ
    dữ liệu vàng (văn bản thật do dự án gán nhãn, docs/annotation.md).

    Ví dụ: giamsat eval --sample 300
    Ví dụ: giamsat eval --only vihsd --markdown eval.md
    Ví dụ: giamsat eval --gold dev --markdown gold-dev.md
    Ví dụ: giamsat eval --stories dev
    """
    from dataclasses import asdict

    from giamsat.nlp.evaluate import evaluate as run_eval
    from giamsat.nlp.evaluate import print_table, to_markdown

    ctx = get_context()
    if gold or stories:
        from giamsat.goldeval import evaluate_gold, evaluate_stories

        text = ""
        if gold:
            report = evaluate_gold(
                gold, data_dir=ctx.settings.data_dir, models_path=str(models) if models else None
            )
            text += report.to_markdown()
        if stories:
            text += evaluate_stories(stories, data_dir=ctx.settings.data_dir).to_markdown()
        console.print(text, markup=False, highlight=False)
        if md_out:
            md_out.write_text(text, encoding="utf-8")
        return
    results = run_eval(ctx.settings.data_dir, sample, only or None)
    print_table(results)
    if json_out:
        json_out.write_text(
            json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=1), encoding="utf-8"
        )
    if md_out:
        md_out.write_text(to_markdown(results), encoding="utf-8")


# -- search ----------------------------------------------------------------------------------
@app.command()
def search(
    text: Annotated[str | None, typer.Argument(help="Từ khóa (có dấu hoặc không dấu).")] = None,
    since: Annotated[str | None, typer.Option(help="Từ ngày (dd/mm/yyyy).")] = None,
    until: Annotated[str | None, typer.Option(help="Đến hết ngày (dd/mm/yyyy).")] = None,
    source: Annotated[list[str] | None, typer.Option(help="Nguồn (lặp lại được).")] = None,
    kind: Annotated[list[str] | None, typer.Option(help="Loại: press, social, forum, comment, tip.")] = None,
    topic: Annotated[list[str] | None, typer.Option(help="Mã chủ đề.")] = None,
    sentiment: Annotated[list[str] | None, typer.Option(help="tich-cuc, trung-tinh, tieu-cuc.")] = None,
    category: Annotated[list[str] | None, typer.Option(help="none, phan-anh, sai-su-that, xau-doc.")] = None,
    locality: Annotated[list[str] | None, typer.Option(help="Tên xã/phường.")] = None,
    limit: Annotated[int, typer.Option(help="Số kết quả hiển thị.")] = 20,
    csv_out: Annotated[
        Path | None, typer.Option("--csv", help="Xuất toàn bộ kết quả ra CSV (ghi dần).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In JSON mỗi dòng một tin.")] = False,
    as_: Annotated[
        str | None,
        typer.Option(
            "--as",
            envvar="GIAMSAT_USER",
            help="Tìm với quyền của người dùng này (đơn vị chỉ thấy tin thuộc phiếu của mình); "
            "mặc định GIAMSAT_USER. Không có: quyền người quản trị máy chủ giữ tệp kho dữ liệu.",
        ),
    ] = None,
) -> None:
    """Tìm kiếm toàn văn (có dấu/không dấu, đ = d) với bộ lọc.

    Ví dụ: giamsat search "khai thac cat" --since 01/11/2026 --category phan-anh --csv cat.csv
    """
    from giamsat.core.csvexport import write_csv
    from giamsat.core.timeutil import fmt_datetime, local_day_bounds
    from giamsat.storage.base import MAX_QUERY_TERMS, Query, capped_query_text

    ctx = get_context()
    if text and capped_query_text(text) != text.strip():
        err.print(plain(f"Từ khóa quá dài: chỉ dùng {MAX_QUERY_TERMS} từ đầu tiên."))
    q = Query(
        text=text,
        since=local_day_bounds(parse_day(since, "--since"))[0] if since else None,
        until=local_day_bounds(parse_day(until, "--until"))[1] if until else None,
        source_ids=source or [],
        kinds=kind or [],
        topics=topic or [],
        sentiments=sentiment or [],
        categories=category or [],
        localities=locality or [],
        order="relevance" if text else "newest",
    )
    if as_:
        # read as that person: the triage service puts the role's scope into the store query
        from giamsat.triage.service import Triage

        q = Triage(ctx.profile, ctx.store).scoped(triage_cli._user(as_), q)
    if csv_out:
        n = write_csv(ctx.store.iter_items(q), csv_out)
        console.print(plain(f"Đã xuất {n} tin ra {csv_out}"))
        return
    page = ctx.store.search(q, limit=limit)
    if as_json:
        for it in page.items:
            sys.stdout.write(json_text(it.to_dict()) + "\n")
        return
    from giamsat.cli.tables import table
    from giamsat.core.codes import CATEGORY_LABELS, SEVERITY_LABELS

    def source_name(sid: str) -> str:
        s = ctx.profile.source(sid)
        return (s.name or sid) if s else sid

    console.print(
        table(
            ("Thời gian", "Nguồn", "Tiêu đề", "Phân loại", "Mức độ"),
            (
                (
                    fmt_datetime(it.published or it.fetched),
                    source_name(it.source_id),
                    it.title or it.text[:200],
                    CATEGORY_LABELS.get(it.enrichment.category.label, "")
                    if it.enrichment and it.enrichment.category
                    else "",
                    SEVERITY_LABELS.get(it.enrichment.severity or "", "") if it.enrichment else "",
                )
                for it in page.items
            ),
            flex="Tiêu đề",
            title=f"{page.total} kết quả",
        )
    )


# -- triage ----------------------------------------------------------------------------------
app.add_typer(
    triage_cli.alerts_app,
    name="alerts",
    help="Hàng đợi cảnh báo: list, show, claim, confirm, dismiss, merge, snooze.",
)
app.add_typer(
    triage_cli.tickets_app,
    name="tickets",
    help="Phiếu xử lý: list, show, assign, transition, comment.",
)
app.add_typer(
    triage_cli.claims_app,
    name="claims",
    help="Sổ tin đã bác bỏ: add, list.",
)
app.add_typer(
    triage_cli.notifications_app,
    name="notifications",
    help="Thông báo (e-mail, webhook) gửi không được: list, retry.",
)


@app.command()
def report(
    kind: Annotated[
        str,
        typer.Argument(
            help="daily (điểm tin), weekly, monthly, quarterly, yearly, ad-hoc (đột xuất), "
            "hoặc mã một báo cáo trong lịch báo cáo của tỉnh (xem giamsat calendar)."
        ),
    ],
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="Một ngày trong kỳ (yyyy-mm-dd hoặc dd/mm/yyyy); mặc định hôm nay, "
            "với báo cáo trong lịch: kỳ có hạn nộp gần nhất.",
        ),
    ] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Báo cáo đột xuất: từ ngày.")] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Báo cáo đột xuất: đến ngày (mặc định hôm nay).")
    ] = None,
    event: Annotated[
        str | None,
        typer.Option("--event", help="Báo cáo đột xuất về một vụ việc: mã cảnh báo hoặc mã phiếu."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="docx, pdf (cần LibreOffice), md hoặc csv.")] = "docx",
    out: Annotated[Path | None, typer.Option("-o", "--output", help="Tệp ghi ra.")] = None,
    leader: Annotated[bool, typer.Option("--lanh-dao", help="Bản một trang cho lãnh đạo.")] = False,
    as_: Annotated[
        str | None,
        typer.Option(
            "--as", envvar="GIAMSAT_USER", help="Người lập (kiểm tra quyền); mặc định GIAMSAT_USER."
        ),
    ] = None,
) -> None:
    """Lập báo cáo (DOCX theo NĐ 30/2020, PDF, MD, CSV): điểm tin, báo cáo tuần/tháng/quý/năm, báo
    cáo theo lịch của tỉnh (đúng kỳ và nơi nhận) và báo cáo đột xuất.

    Ví dụ: giamsat report daily --date 2026-11-23 --format docx -o diem-tin.docx
    Ví dụ: giamsat report daily --lanh-dao --format pdf -o diem-tin-lanh-dao.pdf
    Ví dụ: giamsat report nam-truyen-thong-chinh-sach   (kỳ 16/11/2025 - 15/11/2026, hạn 20/11/2026)
    Ví dụ: giamsat report ad-hoc --from 20/11/2026 --to 23/11/2026
    Ví dụ: giamsat report ad-hoc --event PX-2026-0012
    """
    ctx = get_context()
    actor = triage_cli._user(as_) if as_ else None
    code = triage_cli.report_cmd(
        ctx.profile,
        ctx.store,
        kind,
        date,
        fmt,
        out,
        actor=actor,
        date_from=date_from,
        date_to=date_to,
        event=event,
        variant="leader" if leader else "full",
    )
    raise typer.Exit(code or 0)


@app.command()
def calendar(
    date: Annotated[
        str | None, typer.Option("--date", help="Tính hạn từ ngày này (mặc định hôm nay).")
    ] = None,
) -> None:
    """Lịch báo cáo của tỉnh: mỗi báo cáo, kỳ tới hạn gần nhất, hạn nộp, số ngày còn lại.

    Ví dụ: giamsat --profile ha-tinh calendar --date 2026-11-23
    """
    try:
        today = parse_vn_date(date) if date else datetime.now(VN_TZ).date()
    except ValueError as exc:
        raise typer.BadParameter(f"ngày không hợp lệ '{date}': dùng dd/mm/yyyy hoặc yyyy-mm-dd") from exc
    console.print(triage_cli.calendar_table(get_context().profile, today))


# -- units -----------------------------------------------------------------------------------
units_app = typer.Typer(
    help="Đơn vị: list, upgrade (đổi mã đơn vị cũ trên phiếu đã lưu).", no_args_is_help=True
)
app.add_typer(units_app, name="units")


@units_app.command("list")
def units_list() -> None:
    """Các đơn vị trong hồ sơ: mã, tên, mã cũ được thay, căn cứ.

    Ví dụ: giamsat --profile lang-son units list
    """
    from rich.table import Table

    profile = get_context().profile
    table = Table()  # the legal basis is long text: it wraps in its own column
    for col in ("Mã", "Tên", "Đầu mối", "Thay cho (mã cũ)", "Căn cứ"):
        table.add_column(col, no_wrap=col == "Mã", max_width=60 if col == "Căn cứ" else None)
    for u in profile.units:
        table.add_row(u.code, u.name, "có" if u.coordinating else "", ", ".join(u.replaces), u.source or "")
    console.print(table)


@units_app.command("upgrade")
def units_upgrade(
    as_: Annotated[
        str,
        typer.Option("--as", envvar="GIAMSAT_USER", help="Tên đăng nhập quản trị (admin) thực hiện."),
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ đếm, không đổi.")] = False,
) -> None:
    """Đổi mã đơn vị cũ (so-tnmt, so-tttt...) trên các phiếu đã lưu sang mã đơn vị hiện nay theo
    'replaces' trong hồ sơ; mỗi phiếu đổi có một sự kiện nhật ký (trước/sau, ánh xạ đã dùng).

    Ví dụ: giamsat units upgrade --as admin --dry-run
    """
    ctx = get_context()
    result = Triage(ctx.profile, ctx.store).upgrade_unit_codes(triage_cli._user(as_), dry_run=dry_run)
    console.print(result.summary(ctx.profile), highlight=False)


app.add_typer(es_app, name="es")

# -- users -----------------------------------------------------------------------------------
users_app = typer.Typer(help="Người dùng: list, passwd.")
app.add_typer(users_app, name="users")


@users_app.command("list")
def users_list() -> None:
    """Liệt kê người dùng trong hồ sơ và vai trò.

    Ví dụ: giamsat users list
    """
    ctx = get_context()
    from giamsat.cli.tables import table
    from giamsat.core.codes import ROLE_LABELS

    def has(u: Any) -> str:
        doc = ctx.store.get_doc("users", u.username) or {}
        return "có" if doc.get("password_hash") or u.password_hash else "chưa"

    console.print(
        table(
            ("Tên đăng nhập", "Họ tên", "Vai trò", "Đơn vị", "Có mật khẩu"),
            (
                (
                    u.username,
                    u.name,
                    ROLE_LABELS.get(u.role, u.role),
                    ctx.profile.unit_name(u.unit) if u.unit else "—",
                    has(u),
                )
                for u in ctx.profile.users
            ),
            flex="Họ tên",
        )
    )


@users_app.command("passwd")
def users_passwd(
    username: Annotated[str, typer.Argument(help="Tên đăng nhập (trong hồ sơ).")],
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Đọc mật khẩu từ dòng đầu của stdin (cho kịch bản cài đặt)."),
    ] = False,
) -> None:
    """Đặt mật khẩu (lưu băm argon2 trong kho). Mật khẩu được hỏi (không hiện khi gõ) hoặc đọc
    từ stdin, không bao giờ từ dòng lệnh (dòng lệnh lộ trong lịch sử shell và danh sách tiến trình).

    Ví dụ: giamsat users passwd giamsat1
    Ví dụ: printf '%s\n' "$MAT_KHAU" | giamsat users passwd giamsat1 --password-stdin
    """
    ctx = get_context()
    ctx.user(username)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Mật khẩu mới", hide_input=True, confirmation_prompt="Nhập lại mật khẩu")
    if not password:
        raise typer.BadParameter("mật khẩu trống")
    try:
        set_password(ctx.store, username, password)
    except ValueError as exc:  # the password policy (length...) speaks Vietnamese already
        raise typer.BadParameter(str(exc)) from None
    console.print(plain(f"Đã đặt mật khẩu cho {username}."))


# -- dashboard, demo, migrate ----------------------------------------------------------------
@app.command()
def dashboard(
    port: Annotated[int, typer.Option(help="Cổng.")] = 8501,
    address: Annotated[
        str | None,
        typer.Option(
            help="Địa chỉ lắng nghe (mặc định STREAMLIT_SERVER_ADDRESS, nếu không thì 127.0.0.1; "
            "trong container: 0.0.0.0 sau reverse proxy)."
        ),
    ] = None,
) -> None:
    """Mở bảng điều khiển (Streamlit, tiếng Việt).

    Ví dụ: giamsat dashboard --port 8501
    Ví dụ: giamsat dashboard --address 0.0.0.0   (trong container, sau reverse proxy TLS)
    """
    import os

    from giamsat.serve import serve_dashboard

    ctx = get_context()
    ctx.store  # noqa: B018 - create/migrate the store before the app opens it
    # --address wins, then STREAMLIT_SERVER_ADDRESS (docker-compose sets it), then loopback only
    chosen = address or os.environ.get("STREAMLIT_SERVER_ADDRESS") or "127.0.0.1"
    raise typer.Exit(serve_dashboard(chosen, port))


@app.command()
def demo(
    no_dashboard: Annotated[
        bool, typer.Option("--no-dashboard", help="Chỉ chạy quy trình, in tóm tắt rồi thoát.")
    ] = False,
    port: Annotated[int, typer.Option(help="Cổng bảng điều khiển.")] = 8501,
    keep: Annotated[bool, typer.Option(help="Giữ dữ liệu demo cũ (mặc định làm mới).")] = False,
) -> None:
    """Chạy thử ngoại tuyến: trang tin mẫu trên 127.0.0.1 → thu thập → phân tích → cảnh báo, phiếu → bảng điều khiển.

    Ví dụ: giamsat demo --no-dashboard
    """
    from giamsat.demo import run_demo

    raise typer.Exit(run_demo(no_dashboard=no_dashboard, port=port, keep=keep))


@app.command("migrate")
def migrate_command(
    to: str = typer.Option(
        ..., "--to", help="Kho đích, ví dụ https://es.tinh.gov.vn:9200 hoặc sqlite:///kho-moi.db"
    ),
    source: str | None = typer.Option(None, "--from", help="Kho nguồn (mặc định: GIAMSAT_STORE)"),
    restart: bool = typer.Option(False, "--restart", help="Bỏ qua điểm dừng đã lưu, chép lại từ đầu"),
) -> None:
    """Chép toàn bộ kho hiện tại sang kho khác; chạy lại an toàn và tiếp tục từ chỗ dừng.

    Ví dụ: giamsat migrate --to https://localhost:9200
    Example: ELASTICSEARCH_PASSWORD=... giamsat migrate --from sqlite:///giamsat.db --to http://localhost:9200
    """
    from giamsat.storage import open_store
    from giamsat.storage.migrate import migrate_store

    src = open_store(source or get_context().settings.store_uri)
    dst = open_store(to)
    try:
        stats = migrate_store(src, dst, progress=True, resume=not restart)
    finally:
        src.close()
        dst.close()
    typer.echo(
        f"Đã chép {stats.items} bài viết ({stats.new} mới, {stats.revisions} phiên bản cũ, "
        f"{stats.unchanged} đã có), {stats.docs} hồ sơ, {stats.events} sự kiện nhật ký sang {dst.uri}."
    )


@app.command()
def version() -> None:
    """In phiên bản.

    Ví dụ: giamsat version
    """
    console.print(f"giamsat {__version__}")


def main() -> None:
    try:
        app()
    except GiamsatError as exc:
        err.print(f"[bold red]Lỗi:[/] {esc(exc)}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    finally:
        from giamsat import context

        if context._CONTEXT is not None:
            context._CONTEXT.close()


if __name__ == "__main__":
    main()
