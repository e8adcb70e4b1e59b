"""Code sets of the domain: the values a column may hold, in the order the UI shows them.

These are stored in the database as the Chinese terms the offices use; the
English names live in the UI catalogue (``components/i18n.py``). The 18 project
indicators and 10 evaluation dimensions are data rows, not listed here.
"""

from __future__ import annotations

PROJECT_STAGES = ["申报", "立项", "实施", "验收", "完成"]
PROJECT_STATUSES = PROJECT_STAGES + ["暂停"]
PROJECT_COMPLETED = "完成"

REQUEST_CHANNEL_PLATFORM = "平安码上办"
REQUEST_CHANNEL_STATION = "智慧平安服务站"
REQUEST_CHANNEL_VISIT = "居民谈心"
REQUEST_CHANNELS = [REQUEST_CHANNEL_PLATFORM, REQUEST_CHANNEL_STATION, REQUEST_CHANNEL_VISIT]

#: The six named in the article, then two marked as assumed in the sample data.
REQUEST_CATEGORIES = ["信访投诉", "纠纷化解", "法律服务", "治安联防", "心理咨询", "隐患上报", "物业管理", "市容环境"]

#: received -> accepted -> in progress -> resolved -> closed, plus returned or escalated.
REQUEST_STATUSES = ["待受理", "已受理", "办理中", "已办结", "已关闭", "已退回", "已上报"]
REQUEST_RETURNED = "已退回"
REQUEST_ESCALATED = "已上报"
#: A request counts as resolved once it has a resolution time (已办结 or 已关闭).
REQUEST_OPEN_STATUSES = ["待受理", "已受理", "办理中", "已上报"]

WISH_STATUSES = ["已发布", "已认领", "已实现"]
WISH_CLAIMER_KINDS = ["党员", "网格员", "志愿者", "爱心商家"]

PARTNER_KINDS = ["企事业单位", "社区社会组织", "物业服务企业", "爱心商家"]
#: "units and social organisations taking part" (992) excludes caring merchants (981, counted apart).
PARTNER_UNIT_KINDS = ["企事业单位", "社区社会组织", "物业服务企业"]
PARTNER_MERCHANT_KIND = "爱心商家"
PARTNER_SOCIAL_ORG_KIND = "社区社会组织"

EVENT_JOINT_MEETING = "联席会"
EVENT_COUNCIL_SESSION = "议事会"
EVENT_CONVENIENCE_SERVICE = "便民服务"
EVENT_VOLUNTEER_SERVICE = "志愿服务"
EVENT_EDUCATION = "教育活动"
EVENT_KINDS = [
    EVENT_JOINT_MEETING,
    EVENT_COUNCIL_SESSION,
    EVENT_CONVENIENCE_SERVICE,
    EVENT_VOLUNTEER_SERVICE,
    EVENT_EDUCATION,
]

CATALOGUE_RESOURCE = "resource"
CATALOGUE_SERVICE = "service"

FUND_IN = "in"
FUND_OUT = "out"

SAFETY_MEASURES = ["criminal_alerts", "neighbour_disputes", "property_disputes"]
