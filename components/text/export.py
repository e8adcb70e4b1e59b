"""Text of the table exports (CSV and Excel) shared by every page."""

TEXT = {
    "export.xlsx": {"zh": "下载 Excel", "en": "Download Excel"},
    "export.filters.sheet": {"zh": "筛选条件", "en": "Filters"},
    "export.filters.item": {"zh": "项目", "en": "Item"},
    "export.filters.value": {"zh": "取值", "en": "Value"},
    "export.filters.place": {"zh": "范围", "en": "Scope"},
    "export.filters.period": {"zh": "时段", "en": "Period"},
    "export.filters.role": {"zh": "账号权限", "en": "Account limited to"},
    "export.filters.as_of": {"zh": "数据截至", "en": "Data as of"},
    "export.filters.exported": {"zh": "导出时间", "en": "Exported at"},
    "export.filters.rows": {"zh": "行数", "en": "Rows"},
    "export.filters.table": {"zh": "表格", "en": "Table"},
    "export.filters.source": {"zh": "来源文件", "en": "Source file"},
    "export.data.sheet": {"zh": "数据", "en": "Data"},
    # a share or ratio in a download is a fraction (docs/exports.md): its header says so
    "export.fraction": {"zh": "{header}（比例，1 = 100%）", "en": "{header} (fraction, 1 = 100%)"},
}
