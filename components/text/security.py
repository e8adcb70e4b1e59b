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
    "security.password_changed": {
        "zh": "您的密码已被修改，请使用新密码重新登录。",
        "en": "Your password was changed; please log in with the new one.",
    },
    # passwords: the policy and the change form (data_access/auth.py)
    "password.problem.too_short": {"zh": "密码至少需要 {min} 个字符。",
                                   "en": "The password needs at least {min} characters."},
    "password.problem.too_long": {"zh": "密码最多 {max} 个字符。",
                                  "en": "The password may have at most {max} characters."},
    "password.problem.classes": {
        "zh": "密码需包含大写字母、小写字母、数字、符号四类中的至少三类。",
        "en": "The password needs at least three of: upper-case letters, lower-case letters, digits, symbols.",
    },
    "password.problem.user_name": {
        "zh": "密码不能是用户名，也不能包含用户名。",
        "en": "The password may not be or contain the user name.",
    },
    "password.problem.common": {
        "zh": "该密码属于常见密码，容易被猜中，请换一个。",
        "en": "This is a common password, easily guessed; please choose another.",
    },
    "password.rules": {
        "zh": "新密码要求：至少 {min} 个字符；包含大写字母、小写字母、数字、符号中的至少三类；"
              "不含用户名；不是常见密码。",
        "en": "A new password needs at least {min} characters, three of upper-case, lower-case, digits and symbols, "
              "not the user name, and not a common password.",
    },
    "password.change": {"zh": "修改密码", "en": "Change password"},
    "password.current": {"zh": "当前密码", "en": "Current password"},
    "password.new": {"zh": "新密码", "en": "New password"},
    "password.repeat": {"zh": "再次输入新密码", "en": "Repeat the new password"},
    "password.submit": {"zh": "确认修改", "en": "Change"},
    "password.changed": {"zh": "密码已修改。", "en": "Password changed."},
    "password.wrong_current": {"zh": "当前密码不正确。", "en": "The current password is wrong."},
    "password.mismatch": {"zh": "两次输入的新密码不一致。", "en": "The two new passwords differ."},
    "password.same": {"zh": "新密码不能与当前密码相同。", "en": "The new password must differ from the current one."},
    "password.expired": {
        "zh": "您的密码已超过 {days} 天未修改，已经过期。请设置新密码后继续。",
        "en": "Your password is more than {days} days old and has expired. Set a new one to continue.",
    },
    "password.cancel": {"zh": "返回登录", "en": "Back to login"},
    # the audit log page
    "nav.audit": {"zh": "审计日志", "en": "Audit log"},
    "audit.title": {"zh": "审计日志", "en": "Audit log"},
    "audit.intro": {
        "zh": "登录、退出、超时、导出下载、查看诉求详情、数据导入、轮播与预警规则编辑、督办变更及用户管理的记录，"
              "逐条哈希链接，任何改动或删除都会被发现。",
        "en": "Logins, logouts, timeouts, exports and downloads, views of a request's details, imports, show and alert "
              "rule edits, follow-up changes and user administration, each record hash-linked to the one before, so "
              "that any change or deletion is detected.",
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
    "audit.action.password_change": {"zh": "修改密码", "en": "Password change"},
    "audit.action.user_add": {"zh": "添加用户", "en": "User added"},
    "audit.action.user_remove": {"zh": "删除用户", "en": "User removed"},
    "audit.action.user_unlock": {"zh": "解除锁定", "en": "Account unlocked"},
    "audit.action.show_edit": {"zh": "轮播编辑", "en": "Show edited"},
    "audit.action.alert_rule_edit": {"zh": "预警规则编辑", "en": "Alert rule edited"},
    "audit.action.followup_change": {"zh": "督办变更", "en": "Follow-up changed"},
    "audit.action.archive": {"zh": "日志归档", "en": "Log archived"},
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
