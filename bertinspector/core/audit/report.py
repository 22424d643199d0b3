"""An audit (``bertinspector.audit/1`` dict) as a terminal summary and as Markdown for an issue or a PR."""

from __future__ import annotations

from bertinspector.core.report import CUT_MARK, SEVERITY_MARK
from bertinspector.core.model import Severity

BAR = 40
LISTED = 8
PREVIEW = 90


def _n(value) -> str:
    return f"{value:,}"


def _pct(share: float) -> str:
    return f"{100 * share:.1f}%"


def _mark(severity: str) -> str:
    return SEVERITY_MARK[Severity(severity)]


def _quote(text: str, limit: int = PREVIEW) -> str:
    text = text.replace("\n", "⏎").replace("\t", "⇥")
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def headline(document: dict) -> str:
    data, timing = document["data"], document["timing"]
    columns = f"column {data['column']}" + (f", pair {data['pair_column']}" if data["pair_column"] else "") \
        + (f", label {data['label_column']}" if data["label_column"] else "")
    extra = f" ({_n(data['skipped'])} skipped: null or not text" + (f", {_n(data['bad_rows'])} malformed" if data["bad_rows"] else "") + ")" \
        if data["skipped"] or data["bad_rows"] else ""
    return (f"Audit of {', '.join(data['sources'])} ({columns}) with {document['model']['source']}: "
            f"{_n(data['examples'])} examples of {_n(data['rows_read'])} rows{extra}, "
            f"{timing.get('seconds', 0):.1f} s ({_n(int(timing.get('examples_per_s', 0)))} examples/s, "
            f"{timing.get('workers', 1)} worker(s))")


def length_line(length: dict) -> str:
    return (f"min {length['min']} · p50 {length['p50']} · p90 {length['p90']} · p95 {length['p95']} · "
            f"p99 {length['p99']} · max {length['max']} · mean {length['mean']:.1f}")


def histogram_rows(document: dict) -> list[tuple[str, int, bool]]:
    """(bin label, count, bin starts at max_length) per histogram bin."""
    edges, counts = document["histogram"]["edges"], document["histogram"]["counts"]
    max_length = document["truncation"]["max_length"]
    rows = []
    for i, count in enumerate(counts):
        label = f"{edges[i]}–{edges[i + 1] - 1}" if i + 1 < len(edges) else f"{edges[i]}+"
        rows.append((label, count, edges[i] == max_length))
    while len(rows) > 1 and rows[-1][1] == 0 and not rows[-1][2]:
        rows.pop()
    return rows


def truncation_line(document: dict) -> str:
    t = document["truncation"]
    if t["max_length"] is None:
        return f"Truncation: none (no max_length applies); {_n(t['tokens_total'])} tokens in all"
    return (f"Truncation at max_length {t['max_length']}: {_n(t['examples_cut'])} examples cut ({_pct(t['share_cut'])}), "
            f"{_n(t['tokens_lost'])} of {_n(t['tokens_total'])} tokens never reach the model ({_pct(t['tokens_lost_share'])})")


def unknown_line(document: dict) -> str:
    u = document["unknown"]
    if not u["tokens"]:
        return "Unknown tokens: none"
    listed = ", ".join(f"{_quote(e['text'], 24)} ×{_n(e['count'])}" for e in u["top"][:LISTED])
    return (f"Unknown tokens: {_n(u['tokens'])} in {_n(u['examples'])} examples ({100 * u['share_of_tokens']:.2f}% of the "
            f"tokens); behind them: {listed}")


def dropped_line(document: dict) -> str:
    d = document["dropped_characters"]
    if not d["characters"]:
        return "Dropped characters: none"
    listed = ", ".join(f"{e['name']} ×{_n(e['count'])}" for e in d["top"][:LISTED])
    return f"Dropped characters: {_n(d['characters'])} in {_n(d['examples'])} examples produce no token: {listed}"


