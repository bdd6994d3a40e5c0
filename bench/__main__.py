"""`python -m bench [--locations N] [--skip-import] [--keep-db]
[--only register|monitoring|escalation|restrictions|notices|load|boards|reporting]`: the register
benchmarks (bench/register.py: import and search), then the monitoring ones (bench/monitoring.py: a
council's risk matrix, at 2,000 locations and 100,000 intelligence items), then the escalation
ones (bench/escalation.py: a council's cases, decisions inbox and alerts, at 1,000 open cases);
the last two smaller in proportion when --locations asks for a quick run; then the
restrictions ones in a database of their own (bench/restrictions.py: the placement status API,
check page, bulk lookup and changes feed at 50,000 locations, 20 councils and 5,000
restrictions); then the letters and timers ones (bench/notices.py: one letter, a list of 500
entries as PDF, the sweep over 100,000 timers, the start page's counts); then the production
server under load (bench/load.py: gunicorn as deployed, 200 clients reading lists for 60 s);
then the boards ones (bench/boards.py: a board's page and a meeting's page with 40 agenda items
and a year of meetings, and their queries at a small size and the full one); then the reporting
ones (bench/reporting.py: the market report for England at 50,000 locations and five years of
ratings, the council's own work report at 2,000 locations and 100,000 intelligence items, and
their queries at a small size and the full one).

Runs on PostgreSQL in its own database, `oversight_bench` at 127.0.0.1 (or BENCH_DATABASE_URL,
whose database name must contain "bench": it is dropped and created anew). Prints each figure
with its target; exits 0 whatever the figures, non-zero only on an error."""

import argparse
import sys

from bench import boards as b
from bench import escalation as e
from bench import load as ld
from bench import monitoring as m
from bench import notices as n
from bench import register as r
from bench import reporting as rp
from bench import restrictions as rs

_verdict, _ratio = r.verdict, r.ratio


def register_rows(res: r.Results) -> tuple[list[tuple[str, str, str, str, str]], str]:
    rows: list[tuple[str, str, str, str, str]] = []
    imp = res.full_import
    if imp is not None:
        rows.append(
            (
                f"import {imp.locations:,} locations (first)",
                f"{imp.first_s:.1f} s",
                f"<= {r.IMPORT_TARGET_S:.0f} s",
                f"{_ratio(imp.first_s, imp.json_loads_s)} json.loads",
                _verdict(imp.first_s <= r.IMPORT_TARGET_S),
            )
        )
        rows.append(
            (
                "re-import of the same file",
                f"{imp.second_s:.1f} s",
                f"<= {r.IMPORT_TARGET_S * r.REIMPORT_RATIO_TARGET:.0f} s",
                f"{_ratio(imp.second_s, imp.json_loads_s)} json.loads",
                _verdict(imp.second_s <= r.IMPORT_TARGET_S * r.REIMPORT_RATIO_TARGET),
            )
        )
        rows.append(
            (
                "re-import / first import",
                f"{imp.ratio:.2f}",
                f"<= {r.REIMPORT_RATIO_TARGET}",
                "",
                _verdict(imp.ratio <= r.REIMPORT_RATIO_TARGET),
            )
        )
        rows.append(("baseline: json.loads of the file", f"{imp.json_loads_s:.2f} s", "", "", ""))
        rows.append(("baseline: reader (JSON to records)", f"{imp.reader_s:.2f} s", "", "", ""))
        rows.append(
            (
                "rows created",
                ", ".join(f"{v:,} {k}" for k, v in imp.rows.items() if k != "rating_changes"),
                "",
                "",
                "",
            )
        )
    full = {f.kind.name: f for f in res.search_full}
    small = {f.kind.name: f for f in res.search_small}
    pages = [f for f in res.search_full if not f.kind.api]
    if pages:
        overall = r.percentile([s for f in pages for s in f.samples_ms], 95)
        small_pages = [f for f in res.search_small if not f.kind.api]
        base = (
            r.percentile([s for f in small_pages for s in f.samples_ms], 95)
            if small_pages
            else float("nan")
        )
        rows.append(
            (
                f"search p95, all kinds, {res.locations:,} locations",
                f"{overall:.1f} ms",
                f"<= {r.SEARCH_P95_TARGET_MS:.0f} ms",
                f"{_ratio(overall, base)} at {res.small:,}" if small_pages else "",
                _verdict(overall <= r.SEARCH_P95_TARGET_MS),
            )
        )
        for f in pages:
            s = small.get(f.kind.name)
            rows.append(
                (
                    f"  p95 {f.kind.name}",
                    f"{f.p95:.1f} ms",
                    f"<= {r.SEARCH_P95_TARGET_MS:.0f} ms",
                    f"{_ratio(f.p95, s.p95)} at {res.small:,}" if s else "",
                    _verdict(f.p95 <= r.SEARCH_P95_TARGET_MS),
                )
            )
    for f in res.search_full:
        if f.kind.api:
            s = small.get(f.kind.name)
            rows.append(
                (
                    f"{f.kind.name} p95",
                    f"{f.p95:.1f} ms",
                    f"<= {r.SEARCH_P95_TARGET_MS:.0f} ms",
                    f"{_ratio(f.p95, s.p95)} at {res.small:,}" if s else "",
                    _verdict(f.p95 <= r.SEARCH_P95_TARGET_MS),
                )
            )
    if small and full:
        differ = [n for n, f in full.items() if n in small and small[n].queries != f.queries]
        counts = ", ".join(
            f"{n} {small[n].queries}->{f.queries}" if n in differ else f"{n} {f.queries}"
            for n, f in full.items()
            if n in small
        )
        rows.append(
            (
                f"queries per request, {res.small:,} vs {res.locations:,}",
                "constant: " + ("no" if differ else "yes"),
                "constant",
                "",
                _verdict(not differ),
            )
        )
        log_counts = counts
    else:
        log_counts = ", ".join(f"{n} {f.queries}" for n, f in full.items())

    return rows, log_counts


