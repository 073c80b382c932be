"""Shared-cost allocation and the chargeback CSV: hand-computed, table-driven, plus a reconciliation property.

Amounts in the comments are in cents unless they carry a dollar sign. "Largest remainder": every group first
gets its exact share rounded down to the cent; the cents still missing go, one each, to the largest dropped
remainders; equal remainders go to the group listed first in the usages.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finops.errors import FinopsError
from finops.reports.allocation import AllocationError, allocate
from finops.reports.chargeback_csv import CHARGEBACK_COLUMNS, chargeback_csv
from finops.reports.types import ChargebackReport, GroupUsage, Method, SharedCost

START = datetime(2026, 11, 1, tzinfo=UTC)
END = datetime(2026, 12, 1, tzinfo=UTC)
PERIOD = "2026-11-01T00:00:00Z,2026-12-01T00:00:00Z"
COUNTS = "10,2,1,1000,200,300,400,50"  # calls .. reasoning_tokens of every `usage()` below
HEADER = (
    "period_start,period_end,team,calls,workflows,successful_workflows,input_tokens,cache_read_tokens,"
    "cache_write_tokens,output_tokens,reasoning_tokens,direct_cost,allocated_shared_cost,total_cost,currency"
)


def usage(*group: str | None, direct: str, calls: int = 10) -> GroupUsage:
    return GroupUsage(
        group=group,
        calls=calls,
        workflows=2,
        successful_workflows=1,
        input_tokens=1000,
        cache_read_tokens=200,
        cache_write_tokens=300,
        output_tokens=400,
        reasoning_tokens=50,
        direct_cost=Decimal(direct),
    )


def idle(*group: str | None) -> GroupUsage:
    """A group listed with no usage at all in the period."""
    return GroupUsage(group, 0, 0, 0, 0, 0, 0, 0, 0, Decimal(0))


def shared(name: str, amount: str, method: Method, source: str = "fixed", **percentages: str) -> SharedCost:
    return SharedCost(
        name=name,
        amount=Decimal(amount),
        method=method,
        source=source,
        percentages={(team,): Decimal(percent) for team, percent in percentages.items()},
    )


def report(usages: list[GroupUsage], costs: list[SharedCost], group_by: tuple[str, ...] = ("team",)):
    return allocate(usages, costs, period_start=START, period_end=END, group_by=group_by)


def rows(result: ChargebackReport) -> list[str]:
    return chargeback_csv(result).splitlines()


def check_reconciles(result: ChargebackReport) -> None:
    assert sum(line.total for line in result.lines) == result.period_total
    for line in result.lines:
        assert line.total == line.direct + line.allocated
        assert line.allocated == sum(line.allocations.values(), Decimal(0))


# -- even ---------------------------------------------------------------------------------------------------------


def test_even_ten_dollars_over_three_teams_gives_the_extra_cent_to_the_first_team() -> None:
    # $10.00 = 1000 cents; 1000 / 3 = 333.33.. each; floors 333 * 3 = 999, so 1 cent is missing.
    # All three remainders are 0.33.., a tie, so the cent goes to the team listed first: a.
    # a: 100 + 334 = 434, b: 200 + 333 = 533, c: 300 + 333 = 633; period 600 + 1000 = 1600 = 434 + 533 + 633.
    result = report(
        [usage("a", direct="1.00"), usage("b", direct="2.00"), usage("c", direct="3.00")],
        [shared("platform", "10.00", Method.EVEN)],
    )
    check_reconciles(result)
    assert result.period_total == Decimal("16.00")
    assert [line.allocations for line in result.lines] == [
        {"platform": Decimal("3.34")},
        {"platform": Decimal("3.33")},
        {"platform": Decimal("3.33")},
    ]
    assert rows(result) == [
        HEADER,
        f"{PERIOD},c,{COUNTS},3.00,3.33,6.33,USD",
        f"{PERIOD},b,{COUNTS},2.00,3.33,5.33,USD",
        f"{PERIOD},a,{COUNTS},1.00,3.34,4.34,USD",
    ]


def test_even_tie_follows_the_order_of_the_usages() -> None:
    # Same as above, listed b, c, a: the tied cent now goes to b, listed first.
    result = report(
        [usage("b", direct="2.00"), usage("c", direct="3.00"), usage("a", direct="1.00")],
        [shared("platform", "10.00", Method.EVEN)],
    )
    assert [(line.usage.group, line.allocated) for line in result.lines] == [
        (("b",), Decimal("3.34")),
        (("c",), Decimal("3.33")),
        (("a",), Decimal("3.33")),
    ]


def test_group_without_usage_gets_nothing_and_keeps_its_line() -> None:
    # b has no calls, tokens or cost: the $1.00 goes to a alone. b's line says 0.00 everywhere.
    result = report([usage("a", direct="0.50"), idle("b")], [shared("platform", "1.00", Method.EVEN)])
    check_reconciles(result)
    assert rows(result) == [
        HEADER,
        f"{PERIOD},a,{COUNTS},0.50,1.00,1.50,USD",
        f"{PERIOD},b,0,0,0,0,0,0,0,0,0.00,0.00,0.00,USD",
    ]


def test_several_shared_costs_are_named_in_each_line() -> None:
    # router $0.10 even over 3: 3.33.. each, floors 9, 1 missing -> a: 4, b: 3, c: 3.
    # hosting $0.20 even over 3: 6.66.. each, floors 18, 2 missing -> a: 7, b: 7, c: 6.
    # allocated: a 11, b 10, c 9 = 30; totals a 111, b 110, c 109; period 300 + 10 + 20 = 330.
    result = report(
        [usage("a", direct="1"), usage("b", direct="1"), usage("c", direct="1")],
        [shared("router", "0.10", Method.EVEN, "scope"), shared("hosting", "0.20", Method.EVEN)],
    )
    check_reconciles(result)
    assert result.period_total == Decimal("3.30")
    assert [line.allocations for line in result.lines] == [
        {"router": Decimal("0.04"), "hosting": Decimal("0.07")},
        {"router": Decimal("0.03"), "hosting": Decimal("0.07")},
        {"router": Decimal("0.03"), "hosting": Decimal("0.06")},
    ]
    assert rows(result)[1:] == [
        f"{PERIOD},a,{COUNTS},1.00,0.11,1.11,USD",
        f"{PERIOD},b,{COUNTS},1.00,0.10,1.10,USD",
        f"{PERIOD},c,{COUNTS},1.00,0.09,1.09,USD",
    ]


def test_negative_shared_amount_a_credit_is_split_the_same_way() -> None:
    # -$0.10 = -10 cents; -3.33.. each; floors -4 * 3 = -12, so 2 cents are missing; remainders 0.66.. tie
    # -> a and b get +1: a -3, b -3, c -4. Totals: a 97, b 97, c 96; period 300 - 10 = 290.
    result = report(
        [usage("a", direct="1"), usage("b", direct="1"), usage("c", direct="1")],
        [shared("credit", "-0.10", Method.EVEN)],
    )
    check_reconciles(result)
    assert rows(result)[1:] == [
        f"{PERIOD},a,{COUNTS},1.00,-0.03,0.97,USD",
        f"{PERIOD},b,{COUNTS},1.00,-0.03,0.97,USD",
        f"{PERIOD},c,{COUNTS},1.00,-0.04,0.96,USD",
    ]
    assert result.period_total == Decimal("2.90")


# -- proportional -------------------------------------------------------------------------------------------------


def test_proportional_with_direct_costs_that_need_cent_rounding() -> None:
    # Direct: 100.5, 200.5, 300.1 cents; floors 100 + 200 + 300 = 600; the exact sum 601.1 rounds to 601,
    # so 1 cent is missing; remainders 0.5, 0.5, 0.1 -> a and b tie, a is listed first: a 101, b 200, c 300.
    # (Rounding each alone half-even would give 600, half-up 602; neither is the 601 the calls cost.)
    # router $1.00 = 100 cents by the exact direct costs, weights sum 6.011:
    #   a 100 * 1.005 / 6.011 = 16.7193.., b 100 * 2.005 / 6.011 = 33.3555.., c 100 * 3.001 / 6.011 = 49.9251..
    #   floors 16 + 33 + 49 = 98, 2 missing -> largest remainders c (.9251) and a (.7193): a 17, b 33, c 50.
    # Totals: a 118, b 233, c 350 = 701; period round(601.1) + 100 = 701.
    result = report(
        [usage("a", direct="1.005"), usage("b", direct="2.005"), usage("c", direct="3.001")],
        [shared("router", "1.00", Method.PROPORTIONAL, "scope")],
    )
    check_reconciles(result)
    assert result.period_total == Decimal("7.01")
    assert rows(result) == [
        HEADER,
        f"{PERIOD},c,{COUNTS},3.00,0.50,3.50,USD",
        f"{PERIOD},b,{COUNTS},2.00,0.33,2.33,USD",
        f"{PERIOD},a,{COUNTS},1.01,0.17,1.18,USD",
    ]


def test_unattributed_shared_cost_skips_groups_without_direct_cost() -> None:
    # Calls without a team cost $2.345; rounded half to even: 234.5 -> 234 cents.
    # Weights 3.00, 1.00, 0 (billing's calls were free): 234 * 3/4 = 175.5, 234 * 1/4 = 58.5, 0.
    # Floors 175 + 58 + 0 = 233, 1 missing; remainders 0.5, 0.5 tie -> (search, acme) listed first: 176, 58, 0.
    # Totals 476, 158, 0 = 634; period 400 + 234 = 634. A missing customer is written (unattributed).
    result = report(
        [
            usage("search", "acme", direct="3"),
            usage("search", None, direct="1"),
            usage("billing", "globex", direct="0"),
        ],
        [shared("unattributed", "2.345", Method.PROPORTIONAL, "unattributed")],
        group_by=("team", "customer"),
    )
    check_reconciles(result)
    assert result.period_total == Decimal("6.34")
    assert rows(result) == [
        HEADER.replace(",team,", ",team,customer,"),
        f"{PERIOD},search,acme,{COUNTS},3.00,1.76,4.76,USD",
        f"{PERIOD},search,(unattributed),{COUNTS},1.00,0.58,1.58,USD",
        f"{PERIOD},billing,globex,{COUNTS},0.00,0.00,0.00,USD",
    ]


def test_proportional_falls_back_to_even_when_every_direct_cost_is_zero() -> None:
    # No direct cost anywhere: $0.05 = 5 cents even over 2 -> 2.5 each, floors 4, 1 missing, tie -> a: 3, 2.
    result = report(
        [usage("a", direct="0"), usage("b", direct="0"), idle("c")],
        [shared("router", "0.05", Method.PROPORTIONAL)],
    )
    check_reconciles(result)
    assert [line.allocated for line in result.lines] == [Decimal("0.03"), Decimal("0.02"), Decimal("0.00")]


# -- fixed --------------------------------------------------------------------------------------------------------


def test_fixed_one_cent_goes_to_the_largest_remainder_not_the_first_group() -> None:
    # 1 cent at 20/30/50 % -> 0.2, 0.3, 0.5; floors all 0, 1 missing -> the largest remainder, c (0.5).
    # Totals a 100, b 100, c 101; equal totals sort by team.
    result = report(
        [usage("a", direct="1"), usage("b", direct="1"), usage("c", direct="1")],
        [shared("hosting", "0.01", Method.FIXED, a="20", b="30", c="50")],
    )
    check_reconciles(result)
    assert result.period_total == Decimal("3.01")
    assert rows(result)[1:] == [
        f"{PERIOD},c,{COUNTS},1.00,0.01,1.01,USD",
        f"{PERIOD},a,{COUNTS},1.00,0.00,1.00,USD",
        f"{PERIOD},b,{COUNTS},1.00,0.00,1.00,USD",
    ]


@pytest.mark.parametrize(
    ("amount", "percentages", "expected"),
    [
        # 5000 cents at 50/30/20 -> 2500, 1500, 1000 exactly.
        ("50.00", {"a": "50", "b": "30", "c": "20"}, ["25.00", "15.00", "10.00"]),
        # 7 cents at 50/30/20 -> 3.5, 2.1, 1.4; floors 3 + 2 + 1 = 6, 1 missing -> a (0.5).
        ("0.07", {"a": "50", "b": "30", "c": "20"}, ["0.04", "0.02", "0.01"]),
        # 100 cents at 33.33/33.33/33.34 -> 33.33, 33.33, 33.34; floors 99, 1 missing -> c (0.34).
        ("1.00", {"a": "33.33", "b": "33.33", "c": "33.34"}, ["0.33", "0.33", "0.34"]),
        # 3 cents at 50/25/25 -> 1.5, 0.75, 0.75; floors 1, 2 missing -> b and c (0.75 each): 1, 1, 1.
        ("0.03", {"a": "50", "b": "25", "c": "25"}, ["0.01", "0.01", "0.01"]),
        # $10.005 rounds half to even to 1000 cents; 100 % to b, nothing to a or c (no percentage).
        ("10.005", {"b": "100"}, ["0.00", "10.00", "0.00"]),
    ],
)
def test_fixed_percentages(amount: str, percentages: dict[str, str], expected: list[str]) -> None:
    result = report(
        [usage("a", direct="1"), usage("b", direct="1"), usage("c", direct="1")],
        [shared("hosting", amount, Method.FIXED, **percentages)],
    )
    check_reconciles(result)
    assert [line.allocations["hosting"] for line in result.lines] == [Decimal(value) for value in expected]


# -- direct-cost cent rounding ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("directs", "expected"),
    [
        # 100.5 + 200.5 + 300.1 = 601.1 -> 601; floors 600; 1 cent to the tied 0.5s, a listed first.
        (["1.005", "2.005", "3.001"], ["1.01", "2.00", "3.00"]),
        # 0.4 * 3 = 1.2 -> 1; floors 0; the three 0.4 tie -> a. Alone, each would round to 0.
        (["0.004", "0.004", "0.004"], ["0.01", "0.00", "0.00"]),
        # 12.5 + 12.5 = 25 exactly; floors 24; 1 cent to a (tie).
        (["0.125", "0.125"], ["0.13", "0.12"]),
        # 0.9 + 0.1 = 1; floors 0; 1 cent to the larger remainder, b.
        (["0.001", "0.009"], ["0.00", "0.01"]),
        # A single group rounds half to even: 1.5 -> 2, 2.5 -> 2.
        (["0.015"], ["0.02"]),
        (["0.025"], ["0.02"]),
        # 0.49 + 0.49 + 0.02 = 1.00; 1 cent to a (0.49 ties with b; a listed first).
        (["0.0049", "0.0049", "0.0002"], ["0.01", "0.00", "0.00"]),
        # Whole cents stay as they are.
        (["12.34", "0.00", "5.6"], ["12.34", "0.00", "5.60"]),
    ],
)
def test_direct_costs_round_to_cents_that_add_up(directs: list[str], expected: list[str]) -> None:
    teams = "abcdefgh"
    result = report([usage(teams[i], direct=value) for i, value in enumerate(directs)], [])
    check_reconciles(result)
    assert [line.direct for line in result.lines] == [Decimal(value) for value in expected]
    exact = sum((Decimal(value) for value in directs), Decimal(0))
    assert result.period_total == exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


# -- errors -------------------------------------------------------------------------------------------------------

THREE = [usage("a", direct="1"), usage("b", direct="1"), idle("c")]


@pytest.mark.parametrize(
    ("usages", "costs", "message"),
    [
        (THREE, [shared("h", "1", Method.FIXED, a="60", b="30")], "percentages of shared cost 'h' sum to 90, not 100"),
        (THREE, [shared("h", "1", Method.FIXED, a="70.01", b="30")], "sum to 100.01, not 100"),
        (THREE, [shared("h", "1", Method.FIXED)], "sum to 0, not 100"),
        (THREE, [shared("h", "1", Method.FIXED, a="50", x="50")], "to group ('x',), which has no usage"),
        (THREE, [shared("h", "1", Method.FIXED, a="50", c="50")], "to group ('c',), which has no usage"),
        (THREE, [shared("h", "1", Method.FIXED, a="120", b="-20")], "percentage -20 of group ('b',)"),
        (THREE, [shared("h", "1", Method.EVEN, a="100")], "has percentages but its method is 'even'"),
        ([], [shared("h", "0.01", Method.EVEN)], "shared cost 'h' (0.01) has no group to go to"),
        ([idle("c")], [shared("h", "5", Method.PROPORTIONAL)], "has no group to go to"),
        (THREE, [shared("h", "1", Method.EVEN), shared("h", "2", Method.EVEN)], "'h' appears more than once"),
        (THREE, [shared("h", "NaN", Method.EVEN)], "amount NaN of shared cost 'h' is invalid"),
        ([usage("a", direct="1"), usage("a", direct="2")], [], "group ('a',) appears more than once"),
        ([usage("a", direct="-0.01")], [], "direct cost -0.01 of group ('a',) is invalid"),
        ([usage("a", "x", direct="1")], [], "does not have one value per group_by column"),
    ],
)
def test_allocation_errors(usages: list[GroupUsage], costs: list[SharedCost], message: str) -> None:
    with pytest.raises(AllocationError, match=message.replace("(", r"\(").replace(")", r"\)")) as raised:
        report(usages, costs)
    assert isinstance(raised.value, FinopsError)
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [(END, START, "must end after it starts"), (START.replace(tzinfo=None), END, "timezone-aware")],
)
def test_period_errors(start: datetime, end: datetime, message: str) -> None:
    with pytest.raises(AllocationError, match=message):
        allocate([], [], period_start=start, period_end=end, group_by=("team",))


def test_zero_shared_cost_with_no_groups_is_fine() -> None:
    # An empty period with an empty "unattributed" bucket: nothing to split, nothing owed.
    result = report([], [shared("unattributed", "0.004", Method.PROPORTIONAL, "unattributed")])
    assert result.lines == []
    assert result.period_total == Decimal("0.00")
    assert rows(result) == [HEADER]


# -- CSV ----------------------------------------------------------------------------------------------------------


def test_csv_columns_dates_and_order() -> None:
    # Equal totals sort by group values, missing values last; times are written in UTC.
    paris = timezone(timedelta(hours=1))
    distinct = GroupUsage(("a",), 1, 2, 3, 4, 5, 6, 7, 8, Decimal("0.1"))
    result = allocate(
        [usage(None, direct="0.10"), usage("b", direct="0.10"), distinct],
        [],
        period_start=datetime(2026, 11, 1, 1, 0, tzinfo=paris),
        period_end=datetime(2026, 11, 8, 1, 0, 0, 500, tzinfo=paris),
        group_by=("team",),
        currency="EUR",
    )
    period = "2026-11-01T00:00:00Z,2026-11-08T00:00:00.000500Z"
    assert chargeback_csv(result) == (
        f"{HEADER}\r\n"
        f"{period},a,1,2,3,4,5,6,7,8,0.10,0.00,0.10,EUR\r\n"
        f"{period},b,{COUNTS},0.10,0.00,0.10,EUR\r\n"
        f"{period},(unattributed),{COUNTS},0.10,0.00,0.10,EUR\r\n"
    )
    assert HEADER.split(",")[3:] == list(CHARGEBACK_COLUMNS)


def test_csv_quotes_values_that_need_it() -> None:
    result = report([usage('ops, "core"', direct="1")], [])
    assert rows(result)[1] == f'{PERIOD},"ops, ""core""",{COUNTS},1.00,0.00,1.00,USD'


