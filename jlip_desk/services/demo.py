"""Realistic, reproducible demo data: stations, service points, activity and annual figures."""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from jlip_desk.periods import Period, quarters_between
from jlip_desk.plan.model import Frequency, Plan
from jlip_desk.services import gate
from jlip_desk.services.reporting import owing_units
from jlip_desk.store.cells import CellKey, StoredValue
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import PROVINCE_CODE, OrgUnit, counties_under
from jlip_desk.store.plans import active_plan
from jlip_desk.validation.formats import credit_code_check_char

FIRST_YEAR = 2021
LAST_YEAR = 2025
# Jilin's resident population around 2020, in 10,000 people (the 2020 census: 2,407).
PROVINCE_POPULATION = 2407.0
AREA_CODES = {
    "2201": "0431", "2202": "0432", "2203": "0434", "2204": "0437", "2205": "0435",
    "2206": "0439", "2207": "0438", "2208": "0436", "2224": "0433",
}  # fmt: skip
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红志国建文斌晶鹏宇婷欣然浩"
WS_HOSTS = [
    ("重点产业园区", "{c}经济开发区管理委员会"),
    ("众创空间", "{c}创新创业孵化基地"),
    ("企业创新基地", "吉林{r}科技股份有限公司"),
    ("服务机构", "{c}知识产权服务中心"),
    ("行业协会", "{c}工商业联合会"),
]
SP_HOSTS = [
    ("高校", "{c}{r}学院"),
    ("科研院所", "吉林省{r}研究院"),
    ("公共图书馆", "{c}图书馆"),
    ("重点产业园区", "{c}高新技术产业园区"),
    ("服务机构", "{c}科技情报中心"),
]
WORDS = "华信宏达恒远长白松江天成吉光北方新元东昌瑞丰亚泰金安博创"


@dataclass(frozen=True, slots=True)
class DemoResult:
    counties: int
    records: int
    values: int
    periods_missing: int


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _credit_code(rng: random.Random, county: str) -> str:
    charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91" + county + "".join(rng.choice(charset) for _ in range(9))
    return body + credit_code_check_char(body)


def _word(rng: random.Random) -> str:
    return rng.choice(WORDS) + rng.choice(WORDS)


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max(0, (end - start).days) + 1))


def generate(store: Store, seed: int = 2021) -> DemoResult:
    """Fill an empty store with demo data; the same seed gives the same data.

    The units of the installation's own scope: a county's store holds that county (a
    few stations and points of its own), a prefecture's its counties, the province's
    (or an unbound store's) all 60 and the province's own forms."""
    from jlip_desk.services.installation import bound_org

    plan = active_plan(store)
    rng = random.Random(seed)
    bound = bound_org(store)
    scope = bound.code if bound is not None else PROVINCE_CODE
    counties = counties_under(store, scope)
    part = len(counties) / len(counties_under(store, PROVINCE_CODE))
    builder = _Builder(store, plan, rng, counties, part, province=scope == PROVINCE_CODE)
    with gate.begin_demo(store, f"演示数据 seed={seed}") as demo:
        builder.run(demo)
    return DemoResult(len(counties), builder.records, builder.values, builder.missing)