HEADERS = ("figure", "value", "target", "ratio to baseline", "result")


def _table(rows: list[tuple[str, str, str, str, str]]) -> None:
    widths = [max([len(h)] + [len(row[i]) for row in rows]) for i, h in enumerate(HEADERS)]
    line = "  ".join("-" * w for w in widths)
    print("  ".join(h.ljust(w) for h, w in zip(HEADERS, widths, strict=True)))
    print(line)
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    print(line)


def summary(
    res: r.Results | None,
    mon: m.MonitoringResults | None = None,
    esc: e.EscalationResults | None = None,
) -> None:
    print("\n" + "=" * 100)
    if res is not None:
        rows, log_counts = register_rows(res)
        print(
            f"Summary: {res.locations:,} locations on PostgreSQL ({res.database}), {res.settings}"
        )
        if res.locations != r.TARGET_LOCATIONS:
            print(f"(the targets are stated for {r.TARGET_LOCATIONS:,} locations)")
        print("=" * 100)
        _table(rows)
        if log_counts:
            print(f"queries per request: {log_counts}")
        for warning in res.warnings:
            print(f"WARNING: {warning}")
    if mon is not None:
        rows, log_counts = m.summary_rows(mon)
        if res is not None:
            print()
        print(
            f"Monitoring: a council with {mon.locations:,} locations and {mon.intelligence:,} "
            f"intelligence items (baseline: a tenth of each)"
            + (f", on PostgreSQL ({mon.database}), {mon.settings}" if mon.database else "")
        )
        if (mon.locations, mon.intelligence) != (m.TARGET_LOCATIONS, m.TARGET_INTELLIGENCE):
            print(
                f"(the targets are stated for {m.TARGET_LOCATIONS:,} locations and "
                f"{m.TARGET_INTELLIGENCE:,} items)"
            )
        print("=" * 100)
        _table(rows)
        if log_counts:
            print(f"queries per request: {log_counts}")
        for warning in mon.warnings:
            print(f"WARNING: {warning}")
    if esc is not None:
        rows, log_counts = e.summary_rows(esc)
        if res is not None or mon is not None:
            print()
        full = esc.full.data if esc.full else None
        print(
            f"Escalation: a council with {esc.cases:,} open cases"
            + (
                f" ({full.locations:,} locations, {full.moves:,} moves, {full.pending:,} "
                f"recommendations waiting, {full.alerts:,} alerts; baseline: a tenth)"
                if full
                else ""
            )
            + (f", on PostgreSQL ({esc.database}), {esc.settings}" if esc.database else "")
        )
        if esc.cases != e.TARGET_CASES:
            print(f"(the targets are stated for {e.TARGET_CASES:,} open cases)")
        print("=" * 100)
        _table(rows)
        if log_counts:
            print(f"queries per request: {log_counts}")
        for warning in esc.warnings:
            print(f"WARNING: {warning}")
    sys.stdout.flush()


