"""Reads a scripts/soak run's folder and prints its figures and whether it held.

Usage: python3 scripts/soak-report.py FOLDER STARTED MINUTES (STARTED: when the load began, epoch
seconds; MINUTES: how long it ran)

The run held when:
- every request was answered 2xx (no 4xx, no 5xx, none without an answer within 30 s, no page
  stream broken) and locust logged no error;
- p99 of the first five minutes was under 100 ms, and p99 of the last five minutes within 1.3x of
  it; throughput in the last five minutes was at least 90 % of minutes 1-5 (after the ramp);
- every process still ran at the end, and each one's resident memory stayed within 10 % of its
  level after warm-up (its median in minutes 5-6);
- the database's connections after warm-up stayed within the range of minutes 5-10 widened by a
  fifth (at least 3), and the LISTEN connections were there in every sample;
- escalations fell due and fired during the run, with nothing left due, missed, unrecorded,
  noted twice or paged twice, and a p99 lateness under 10 s; the instances logged no error.
Page streams, sign-ins and acknowledgements made by the streams are left out of latency (a
stream's request is recorded when it closes).
"""

import csv
import statistics
import sys

WARM_UP = 300  # seconds
WINDOW = 300
UNTIMED = ("/v1/pages/stream", "/v1/pages/stream [broken]", "sign-in")


def percentile(values, share):
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = share * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def read_pairs(path):
    pairs = {}
    with open(path) as file:
        for line in file:
            if "=" in line:
                key, value = line.rstrip("\n").split("=", 1)
                pairs[key] = value
    return pairs


def read_text(path):
    try:
        with open(path) as file:
            return file.read().strip()
    except FileNotFoundError:
        return ""


