"""Text of the data page (import), the login form and the page-error message."""

TEXT: dict[str, dict[str, str]] = {
    "nav.data": {"zh": "数据管理", "en": "Data"},
    "data.title": {"zh": "数据管理", "en": "Data management"},
    "data.intro": {
        "zh": "下载模板、填写后上传 CSV（UTF-8 或 GBK）或 Excel（.xlsx）文件。文件先整体校验，"
        "无误后在一个事务中写入：要么全部导入，要么一行也不写入。按记录编码匹配，重复导入同一文件不会产生重复数据。",
        "en": "Download a template, fill it in and upload a CSV (UTF-8 or GBK) or Excel (.xlsx) file. The whole "
        "file is checked first and then written in one transaction: every row lands or none does. Rows are matched "
        "on their key, so importing the same file again changes nothing.",
    },
    "data.area": {"zh": "导入类别", "en": "What to import"},
    "data.template": {"zh": "下载模板（XLSX）", "en": "Download template (XLSX)"},
    "data.columns": {"zh": "列说明", "en": "Columns"},
    "data.col.header": {"zh": "中文列名", "en": "Chinese header"},
    "data.col.name": {"zh": "英文列名", "en": "English header"},
    "data.col.kind": {"zh": "类型", "en": "Type"},
    "data.col.required": {"zh": "必填", "en": "Required"},
    "data.col.rule": {"zh": "允许的值 / 引用", "en": "Allowed values / reference"},
    "data.col.key": {"zh": "匹配键", "en": "Match key"},
    "data.yes": {"zh": "是", "en": "Yes"},
    "data.file": {"zh": "选择文件", "en": "File"},
    "data.max_size": {"zh": "文件大小上限 {mb} MB。", "en": "Files up to {mb} MB."},
    "data.dry_run": {"zh": "仅校验（试运行）", "en": "Check only (dry run)"},
    "data.import": {"zh": "校验并导入", "en": "Check and import"},
    "data.need_file": {"zh": "请先选择要导入的文件。", "en": "Choose a file first."},
    "data.refused": {"zh": "未导入：{reason}", "en": "Not imported: {reason}"},
    "data.ok": {
        "zh": "导入成功：共 {rows} 行，新增 {inserted} 行，更新 {updated} 行，未变 {unchanged} 行。各页面已刷新。",
        "en": "Imported {rows} rows: {inserted} new, {updated} updated, {unchanged} unchanged. Every page now "
        "shows them.",
    },
    "data.alerts.evaluated": {
        "zh": "预警已按新数据重新评估：新增 {opened} 条，更新 {updated} 条，关闭 {closed} 条。",
        "en": "Alerts evaluated on the new data: {opened} new, {updated} updated, {closed} closed.",
    },
    "data.alerts.rules_error": {
        "zh": "数据已导入，但预警规则有误，未能评估：{error}",
        "en": "The data was imported, but the alert rules have errors and were not evaluated: {error}",
    },
    "data.dry_ok": {
        "zh": "校验通过（试运行，未写入）：共 {rows} 行，"
        "将新增 {inserted} 行，更新 {updated} 行，未变 {unchanged} 行。",
        "en": "Check passed (dry run, nothing written): {rows} rows; {inserted} would be new, {updated} updated, "
        "{unchanged} unchanged.",
    },
    "data.problems": {
        "zh": "发现 {count} 个问题，未写入任何数据。请修改后重新上传。",
        "en": "{count} problems found; nothing was written. Fix them and upload again.",
    },
    "data.report": {"zh": "问题清单", "en": "Problems"},
    "data.report.row": {"zh": "行", "en": "Row"},
    "data.report.column": {"zh": "列", "en": "Column"},
    "data.report.value": {"zh": "值", "en": "Value"},
    "data.report.reason": {"zh": "问题", "en": "Problem"},
    "data.notes": {"zh": "文件读取说明", "en": "How the file was read"},
    # the importer's notes (data_access.importer.Note keys); the Chinese equals the importer's own text
    "data.note.sheet": {"zh": "读取工作表“{sheet}”（按列名识别数据所在的工作表）",
                        "en": "Read the sheet “{sheet}” (the data sheet is found by its column headers)"},
    "data.note.header_row": {"zh": "第 {row} 行为表头（跳过上方 {skipped} 行标题或空行）",
                             "en": "Row {row} is the header ({skipped} title or blank rows above it skipped)"},
    "data.note.ignored_columns": {"zh": "忽略 {count} 个本类别没有的列（不导入）：{columns}",
                                  "en": "Columns this area does not have, ignored (not imported), {count}: {columns}"},
    "data.note.footer": {"zh": "忽略表格下方的 {rows} 行说明或合计（如 制表人、填报日期、合计）",
                         "en": "Rows of notes or totals below the table ignored (such as 制表人, 填报日期, 合计): "
                         "{rows}"},
    "data.note.normalised": {"zh": "已规范化（全角字符、中文日期、千位分隔符）：{counts}",
                             "en": "Normalised (full-width characters, Chinese dates, thousands separators): "
                             "{counts}"},
    "data.note.merged": {"zh": "合并单元格已按合并区域的值填充：{counts}",
                         "en": "Merged cells filled with the value of their merged range: {counts}"},
    "data.note.masked_kept": {"zh": "{cells} 个脱敏的单元格（含 *，如下载的列表）保留数据库中原有的值",
                              "en": "Masked cells (with *, as in a downloaded list) keeping the stored values: "
                              "{cells}"},
    "data.note.count": {"zh": "{column} {n} 格", "en": "{column} ({n})"},
    "data.not_allowed": {
        "zh": "只有区级账号可以导入数据。",
        "en": "Only the district office can import data.",
    },
    # login
    "login.title": {"zh": "登录", "en": "Log in"},
    "login.user": {"zh": "用户名", "en": "User name"},
    "login.password": {"zh": "密码", "en": "Password"},
    "login.submit": {"zh": "登录", "en": "Log in"},
    "login.failed": {"zh": "用户名或密码不正确。", "en": "Wrong user name or password."},
    "login.too_many": {
        "zh": "登录失败次数过多，请稍后再试。",
        "en": "Too many failed attempts; please try again later.",
    },
    "login.bad_file": {
        "zh": "用户配置文件有误，暂时无法登录，请联系管理员。",
        "en": "The users file is broken; nobody can log in until an administrator fixes it.",
    },
    "login.signed_in": {"zh": "已登录：{user}（{role}）", "en": "Logged in: {user} ({role})"},
    "login.logout": {"zh": "退出登录", "en": "Log out"},
    "login.demo": {"zh": "演示数据", "en": "Demo data"},
    "login.entry_only": {
        "zh": "请从看板首页进入并登录后查看此页。",
        "en": "Please open the dashboard from its home page and log in to see this page.",
    },
    "login.go_home": {"zh": "前往首页", "en": "Go to the home page"},
    "role.district": {"zh": "区级", "en": "district"},
    "role.street": {"zh": "街道：{street}", "en": "street {street}"},
    "role.presenter": {"zh": "演示（只读）", "en": "presenter (read-only)"},
    # errors while a page runs
    "error.page": {
        "zh": "页面加载出错，请稍后重试。（{detail}）",
        "en": "This page could not be shown. Please try again. ({detail})",
    },
}