# A quick run (--locations below the register's target) runs the monitoring stage this small or
# in proportion, so that it stays quick; `--only monitoring` runs it at the target's size.
QUICK_MONITORING_LOCATIONS = 200
QUICK_MONITORING_REQUESTS = 10
QUICK_ESCALATION_CASES = 100
# Every escalation page now answers in tens of milliseconds (the inbox once took 0.5 s): 100
# timed requests a kind make its p95 a steady figure rather than the second slowest of 25.
ESCALATION_REQUESTS = 100


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--locations", type=int, default=r.TARGET_LOCATIONS, help="locations to import"
    )
    parser.add_argument(
        "--skip-import",
        action="store_true",
        help="reuse the database kept by an earlier --keep-db run and only time search",
    )
    parser.add_argument(
        "--keep-db", action="store_true", help="keep the benchmark database at the end"
    )
    parser.add_argument(
        "--requests",
        type=int,
        help=f"timed requests per kind (default 40; the escalation stage, "
        f"{ESCALATION_REQUESTS}; the monitoring and escalation stages of a quick run, "
        f"{QUICK_MONITORING_REQUESTS})",
    )
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per kind")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="cProfile the full import and re-import, and the risk matrix's recomputes",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="EXPLAIN ANALYZE each search's queries, the monitoring and escalation pages' "
        "queries, and the reports' slowest (always when a report misses its target)",
    )
    parser.add_argument(
        "--only",
        choices=[
            "register",
            "monitoring",
            "escalation",
            "restrictions",
            "notices",
            "load",
            "boards",
            "reporting",
        ],
        help="run one part: the register (import, search), monitoring (the risk matrix), "
        "escalation (cases, decisions, alerts), ... or reporting (the market report and the "
        "council's own work)",
    )
    parser.add_argument(
        "--monitoring-locations",
        type=int,
        help=f"the monitoring council's locations (its baseline has a tenth); default "
        f"{m.TARGET_LOCATIONS:,}, or fewer in proportion when --locations is below "
        f"{r.TARGET_LOCATIONS:,} (a quick run), at least {QUICK_MONITORING_LOCATIONS}",
    )
    parser.add_argument(
        "--intelligence",
        type=int,
        help=f"the monitoring council's intelligence items (its baseline has a tenth); "
        f"default {m.TARGET_INTELLIGENCE:,}, or as many per location in a quick run",
    )
    parser.add_argument(
        "--cases",
        type=int,
        help=f"the escalation council's open cases (its baseline has a tenth); default "
        f"{e.TARGET_CASES:,}, or fewer in proportion when --locations is below "
        f"{r.TARGET_LOCATIONS:,} (a quick run), at least {QUICK_ESCALATION_CASES}",
    )
    args = parser.parse_args(argv)
    quick = args.only is None and args.locations < r.TARGET_LOCATIONS
    if args.requests is None:
        monitoring_requests = QUICK_MONITORING_REQUESTS if quick else 40
        escalation_requests = QUICK_MONITORING_REQUESTS if quick else ESCALATION_REQUESTS
        args.requests = 40
    else:
        monitoring_requests = escalation_requests = args.requests
    if args.locations < 1 or args.requests < 1 or args.warmup < 0:
        parser.error("--locations and --requests must be at least 1, --warmup at least 0")
    if args.monitoring_locations is None:
        args.monitoring_locations = (
            max(
                QUICK_MONITORING_LOCATIONS,
                round(m.TARGET_LOCATIONS * args.locations / r.TARGET_LOCATIONS),
            )
            if quick
            else m.TARGET_LOCATIONS
        )
    if args.intelligence is None:
        per_location = m.TARGET_INTELLIGENCE / m.TARGET_LOCATIONS
        args.intelligence = round(args.monitoring_locations * per_location)
    if args.monitoring_locations < 10 or args.intelligence < 10:
        parser.error("--monitoring-locations and --intelligence must be at least 10")
    if args.cases is None:
        args.cases = (
            max(
                QUICK_ESCALATION_CASES,
                round(e.TARGET_CASES * args.locations / r.TARGET_LOCATIONS),
            )
            if quick
            else e.TARGET_CASES
        )
    if args.cases < 20:
        parser.error("--cases must be at least 20")
    if args.only in ("monitoring", "escalation") and args.skip_import:
        parser.error(
            f"--skip-import is for the register stages: the {args.only} stage builds its own"
        )
    monitoring_args = {
        "locations": args.monitoring_locations,
        "intelligence": args.intelligence,
        "requests": monitoring_requests,
        "warmup": args.warmup,
        "profile": args.profile,
        "explain_plans": args.explain,
    }
    escalation_args = {
        "cases": args.cases,
        "requests": escalation_requests,
        "warmup": args.warmup,
        "explain_plans": args.explain,
    }
    if args.only == "notices":
        notices_summary(n.run(keep_db=args.keep_db))
        return 0
    if args.only == "load":
        load_summary(ld.run(keep_db=args.keep_db))
        return 0
    if args.only == "boards":
        boards_summary(b.run(keep_db=args.keep_db))
        return 0
    if args.only == "reporting":
        reporting_summary(rp.run(keep_db=args.keep_db, explain_plans=args.explain))
        return 0
    if args.only == "monitoring":
        summary(None, m.run(keep_db=args.keep_db, **monitoring_args))
        return 0
    if args.only == "escalation":
        summary(None, None, e.run(keep_db=args.keep_db, **escalation_args))
        return 0
    restriction_args = {
        "locations": rs.TARGET_LOCATIONS
        if args.only == "restrictions" or not quick
        else max(2000, args.locations),
        "requests": 100 if args.requests is None or args.only is None else args.requests,
    }
    if args.only == "restrictions":
        restrictions_summary(rs.run(keep_db=args.keep_db, **restriction_args))
        return 0

    mon: list[m.MonitoringResults] = []
    esc: list[e.EscalationResults] = []
    after = None
    if args.only is None:
        if args.skip_import:
            # The monitoring and escalation stages empty the register that --skip-import reuses.
            print(
                "(the monitoring and escalation stages are skipped with --skip-import: see "
                "--only monitoring, --only escalation)"
            )
        else:

            def after():
                mon.append(m.stage(**monitoring_args))
                esc.append(e.stage(**escalation_args))

    results = r.run(
        locations=args.locations,
        skip_import=args.skip_import,
        keep_db=args.keep_db,
        requests=args.requests,
        warmup=args.warmup,
        profile=args.profile,
        explain_plans=args.explain,
        after=after,
    )
    for stage_results in mon + esc:
        stage_results.database, stage_results.settings = results.database, results.settings
    summary(results, mon[0] if mon else None, esc[0] if esc else None)
    if args.only is None:
        restrictions_summary(rs.run(keep_db=False, **restriction_args))
        notices_summary(n.run(keep_db=False))
        load_summary(ld.run(keep_db=False))
        boards_summary(b.run(keep_db=False))
        reporting_summary(rp.run(keep_db=False, explain_plans=args.explain))
    return 0


