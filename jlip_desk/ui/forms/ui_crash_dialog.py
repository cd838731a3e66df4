# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'crash_dialog.ui'
##
## Created by: Qt User Interface Compiler version 6.11.3
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import QCoreApplication, QMetaObject, Qt
from PySide6.QtWidgets import QDialogButtonBox, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QSizePolicy, QSpacerItem, QVBoxLayout

class Ui_CrashDialog(object):
    def setupUi(self, CrashDialog):
        if not CrashDialog.objectName():
            CrashDialog.setObjectName(u"CrashDialog")
        CrashDialog.resize(560, 380)
        self.mainLayout = QVBoxLayout(CrashDialog)
        self.mainLayout.setObjectName(u"mainLayout")
        self.messageLabel = QLabel(CrashDialog)
        self.messageLabel.setObjectName(u"messageLabel")
        self.messageLabel.setWordWrap(True)

        self.mainLayout.addWidget(self.messageLabel)

        self.logPathLabel = QLabel(CrashDialog)
        self.logPathLabel.setObjectName(u"logPathLabel")
        self.logPathLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.logPathLabel.setWordWrap(True)

        self.mainLayout.addWidget(self.logPathLabel)

        self.detailsEdit = QPlainTextEdit(CrashDialog)
        self.detailsEdit.setObjectName(u"detailsEdit")
        self.detailsEdit.setReadOnly(True)

        self.mainLayout.addWidget(self.detailsEdit)

        self.buttonLayout = QHBoxLayout()
        self.buttonLayout.setObjectName(u"buttonLayout")
        self.copyButton = QPushButton(CrashDialog)
        self.copyButton.setObjectName(u"copyButton")

        self.buttonLayout.addWidget(self.copyButton)

        self.openFolderButton = QPushButton(CrashDialog)
        self.openFolderButton.setObjectName(u"openFolderButton")

        self.buttonLayout.addWidget(self.openFolderButton)

        self.horizontalSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.buttonLayout.addItem(self.horizontalSpacer)

        self.buttonBox = QDialogButtonBox(CrashDialog)
        self.buttonBox.setObjectName(u"buttonBox")
        self.buttonBox.setStandardButtons(QDialogButtonBox.StandardButton.Close)

        self.buttonLayout.addWidget(self.buttonBox)


        self.mainLayout.addLayout(self.buttonLayout)


        self.retranslateUi(CrashDialog)

        QMetaObject.connectSlotsByName(CrashDialog)
    # setupUi

    def retranslateUi(self, CrashDialog):
        CrashDialog.setWindowTitle(QCoreApplication.translate("CrashDialog", u"\u7a0b\u5e8f\u51fa\u73b0\u9519\u8bef", None))
        self.messageLabel.setText(QCoreApplication.translate("CrashDialog", u"<h3>\u5f88\u62b1\u6b49,\u7a0b\u5e8f\u51fa\u73b0\u4e86\u610f\u5916\u9519\u8bef\u3002</h3><p>\u5df2\u7ecf\u4fdd\u5b58\u7684\u6570\u636e\u4e0d\u4f1a\u4e22\u5931:\u6bcf\u6b21\u4fee\u6539\u5728\u786e\u8ba4\u65f6\u90fd\u5df2\u5199\u5165\u6570\u636e\u5e93\u3002\u8bf7\u628a\u4e0b\u9762\u7684\u65e5\u5fd7\u6587\u4ef6\u53d1\u7ed9\u6280\u672f\u652f\u6301\u4eba\u5458\u3002</p>", None))
        self.copyButton.setText(QCoreApplication.translate("CrashDialog", u"\u590d\u5236\u9519\u8bef\u4fe1\u606f", None))
        self.openFolderButton.setText(QCoreApplication.translate("CrashDialog", u"\u6253\u5f00\u65e5\u5fd7\u6587\u4ef6\u5939", None))
    # retranslateUi

