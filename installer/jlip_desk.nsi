; JLIP Desk: a per-user Windows installer that needs no administrator rights.
;
; Built by installer/build.py, which passes the defines below, e.g.
;   makensis -DVERSION=0.1.0 -DVERSION_WIN=0.1.0.0 -DSOURCE_DIR=dist\jlip-desk
;            -DOUTFILE=dist\JLIP-Desk-0.1.0-setup.exe -DICON=resources\icons\jlip_desk.ico
;            installer\jlip_desk.nsi
;
; Rules this script keeps (installer/README.md explains them):
; - It installs to $LOCALAPPDATA\Programs\JLIP Desk and writes only to HKCU.
; - An upgrade installs over the previous version in place: it closes a running copy
;   (politely, then asks), removes the old program files and copies the new ones.
; - The user's data lives in %APPDATA%\JLIP\JLIP Desk. Neither the installer nor the
;   uninstaller ever deletes anything there; the uninstaller says so.
; - Files are removed by name or from the program's own _internal folder, never with a
;   recursive delete of $INSTDIR, so a badly chosen install folder cannot cost data.

Unicode true
ManifestDPIAware true
SetCompressor /SOLID lzma
SetCompressorDictSize 64
RequestExecutionLevel user

!ifndef VERSION
  !error "Pass -DVERSION=x.y.z (installer/build.py does)"
!endif
!ifndef VERSION_WIN
  !error "Pass -DVERSION_WIN=x.y.z.w, four numbers (installer/build.py does)"
!endif
!ifndef SOURCE_DIR
  !error "Pass -DSOURCE_DIR=<the PyInstaller one-folder bundle> (installer/build.py does)"
!endif
!ifndef OUTFILE
  !define OUTFILE "JLIP-Desk-${VERSION}-setup.exe"
!endif

!define APP_NAME "JLIP Desk"
!define APP_EXE "jlip-desk.exe"
; The console program beside it (same _internal folder): the command line on Windows.
!define CLI_EXE "jlip-desk-cli.exe"
!define PUBLISHER "JLIP"
!define UNINSTALLER "uninstall.exe"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\JLIP Desk"
; Where the app keeps its data (jlip_desk/paths.py). Only ever shown, never written.
!define DATA_DIR "$APPDATA\JLIP\JLIP Desk"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"

Name "${APP_NAME} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APP_NAME}"
InstallDirRegKey HKCU "${UNINST_KEY}" "InstallLocation"
ShowInstDetails show
ShowUninstDetails show
BrandingText "${APP_NAME} ${VERSION}"

VIProductVersion "${VERSION_WIN}"
VIFileVersion "${VERSION_WIN}"
VIAddVersionKey /LANG=0 "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileDescription" "${APP_NAME} Setup"
VIAddVersionKey /LANG=0 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=0 "LegalCopyright" "Proprietary"

!ifdef ICON
  !define MUI_ICON "${ICON}"
  !define MUI_UNICON "${ICON}"
!endif
!define MUI_ABORTWARNING

!define MUI_FINISHPAGE_RUN "$INSTDIR\${APP_EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "$(RunApp)"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!define MUI_UNCONFIRMPAGE_TEXT_TOP "$(KeepDataNotice)"
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

; The first language is the default; Windows picks English on an English system.
!insertmacro MUI_LANGUAGE "SimpChinese"
!insertmacro MUI_LANGUAGE "English"

LangString RunApp ${LANG_SIMPCHINESE} "运行 ${APP_NAME}"
LangString RunApp ${LANG_ENGLISH} "Run ${APP_NAME}"
LangString SecProgram ${LANG_SIMPCHINESE} "${APP_NAME} 程序"
LangString SecProgram ${LANG_ENGLISH} "${APP_NAME} program"
LangString SecDesktop ${LANG_SIMPCHINESE} "桌面快捷方式"
LangString SecDesktop ${LANG_ENGLISH} "Desktop shortcut"
LangString StillRunning ${LANG_SIMPCHINESE} "${APP_NAME} 正在运行。请先保存工作并关闭它,然后点击“重试”。$\r$\n点击“取消”退出。"
LangString StillRunning ${LANG_ENGLISH} "${APP_NAME} is still running. Please save your work and close it, then click Retry.$\r$\nClick Cancel to quit."
LangString Upgrading ${LANG_SIMPCHINESE} "正在将 ${APP_NAME} $0 升级到 ${VERSION};数据文件夹不受影响:"
LangString Upgrading ${LANG_ENGLISH} "Upgrading ${APP_NAME} $0 to ${VERSION}; the data folder is not touched:"
LangString KeepDataNotice ${LANG_SIMPCHINESE} "将卸载 ${APP_NAME} 程序文件。您的数据(数据库、备份、日志)保留在 ${DATA_DIR},不会被删除;如确实不再需要,可手动删除该文件夹。"
LangString KeepDataNotice ${LANG_ENGLISH} "This removes the ${APP_NAME} program files. Your data (database, backups, logs) stays in ${DATA_DIR} and is not deleted; remove that folder by hand if you really no longer need it."
LangString KeptData ${LANG_SIMPCHINESE} "数据已保留:"
LangString KeptData ${LANG_ENGLISH} "Data kept in:"
LangString BadInstDir ${LANG_SIMPCHINESE} "不能安装到数据文件夹内,请选择其他文件夹。"
LangString BadInstDir ${LANG_ENGLISH} "The program cannot be installed inside its data folder; please choose another folder."

