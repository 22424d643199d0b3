"""The ``bertinspector`` command: the desktop app, ``inspect`` and ``compare``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bertinspector import __version__
from bertinspector.core.errors import BertInspectorError
from bertinspector.core.model import LOWERCASE_MODES, TRUNCATION_STRATEGIES, Severity

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
MAX_TEXT_BYTES = 64 * 1024 * 1024


class UsageError(BertInspectorError):
    """A command-line mistake: exit 2 with one line."""


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one clear line, exit 2 (argparse's own convention)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a whole number") from None
    if number <= 0:
        raise argparse.ArgumentTypeError(f"{number} must be a positive number")
    return number


def non_negative_int(value: str) -> int:
    number = positive_int(value) if value.strip() != "0" else 0
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="bertinspector", description="See exactly what a BERT-family model receives from your text, and why it will fail.")
    parser.add_argument("--version", action="version", version=f"bertinspector {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="{gui,inspect,compare,lint,audit}")

    gui = commands.add_parser("gui", help="open the desktop app (the default command)", description="Open the desktop app.")
    gui.add_argument("path", nargs="?", metavar="FILE", help="open a text file, a model folder or a session (.bertinspector.json)")
    gui.add_argument("--model", metavar="SRC", help="model source: 'default', a model folder or a hub id in the HF cache (default: the last session's model, else default)")
    gui.add_argument("--compare", metavar="SRC_B", help="open compare mode with this second model")
    _add_text_arguments(gui, required=False)
    gui.add_argument("--run", action="store_true", help="run the model once the text is tokenized")
    gui.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda", "mps"), help="where the model runs (default: auto)")
    gui.add_argument("--screenshot", metavar="PNG", help="render the window to PNG (after tokenizing, and after the run with --run) and exit")
    gui.add_argument("--audit", metavar="DATA", help="audit this dataset in the window's Audit pane (with --screenshot: once it has finished)")
    gui.add_argument("--column", metavar="C", help="the text column of --audit (default: 'text', else the only string column)")
    gui.add_argument("--label-column", metavar="L", help="the label column of --audit")

    inspect = commands.add_parser(
        "inspect", help="print what the model receives from a text, with diagnostics",
        description="Print the tokens the model receives (with the truncation point) and every finding with its fix. "
                    "Exit status: 0 no finding reaches --fail-on, 1 one does, 2 usage error or unloadable model.",
    )
    inspect.add_argument("source", metavar="SRC", help="model source: 'default', a model folder or a hub id in the HF cache")
    _add_text_arguments(inspect, required=True, ids=True)
    _add_setting_arguments(inspect)
    _add_compare_parser(commands)
    from bertinspector.app import cli_lint

    cli_lint.add_parser(commands)
    from bertinspector.app import cli_audit

    cli_audit.add_parser(commands)

    return parser


def _add_text_arguments(parser, *, required: bool, ids: bool = False) -> None:
    group = parser.add_mutually_exclusive_group(required=required)
    group.add_argument("--text", metavar="T", help="the text to inspect")
    group.add_argument("--text-file", metavar="F", help="read the text from a UTF-8 file ('-' for standard input)")
    if ids:
        group.add_argument("--ids", metavar='"101, 7592, 102"', help="token ids pasted from code, instead of a text")
        group.add_argument("--ids-file", metavar="F", help="read the token ids from a file ('-' for standard input), as --ids takes them")
        parser.add_argument("--ids-row", metavar="N", type=int, help="the row to inspect when the pasted ids are a batch (0 is the first)")
    parser.add_argument("--pair", metavar="T2", help="a second text: the pair segment (sentence B)")


def _add_setting_arguments(parser) -> None:
    add_encoding_arguments(parser)
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text", help="output format (default: text)")
    parser.add_argument("--all-tokens", action="store_true", help="print every token (text and markdown summarise an encoding over 5,000 tokens: its ends and the cut)")
    parser.add_argument("--fail-on", choices=("error", "warning", "never"), default="error", help="exit 1 when a finding reaches this severity (default: error)")


def add_encoding_arguments(parser) -> None:
    """The settings of inspect (shared by compare and audit), with --load-weights and --trust-remote-code."""
    parser.add_argument("--max-length", type=positive_int, metavar="N", help="cut at N tokens (default: the tokenizer's model_max_length)")
    parser.add_argument("--truncation", choices=TRUNCATION_STRATEGIES, default="longest_first", help="truncation strategy (default: longest_first, as truncation=True)")
    parser.add_argument("--stride", type=non_negative_int, default=0, metavar="N", help="overlap between overflow windows, in tokens (default: 0)")
    parser.add_argument("--no-special-tokens", action="store_true", help="encode with add_special_tokens=False (as tokenizer.encode(..., add_special_tokens=False))")
    parser.add_argument("--lowercase", choices=LOWERCASE_MODES, default="auto", help="lowercasing: what the model's files say (auto), forced on, or off")
    parser.add_argument("--load-weights", action="store_true", help="also load the weights, to report weights initialised at random")
    parser.add_argument("--trust-remote-code", action="store_true", help="allow the model's own Python code to run (only for models you trust)")


def read_text(args) -> str | None:
    """The text from --text or --text-file; a clear :class:`UsageError` for unreadable files."""
    if args.text_file is None:
        return args.text
    return read_file_text(args.text_file)


def read_ids(args) -> str | None:
    """The ids as typed, from --ids or --ids-file."""
    ids_file = getattr(args, "ids_file", None)
    return args.ids if ids_file is None else read_file_text(ids_file)


def read_file_text(name: str) -> str:
    """A UTF-8 file's text (``-``: standard input), at most :data:`MAX_TEXT_BYTES`."""
    try:
        data = sys.stdin.buffer.read(MAX_TEXT_BYTES + 1) if name == "-" else _read_file(Path(name))
    except OSError as error:
        raise UsageError(f"{name}: {error.strerror or error}") from None
    if len(data) > MAX_TEXT_BYTES:
        raise UsageError(f"{name}: larger than {MAX_TEXT_BYTES // (1024 * 1024)} MB, the most a text may hold")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UsageError(f"{name} is not UTF-8 text (byte {error.start}); is it a binary file?") from None


