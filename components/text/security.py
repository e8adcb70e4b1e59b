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
}
