"""First-run dialog: bind this installation to a county, a prefecture or the province."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget

from jlip_desk.store.database import Store
from jlip_desk.store.orgs import PROVINCE_CODE, OrgUnit, children, get_org
from jlip_desk.ui.forms.ui_first_run_dialog import Ui_FirstRunDialog


class FirstRunDialog(QDialog):
    """Choose the mode, then the prefecture, then the county."""

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.ui = Ui_FirstRunDialog()
        self.ui.setupUi(self)
        self.store = store
        self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok).setText("开始使用")
        for prefecture in children(store, PROVINCE_CODE):
            self.ui.prefectureCombo.addItem(
                f"{prefecture.name}({prefecture.code})", prefecture.code
            )
        # Nothing chosen for the user: a clerk who clicks straight through must not be
        # bound to the first county of the list.
        self.ui.prefectureCombo.setPlaceholderText("请选择市(州)")
        self.ui.countyCombo.setPlaceholderText("请选择县(市、区)")
        self.ui.prefectureCombo.setCurrentIndex(-1)
        self.ui.prefectureCombo.currentIndexChanged.connect(self._fill_counties)
        self.ui.countyCombo.currentIndexChanged.connect(self._update)
        for radio in (self.ui.countyRadio, self.ui.prefectureRadio, self.ui.provinceRadio):
            radio.toggled.connect(self._update)
        self.ui.buttonBox.accepted.connect(self.accept)
        self.ui.buttonBox.rejected.connect(self.reject)
        self._fill_counties()

    def _fill_counties(self) -> None:
        self.ui.countyCombo.clear()
        code = self.ui.prefectureCombo.currentData()
        if code:
            for county in children(self.store, code):
                self.ui.countyCombo.addItem(f"{county.name}({county.code})", county.code)
        self.ui.countyCombo.setCurrentIndex(-1)
        self._update()

    def _update(self) -> None:
        county_mode = self.ui.countyRadio.isChecked()
        province_mode = self.ui.provinceRadio.isChecked()
        self.ui.prefectureCombo.setEnabled(not province_mode)
        self.ui.prefectureLabel.setEnabled(not province_mode)
        self.ui.countyCombo.setEnabled(county_mode)
        self.ui.countyLabel.setEnabled(county_mode)
        org = self.selected_org()
        ok = self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(org is not None)
        if org is None:
            what = "县(市、区)" if county_mode else "市(州)"
            self.ui.summaryLabel.setText(f"请先选择本机所属的{what}。")
        else:
            scope = {
                "county": "填报本县(市、区)的工作站、服务网点、服务活动和年度指标",
                "prefecture": "查看和汇总本市(州)所属县(市、区)的报送数据",
                "province": "汇总全省数据,填报省级指标和重大专项进展",
            }[org.level]
            self.ui.summaryLabel.setText(f"本机将绑定到:<b>{org.name}</b>({org.code}),{scope}。")

    def selected_org(self) -> OrgUnit | None:
        if self.ui.provinceRadio.isChecked():
            return get_org(self.store, PROVINCE_CODE)
        if self.ui.prefectureRadio.isChecked():
            code = self.ui.prefectureCombo.currentData()
        else:
            code = self.ui.countyCombo.currentData()
        return get_org(self.store, code) if code else None

    def select(self, code: str) -> None:
        """Preselect an org unit (tests and ``--org`` hints)."""
        org = get_org(self.store, code)
        if org.level == "province":
            self.ui.provinceRadio.setChecked(True)
            return
        prefecture = org.code if org.level == "prefecture" else org.parent_code
        self.ui.prefectureCombo.setCurrentIndex(self.ui.prefectureCombo.findData(prefecture))
        if org.level == "prefecture":
            self.ui.prefectureRadio.setChecked(True)
        else:
            self.ui.countyRadio.setChecked(True)
            self.ui.countyCombo.setCurrentIndex(self.ui.countyCombo.findData(org.code))
