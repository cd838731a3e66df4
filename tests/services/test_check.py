"""The integrity check's report, word for word, on a sound store and a tampered one."""

from __future__ import annotations

from jlip_desk.services.check import check_store
from jlip_desk.services.installation import prepare
from jlip_desk.store.cells import CellKey, write_values
from jlip_desk.store.database import Store
from jlip_desk.store.records import create_record

COUNTY = "220102"


def _fill(store: Store) -> str:
    plan = prepare(store)
    with store.atomic():
        change = store.new_change("typed")
        registry = plan.registry("workstations")
        code = create_record(store, plan.id, registry, COUNTY, {"name": "甲站"}, change)
        key = CellKey(plan.id, "activity", COUNTY, "2024Q1", code)
        write_values(store, key, {"consultations": 3, "mediations": 1}, change)
    return code


def test_a_sound_store_passes(store: Store) -> None:
    _fill(store)
    report = check_store(store)
    assert report.ok
    assert report.text() == (
        "✓ SQLite 完整性检查\n"
        "✓ 外键引用\n"
        "✓ 数据所属计划均已载入\n"
        "✓ 字段均在计划定义中\n"
        "✓ 登记编码格式\n"
        "✓ 已报送的报告期没有错误\n"
        "✓ 修改历史与当前值一致\n"
        "✓ 数据量:单位 70,登记记录 1,数值 3,历史 3,操作 1\n"
        "检查通过,数据完整。"
    )


def test_tampering_is_reported(store: Store) -> None:
    code = _fill(store)
    conn = store.conn
    conn.execute("PRAGMA foreign_keys = OFF")
    plan_id, change = conn.execute("SELECT plan_id, change_id FROM cells LIMIT 1").fetchone()
    conn.execute(
        "INSERT INTO cells (plan_id, form, org_code, period, subject, field, value, change_id) "
        "VALUES ('ghost', 'f', ?, '2024', '', 'x', 1, ?), "
        "(?, 'gone', '999999', '2024', '', 'y', 2, ?)",
        (COUNTY, change, plan_id, change),
    )
    conn.execute("UPDATE records SET code = ? WHERE code = ?", (code + "X", code))
    conn.execute("DELETE FROM cell_history WHERE id = (SELECT MIN(id) FROM cell_history)")
    conn.execute(
        "INSERT INTO plans SELECT 'broken', version, name, 'not toml [[[', sha256, loaded_at "
        "FROM plans LIMIT 1"
    )
    report = check_store(store)
    assert not report.ok
    assert report.text() == (
        "✓ SQLite 完整性检查\n"
        "✗ 外键引用:1 处引用无效\n"
        "✗ 数据所属计划均已载入:ghost\n"
        "✓ 字段均在计划定义中:1 个字段不在当前计划版本中(数据仍保留)\n"
        "✗ 计划 broken 可读取\n"
        f"✗ 登记编码格式:{code}X\n"
        "✓ 已报送的报告期没有错误\n"
        "✗ 修改历史与当前值一致:1 个值缺少对应的历史记录\n"
        "✓ 数据量:单位 70,登记记录 1,数值 5,历史 4,操作 1\n"
        "发现问题,请联系技术支持并提供上述信息。"
    )


def test_a_locked_period_with_errors_fails_the_check(store: Store) -> None:
    """A period handed in with errors (its state written past the gate) is named."""
    _fill(store)  # 2024Q1 holds an incomplete activity row
    assert check_store(store).ok
    conn = store.conn
    plan_id, change = conn.execute("SELECT plan_id, change_id FROM cells LIMIT 1").fetchone()
    conn.execute(
        "INSERT INTO period_status (plan_id, org_code, period, status, change_id) "
        "VALUES (?, ?, '2024Q1', 'accepted', ?)",
        (plan_id, COUNTY, change),
    )
    report = check_store(store)
    assert not report.ok
    assert "✗ 已报送的报告期没有错误:220102 2024年第1季度(" in report.text()
