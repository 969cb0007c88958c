"""Documents from the log (issue 12): documents per second for every candidate of a branch, next to rendering
the same template with a context prepared in advance (no database work) in the same run.

    .venv/bin/python -m benchmarks.bench_documents [--candidates 1000] [--form 9-KNĐ] [--pdf 20] [--keep]

The candidates go through the standard path of benchmarks/common.py (18 steps each, recorded through the
service), so each one has every document. Measured, on one SQLite file:
- from the log: `make_document` per candidate (read its events and the organisation history, build what the
  document says, fill the Word template), as `ketnap document` and the page's link do;
- context only: the same, without filling a template (what the database and the log's folding cost);
- baseline: filling the same Word (or HTML) template with one context prepared before the clock starts;
- PDF: `--pdf` candidates printed through weasyprint, against printing one prepared HTML as often.
"""

from collections.abc import Callable

from benchmarks.common import (
    app_on,
    base_parser,
    fresh_sqlite,
    machine_line,
    print_table,
    record_interleaved,
    scratch_dir,
    timed,
)
from workflow.paperwork import render
from workflow.paperwork.context import build
from workflow.paperwork.forms import paper_form
from workflow.paperwork.make import make_document
from workflow.service import Ketnap


def _ids(app: Ketnap) -> list[str]:
    with app.engine.connect() as conn:
        return [str(r[0]) for r in conn.exec_driver_sql("SELECT id FROM candidate ORDER BY id")]


def main(argv: list[str] | None = None) -> None:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--form", default="9-KNĐ", help="the form to make for every candidate")
    parser.add_argument("--pdf", type=int, default=20, help="candidates also printed to PDF (slower)")
    args = parser.parse_args(argv)
    form = paper_form(args.form)
    print(f"documents ({form.code}) for {args.candidates} candidates; {machine_line()}")
    with scratch_dir(args.keep) as folder:
        app = app_on(fresh_sqlite(folder / "documents.db"))
        record_interleaved(app, args.candidates)
        ids = _ids(app)
        docs = app.settings.documents
        sample = build(app.events(ids[0]), form, app.organisations.history_log(), app.rulebook, docs)
        html = render.to_html(form.slug, sample.context, sample.rule_set)

        def each(make: Callable[[str], object], among: list[str]) -> Callable[[], int]:
            def run() -> int:
                for cid in among:
                    make(cid)
                return len(among)
            return run

        def times(make: Callable[[], object], n: int) -> Callable[[], int]:
            def run() -> int:
                for _ in range(n):
                    make()
                return n
            return run

        few = ids[: max(1, min(args.pdf, len(ids)))]
        samples = [
            ("docx from the log", timed("log", each(lambda c: make_document(app, c, form.code, "docx"), ids))),
            ("context only (database + folding)", timed("ctx", each(
                lambda c: build(app.events(c), form, app.organisations.history_log(), app.rulebook, docs), ids))),
            ("baseline: docx template, context ready", timed("tpl", times(
                lambda: render.render(form.slug, "docx", sample.context, sample.rule_set), len(ids)))),
            ("html from the log", timed("html", each(lambda c: make_document(app, c, form.code, "html"), ids))),
            ("baseline: html template, context ready", timed("tplh", times(
                lambda: render.to_html(form.slug, sample.context, sample.rule_set), len(ids)))),
            ("pdf from the log", timed("pdf", each(lambda c: make_document(app, c, form.code, "pdf"), few))),
            ("baseline: pdf of a ready html", timed("tplp", times(lambda: render.to_pdf(html), len(few)))),
        ]
        base = {"docx": samples[2][1].rate, "html": samples[4][1].rate, "pdf": samples[6][1].rate}
        rows = []
        for label, s in samples:
            kind = "pdf" if "pdf" in label else "html" if "html" in label else "docx"
            rows.append((label, s.operations, round(s.seconds, 2), round(s.rate, 1), f"{s.rate / base[kind]:.2f}x"))
        print_table(("variant", "documents", "seconds", "documents/s", "ratio to template baseline"), rows)
        app.engine.dispose()


if __name__ == "__main__":
    main()