# -- property -----------------------------------------------------------------------------------------------------

CENT = Decimal("0.01")
money = st.decimals(min_value=0, max_value=10_000, places=6)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[GroupUsage], list[SharedCost]]:
    teams = draw(st.lists(st.text(alphabet="abcdefgh", min_size=1, max_size=3), min_size=1, max_size=8, unique=True))
    usages = []
    for index, team in enumerate(teams):
        calls = draw(st.integers(min_value=1 if index == 0 else 0, max_value=5))  # at least one group has usage
        direct = draw(money) if calls else Decimal(0)
        usages.append(GroupUsage((team,), calls, 0, 0, calls * 100, 0, 0, calls * 10, 0, direct))
    recipients = [u.group for u in usages if u.calls]
    costs = []
    for index in range(draw(st.integers(min_value=0, max_value=4))):
        method = draw(st.sampled_from(list(Method)))
        amount = draw(st.decimals(min_value=-100, max_value=10_000, places=draw(st.integers(0, 6))))
        percentages = {}
        if method is Method.FIXED:
            # Cut 100.00 % at random points: the pieces sum to exactly 100.
            cuts = sorted(
                draw(st.lists(st.integers(0, 10_000), min_size=len(recipients) - 1, max_size=len(recipients) - 1))
            )
            bounds = [0, *cuts, 10_000]
            percentages = {
                group: Decimal(high - low).scaleb(-2)
                for group, low, high in zip(recipients, bounds[:-1], bounds[1:], strict=True)
            }
        costs.append(SharedCost(f"cost-{index}", amount, method, percentages=percentages))
    return usages, costs


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_totals_always_reconcile(scenario: tuple[list[GroupUsage], list[SharedCost]]) -> None:
    usages, costs = scenario
    result = report(usages, costs)
    check_reconciles(result)

    exact_direct = sum((u.direct_cost for u in usages), Decimal(0))
    rounded_shared = [cost.amount.quantize(CENT, rounding=ROUND_HALF_EVEN) for cost in costs]
    assert result.period_total == exact_direct.quantize(CENT, rounding=ROUND_HALF_EVEN) + sum(rounded_shared)
    assert sum(line.direct for line in result.lines) == exact_direct.quantize(CENT, rounding=ROUND_HALF_EVEN)
    for cost, rounded in zip(costs, rounded_shared, strict=True):
        assert sum(line.allocations[cost.name] for line in result.lines) == rounded
    for line in result.lines:
        assert abs(line.direct - line.usage.direct_cost) < CENT
        assert line.total.as_tuple().exponent == -2
        if not line.usage.calls:
            assert line.allocated == 0

    # No share is a cent or more away from its exact value.
    recipients = [line for line in result.lines if line.usage.calls]
    for cost, rounded in zip(costs, rounded_shared, strict=True):
        if cost.method is Method.FIXED:
            weights = [Fraction(cost.percentages[line.usage.group]) for line in recipients]
        elif cost.method is Method.PROPORTIONAL and any(line.usage.direct_cost for line in recipients):
            weights = [Fraction(line.usage.direct_cost) for line in recipients]
        else:
            weights = [Fraction(1)] * len(recipients)
        for line, weight in zip(recipients, weights, strict=True):
            exact = Fraction(rounded) * weight / sum(weights)
            assert abs(Fraction(line.allocations[cost.name]) - exact) < Fraction(1, 100)

    # The CSV carries the same money.
    parsed = list(csv.DictReader(io.StringIO(chargeback_csv(result))))
    assert len(parsed) == len(usages)
    assert sum(Decimal(row["total_cost"]) for row in parsed) == result.period_total
    assert [Decimal(row["total_cost"]) for row in parsed] == sorted(
        (Decimal(r["total_cost"]) for r in parsed), reverse=True
    )


def test_formula_like_group_values_are_neutralised() -> None:
    from finops.reports.chargeback_csv import safe_cell

    assert [safe_cell(v) for v in ("=HYPERLINK(x)", "+1", "-2", "@sum", "search", "a=b")] == [
        "'=HYPERLINK(x)", "'+1", "'-2", "'@sum", "search", "a=b",
    ]  # fmt: skip
