# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'main_window.ui'
##
## Created by: Qt User Interface Compiler version 6.11.3
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import QCoreApplication, QMetaObject, QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QListView, QMenu, QMenuBar, QSplitter, QStackedWidget, QStatusBar, QToolBar, QWidget

class Ui_MainWindow(object):
    def setupUi(self, MainWindow):
        if not MainWindow.objectName():
            MainWindow.setObjectName(u"MainWindow")
        MainWindow.resize(1280, 720)
        MainWindow.setMinimumSize(QSize(760, 480))
        self.actionGuide = QAction(MainWindow)
        self.actionGuide.setObjectName(u"actionGuide")
        self.actionShortcuts = QAction(MainWindow)
        self.actionShortcuts.setObjectName(u"actionShortcuts")
        self.actionQuit = QAction(MainWindow)
        self.actionQuit.setObjectName(u"actionQuit")
        self.actionCheckStore = QAction(MainWindow)
        self.actionCheckStore.setObjectName(u"actionCheckStore")
        self.actionBackup = QAction(MainWindow)
        self.actionBackup.setObjectName(u"actionBackup")
        self.actionRestore = QAction(MainWindow)
        self.actionRestore.setObjectName(u"actionRestore")
        self.actionOpenDataFolder = QAction(MainWindow)
        self.actionOpenDataFolder.setObjectName(u"actionOpenDataFolder")
        self.actionAbout = QAction(MainWindow)
        self.actionAbout.setObjectName(u"actionAbout")
        self.centralWidget = QWidget(MainWindow)
        self.centralWidget.setObjectName(u"centralWidget")
        self.centralLayout = QHBoxLayout(self.centralWidget)
        self.centralLayout.setObjectName(u"centralLayout")
        self.centralLayout.setContentsMargins(0, 0, 0, 0)
        self.splitter = QSplitter(self.centralWidget)
        self.splitter.setObjectName(u"splitter")
        self.splitter.setChildrenCollapsible(False)
        self.navView = QListView(self.splitter)
        self.navView.setObjectName(u"navView")
        self.navView.setMinimumSize(QSize(140, 0))
        self.navView.setMaximumSize(QSize(260, 16777215))
        self.navView.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.splitter.addWidget(self.navView)
        self.pages = QStackedWidget(self.splitter)
        self.pages.setObjectName(u"pages")
        self.splitter.addWidget(self.pages)

        self.centralLayout.addWidget(self.splitter)

        MainWindow.setCentralWidget(self.centralWidget)
        self.menuBar = QMenuBar(MainWindow)
        self.menuBar.setObjectName(u"menuBar")
        self.fileMenu = QMenu(self.menuBar)
        self.fileMenu.setObjectName(u"fileMenu")
        self.editMenu = QMenu(self.menuBar)
        self.editMenu.setObjectName(u"editMenu")
        self.helpMenu = QMenu(self.menuBar)
        self.helpMenu.setObjectName(u"helpMenu")
        MainWindow.setMenuBar(self.menuBar)
        self.editToolBar = QToolBar(MainWindow)
        self.editToolBar.setObjectName(u"editToolBar")
        self.editToolBar.setMovable(False)
        self.editToolBar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        MainWindow.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.editToolBar)
        self.statusBar = QStatusBar(MainWindow)
        self.statusBar.setObjectName(u"statusBar")
        MainWindow.setStatusBar(self.statusBar)

        self.menuBar.addAction(self.fileMenu.menuAction())
        self.menuBar.addAction(self.editMenu.menuAction())
        self.menuBar.addAction(self.helpMenu.menuAction())
        self.fileMenu.addAction(self.actionCheckStore)
        self.fileMenu.addAction(self.actionBackup)
        self.fileMenu.addAction(self.actionRestore)
        self.fileMenu.addSeparator()
        self.fileMenu.addAction(self.actionQuit)
        self.helpMenu.addAction(self.actionGuide)
        self.helpMenu.addAction(self.actionShortcuts)
        self.helpMenu.addSeparator()
        self.helpMenu.addAction(self.actionOpenDataFolder)
        self.helpMenu.addAction(self.actionAbout)
        self.editToolBar.addAction(self.actionGuide)

        self.retranslateUi(MainWindow)

        QMetaObject.connectSlotsByName(MainWindow)
    # setupUi

    def retranslateUi(self, MainWindow):
        MainWindow.setWindowTitle(QCoreApplication.translate("MainWindow", u"JLIP Desk", None))
        self.actionGuide.setText(QCoreApplication.translate("MainWindow", u"\u4f7f\u7528\u6307\u5357(&G)", None))
#if QT_CONFIG(shortcut)
        self.actionGuide.setShortcut(QCoreApplication.translate("MainWindow", u"F1", None))
#endif // QT_CONFIG(shortcut)
        self.actionShortcuts.setText(QCoreApplication.translate("MainWindow", u"\u5feb\u6377\u952e(&K)", None))
        self.actionQuit.setText(QCoreApplication.translate("MainWindow", u"\u9000\u51fa(&X)", None))
#if QT_CONFIG(shortcut)
        self.actionQuit.setShortcut(QCoreApplication.translate("MainWindow", u"Ctrl+Q", None))
#endif // QT_CONFIG(shortcut)
        self.actionCheckStore.setText(QCoreApplication.translate("MainWindow", u"\u68c0\u67e5\u6570\u636e\u5b8c\u6574\u6027(&C)", None))
        self.actionBackup.setText(QCoreApplication.translate("MainWindow", u"\u7acb\u5373\u5907\u4efd\u6570\u636e(&B)", None))
        self.actionRestore.setText(QCoreApplication.translate("MainWindow", u"\u4ece\u5907\u4efd\u6062\u590d(&R)\u2026", None))
        self.actionOpenDataFolder.setText(QCoreApplication.translate("MainWindow", u"\u6253\u5f00\u6570\u636e\u6587\u4ef6\u5939(&D)", None))
        self.actionAbout.setText(QCoreApplication.translate("MainWindow", u"\u5173\u4e8e JLIP Desk(&A)", None))
        self.fileMenu.setTitle(QCoreApplication.translate("MainWindow", u"\u6587\u4ef6(&F)", None))
        self.editMenu.setTitle(QCoreApplication.translate("MainWindow", u"\u7f16\u8f91(&E)", None))
        self.helpMenu.setTitle(QCoreApplication.translate("MainWindow", u"\u5e2e\u52a9(&H)", None))
        self.editToolBar.setWindowTitle(QCoreApplication.translate("MainWindow", u"\u7f16\u8f91\u5de5\u5177\u680f", None))
    # retranslateUi

