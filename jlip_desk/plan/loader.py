"""Load and check a plan definition file (TOML); every error names the file, key and line."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from jlip_desk.errors import PlanError
from jlip_desk.plan import rules as rule_lang
from jlip_desk.plan import schema
from jlip_desk.plan.model import (
    Aggregation,
    Derived,
    Field,
    FieldType,
    Form,
    Frequency,
    Indicator,
    Item,
    Lifecycle,
    OrgLevel,
    Plan,
    Registry,
    Rule,
    SubjectKind,
    Target,
)

_ID = re.compile(schema.ID_PATTERN)
_PLAN_ID = re.compile(schema.PLAN_ID_PATTERN)
_DATE = re.compile(schema.DATE_PATTERN)
_CODE_TAG = re.compile(schema.CODE_TAG_PATTERN)
_FORMATS = schema.FIELD_FORMATS

T = TypeVar("T")


class _Node:
    """A table of the TOML document with its key path, for precise error messages.

    Every key is read through the section's schema (``jlip_desk.plan.schema``): the
    type, whether it is required and its allowed values come from there.
    """

    def __init__(self, data: dict[str, Any], path: str, ctx: _Context, section: schema.Section):
        self.data = data
        self.path = path
        self.ctx = ctx
        self.section = section
        self._used: set[str] = set()

    def fail(self, key: str | None, message: str) -> PlanError:
        where = f"{self.path}.{key}" if key and self.path else (key or self.path or "(文件开头)")
        return self.ctx.error(where, message)

    def spec(self, key: str) -> schema.Key:
        spec = self.section.keys.get(key)
        if spec is None:
            raise _SchemaMismatch(f"the loader reads {self.section.name}.{key}, not in the schema")
        return spec

    def _get(self, key: str, kind: schema.Kind, required: bool | None) -> Any:
        """The value of ``key``; ``required`` only for keys the schema makes conditional."""
        spec = self.spec(key)
        if kind not in spec.kinds:
            raise _SchemaMismatch(f"{self.section.name}.{key} is read as {kind.doc}")
        if isinstance(spec.required, bool):
            if required is not None and required != spec.required:
                raise _SchemaMismatch(f"{self.section.name}.{key}: required is {spec.required}")
            required = spec.required
        elif required is None:
            raise _SchemaMismatch(f"{self.section.name}.{key} is required {spec.required}")
        self._used.add(key)
        if key not in self.data:
            if required:
                raise self.fail(key, f"缺少必填项“{key}”")
            return None
        value = self.data[key]
        # bool is an int in Python; a plan author writing true for a number is a mistake.
        if isinstance(value, bool) and bool not in kind.types:
            raise self.fail(key, f"应为{kind.label},实际为布尔值")
        if not isinstance(value, kind.types):
            raise self.fail(key, f"应为{kind.label},实际为“{value!r}”")
        return value

    def text(self, key: str, *, required: bool | None = None) -> str | None:
        value: str | None = self._get(key, schema.TEXT, required)
        if value is not None and not value.strip():
            raise self.fail(key, "不能为空文本")
        return value

    def req_text(self, key: str) -> str:
        value = self.text(key)
        if value is None:
            raise _SchemaMismatch(f"{self.section.name}.{key} is read as required")
        return value

    def ident(self, key: str = "id") -> str:
        value = self.req_text(key)
        if not _ID.match(value):
            raise self.fail(key, f"标识“{value}”只能由小写字母、数字和下划线组成,且以字母开头")
        return value

    def integer(self, key: str, *, required: bool | None = None) -> int | None:
        value: int | None = self._get(key, schema.INTEGER, required)
        return value

    def req_integer(self, key: str) -> int:
        value = self.integer(key)
        if value is None:
            raise _SchemaMismatch(f"{self.section.name}.{key} is read as required")
        return value

    def number(self, key: str, *, required: bool | None = None) -> float | None:
        value = self._get(key, schema.NUMBER, required)
        return None if value is None else float(value)

    def boolean(self, key: str, default: bool) -> bool:
        value = self._get(key, schema.BOOLEAN, None)
        return default if value is None else bool(value)

    def strings(self, key: str) -> tuple[str, ...]:
        value = self._get(key, schema.TEXT_LIST, False)
        if value is None:
            return ()
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(f"{key}[{i}]", "应为非空文本")
        if len(set(value)) != len(value):
            raise self.fail(key, "列表中有重复的值")
        return tuple(value)

    def enum(self, key: str, kind: Callable[[str], T]) -> T:
        allowed = self.spec(key).allowed
        value = self.req_text(key)
        if value not in allowed:
            raise self.fail(key, f"不支持的取值“{value}”,允许:{'、'.join(allowed)}")
        return kind(value)

    def _child(self, key: str) -> schema.Section:
        name = self.spec(key).section
        if name is None:
            raise _SchemaMismatch(f"{self.section.name}.{key} holds no section")
        return schema.SECTIONS[name]

    def table(self, key: str) -> _Node:
        value = self._get(key, schema.TABLE, True)
        path = f"{self.path}.{key}" if self.path else key
        return _Node(value, path, self.ctx, self._child(key))

    def tables(self, key: str, *, required: bool | None = None) -> Iterator[_Node]:
        spec = self.spec(key)
        value = self._get(key, schema.TABLES, required)
        if value is None:
            return
        if (required if required is not None else spec.required is True) and not value:
            raise self.fail(key, "至少需要一项")
        section = self._child(key)
        for i, entry in enumerate(value):
            name = f"{self.path}.{key}[{i}]" if self.path else f"{key}[{i}]"
            if not isinstance(entry, dict):
                raise self.ctx.error(name, "应为表(table)")
            yield _Node(entry, name, self.ctx, section)

    def done(self) -> None:
        """Refuse keys nobody read: a misspelt key must not be silently ignored.

        A key the schema does not declare is never read; one it declares may go unread
        where it does not apply (``min`` on a text field), and is refused just the same.
        """
        unknown = sorted(set(self.data) - self._used)
        if unknown:
            raise self.fail(unknown[0], f"未知的键“{unknown[0]}”(拼写错误?)")


class _SchemaMismatch(RuntimeError):
    """The loader reads a key other than as jlip_desk.plan.schema declares it (a bug)."""


class _Context:
    def __init__(self, name: str, text: str):
        self.name = name
        self.lines = text.splitlines()

    def error(self, where: str, message: str) -> PlanError:
        line = self.locate(where)
        place = f"{self.name},第 {line} 行,键 {where}" if line else f"{self.name},键 {where}"
        return PlanError(f"计划定义文件有误:{message}", where=place)

    def locate(self, where: str) -> int | None:
        """Best-effort line number of a key path like ``forms[2].fields[3].type``."""
        parts = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?", where)
        start = 0
        table_path: list[str] = []
        found: int | None = None
        for name, index in parts:
            table_path.append(name)
            header = ".".join(table_path)
            if index:
                pattern = re.compile(rf"^\s*\[\[\s*{re.escape(header)}\s*\]\]")
                count = -1
                for i in range(start, len(self.lines)):
                    if pattern.match(self.lines[i]):
                        count += 1
                        if count == int(index):
                            start = found = i
                            break
                else:
                    return found + 1 if found is not None else None
            else:
                table = re.compile(rf"^\s*\[\s*{re.escape(header)}\s*\]")
                key = re.compile(rf"^\s*{re.escape(name)}\s*=")
                for i in range(start, len(self.lines)):
                    if table.match(self.lines[i]) or key.match(self.lines[i]):
                        start = found = i
                        break
                else:
                    return found + 1 if found is not None else None
        return found + 1 if found is not None else None


def load_plan(path: Path | str) -> Plan:
    """Read and check the plan file at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanError("找不到计划定义文件", where=str(path)) from None
    except UnicodeDecodeError:
        raise PlanError("计划定义文件不是 UTF-8 编码的文本", where=str(path)) from None
    except OSError as exc:
        raise PlanError(f"无法读取计划定义文件:{exc.strerror}", where=str(path)) from None
    return parse_plan(text, path.name)