class _Builder:
    def __init__(
        self,
        store: Store,
        plan: Plan,
        rng: random.Random,
        counties: list[OrgUnit],
        part: float = 1.0,
        *,
        province: bool = True,
    ):
        self.store, self.plan, self.rng, self.counties = store, plan, rng, counties
        # The share of the province's counties written: its totals are scaled by it.
        self.part = part
        self.province = province  # the province's own forms too (its store, or unbound)
        self.records = self.values = self.missing = 0
        self.names: set[tuple[str, str]] = set()
        # Urban districts hold more people and far more patents than rural counties.
        self.weight = {
            c.code: rng.lognormvariate(0, 0.5) * (2.0 if "区" in c.name else 1.0) for c in counties
        }
        self.pop_share = {c.code: rng.uniform(0.6, 1.4) for c in counties}
        # Some counties grow faster than the plan's path, some slower.
        self.pace = {c.code: rng.uniform(0.55, 1.45) for c in counties}

    def run(self, demo: gate.DemoWrite) -> None:
        self.demo = demo
        quarters = quarters_between(Period(FIRST_YEAR, 1), Period(LAST_YEAR, 4))
        missing = self._missing_periods(quarters)
        stations = self._registry(
            "workstations", max(2, round(62 * self.part)), WS_HOSTS, "知识产权维权援助工作站"
        )
        points = self._registry(
            "service_points", max(1, round(33 * self.part)), SP_HOSTS, "知识产权信息公共服务网点"
        )
        self._activity(stations + points, quarters, missing)
        self._annual(missing)
        if self.province:
            self._province(quarters)
        self._statuses(quarters, missing)

    def _write(self, key: CellKey, values: dict[str, StoredValue]) -> None:
        self.values += gate.write_rows(self.store, {key: values}, demo=self.demo)

    def _missing_periods(self, quarters: list[Period]) -> set[tuple[str, str]]:
        """A few county-periods never reported; more of them in the latest quarter."""
        missing: set[tuple[str, str]] = set()
        for county in self.counties:
            for q in quarters:
                chance = 0.12 if q == quarters[-1] else 0.015
                if self.rng.random() < chance:
                    missing.add((county.code, str(q)))
            if self.rng.random() < 0.03:
                missing.add((county.code, str(LAST_YEAR)))
        if not missing and not self.province:
            # A county's or prefecture's few units would seldom draw one: the latest
            # quarter of the first is left for the user to fill (and shows its errors).
            missing.add((self.counties[0].code, str(quarters[-1])))
        self.missing = len(missing)
        return missing

    def _registry(
        self, registry_id: str, count: int, hosts: list[tuple[str, str]], suffix: str
    ) -> list[tuple[str, str, dt.date, dt.date | None]]:
        registry = self.plan.registry(registry_id)
        codes = [c.code for c in self.counties]
        weights = [self.weight[c] for c in codes]
        by_code = {c.code: c for c in self.counties}
        made: list[tuple[str, str, dt.date, dt.date | None]] = []
        for index in range(count):
            county = by_code[self.rng.choices(codes, weights)[0]]
            # Establishment spreads over the plan years, front-loaded like real roll-outs.
            year = min(LAST_YEAR, 2019 + int(self.rng.betavariate(1.4, 2.2) * 7))
            established = _date_between(self.rng, dt.date(year, 1, 5), dt.date(year, 12, 20))
            status, changed = "运行", None
            if index % 23 == 7 and year <= 2023:
                status = "撤销"
                changed = _date_between(
                    self.rng, established + dt.timedelta(days=200), dt.date(2025, 9, 30)
                )
            elif index % 31 == 11 and year <= 2024:
                status = "暂停"
                changed = _date_between(
                    self.rng, established + dt.timedelta(days=100), dt.date(2025, 11, 30)
                )
            elif year == LAST_YEAR and index % 3 == 0:
                status = "筹建"
            short = county.name[:-1] if len(county.name) > 2 else county.name
            # Two stations of one county never share a name, as in real registries.
            while True:
                host_type, host_pattern = self.rng.choice(hosts)
                host = host_pattern.format(c=short, r=_word(self.rng))
                if (county.code, host) not in self.names:
                    self.names.add((county.code, host))
                    break
            area = AREA_CODES.get(county.code[:4], "0431")
            values: dict[str, StoredValue] = {
                "name": f"{host}{suffix}",
                "host_org": host,
                "host_credit_code": _credit_code(self.rng, county.code),
                "host_type": host_type,
                "established_on": established.isoformat(),
                "status": status,
                "status_changed_on": changed.isoformat() if changed else None,
                "contact": _name(self.rng),
                "phone": self._phone(area),
                "address": f"吉林省{county.name}{_word(self.rng)}路{self.rng.randint(1, 999)}号",
                "notes": None,
            }
            if registry_id == "service_points":
                values["level"] = "国家级" if index % 6 == 0 else "省级"
                values["tisc"] = "是" if index % 8 == 0 else "否"
            known = {f.id for f in registry.fields}
            values = {k: v for k, v in values.items() if k in known}
            code = gate.write_record(
                self.store, self.plan, registry, county.code, values, demo=self.demo
            ).code
            self.records += 1
            self.values += sum(v is not None for v in values.values())
            made.append((code, county.code, established, changed if status == "撤销" else None))
        return made

    def _phone(self, area: str) -> str:
        if self.rng.random() < 0.4:
            return f"1{self.rng.choice('3456789')}{self.rng.randrange(10**9):09d}"
        return f"{area}-{self.rng.randint(8000_0000, 8999_9999)}"

    def _activity(
        self,
        records: list[tuple[str, str, dt.date, dt.date | None]],
        quarters: list[Period],
        missing: set[tuple[str, str]],
    ) -> None:
        if "activity" not in {f.id for f in self.plan.forms}:
            return
        for code, county, established, closed in records:
            scale = self.rng.uniform(0.5, 2.0)
            open_cases = 0
            for q in quarters:
                if established > q.end or (closed is not None and closed < q.start):
                    continue
                if (county, str(q)) in missing:
                    continue
                ramp = min(1.0, 0.4 + 0.15 * ((q.year - established.year) * 4 + (q.quarter or 0)))
                consultations = int(self.rng.gauss(35, 12) * scale * ramp)
                accepted = max(0, int(self.rng.gauss(4, 2) * scale * ramp))
                closed_now = min(
                    accepted + open_cases,
                    max(0, int(accepted * self.rng.uniform(0.6, 1.1)) + (open_cases > 2)),
                )
                open_cases += accepted - closed_now
                mediations = max(0, int(self.rng.gauss(3, 1.5) * ramp))
                values: dict[str, StoredValue] = {
                    "consultations": max(0, consultations),
                    "cases_accepted": accepted,
                    "cases_closed": closed_now,
                    "mediations": mediations,
                    "mediations_successful": self.rng.randint(0, mediations),
                    "trainings": self.rng.randint(0, 5),
                    "enterprises_served": max(0, int(self.rng.gauss(25, 10) * scale)),
                    "reports_delivered": self.rng.randint(0, 4),
                    "foreign_cases": self.rng.randint(0, min(1, accepted)),
                }
                self._write(CellKey(self.plan.id, "activity", county, str(q), code), values)

    def _annual(self, missing: set[tuple[str, str]]) -> None:
        if "county_annual" not in {f.id for f in self.plan.forms}:
            return
        pop_total = sum(self.pop_share.values())
        w_total = sum(self.weight.values())
        for county in self.counties:
            pop0 = PROVINCE_POPULATION * self.part * self.pop_share[county.code] / pop_total
            share = self.part * self.weight[county.code] / w_total
            pace = self.pace[county.code]
            for year in range(FIRST_YEAR, LAST_YEAR + 1):
                if (county.code, str(year)) in missing:
                    continue
                t = year - 2020
                population = round(pop0 * (1 - 0.006) ** t, 2)
                hv = round(
                    2.26
                    * PROVINCE_POPULATION
                    * share
                    * (1 + 0.10 * pace) ** t
                    * self.rng.uniform(0.97, 1.03)
                )
                values: dict[str, StoredValue] = {
                    "population": population,
                    "high_value_patents": hv,
                    "valid_invention_patents": round(hv / self.rng.uniform(0.30, 0.42)),
                    "valid_trademarks": round(
                        254000 * share * (1 + 0.12 * pace) ** t * self.rng.uniform(0.97, 1.03)
                    ),
                    # Pledge financing lags the plan's path, as credit markets did.
                    "pledge_amount": round(
                        243000 * share * (1 + 0.08 * pace) ** t * self.rng.uniform(0.85, 1.15), 2
                    ),
                    "pledge_count": self.rng.randint(0, 40),
                }
                self._write(
                    CellKey(self.plan.id, "county_annual", county.code, str(year), ""), values
                )

    def _province(self, quarters: list[Period]) -> None:
        forms = {f.id: f for f in self.plan.forms}
        if "province_annual" in forms:
            for i, year in enumerate(range(FIRST_YEAR, LAST_YEAR + 1)):
                values: dict[str, StoredValue] = {
                    "satisfaction": round(80.69 + 0.55 * (i + 1) + self.rng.uniform(-0.2, 0.2), 2),
                    "national_satisfaction": round(80.05 + 0.45 * (i + 1), 2),
                    "protection_centres": (1, 2, 2, 3, 3)[i],
                    "operation_centres": (1, 2, 3, 4, 5)[i],
                    "eco_town_carriers": (1, 2, 3, 4, 5)[i],
                    "eco_town_institutions": (8, 19, 31, 42, 53)[i],
                    "tisc_centres": (2, 3, 4, 5, 6)[i],
                }
                self._write(
                    CellKey(self.plan.id, "province_annual", PROVINCE_CODE, str(year), ""), values
                )
        if "special_projects" in forms:
            form = forms["special_projects"]
            for item_index, item in enumerate(form.items):
                speed = 0.8 + 0.05 * (item_index % 5)
                for n, q in enumerate(quarters):
                    percent = round(min(100.0, 100 * (1 - math.exp(-speed * (n + 1) / 8))), 1)
                    status = (
                        "已完成" if percent >= 99.5 else ("推进中" if percent > 0 else "未启动")
                    )
                    values = {
                        "status": status,
                        "milestones": int(percent // 20),
                        "percent": percent,
                        "note": f"{q.label}按计划推进"
                        if status != "已完成"
                        else "已完成全部建设任务",
                    }
                    self._write(
                        CellKey(self.plan.id, form.id, PROVINCE_CODE, str(q), item.id), values
                    )

    def _statuses(self, quarters: list[Period], missing: set[tuple[str, str]]) -> None:
        """Every owed period handed in, but the missing ones: a county without a station
        or point in a quarter owes nothing then and hands nothing in (the one rule of
        :func:`owing_units`); every year is owed."""
        owed = owing_units(self.store, self.plan, Frequency.QUARTER, quarters, self.counties)
        years = [Period(y) for y in range(FIRST_YEAR, LAST_YEAR + 1)]
        latest = quarters[-1]
        entries = [
            (county.code, p, "submitted" if p in (latest, Period(LAST_YEAR)) else "accepted")
            for county in self.counties
            for p in [*quarters, *years]
            if (county.code, str(p)) not in missing and (not p.is_quarter or county.code in owed[p])
        ]
        gate.demo_status(self.store, self.plan, entries, self.demo)
