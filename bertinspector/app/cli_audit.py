"""``bertinspector audit``: a whole dataset through the model's tokenizer (the contract's *Audit* section)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

FORMATS = ("text", "json", "markdown", "html")


def _percent(value: str) -> float:
    import argparse

    try:
        number = float(value.rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a percentage") from None
    if not 0 <= number <= 100:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and 100")
    return number


def add_parser(commands) -> None:
    from bertinspector.app.cli import add_b_arguments, add_encoding_arguments, non_negative_int, positive_int

    audit = commands.add_parser(
        "audit", help="audit a whole dataset: cut examples, unknown tokens, dropped characters, skew",
        description="Run every example of a dataset through the model's tokenizer and report what the model never "
                    "sees: examples cut at max_length, unknown tokens and the text behind them, dropped characters, "
                    "every text-level diagnostic with its rows; with --b-model/--variant/--b-* the same rows under B, "
                    "with --against a second dataset (training vs serving data). Exit status: 0; 1 when a finding "
                    "reaches --fail-on or a --max-* threshold is passed; 2 usage error or unreadable data.",
    )
    audit.add_argument("source", metavar="SRC", help="model source: 'default', a model folder or a hub id in the HF cache")
    audit.add_argument("data", nargs="+", metavar="DATA", help="data: .txt .csv .tsv .jsonl .ndjson .json .parquet .arrow "
                       "(each also .gz), a datasets.save_to_disk folder, a folder or glob of shards, a dataset id in the HF cache, "
                       "or a URI (s3:// gs:// hf:// file://...)")
    data = audit.add_argument_group("data")
    data.add_argument("--column", metavar="C", help="the text column (default: 'text', else the only string column)")
    data.add_argument("--pair-column", metavar="C2", help="a second text column: the pair segment (sentence B)")
    data.add_argument("--label-column", metavar="L", help="a label column: figures per label (slices)")
    data.add_argument("--split", metavar="NAME", help="the split of a dataset with several (default: train)")
    data.add_argument("--limit", type=positive_int, metavar="N", help="audit the first N rows only")
    data.add_argument("--sample", type=positive_int, metavar="N", help="audit N rows drawn at random (see --seed)")
    data.add_argument("--seed", type=non_negative_int, default=0, metavar="S", help="the seed of --sample (default: 0)")
    data.add_argument("--skip-bad-rows", action="store_true", help="skip and count malformed rows instead of stopping")
    add_encoding_arguments(audit)
    side_b = audit.add_argument_group("B: the same rows under another model or settings",
                                      "B takes A's model and settings, changed by these (a --b-* option wins over --variant)")
    side_b.add_argument("--b-model", metavar="SRC_B", help="model B")
    add_b_arguments(side_b)
    against = audit.add_argument_group("against: a second dataset under the same model (train vs serve)")
    against.add_argument("--against", nargs="+", metavar="DATA_B", help="the other dataset (same forms as DATA)")
    against.add_argument("--against-column", metavar="C", help="its text column (default: --column)")
    run_options = audit.add_argument_group("engine and output")
    run_options.add_argument("--engine", choices=("local", "ray"), default="local", help="where shards run (default: local processes)")
    run_options.add_argument("--ray-address", metavar="ADDR", help="the Ray cluster to join with --engine ray: HOST:PORT, ray://HOST:PORT or auto "
                             "(default: $RAY_ADDRESS when set, else a Ray started on this machine)")
    run_options.add_argument("--workers", type=positive_int, metavar="N", help="worker processes, or Ray tasks at once (default: the cores)")
    run_options.add_argument("--examples", type=positive_int, default=20, metavar="K", help="rows kept per finding and per worst-rows list (default: 20)")
    run_options.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    run_options.add_argument("--output", metavar="FILE", help="write the report to FILE (atomically) instead of standard output")
    run_options.add_argument("--fail-on", choices=("error", "warning", "never"), default="error", help="exit 1 when a finding reaches this severity (default: error)")
    run_options.add_argument("--max-truncated", type=_percent, metavar="PCT", help="exit 1 when more than PCT%% of the examples are cut")
    run_options.add_argument("--max-unknown", type=_percent, metavar="PCT", help="exit 1 when more than PCT%% of the tokens are unknown")


def _wants_b(args) -> bool:
    return any((args.b_model, args.variant, args.b_max_length is not None, args.b_truncation, args.b_stride is not None,
                args.b_no_special_tokens, args.b_lowercase, args.b_swap_pair))


def request_from(args):
    """The :class:`AuditRequest` the options describe."""
    from bertinspector.app.cli import UsageError, b_side, settings_from
    from bertinspector.core.audit import AuditRequest, Columns, Side
    from bertinspector.core.audit.shard import measurer

    settings_a = settings_from(args)
    side_a = Side(args.source, settings_a, trust_remote_code=args.trust_remote_code)
    side_b = None
    if _wants_b(args):
        if (args.b_swap_pair or args.variant == "pair-swapped") and not args.pair_column:
            raise UsageError("swapping the pair needs a pair: name the pair column with --pair-column")
        pair = "pair" if args.pair_column else None
        settings_b, text_b, _ = b_side(args, settings_a, "text", pair, measurer(side_a).facts)
        side_b = Side(args.b_model or args.source, settings_b, trust_remote_code=args.trust_remote_code,
                      swap_pair=text_b == "pair")
    if args.ray_address and args.engine != "ray":
        raise UsageError("--ray-address needs --engine ray")
    return AuditRequest(
        a=side_a, data=tuple(args.data), columns=Columns(args.column, args.pair_column, args.label_column), b=side_b,
        against=tuple(args.against or ()), against_column=args.against_column, split=args.split, limit=args.limit,
        sample=args.sample, seed=args.seed, skip_bad_rows=args.skip_bad_rows, examples=args.examples,
        workers=args.workers, engine=args.engine, ray_address=args.ray_address,
    )


def render(document: dict, fmt: str) -> str:
    from bertinspector.core.audit import html, report as audit_report
    from bertinspector.core.report import dumps

    renderers = {"json": dumps, "text": audit_report.render_text, "markdown": audit_report.render_markdown,
                 "html": html.render_html}
    return renderers[fmt](document)


def run(args) -> int:
    from bertinspector.app.cli import _write
    from bertinspector.core.audit import run_audit
    from bertinspector.core.audit.shard import measurer
    from bertinspector.core.files import write_atomic

    request = request_from(args)
    if args.load_weights:
        inspector = measurer(request.a).inspector
        if not inspector.refused_remote_code:
            inspector.load_weights()  # weights-newly-initialized joins the model-level findings
    quiet = not sys.stderr.isatty() or (args.format == "json" and args.output is None)
    bar = None if quiet else ProgressBar(sys.stderr)
    try:
        document = run_audit(request, progress=bar.update if bar else None)
    finally:
        if bar is not None:
            bar.close()
    text = render(document, args.format)
    if args.output:
        write_atomic(Path(args.output), (text if text.endswith("\n") else text + "\n").encode("utf-8"))
    else:
        _write(text)
    return exit_status(document, args)


def exit_status(document: dict, args) -> int:
    """1 when a finding reaches --fail-on or a --max-* threshold is passed (each said on stderr), else 0."""
    from bertinspector.app.cli import EXIT_FINDINGS, EXIT_OK
    from bertinspector.core.model import Severity

    reasons = []
    if args.fail_on != "never":
        threshold = Severity(args.fail_on).rank
        findings = list(document["diagnostics"]) + (document["b"]["diagnostics"] if document["b"] else []) \
            + (document["against"]["findings"] if document["against"] else [])
        hits = sorted({f["code"] for f in findings if Severity(f["severity"]).rank >= threshold})
        if hits:
            reasons.append(f"findings at --fail-on {args.fail_on}: {', '.join(hits)}")
    cut = 100 * document["truncation"]["share_cut"]
    if args.max_truncated is not None and cut > args.max_truncated:
        reasons.append(f"{cut:.1f}% of the examples are cut (over --max-truncated {args.max_truncated:g})")
    unknown = 100 * document["unknown"]["share_of_tokens"]
    if args.max_unknown is not None and unknown > args.max_unknown:
        reasons.append(f"{unknown:.2f}% of the tokens are unknown (over --max-unknown {args.max_unknown:g})")
    for reason in reasons:
        print(f"bertinspector: {reason}", file=sys.stderr)
    return EXIT_FINDINGS if reasons else EXIT_OK


class ProgressBar:
    """``rows done / total, rows/s, ETA`` on one terminal line, redrawn at most ten times a second."""

    WIDTH = 24

    def __init__(self, stream):
        self.stream = stream
        self.started = time.monotonic()
        self.shown = 0.0
        self.drawn = False

    def update(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.shown < 0.1 and done < total:
            return
        self.shown = now
        elapsed = max(now - self.started, 1e-9)
        rate = done / elapsed
        eta = (total - done) / rate if rate > 0 else 0
        filled = int(self.WIDTH * done / total) if total else self.WIDTH
        bar = "█" * filled + "·" * (self.WIDTH - filled)
        self.stream.write(f"\r\033[K{bar} {done:,}/{total:,} rows  {rate:,.0f} rows/s  ETA {int(eta) // 60}:{int(eta) % 60:02d}")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
