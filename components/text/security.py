"""Text of security: session end notices, the audit trail and its page."""

TEXT: dict[str, dict[str, str]] = {
    "security.timed_out": {
        "zh": "您已超过 {minutes} 分钟未操作，登录已失效，请重新登录。",
        "en": "You were idle for more than {minutes} minutes; please log in again.",
    },
    "security.account_changed": {
        "zh": "您的账号已被停用或角色已变更，请重新登录。",
        "en": "Your account was removed or its role changed; please log in again.",
    },
    "security.audit_failed": {
        "zh": "审计记录写入失败，本次操作未执行。请稍后重试或联系管理员。",
        "en": "The audit record could not be written, so the action was not carried out. Please retry or "
              "contact the administrator.",
    },
    "security.logged_out": {"zh": "您已退出登录。", "en": "You have logged out."},
    # the audit log page
    "nav.audit": {"zh": "审计日志", "en": "Audit log"},
    "audit.title": {"zh": "审计日志", "en": "Audit log"},
    "audit.intro": {
        "zh": "登录、退出、超时、导出下载、查看诉求详情与数据导入的记录，逐条哈希链接，任何改动或删除都会被发现。",
        "en": "Logins, logouts, timeouts, exports and downloads, views of a request's details and imports, each "
              "record hash-linked to the one before, so that any change or deletion is detected.",
    },
    "audit.not_allowed": {"zh": "仅区级用户可查看审计日志。", "en": "Only the district office sees the audit log."},
    "audit.chain_ok": {"zh": "哈希链完整：共 {count} 条记录。", "en": "Hash chain intact: {count} records."},
    "audit.chain_broken": {
        "zh": "哈希链在第 {seq} 条记录处断开（{reason}），请立即报告安全管理员。",
        "en": "The hash chain breaks at record {seq} ({reason}); report it to the security officer now.",
    },
    "audit.filter.user": {"zh": "用户", "en": "User"},
    "audit.filter.action": {"zh": "操作", "en": "Action"},
    "audit.filter.dates": {"zh": "日期", "en": "Dates"},
    "audit.all": {"zh": "全部", "en": "All"},
    "audit.count": {"zh": "共 {count} 条", "en": "{count} records"},
    "audit.action.login": {"zh": "登录", "en": "Login"},
    "audit.action.login_failed": {"zh": "登录失败", "en": "Failed login"},
    "audit.action.logout": {"zh": "退出登录", "en": "Logout"},
    "audit.action.timeout": {"zh": "超时退出", "en": "Timeout"},
    "audit.action.session_ended": {"zh": "账号变更退出", "en": "Account changed"},
    "audit.action.export": {"zh": "导出下载", "en": "Export"},
    "audit.action.view_request": {"zh": "查看诉求详情", "en": "Request viewed"},
    "audit.action.import": {"zh": "数据导入", "en": "Import"},
    "audit.col.seq": {"zh": "序号", "en": "No."},
    "audit.col.at": {"zh": "时间（UTC）", "en": "Time (UTC)"},
    "audit.col.user_name": {"zh": "用户", "en": "User"},
    "audit.col.role": {"zh": "角色", "en": "Role"},
    "audit.col.address": {"zh": "地址", "en": "Address"},
    "audit.col.action": {"zh": "操作", "en": "Action"},
    "audit.col.target": {"zh": "对象", "en": "Target"},
    "audit.col.scope": {"zh": "范围", "en": "Scope"},
    "audit.col.rows": {"zh": "行数", "en": "Rows"},
    "audit.col.file_name": {"zh": "文件名", "en": "File name"},
    "audit.col.detail": {"zh": "说明", "en": "Detail"},
}
