"""`ketnap document STEP_OR_FORM CANDIDATE_ID --format docx|pdf|html [--output FILE]` (issue 12).

The document is written to FILE (default: <candidate>-<form>-v<version>.<format> in the current directory; `-`
for stdout). The facts the log lacks are printed in the document as a dotted blank and listed on stderr; the exit
status stays 0, since the office fills them in by hand. A refusal (unknown document, a step not recorded yet,
an unknown candidate) writes nothing and exits 2.
"""

import sys
from pathlib import Path
from typing import Annotated

import typer

from workflow.cli import context as cli
from workflow.paperwork.forms import FORMS

_NAMES = "; ".join(f"{f.name} = {f.step or 'the dossier table of contents'}" for f in FORMS)


def document_cmd(
    ctx: typer.Context,
    which: Annotated[str, typer.Argument(metavar="STEP_OR_FORM", help=f"A form code or its step: {_NAMES}.")],
    candidate_id: Annotated[str, typer.Argument(metavar="CANDIDATE_ID")],
    fmt: Annotated[str, typer.Option("--format", help="docx (Word, to edit and print), pdf or html.")] = "docx",
    output: Annotated[Path | None, typer.Option("--output", help="Write here ('-': stdout). Default: "
                                                "<candidate>-<form>-v<version>.<format>.")] = None,
    version: Annotated[int | None, typer.Option("--version", min=1, help="The event to state, when the step was "
                                                "recorded more than once (default: the last one).")] = None,
) -> None:
    """A resolution, decision or the dossier's table of contents, filled in from the log."""
    from rich.console import Console

    from workflow.paperwork.make import make_document

    c = cli.get(ctx)
    with cli.refusals(c):
        doc = make_document(c.app(), candidate_id, which, fmt, version)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    if output is not None and str(output) == "-":
        sys.stdout.buffer.write(doc.content)
    else:
        target = output or Path(doc.filename)
        target.write_bytes(doc.content)
        if not c.json:
            err.print(f"wrote {target} ({doc.paper.form.name}, {fmt}, event "
                      f"{doc.paper.version})", markup=False)
    if c.json and (output is None or str(output) != "-"):
        c.emit({"file": str(output or doc.filename), "form": doc.paper.form.name, "version": doc.paper.version,
                "missing": doc.paper.missing, "missing_vi": doc.paper.missing_vi}, lambda _con: None)
    for vi, en in zip(doc.paper.missing_vi, doc.paper.missing_en, strict=True):
        err.print(f"missing (left blank): {vi} / {en}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("document")(document_cmd)