def words_line(document: dict) -> str:
    w = document["words"]
    return (f"Words: {_n(w['count'])}, {w['fertility']:.2f} tokens a word, {_pct(w['single_token_share'])} of them "
            f"a single token")


def around(worst: dict, width: int = 34) -> str:
    """A worst row's text around what it is worst at: the cut (marked ✂) or the first unknown token."""
    text, start = worst["preview"], worst["preview_start"]
    if worst["cut_char"] is not None:
        cut = worst["cut_char"] - start
        before, after = text[max(0, cut - width):cut], text[cut:cut + width]
        return f"…{_quote(before, width)[1:-1]} {CUT_MARK} {_quote(after, width)[1:-1]}…"
    focus = worst["unknown_spans"][0][0] - start if worst["unknown_spans"] else 0
    piece = text[max(0, focus - 10):max(0, focus - 10) + 2 * width]
    return ("…" if start or focus > 10 else "") + _quote(piece, 2 * width)


def finding_lines(document: dict) -> list[str]:
    lines = []
    for d in document["diagnostics"]:
        rows = f" (rows {', '.join(map(str, d['rows'][:10]))}{', …' if len(d['rows']) > 10 else ''})" if d["rows"] else ""
        lines.append(f"{_mark(d['severity'])} {d['severity']} {d['code']}: {d['message']}{rows}")
    return lines


def render_text(document: dict) -> str:
    """The summary a person reads in ten seconds, with a text histogram."""
    lines = [headline(document), "", f"Length in tokens: {length_line(document['length'])}"]
    rows = histogram_rows(document)
    peak = max((c for _, c, _ in rows), default=0) or 1
    width = max(len(label) for label, _, _ in rows)
    for label, count, at_cut in rows:
        bar = "█" * round(BAR * count / peak) if count else ""
        lines.append(f"  {label:>{width}} {CUT_MARK if at_cut else ' '} {bar} {_n(count)}")
    lines += ["", truncation_line(document), unknown_line(document), dropped_line(document), words_line(document)]
    findings = finding_lines(document)
    if findings:
        lines += ["", "Findings"] + [f"  {line}" for line in findings]
    worst = [w for w in document["worst"] if w["metric"] != "tokens_total"]
    if worst:
        lines += ["", "Worst rows"]
        for metric in ("tokens_lost", "unknown"):
            for w in [w for w in worst if w["metric"] == metric][:3]:
                lines.append(f"  {metric:<11} row {w['row']:<7} {_n(w['value']):>7}  {around(w)}")
    if document["slices"]:
        lines += ["", f"Slices by {document['data']['label_column']}", f"  {'label':<20} {'examples':>9} {'cut':>7} {'unknown':>8} {'mean length':>12}"]
        for s in document["slices"]:
            lines.append(f"  {s['label'][:20]:<20} {_n(s['examples']):>9} {_pct(s['share_cut']):>7} "
                         f"{100 * s['unknown_share']:>7.2f}% {s['mean_length']:>12.1f}")
        more = document["data"].get("labels", 0) - len(document["slices"])
        if more > 0:
            lines.append(f"  … and {_n(more)} more labels (the {len(document['slices'])} largest are shown)")
    lines += _b_lines(document) + _against_lines(document)
    return "\n".join(lines)


def _b_lines(document: dict) -> list[str]:
    b = document["b"]
    if b is None:
        return []
    rows = ", ".join(map(str, b["rows_changed"][:10]))
    return ["", f"Under B ({b['model']['source']}, {_settings(b['settings'])}): {_n(b['examples_changed'])} examples change "
                f"({_pct(b['share_changed'])})" + (f", rows {rows}" if rows else ""),
            f"  length  A {length_line(document['length'])}", f"          B {length_line(b['length'])}",
            f"  cut     A {_pct(document['truncation']['share_cut'])}   B {_pct(b['truncation']['share_cut'])}",
            f"  unknown A {100 * document['unknown']['share_of_tokens']:.2f}%   B {100 * b['unknown']['share_of_tokens']:.2f}% of the tokens"]


