"""When each demo workflow run happens (pure: no I/O, deterministic for a given seed and anchor hour).

The period is `days` slices of 24 hours. Slice k (k = days..1, 1 the most recent) starts at the spike
hour minus k days, so every slice begins with the same hour of the day as the spike hour: that hour gets
a fixed baseline of support traffic each day, which gives the cost-spike detector its same-hour-of-the-
week samples (7 and 14 days back) and its same-hour-of-the-day fallback. The most recent slice also
holds the spike hour itself (the last complete hour), with several times the baseline volume, and the
runaway loop a few hours before it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from finops.demo.world import NIGHTLY_REPORTS, SPIKE_CUSTOMER, pick_customer

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
# Share of `workflows_per_day` per mixed workflow (percent). Fixed-schedule traffic (nightly batch,
# spike baseline, runaway) comes on top.
SHARES = (
    ("support-triage", 35),
    ("lead-qualification", 18),
    ("invoice-extraction", 17),
    ("research-report", 15),
    ("contract-review", 15),
)
# Relative traffic per UTC hour of the day: business hours are busy, nights quiet.
DIURNAL = (1, 1, 1, 1, 1, 1, 1.5, 3, 4, 5, 5, 5, 5, 5, 5, 5, 5, 4, 3, 3, 2, 2, 1.5, 1)
START_WINDOW = timedelta(minutes=45)  # runs start in the first 45 minutes of their hour: they end inside it
SPIKE_FACTOR = 7  # spike-hour volume over the usual volume of that hour
FLAKY_PATTERN = (True, False, True, False, True, False, False, True, False)  # 4 in 9 invoice runs retry


@dataclass(frozen=True, slots=True)
class Planned:
    start: datetime
    scenario: str
    key: str  # seeds the run's own random generator, so one run's randomness never shifts another's
    tag: str = ""
    customer: str | None = None


@dataclass(slots=True)
class DayPlan:
    index: int  # days back: 1 is the most recent slice
    start: datetime
    end: datetime
    items: list[Planned] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Plan:
    days: list[DayPlan]  # oldest first
    spike_hour: datetime  # start of the last complete hour

    @property
    def end(self) -> datetime:
        return self.spike_hour + HOUR


def spike_hour_of(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0) - HOUR


def per_day_counts(workflows_per_day: int) -> dict[str, int]:
    """Runs per mixed workflow a day: the shares rounded by largest remainder, so they add up exactly."""
    exact = [(name, workflows_per_day * share / 100) for name, share in SHARES]
    counts = {name: int(value) for name, value in exact}
    missing = workflows_per_day - sum(counts.values())
    for name, _ in sorted(exact, key=lambda item: item[1] - int(item[1]), reverse=True)[:missing]:
        counts[name] += 1
    return counts


def baseline_runs(workflows_per_day: int) -> int:
    return max(3, round(workflows_per_day / 10))


def nightly_reports(workflows_per_day: int) -> int:
    return max(6, workflows_per_day // 4)


def build_plan(now: datetime, days: int, workflows_per_day: int, seed: int) -> Plan:
    spike = spike_hour_of(now)
    rng = random.Random(f"{seed}:plan:{spike.isoformat()}")
    counters: dict[str, int] = {}
    plan = Plan(days=[], spike_hour=spike)
    for index in range(days, 0, -1):
        start = spike - index * DAY
        end = start + DAY + (HOUR if index == 1 else timedelta(0))  # the newest slice ends after the spike hour
        day = DayPlan(index=index, start=start, end=end)
        _mixed(day, rng, workflows_per_day, counters)
        _nightly(day, rng, workflows_per_day)
        for n in range(baseline_runs(workflows_per_day)):
            day.items.append(Planned(_in_hour(rng, start), "support-triage", f"d{index}:base{n}", "baseline"))
        if index == 1:
            for n in range(baseline_runs(workflows_per_day) * SPIKE_FACTOR):
                at = _in_hour(rng, spike)
                day.items.append(Planned(at, "support-triage", f"spike{n}", "spike", SPIKE_CUSTOMER))
            runaway_start = spike - timedelta(hours=rng.uniform(4, 10))
            day.items.append(Planned(runaway_start, "code-fix-loop", "runaway", "runaway"))
        day.items.sort(key=lambda item: (item.start, item.key))
        plan.days.append(day)
    return plan


def _in_hour(rng: random.Random, hour: datetime) -> datetime:
    return hour + timedelta(seconds=rng.uniform(0, START_WINDOW.total_seconds()))


def _random_start(rng: random.Random, day: DayPlan) -> datetime:
    hours = int((day.end - day.start) / HOUR)
    weights = [DIURNAL[(day.start + i * HOUR).hour] for i in range(hours)]
    index = rng.choices(range(hours), weights=weights)[0]
    return _in_hour(rng, day.start + index * HOUR)


def _mixed(day: DayPlan, rng: random.Random, workflows_per_day: int, counters: dict[str, int]) -> None:
    for scenario, count in per_day_counts(workflows_per_day).items():
        for n in range(count):
            seen = counters.get(scenario, 0)
            counters[scenario] = seen + 1
            start = _random_start(rng, day)
            key = f"d{day.index}:{scenario}:{n}"
            if scenario == "invoice-extraction":
                day.items.append(Planned(start, scenario, key, "flaky" if FLAKY_PATTERN[seen % 9] else ""))
            elif scenario == "contract-review" and seen % 5 == 2:
                # the same contract fails twice, then goes through: three runs, each paid for
                customer = pick_customer(rng)
                if start + timedelta(minutes=40) > day.end:
                    start -= HOUR  # the third attempt must still end before now
                for attempt, tag in enumerate(("fail", "fail", "ok")):
                    at = start + timedelta(minutes=12 * attempt)
                    day.items.append(Planned(at, scenario, f"{key}:{attempt}", tag, customer))
            else:
                day.items.append(Planned(start, scenario, key, customer=pick_customer(rng)))


def _nightly(day: DayPlan, rng: random.Random, workflows_per_day: int) -> None:
    at = day.start + ((2 - day.start.hour) % 24) * HOUR + timedelta(minutes=rng.uniform(0, 5))
    for n in range(nightly_reports(workflows_per_day)):
        report = NIGHTLY_REPORTS[n % len(NIGHTLY_REPORTS)]
        day.items.append(Planned(at, "nightly-report", f"d{day.index}:nightly{n}", report))
        at += timedelta(seconds=rng.uniform(60, 150))