def parse_plan(text: str, name: str = "<计划>") -> Plan:
    """Decode and check plan TOML ``text``; ``name`` is used in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+), column (\d+)", str(exc))
        where = f"{name},第 {match.group(1)} 行第 {match.group(2)} 列" if match else name
        raise PlanError(f"计划定义文件不是有效的 TOML:{exc}", where=where) from None
    ctx = _Context(name, text)
    _refuse_placeholders(data, ctx)
    root = _Node(data, "", ctx, schema.SECTIONS["root"])
    plan = _decode(root)
    object.__setattr__(plan, "source_text", text)
    object.__setattr__(plan, "source_name", name)
    return plan


def _refuse_placeholders(data: dict[str, Any], ctx: _Context) -> None:
    """Refuse a starting file (``plan new``) that still has values to fill in, naming them all."""
    places: list[str] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else key)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, f"{path}[{i}]")
        elif isinstance(value, str) and value.strip() == schema.PLACEHOLDER:
            places.append(path)

    walk(data, "")
    if not places:
        return
    listed = []
    for where in places:
        line = ctx.locate(where)
        listed.append(f"第 {line} 行,键 {where}" if line else f"键 {where}")
    raise PlanError(
        f"计划定义文件还有 {len(places)} 处“{schema.PLACEHOLDER}”尚未填写,"
        "请逐项填写后再载入:\n  " + "\n  ".join(listed),
        where=ctx.name,
    )


def _decode(root: _Node) -> Plan:
    head = root.table("plan")
    assert head is not None
    plan_id = head.req_text("id")
    if not _PLAN_ID.match(plan_id):
        raise head.fail("id", "计划标识只能由小写字母、数字、下划线和连字符组成")
    version = head.req_text("version")
    name = head.req_text("name")
    short_name = head.text("short_name", required=False) or name
    issuer = head.text("issuer", required=False) or ""
    baseline_year = head.req_integer("baseline_year")
    start_year = head.req_integer("start_year")
    end_year = head.req_integer("end_year")
    due_days = head.integer("due_days", required=False)
    if not baseline_year < start_year <= end_year:
        raise head.fail("end_year", "年份应满足 baseline_year < start_year <= end_year")
    head.done()

    named = [_registry(node) for node in root.tables("registries")]
    registries = tuple(r for _, r in named)
    _unique(root, "registries", [ident for ident, _ in named])
    _unique(root, "registries", [r.id for r in registries])
    # Forms and targets may name a registry by its id in this file or the id it is kept under.
    registry_ids = {r.id: r.id for r in registries} | {ident: r.id for ident, r in named}
    forms = tuple(_form(node, registry_ids) for node in root.tables("forms", required=True))
    _unique(root, "forms", [f.id for f in forms])
    fields_by_ref = {f"{form.id}.{fld.id}": fld for form in forms for fld in form.fields}

    def numeric_ref(node: _Node, key: str, *, required: bool = True) -> str | None:
        ref = node.text(key, required=required)
        if ref is None:
            return None
        fld = fields_by_ref.get(ref)
        if fld is None:
            raise node.fail(key, f"引用的字段“{ref}”不存在(格式:表单标识.字段标识)")
        if not fld.is_numeric:
            raise node.fail(key, f"引用的字段“{ref}”不是数值字段")
        return ref

    indicators = tuple(_indicator(node, numeric_ref) for node in root.tables("indicators"))
    _unique(root, "indicators", [i.id for i in indicators])
    targets = tuple(_target(node, numeric_ref, registry_ids) for node in root.tables("targets"))
    _unique(root, "targets", [t.id for t in targets])
    root.done()
    return Plan(
        id=plan_id,
        version=version,
        name=name,
        short_name=short_name,
        issuer=issuer,
        baseline_year=baseline_year,
        start_year=start_year,
        end_year=end_year,
        due_days=15 if due_days is None else due_days,
        indicators=indicators,
        targets=targets,
        registries=registries,
        forms=forms,
    )


def _unique(node: _Node, key: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for i, ident in enumerate(ids):
        if ident in seen:
            raise node.ctx.error(f"{key}[{i}].id", f"标识“{ident}”重复")
        seen.add(ident)


def _field(node: _Node) -> Field:
    ident = node.ident()
    label = node.req_text("label")
    ftype = node.enum("type", FieldType)
    required = node.boolean("required", False)
    unit = node.text("unit", required=False)
    choices = node.strings("choices")
    fmt = node.text("format", required=False)
    decimals = node.integer("decimals", required=False)
    max_length = node.integer("max_length", required=False)
    help_text = node.text("help", required=False)
    continues = _optional_ident(node, "continues")
    low: float | str | None
    high: float | str | None
    if ftype == FieldType.DATE:
        low = node.text("min", required=False)
        high = node.text("max", required=False)
        for key, value in (("min", low), ("max", high)):
            if value is not None and not _DATE.match(value):
                raise node.fail(key, "日期范围应写成 YYYY-MM-DD 文本")
    elif ftype in (FieldType.INTEGER, FieldType.DECIMAL):
        low = node.number("min", required=False)
        high = node.number("max", required=False)
    else:
        low = high = None
    if low is not None and high is not None and low > high:  # type: ignore[operator]
        raise node.fail("min", "最小值不能大于最大值")
    if ftype == FieldType.CHOICE and not choices:
        raise node.fail("choices", "下拉选择字段必须列出可选值")
    if ftype != FieldType.CHOICE and choices:
        raise node.fail("choices", "只有 choice 类型的字段可以列出可选值")
    if fmt is not None and fmt not in _FORMATS:
        raise node.fail("format", f"不支持的格式“{fmt}”,允许:{'、'.join(_FORMATS)}")
    if decimals is not None and not 0 <= decimals <= 6:
        raise node.fail("decimals", "小数位数应在0到6之间")
    raw_default = node._get("default", schema.TEXT_OR_NUMBER, None)
    if ftype == FieldType.CHOICE and raw_default is not None and raw_default not in choices:
        raise node.fail("default", "默认值必须是可选值之一")
    node.done()
    return Field(
        id=ident,
        label=label,
        type=ftype,
        required=required,
        unit=unit,
        min=low,
        max=high,
        decimals=decimals if decimals is not None else (0 if ftype == FieldType.INTEGER else None),
        max_length=max_length,
        choices=choices,
        format=fmt,
        default=raw_default,
        help=help_text,
        continues=continues,
    )


def _optional_ident(node: _Node, key: str) -> str | None:
    value = node.text(key, required=False)
    if value is not None and not _ID.match(value):
        raise node.fail(key, f"标识“{value}”只能由小写字母、数字和下划线组成,且以字母开头")
    return value


def _fields(node: _Node, *, registry: bool = False) -> tuple[Field, ...]:
    nodes = list(node.tables("fields", required=True))
    fields = tuple(_field(n) for n in nodes)
    for fnode, fld in zip(nodes, fields, strict=True):
        if fld.continues is not None and not registry:
            raise fnode.fail("continues", "只有登记册的字段可以填写 continues(延续此前计划的字段)")
    _unique(node, f"{node.path}.fields", [f.id for f in fields])
    if registry:
        _unique(node, f"{node.path}.fields", [f.continues or f.id for f in fields])
    return fields


def _rules(node: _Node, known: set[str]) -> tuple[Rule, ...]:
    out = []
    for rnode in node.tables("rules"):
        expr = rnode.req_text("expr")
        message = rnode.req_text("message")
        when = rnode.text("when", required=False)
        for key, text in (("expr", expr), ("when", when)):
            if text is None:
                continue
            _check_expr(rnode, key, text, known)
        rnode.done()
        out.append(Rule(expr=expr, message=message, when=when))
    return tuple(out)


def _check_expr(node: _Node, key: str, text: str, known: set[str]) -> None:
    try:
        parsed = rule_lang.parse(text)
    except rule_lang.RuleSyntaxError as exc:
        raise node.fail(key, f"规则表达式“{text}”有语法错误:{exc}") from None
    missing = sorted((parsed.names() | parsed.prior_names()) - known)
    if missing:
        raise node.fail(key, f"规则表达式引用了不存在的字段“{missing[0]}”")


def _lifecycle(node: _Node, fields: tuple[Field, ...]) -> Lifecycle:
    ids = {f.id: f for f in fields}
    values = {}
    for key in ("established_field", "status_field", "status_date_field"):
        ref = node.req_text(key)
        if ref not in ids:
            raise node.fail(key, f"字段“{ref}”不在本登记册的字段中")
        values[key] = ref
    status = ids[values["status_field"]]
    closed = node.req_text("closed_status")
    counted = node.strings("counted_statuses")
    for key, value in [("closed_status", closed), *(("counted_statuses", c) for c in counted)]:
        if value not in status.choices:
            raise node.fail(key, f"状态“{value}”不是状态字段的可选值")
    node.done()
    return Lifecycle(
        established_field=values["established_field"],
        status_field=values["status_field"],
        status_date_field=values["status_date_field"],
        closed_status=closed,
        counted_statuses=counted,
    )


def _registry(node: _Node) -> tuple[str, Registry]:
    """``(id in this file, registry)``: a registry that ``continues`` an earlier one is
    kept under that id, and so are its fields that continue earlier fields."""
    ident = node.ident()
    continues = _optional_ident(node, "continues")
    name = node.req_text("name")
    sheet = node.text("sheet", required=False) or name
    tag = node.req_text("code_tag")
    if not _CODE_TAG.match(tag):
        raise node.fail("code_tag", "编码标记应为1到4个大写英文字母")
    level = node.enum("org_level", OrgLevel)
    fields = _fields(node, registry=True)
    life_node = node.table("lifecycle")
    assert life_node is not None
    lifecycle = _lifecycle(life_node, fields)
    rules = _rules(node, {f.id for f in fields})
    node.done()
    kept = {f.id: f.continues for f in fields if f.continues is not None}
    if kept:
        fields = tuple(replace(f, id=kept.get(f.id, f.id), continues=None) for f in fields)
        lifecycle = Lifecycle(
            established_field=kept.get(lifecycle.established_field, lifecycle.established_field),
            status_field=kept.get(lifecycle.status_field, lifecycle.status_field),
            status_date_field=kept.get(lifecycle.status_date_field, lifecycle.status_date_field),
            closed_status=lifecycle.closed_status,
            counted_statuses=lifecycle.counted_statuses,
        )
        rules = tuple(
            Rule(
                expr=rule_lang.rename(r.expr, kept),
                message=r.message,
                when=rule_lang.rename(r.when, kept) if r.when is not None else None,
            )
            for r in rules
        )
    registry = Registry(continues or ident, name, sheet, tag, level, lifecycle, fields, rules)
    return ident, registry


def _form(node: _Node, registry_ids: Mapping[str, str]) -> Form:
    ident = node.ident()
    name = node.req_text("name")
    sheet = node.text("sheet", required=False) or name
    frequency = node.enum("frequency", Frequency)
    level = node.enum("org_level", OrgLevel)
    subject = node.enum("subject", SubjectKind)
    named = node.strings("registries")
    for reg in named:
        if reg not in registry_ids:
            raise node.fail("registries", f"登记册“{reg}”未定义")
    registries = tuple(registry_ids[reg] for reg in named)
    if subject == SubjectKind.REGISTRY and not registries:
        raise node.fail("registries", 'subject = "registry" 的表单必须列出登记册')
    items: list[Item] = []
    for inode in node.tables("items", required=subject == SubjectKind.ITEMS):
        items.append(Item(inode.ident(), inode.req_text("name")))
        inode.done()
    _unique(node, f"{node.path}.items", [i.id for i in items])
    fields = _fields(node)
    derived: list[Derived] = []
    field_ids = {f.id for f in fields}
    for dnode in node.tables("derived"):
        d_id = dnode.ident()
        d_label = dnode.req_text("label")
        d_expr = dnode.req_text("expr")
        _check_expr(dnode, "expr", d_expr, field_ids)
        dnode.done()
        derived.append(Derived(d_id, d_label, d_expr))
    known = field_ids | {d.id for d in derived}
    _unique(node, f"{node.path}.derived", [*field_ids, *(d.id for d in derived)])
    rules = _rules(node, known)
    node.done()
    return Form(
        id=ident,
        name=name,
        sheet=sheet,
        frequency=frequency,
        org_level=level,
        subject=subject,
        fields=fields,
        rules=rules,
        derived=tuple(derived),
        registries=registries,
        items=tuple(items),
    )


def _indicator(node: _Node, numeric_ref: Callable[..., str | None]) -> Indicator:
    ident = node.ident()
    aggregation = node.enum("aggregation", Aggregation)
    source = numeric_ref(node, "source", required=aggregation != Aggregation.RATIO)
    numerator = numeric_ref(node, "numerator", required=aggregation == Aggregation.RATIO)
    denominator = numeric_ref(node, "denominator", required=aggregation == Aggregation.RATIO)
    target = node.number("target", required=False)
    target_text = node.text("target_text", required=False)
    target_source = numeric_ref(node, "target_source", required=False)
    if target is None and target_text is None:
        raise node.fail("target", "需要数值目标 target 或文字目标 target_text")
    scale = node.number("scale", required=False)
    decimals = node.integer("decimals", required=False)
    growth = node.number("growth_rate", required=False)
    indicator = Indicator(
        id=ident,
        name=node.req_text("name"),
        unit=node.req_text("unit"),
        aggregation=aggregation,
        baseline_year=node.req_integer("baseline_year"),
        baseline=node.number("baseline") or 0.0,
        target_year=node.req_integer("target_year"),
        target=target,
        target_text=target_text,
        target_source=target_source,
        growth_rate=growth,
        source=source,
        numerator=numerator,
        denominator=denominator,
        scale=1.0 if scale is None else scale,
        decimals=2 if decimals is None else decimals,
        higher_is_better=node.boolean("higher_is_better", True),
    )
    if indicator.target_year <= indicator.baseline_year:
        raise node.fail("target_year", "目标年份必须晚于基期年份")
    node.done()
    return indicator


def _target(
    node: _Node, numeric_ref: Callable[..., str | None], registries: Mapping[str, str]
) -> Target:
    ident = node.ident()
    count_registry = node.text("count_registry", required=False)
    source = numeric_ref(node, "source", required=False)
    if (count_registry is None) == (source is None):
        raise node.fail("count_registry", "count_registry 与 source 必须且只能填写一个")
    if count_registry is not None and count_registry not in registries:
        raise node.fail("count_registry", f"登记册“{count_registry}”未定义")
    target = Target(
        id=ident,
        name=node.req_text("name"),
        unit=node.text("unit", required=False) or "个",
        target=node.number("target") or 0.0,
        target_year=node.req_integer("target_year"),
        count_registry=registries[count_registry] if count_registry is not None else None,
        source=source,
        at_least=node.boolean("at_least", False),
    )
    node.done()
    return target