def _read_file(path: Path) -> bytes:
    if path.is_dir():
        raise UsageError(f"{path} is a folder, not a text file")
    with path.open("rb") as f:
        return f.read(MAX_TEXT_BYTES + 1)


def settings_from(args):
    from bertinspector.core.model import Settings

    return Settings(
        add_special_tokens=not args.no_special_tokens, truncation=args.truncation,
        max_length=args.max_length, stride=args.stride, lowercase=args.lowercase,
    )


def run_inspect(args) -> int:
    from bertinspector.core import report
    from bertinspector.core.inspector import Inspector

    text, ids = read_text(args), read_ids(args)
    inspector = Inspector.open(args.source, trust_remote_code=args.trust_remote_code)
    if args.load_weights and not inspector.refused_remote_code:
        inspector.load_weights()
    settings = settings_from(args)
    if ids is not None:
        inspection = inspector.inspect_ids(ids, settings, row=args.ids_row)
    else:
        inspection = inspector.inspect(text, args.pair, settings)
    renderers = {"json": lambda i: report.dumps(report.to_json(i)),
                 "markdown": lambda i: report.render_markdown(i, all_tokens=args.all_tokens),
                 "text": lambda i: report.render_text(i, all_tokens=args.all_tokens)}
    _write(renderers[args.format](inspection))
    return exit_status([inspection], args.fail_on)


# -- compare ---------------------------------------------------------------------------------


def _add_compare_parser(commands) -> None:
    compare = commands.add_parser(
        "compare", help="compare what two models (or two settings of one model) make of the same text",
        description="Align the tokens two models (or one model with two settings) make of the same text, show the "
                    "preprocessing facts side by side and the findings of both. B takes A's settings unless a --b-* "
                    "option or --variant changes them; SRC_B may equal SRC_A. Exit status: 0 no finding of A or B "
                    "reaches --fail-on, 1 one does, 2 usage error or unloadable model.",
    )
    compare.add_argument("source_a", metavar="SRC_A", help="model A: 'default', a model folder or a hub id in the HF cache")
    compare.add_argument("source_b", metavar="SRC_B", help="model B (may be the same as SRC_A, with other settings)")
    _add_text_arguments(compare, required=True)
    _add_setting_arguments(compare)
    add_b_arguments(compare.add_argument_group("B's settings", "B takes A's settings, changed by these (a --b-* option wins over --variant)"))


def add_b_arguments(side_b) -> None:
    """--variant and the --b-* options (compare and audit); :func:`b_side` reads them."""
    from bertinspector.core.compare import VARIANTS

    side_b.add_argument("--variant", choices=tuple(VARIANTS), help="B = A with one classic failure mode: "
                        + "; ".join(f"{name}: {v.label}" for name, v in VARIANTS.items()))
    side_b.add_argument("--b-max-length", type=positive_int, metavar="N", help="B cuts at N tokens")
    side_b.add_argument("--b-truncation", choices=TRUNCATION_STRATEGIES, help="B's truncation strategy")
    side_b.add_argument("--b-stride", type=non_negative_int, metavar="N", help="B's overlap between overflow windows")
    side_b.add_argument("--b-no-special-tokens", action="store_true", help="B encodes with add_special_tokens=False")
    side_b.add_argument("--b-lowercase", choices=LOWERCASE_MODES, help="B's lowercasing: auto, on or off")
    side_b.add_argument("--b-swap-pair", action="store_true", help="B encodes (pair, text) instead of (text, pair)")