; --- Closing a running copy ---------------------------------------------------------
;
; A running program keeps its .exe open, so opening it for writing fails: that is how
; both the installer and the uninstaller tell whether JLIP Desk is running. First ask it
; to close the way the window's close button would (taskkill without /F sends WM_CLOSE,
; and only to this user's processes), wait up to ten seconds, then ask the user. In a
; silent run the answer is Cancel and setup exits with an error rather than force-kill.

!macro CLOSE_RUNNING_APP UN
Function ${UN}CloseRunningApp
  Push $0
  Push $1
  Push $2
  IfFileExists "$INSTDIR\${APP_EXE}" 0 done
  StrCpy $2 0
  check:
    ClearErrors
    FileOpen $0 "$INSTDIR\${APP_EXE}" a
    IfErrors locked
    FileClose $0
    Goto done
  locked:
    ${If} $2 == 0
      ReadEnvStr $1 "USERNAME"
      nsExec::Exec 'taskkill /IM "${APP_EXE}" /FI "USERNAME eq $1"'
      Pop $0
    ${EndIf}
    IntOp $2 $2 + 1
    ${If} $2 <= 20
      Sleep 500
      Goto check
    ${EndIf}
    MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "$(StillRunning)" /SD IDCANCEL IDRETRY check
    SetErrorLevel 2
    Quit
  done:
  Pop $2
  Pop $1
  Pop $0
FunctionEnd
!macroend
!insertmacro CLOSE_RUNNING_APP ""
!insertmacro CLOSE_RUNNING_APP "un."

Function .onInit
  ; Same-user guard against two setups at once.
  System::Call 'kernel32::CreateMutex(p 0, i 0, t "JLIPDeskSetupMutex") p .r0 ?e'
  Pop $1
  ${If} $1 == 183  ; ERROR_ALREADY_EXISTS
    Abort
  ${EndIf}
FunctionEnd

; Program files and data must never mix: $0 = 1 when $INSTDIR is %APPDATA%\JLIP or lies
; inside it (where the data folder is), else 0. NSIS drops a trailing backslash from
; $INSTDIR, and == ignores case, as Windows paths do.
Function InstDirInDataTree
  Push $1
  Push $2
  StrCpy $0 0
  StrLen $1 "$APPDATA\JLIP"
  StrCpy $2 "$INSTDIR" $1
  ${If} $2 == "$APPDATA\JLIP"
    StrCpy $2 "$INSTDIR" 1 $1  ; the character after the prefix: none, or a separator
    ${If} $2 == ""
    ${OrIf} $2 == "\"
      StrCpy $0 1
    ${EndIf}
  ${EndIf}
  Pop $2
  Pop $1
FunctionEnd

Function .onVerifyInstDir
  ; The directory page: the Next button stays disabled for a folder in the data tree.
  Call InstDirInDataTree
  ${If} $0 == 1
    Abort
  ${EndIf}
FunctionEnd

Section "!$(SecProgram)" SecMain
  SectionIn RO
  ; Again here, before anything is written: .onVerifyInstDir runs only on the directory
  ; page, so a silent "/S /D=..." into the data folder would otherwise go ahead.
  Call InstDirInDataTree
  ${If} $0 == 1
    MessageBox MB_OK|MB_ICONSTOP "$(BadInstDir)$\r$\n$INSTDIR" /SD IDOK
    SetErrorLevel 2
    Quit
  ${EndIf}
  Call CloseRunningApp

  ReadRegStr $0 HKCU "${UNINST_KEY}" "DisplayVersion"
  ${If} $0 != ""
    DetailPrint "$(Upgrading) ${DATA_DIR}"
  ${EndIf}

  ; Replace the program files only: the old bundle goes as a whole, because a file left
  ; over from the previous version could be picked up by the new one. Only when our own
  ; program is there: another program's _internal folder is none of our business.
  ${If} ${FileExists} "$INSTDIR\${APP_EXE}"
    RMDir /r "$INSTDIR\_internal"
    Delete "$INSTDIR\${APP_EXE}"
    Delete "$INSTDIR\${CLI_EXE}"
  ${EndIf}

  SetOutPath "$INSTDIR"
  File /r "${SOURCE_DIR}\*.*"
  WriteUninstaller "$INSTDIR\${UNINSTALLER}"

  CreateShortcut "$SMPROGRAMS\${APP_NAME}.lnk" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\${APP_EXE}" 0

  WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${APP_EXE},0"
  WriteRegStr HKCU "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" '"$INSTDIR\${UNINSTALLER}"'
  WriteRegStr HKCU "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\${UNINSTALLER}" /S'
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINST_KEY}" "EstimatedSize" "$0"
SectionEnd

Section "$(SecDesktop)" SecDesktop
  CreateShortcut "$DESKTOP\${APP_NAME}.lnk" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\${APP_EXE}" 0
SectionEnd

; --- Uninstaller ------------------------------------------------------------------------

Section "Uninstall"
  Call un.CloseRunningApp

  Delete "$SMPROGRAMS\${APP_NAME}.lnk"
  Delete "$DESKTOP\${APP_NAME}.lnk"

  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${APP_EXE}"
  Delete "$INSTDIR\${CLI_EXE}"
  Delete "$INSTDIR\${UNINSTALLER}"
  ; Not /r: whatever else someone put in the folder stays, and so does the folder.
  RMDir "$INSTDIR"

  DeleteRegKey HKCU "${UNINST_KEY}"

  DetailPrint "$(KeptData) ${DATA_DIR}"
SectionEnd
