"""``bertinspector lint``: read preprocessing code (never run it) and name its tokenizer mistakes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bertinspector.app.cli import EXIT_FINDINGS, EXIT_OK, Parser, UsageError, _write
from bertinspector.core.model import Severity

MAX_CODE_BYTES = 16 * 1024 * 1024
HELP = "check preprocessing code (a .py file or notebook) for tokenizer mistakes, without running it"
DESCRIPTION = ("Read Python code or a notebook's code cells with Python's ast (the code is never imported or run) "
               "and name the tokenizer mistakes it makes, each with its line and a fix. With --model and --text, "
               "also show what the first tokenizer call makes of the text. Exit status: 0 no finding reaches "
               "--fail-on, 1 one does, 2 usage error or unloadable model.")


def add_parser(commands) -> None:
    add_arguments(commands.add_parser("lint", help=HELP, description=DESCRIPTION))


def parse(argv: list[str]):
    """The arguments after ``bertinspector lint`` (parsed without the other commands' parsers)."""
    parser = Parser(prog="bertinspector lint", description=DESCRIPTION)
    add_arguments(parser)
    return parser.parse_args(argv)


def add_arguments(lint) -> None:
    lint.add_argument("file", metavar="FILE", help="a .py file, a .ipynb notebook, or '-' for standard input")
    lint.add_argument("--model", metavar="SRC", help="inspect --text with this model and the first tokenizer call's settings")
    lint.add_argument("--text", metavar="T", help="the text to inspect with the call's settings (needs --model)")
    lint.add_argument("--trust-remote-code", action="store_true", help="allow the model's own Python code to run (only for models you trust)")
    lint.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    lint.add_argument("--fail-on", choices=("error", "warning", "never"), default="error",
                      help="exit 1 when a finding reaches this severity (default: error)")


def read_code(name: str) -> bytes:
    try:
        if name == "-":
            data = sys.stdin.buffer.read(MAX_CODE_BYTES + 1)
        else:
            path = Path(name)
            if path.is_dir():
                raise UsageError(f"{name} is a folder, not a source file")
            with path.open("rb") as file:
                data = file.read(MAX_CODE_BYTES + 1)
    except OSError as error:
        raise UsageError(f"{name}: {error.strerror or error}") from None
    if len(data) > MAX_CODE_BYTES:
        raise UsageError(f"{name}: larger than {MAX_CODE_BYTES // 2**20} MB, not a source file")
    return data


def run(args) -> int:
    from dataclasses import replace

    from bertinspector.core.lint import lint
    from bertinspector.core.lint import report as lint_report

    if (args.model is None) != (args.text is None):
        raise UsageError("--model and --text go together: the text is inspected with the model")
    report = lint(read_code(args.file), "<stdin>" if args.file == "-" else args.file)
    severities = [finding.severity for finding in report.findings]
    if args.model is not None:
        settings = report.settings_at()
        if settings is None:
            raise UsageError(f"{report.source} has no tokenizer call whose settings could be used")
        if not args.text.strip():
            raise UsageError("the text is empty (or only whitespace): nothing to inspect")
        from bertinspector.core.inspector import Inspector

        inspector = Inspector.open(args.model, trust_remote_code=args.trust_remote_code)
        inspection = inspector.inspect(args.text, None, settings.settings)
        report = replace(report, inspection=inspection)
        severities += [d.severity.value for d in inspection.diagnostics]
    _write(lint_report.render_text(report) if args.format == "text" else json.dumps(lint_report.to_json(report), ensure_ascii=False, indent=2))
    return exit_status(severities, args.fail_on)


def exit_status(severities: list[str], fail_on: str) -> int:
    if fail_on == "never":
        return EXIT_OK
    threshold = Severity(fail_on).rank
    return EXIT_FINDINGS if any(Severity(s).rank >= threshold for s in severities) else EXIT_OK