def load_summary(res: ld.LoadResults) -> None:
    r.log(
        f"\nThe production server under load (gunicorn, {res.workers} workers, production "
        f"settings; database {res.database})"
    )
    _table(ld.summary_rows(res))


def boards_summary(res: b.BoardsResults) -> None:
    r.log(
        f"\nBoards: a board's page and a meeting's page (Somerset, database {res.database}, "
        f"{res.settings})"
    )
    _table(b.summary_rows(res))
    for warning in res.warnings:
        print(f"WARNING: {warning}")
    sys.stdout.flush()


def reporting_summary(res: rp.ReportingResults) -> None:
    r.log(
        f"\nReporting: the market report and the council's own work (West Berkshire, database "
        f"{res.database}, {res.settings})"
    )
    _table(rp.summary_rows(res))
    for warning in res.warnings:
        print(f"WARNING: {warning}")
    sys.stdout.flush()


def notices_summary(res: n.NoticesResults) -> None:
    r.log(f"\nLetters and timers (database {res.database})")
    _table(n.summary_rows(res))


def restrictions_summary(res: rs.RestrictionResults) -> None:
    print()
    print(
        f"Restrictions: {res.locations:,} locations, {res.councils} councils, "
        f"{res.restrictions:,} restrictions ({res.shares:,} shares, {res.feed:,} feed entries)"
        + (f", on PostgreSQL ({res.database}), {res.settings}" if res.database else "")
    )
    if res.locations != rs.TARGET_LOCATIONS:
        print(f"(the targets are stated for {rs.TARGET_LOCATIONS:,} locations)")
    print("=" * 100)
    _table(rs.summary_rows(res))
    for warning in res.warnings:
        print(f"WARNING: {warning}")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