def b_side(args, settings_a, text: str, pair: str | None, facts_a):
    """B's (settings, text, pair): A's, changed by --variant, then by the --b-* options."""
    from bertinspector.core.compare import variant

    settings, text_b, pair_b = settings_a, text, pair
    if args.variant is not None:
        settings, text_b, pair_b = variant(args.variant, settings, text_b, pair_b, facts_a)
    changes = {}
    if args.b_max_length is not None:
        changes["max_length"] = args.b_max_length
    if args.b_truncation is not None:
        changes["truncation"] = args.b_truncation
    if args.b_stride is not None:
        changes["stride"] = args.b_stride
    if args.b_no_special_tokens:
        changes["add_special_tokens"] = False
    if args.b_lowercase is not None:
        changes["lowercase"] = args.b_lowercase
    settings = settings.with_(**changes)
    if args.b_swap_pair and args.variant != "pair-swapped":
        settings, text_b, pair_b = variant("pair-swapped", settings, text_b, pair_b, facts_a)
    return settings, text_b, pair_b


def run_compare(args) -> int:
    from bertinspector.core import compare as comparing, compare_report, report
    from bertinspector.core.inspector import Inspector

    text = read_text(args)
    if args.pair is None and (args.b_swap_pair or args.variant == "pair-swapped"):
        raise UsageError("swapping the pair needs a pair: give a second text with --pair")
    inspector_a = Inspector.open(args.source_a, trust_remote_code=args.trust_remote_code)
    inspector_b = inspector_a if args.source_b == args.source_a else Inspector.open(args.source_b, trust_remote_code=args.trust_remote_code)
    if args.load_weights:
        for inspector in dict.fromkeys((inspector_a, inspector_b)):
            if not inspector.refused_remote_code:
                inspector.load_weights()
    settings_a = settings_from(args)
    settings_b, text_b, pair_b = b_side(args, settings_a, text, args.pair, inspector_a.facts)
    a = inspector_a.inspect(text, args.pair, settings_a)
    b = inspector_b.inspect(text_b, pair_b, settings_b)
    comparison = comparing.compare(a, b)
    renderers = {"json": lambda c: report.dumps(comparing.to_json(c)), "markdown": compare_report.render_markdown,
                 "text": compare_report.render_text}
    _write(renderers[args.format](comparison))
    return exit_status([a, b], args.fail_on)


def exit_status(inspections, fail_on: str) -> int:
    if fail_on == "never":
        return EXIT_OK
    threshold = Severity(fail_on).rank
    worst = max((d.severity.rank for i in inspections for d in i.diagnostics), default=-1)
    return EXIT_FINDINGS if worst >= threshold else EXIT_OK


def _write(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()


def gui_options(args) -> dict:
    """``gui.run_gui``'s keyword arguments from a parsed ``gui`` command line."""
    return dict(model=args.model, compare=args.compare, text=read_text(args), pair=args.pair, run=args.run,
                device=args.device, screenshot=args.screenshot, path=args.path, audit=args.audit,
                audit_column=args.column, audit_label=args.label_column)


def run_gui(args) -> int:
    from bertinspector.app.gui import run_gui as start

    if getattr(args, "command", None) is None:
        return start()
    return start(**gui_options(args))


def main(argv: list[str] | None = None) -> int:
    import multiprocessing

    multiprocessing.freeze_support()  # a frozen app starting its model host runs that here, not the CLI
    arguments = sys.argv[1:] if argv is None else list(argv)
    if arguments[:1] == ["lint"]:  # a pre-commit hook: the other commands' parsers import numpy (a quarter second)
        from bertinspector.app import cli_lint

        args = cli_lint.parse(arguments[1:])
        if argv is None and args.model is not None:
            from bertinspector.core.transformers_import import keep_torch_out

            keep_torch_out()  # tokenizers only: transformers never imports torch
        return dispatch(cli_lint.run, args)
    parser = build_parser()
    args = parser.parse_args(argv)
    commands = {None: run_gui, "gui": run_gui, "inspect": run_inspect, "compare": run_compare}
    from bertinspector.app import cli_lint

    commands["lint"] = cli_lint.run
    from bertinspector.app import cli_audit

    commands["audit"] = cli_audit.run
    if argv is None and args.command in ("inspect", "compare", "audit") and not args.load_weights:
        from bertinspector.core.transformers_import import keep_torch_out

        keep_torch_out()  # the command's own process reads tokenizers only: transformers never imports torch
    return dispatch(commands[args.command], args)


def dispatch(command, args) -> int:
    """Run one command: a :class:`BertInspectorError` becomes one line on stderr and exit 2."""
    try:
        return command(args)
    except BertInspectorError as error:
        print(f"bertinspector: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