def _settings(settings: dict) -> str:
    return (f"max_length {settings['max_length'] or 'auto'}, truncation {settings['truncation']}, "
            f"lowercase {settings['lowercase']}" + ("" if settings["add_special_tokens"] else ", no special tokens"))


def _against_lines(document: dict) -> list[str]:
    against = document["against"]
    if against is None:
        return []
    lines = ["", f"Against {', '.join(against['data']['sources'])} ({_n(against['data']['examples'])} examples)",
             f"  length  here  {length_line(document['length'])}", f"          there {length_line(against['length'])}"]
    if not against["findings"]:
        lines.append("  no skew found: the two datasets look alike to this model")
    for f in against["findings"]:
        lines.append(f"  {_mark(f['severity'])} {f['severity']} {f['code']}: {f['message']}")
    return lines


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(document: dict) -> str:
    """A report to paste into an issue or a pull request."""
    t = document["truncation"]
    lines = ["## bertinspector audit", "", headline(document), "",
             "| figure | value |", "|---|---|",
             f"| length (tokens) | {length_line(document['length'])} |",
             f"| cut at max_length {t['max_length'] or '—'} | {_n(t['examples_cut'])} examples ({_pct(t['share_cut'])}), "
             f"{_n(t['tokens_lost'])} tokens lost ({_pct(t['tokens_lost_share'])}) |",
             f"| unknown tokens | {_n(document['unknown']['tokens'])} in {_n(document['unknown']['examples'])} examples "
             f"({100 * document['unknown']['share_of_tokens']:.2f}% of the tokens) |",
             f"| dropped characters | {_n(document['dropped_characters']['characters'])} in "
             f"{_n(document['dropped_characters']['examples'])} examples |",
             f"| words | {_n(document['words']['count'])}, fertility {document['words']['fertility']:.2f}, "
             f"{_pct(document['words']['single_token_share'])} single-token |", "",
             "### Length histogram", "", "| tokens | examples |", "|---:|---:|"]
    lines += [f"| {label}{' ✂' if at_cut else ''} | {_n(count)} |" for label, count, at_cut in histogram_rows(document)]
    if document["diagnostics"]:
        lines += ["", "### Findings", "", "| severity | code | examples | first rows | message |", "|---|---|---:|---|---|"]
        for d in document["diagnostics"]:
            lines.append(f"| {d['severity']} | `{d['code']}` | {_n(d['examples']) if d['examples'] is not None else '—'} | "
                         f"{', '.join(map(str, d['rows'][:10]))} | {_md(d['message'])} |")
    if document["unknown"]["top"]:
        lines += ["", "### Text behind unknown tokens", "", "| text | count |", "|---|---:|"]
        lines += [f"| `{_md(e['text'])}` | {_n(e['count'])} |" for e in document["unknown"]["top"][:LISTED * 2]]
    worst = [w for w in document["worst"] if w["metric"] != "tokens_total"]
    if worst:
        lines += ["", "### Worst rows", "", "| metric | row | value | preview |", "|---|---:|---:|---|"]
        lines += [f"| {w['metric']} | {w['row']} | {_n(w['value'])} | {_md(around(w))} |" for w in worst[:20]]
    if document["slices"]:
        lines += ["", f"### Slices by `{document['data']['label_column']}`", "",
                  "| label | examples | cut | unknown | mean length |", "|---|---:|---:|---:|---:|"]
        lines += [f"| {_md(s['label'])} | {_n(s['examples'])} | {_pct(s['share_cut'])} | {100 * s['unknown_share']:.2f}% | "
                  f"{s['mean_length']:.1f} |" for s in document["slices"]]
    extra = _b_lines(document) + _against_lines(document)
    if extra:
        lines += ["", "### Skew", "", "```", *[line for line in extra if line], "```"]
    return "\n".join(lines)
