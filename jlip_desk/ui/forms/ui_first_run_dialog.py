# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'first_run_dialog.ui'
##
## Created by: Qt User Interface Compiler version 6.11.3
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import QCoreApplication, QMetaObject
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QFormLayout, QGroupBox, QLabel, QRadioButton, QSizePolicy, QSpacerItem, QVBoxLayout, QWidget

class Ui_FirstRunDialog(object):
    def setupUi(self, FirstRunDialog):
        if not FirstRunDialog.objectName():
            FirstRunDialog.setObjectName(u"FirstRunDialog")
        FirstRunDialog.resize(460, 340)
        self.mainLayout = QVBoxLayout(FirstRunDialog)
        self.mainLayout.setObjectName(u"mainLayout")
        self.introLabel = QLabel(FirstRunDialog)
        self.introLabel.setObjectName(u"introLabel")
        self.introLabel.setWordWrap(True)

        self.mainLayout.addWidget(self.introLabel)

        self.modeGroup = QGroupBox(FirstRunDialog)
        self.modeGroup.setObjectName(u"modeGroup")
        self.modeLayout = QVBoxLayout(self.modeGroup)
        self.modeLayout.setObjectName(u"modeLayout")
        self.countyRadio = QRadioButton(self.modeGroup)
        self.countyRadio.setObjectName(u"countyRadio")
        self.countyRadio.setChecked(True)

        self.modeLayout.addWidget(self.countyRadio)

        self.prefectureRadio = QRadioButton(self.modeGroup)
        self.prefectureRadio.setObjectName(u"prefectureRadio")

        self.modeLayout.addWidget(self.prefectureRadio)

        self.provinceRadio = QRadioButton(self.modeGroup)
        self.provinceRadio.setObjectName(u"provinceRadio")

        self.modeLayout.addWidget(self.provinceRadio)


        self.mainLayout.addWidget(self.modeGroup)

        self.formLayout = QFormLayout()
        self.formLayout.setObjectName(u"formLayout")
        self.prefectureLabel = QLabel(FirstRunDialog)
        self.prefectureLabel.setObjectName(u"prefectureLabel")

        self.formLayout.setWidget(0, QFormLayout.ItemRole.LabelRole, self.prefectureLabel)

        self.prefectureCombo = QComboBox(FirstRunDialog)
        self.prefectureCombo.setObjectName(u"prefectureCombo")

        self.formLayout.setWidget(0, QFormLayout.ItemRole.FieldRole, self.prefectureCombo)

        self.countyLabel = QLabel(FirstRunDialog)
        self.countyLabel.setObjectName(u"countyLabel")

        self.formLayout.setWidget(1, QFormLayout.ItemRole.LabelRole, self.countyLabel)

        self.countyCombo = QComboBox(FirstRunDialog)
        self.countyCombo.setObjectName(u"countyCombo")

        self.formLayout.setWidget(1, QFormLayout.ItemRole.FieldRole, self.countyCombo)


        self.mainLayout.addLayout(self.formLayout)

        self.summaryLabel = QLabel(FirstRunDialog)
        self.summaryLabel.setObjectName(u"summaryLabel")
        self.summaryLabel.setWordWrap(True)

        self.mainLayout.addWidget(self.summaryLabel)

        self.verticalSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.mainLayout.addItem(self.verticalSpacer)

        self.buttonBox = QDialogButtonBox(FirstRunDialog)
        self.buttonBox.setObjectName(u"buttonBox")
        self.buttonBox.setStandardButtons(QDialogButtonBox.StandardButton.Cancel|QDialogButtonBox.StandardButton.Ok)

        self.mainLayout.addWidget(self.buttonBox)

#if QT_CONFIG(shortcut)
        self.prefectureLabel.setBuddy(self.prefectureCombo)
        self.countyLabel.setBuddy(self.countyCombo)
#endif // QT_CONFIG(shortcut)
        QWidget.setTabOrder(self.countyRadio, self.prefectureRadio)
        QWidget.setTabOrder(self.prefectureRadio, self.provinceRadio)
        QWidget.setTabOrder(self.provinceRadio, self.prefectureCombo)
        QWidget.setTabOrder(self.prefectureCombo, self.countyCombo)

        self.retranslateUi(FirstRunDialog)

        QMetaObject.connectSlotsByName(FirstRunDialog)
    # setupUi

    def retranslateUi(self, FirstRunDialog):
        FirstRunDialog.setWindowTitle(QCoreApplication.translate("FirstRunDialog", u"\u6b22\u8fce\u4f7f\u7528 JLIP Desk", None))
        self.introLabel.setText(QCoreApplication.translate("FirstRunDialog", u"<h3>\u9996\u6b21\u4f7f\u7528:\u8bf7\u9009\u62e9\u672c\u673a\u6240\u5c5e\u5355\u4f4d</h3><p>\u5355\u4f4d\u51b3\u5b9a\u672c\u673a\u53ef\u4ee5\u586b\u62a5\u548c\u4fee\u6539\u54ea\u4e9b\u6570\u636e\u3002\u53bf\u7ea7\u5355\u4f4d\u586b\u62a5\u672c\u53bf\u7684\u5de5\u4f5c\u7ad9\u3001\u670d\u52a1\u7f51\u70b9\u548c\u5e74\u5ea6\u6307\u6807;\u5e02(\u5dde)\u548c\u7701\u7ea7\u5355\u4f4d\u6c47\u603b\u3001\u5ba1\u6838\u4e0b\u7ea7\u62a5\u9001\u7684\u6570\u636e\u3002</p>", None))
        self.modeGroup.setTitle(QCoreApplication.translate("FirstRunDialog", u"\u4f7f\u7528\u65b9\u5f0f", None))
        self.countyRadio.setText(QCoreApplication.translate("FirstRunDialog", u"\u53bf(\u5e02\u3001\u533a)\u586b\u62a5", None))
        self.prefectureRadio.setText(QCoreApplication.translate("FirstRunDialog", u"\u5e02(\u5dde)\u6c47\u603b", None))
        self.provinceRadio.setText(QCoreApplication.translate("FirstRunDialog", u"\u7701\u7ea7\u6c47\u603b(\u5409\u6797\u7701\u77e5\u8bc6\u4ea7\u6743\u5c40)", None))
        self.prefectureLabel.setText(QCoreApplication.translate("FirstRunDialog", u"\u5e02(\u5dde):", None))
        self.countyLabel.setText(QCoreApplication.translate("FirstRunDialog", u"\u53bf(\u5e02\u3001\u533a):", None))
    # retranslateUi