def latency(requests, started, ended):
    """Prints the figures per minute and per request; returns the checks they decide."""
    timed = [r for r in requests if r[1] not in UNTIMED]
    failed = [r for r in requests if not 200 <= r[2] < 300]
    statuses = {}
    for r in requests:
        statuses[r[2]] = statuses.get(r[2], 0) + 1
    print(f"{len(requests)} requests ({len(requests) / max(ended - started, 1):.1f}/s), statuses "
          f"{dict(sorted(statuses.items()))} (0: no answer within 30 s, or a stream broken)")
    print("\nminute  requests  req/s   p50 ms   p99 ms  not 2xx")
    for minute in range(int((ended - started) // 60) + 1):
        low, high = started + 60 * minute, started + 60 * (minute + 1)
        durations = [r[3] for r in timed if low <= r[0] < high]
        if durations:
            bad = sum(1 for r in failed if low <= r[0] < high)
            print(f"{minute:6d}  {len(durations):8d}  {len(durations) / 60:5.1f}  {percentile(durations, 0.5):7.1f}  "
                  f"{percentile(durations, 0.99):7.1f}  {bad:7d}")
    first = [r[3] for r in timed if r[0] < started + WINDOW]
    last = [r[3] for r in timed if ended - WINDOW <= r[0] < ended]
    print("\nby request: count, p50 ms, p99 ms (whole run); p99 ms first five minutes, last five")
    for name in sorted({r[1] for r in timed}):
        mine = [r for r in timed if r[1] == name]
        durations = [r[3] for r in mine]
        early = [r[3] for r in mine if r[0] < started + WINDOW]
        late = [r[3] for r in mine if ended - WINDOW <= r[0] < ended]
        print(f"  {name:48s} {len(durations):7d} {percentile(durations, 0.5):7.1f} {percentile(durations, 0.99):7.1f}"
              f" {percentile(early, 0.99):7.1f} {percentile(late, 0.99):7.1f}")
    first_p99, last_p99 = percentile(first, 0.99), percentile(last, 0.99)
    settled = sum(1 for r in timed if started + 60 <= r[0] < started + WINDOW) / (WINDOW - 60)
    final = len(last) / WINDOW
    if failed:
        print("\nfirst requests not answered 2xx:")
        for r in failed[:5]:
            print(f"  {r[1]} {r[2]} after {r[3]:.0f} ms")
    return [
        ("every request answered 2xx", not failed),
        (f"p99 of the first five minutes under 100 ms ({first_p99:.1f} ms)", first_p99 < 100),
        (f"p99 of the last five minutes within 1.3x of the first five's ({last_p99:.1f} ms, {last_p99 / first_p99:.2f}x)",
         last_p99 <= 1.3 * first_p99),
        (f"throughput of the last five minutes at least 90 % of minutes 1-5 ({final:.1f} vs {settled:.1f} requests/s)",
         final >= 0.9 * settled),
    ]


def resources(folder, started, ended):
    """Prints memory, CPU and connections; returns the checks they decide."""
    samples = {"memory": {}, "cpu": {}, "connections": {}, "load": {}}
    with open(f"{folder}/samples.csv") as file:
        for row in csv.reader(file):
            if len(row) == 4 and row[1] in samples:
                samples[row[1]].setdefault(row[2], []).append((float(row[0]), int(row[3])))
    checks = []
    alive = read_pairs(f"{folder}/alive.txt")
    for label, running in sorted(alive.items()):
        checks.append((f"{label} still running at the end", running == "1"))

    print("\nresident memory (MiB): level after warm-up, lowest and highest after it, at the end; CPU (% of one core)")
    for label, series in sorted(samples["memory"].items()):
        level_samples = [v for t, v in series if started + WARM_UP <= t < started + WARM_UP + 60]
        after = [v for t, v in series if started + WARM_UP <= t <= ended]
        ticks = [(t, v) for t, v in samples["cpu"].get(label, []) if started <= t <= ended and v > 0]
        cpu = (ticks[-1][1] - ticks[0][1]) / (ticks[-1][0] - ticks[0][0]) if len(ticks) > 1 else float("nan")
        if not level_samples or not after or min(after) <= 0:
            print(f"  {label}: no level after warm-up (too short a run, or the process was gone)")
            checks.append((f"{label} memory sampled after warm-up", False))
            continue
        level = statistics.median(level_samples)
        drift = max(abs(v - level) for v in after) / level
        print(f"  {label:11s} {level / 1024:7.1f} {min(after) / 1024:7.1f} {max(after) / 1024:7.1f} "
              f"{after[-1] / 1024:7.1f}  ({drift * 100:.1f} % at most)  CPU {cpu:.0f} %")
        checks.append((f"{label} memory within 10 % of its level after warm-up ({drift * 100:.1f} %)", drift <= 0.10))
    load = [v / 100 for t, v in samples["load"].get("machine", []) if started <= t <= ended]
    if load:
        print(f"  load average (1 min): mean {statistics.mean(load):.1f}, most {max(load):.1f}")

    print("\ndatabase connections by application: lowest and most in minutes 5-10, then after warm-up, at the end")
    totals, listening = {}, {}
    for label, series in samples["connections"].items():
        for t, v in series:
            if started <= t <= ended:
                totals[t] = totals.get(t, 0) + v
                if label.endswith("listen"):
                    listening[t] = listening.get(t, 0) + v
    series_by_label = {label: [(t, v) for t, v in series if started <= t <= ended] for label, series in samples["connections"].items()}
    for label, series in sorted(series_by_label.items()) + [("all", sorted(totals.items()))]:
        early = [v for t, v in series if started + WARM_UP <= t < started + 2 * WARM_UP]
        after = [v for t, v in series if t >= started + WARM_UP]
        if early and after:
            print(f"  {label:32s} {min(early):4d} {max(early):4d}   {min(after):4d} {max(after):4d}   {after[-1]:4d}")
    early = [v for t, v in totals.items() if started + WARM_UP <= t < started + 2 * WARM_UP]
    after_times = [t for t in totals if t >= started + WARM_UP]
    if early and after_times:
        margin = max(3, (max(early) - min(early) + max(early)) // 5)
        low, high = min(early) - margin, max(early) + margin
        outside = [totals[t] for t in after_times if not low <= totals[t] <= high]
        checks.append((f"connections after warm-up within {low}-{high} ({len(outside)} samples outside)", not outside))
        expected = max(listening.get(t, 0) for t in after_times)
        checks.append((f"the {expected} LISTEN connections there in every sample after warm-up",
                       expected > 0 and all(listening.get(t, 0) == expected for t in after_times)))
    else:
        checks.append(("connections sampled after warm-up", False))
    return checks


def main():
    folder, started, minutes = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    ended = started + 60 * minutes
    machine = read_pairs(f"{folder}/machine.txt")
    print("soak: " + "; ".join(f"{k} {v}" for k, v in machine.items()))
    requests = []
    with open(f"{folder}/requests.csv") as file:
        for time, name, status, milliseconds in csv.reader(file):
            requests.append((float(time), name, int(status), float(milliseconds)))
    # A run stopped early ends with its last request.
    ended = min(ended, max((r[0] for r in requests), default=ended))
    checks = latency(requests, started, ended) + resources(folder, started, ended)

    escalations = {k: float(v) for k, v in read_pairs(f"{folder}/escalations.txt").items()}
    print("\nescalations: " + ", ".join(f"{k} {v:g}" for k, v in escalations.items()))
    errors = read_text(f"{folder}/errors.txt")
    if errors:
        print("\nerrors the instances logged (first five):\n" + errors)
    locust_errors = read_text(f"{folder}/locust-errors.txt")
    if locust_errors:
        print("\nerrors locust logged (first five):\n" + locust_errors)
    checks += [
        (f"escalations fell due and fired during the run ({escalations.get('tiers_fired', 0):g} tiers)",
         escalations.get("tiers_fired", 0) > 0),
        ("nothing left due, missed or unrecorded",
         all(escalations.get(k, 1) == 0 for k in ("left_due", "tiers_missed", "tiers_unrecorded"))),
        ("nothing noted twice, nobody paged twice", escalations.get("noted_twice", 1) == 0 and escalations.get("paged_twice", 1) == 0),
        (f"tiers fired within 10 s of falling due (p99 {escalations.get('late_p99_ms', float('nan')):g} ms)",
         escalations.get("late_p99_ms", 1e9) < 10_000),
        ("no errors in the instances' logs or locust's", not errors and not locust_errors),
    ]
    print()
    for description, held in checks:
        print(f"  {'held  ' if held else 'FAILED'}  {description}")
    failed = [description for description, held in checks if not held]
    print(f"\nsoak: {'HELD' if not failed else f'FAILED ({len(failed)} of {len(checks)} checks)'}")
    sys.exit(0 if not failed else 1)


if __name__ == "__main__":
    main()
