"""Messages of the boundary import (data_access/boundaries.py): Chinese first, English by the same switch."""

TEXT = {
    "boundaries.feature": {"zh": "第 {index} 个要素", "en": "feature {index}"},
    "boundaries.feature_code": {"zh": "第 {index} 个要素（社区编码 {code}）", "en": "feature {index} (code {code!r})"},
    "boundaries.not_collection": {"zh": "不是 GeoJSON FeatureCollection", "en": "not a GeoJSON FeatureCollection"},
    "boundaries.no_features": {"zh": "FeatureCollection 中没有要素列表（features）",
                               "en": "the FeatureCollection has no list of features"},
    "boundaries.no_code": {"zh": "{label}：缺少属性 code（12 位社区编码）", "en": "{label}: no property 'code'"},
    "boundaries.unknown_code": {"zh": "{label}：不是已有的社区编码", "en": "{label}: unknown community code"},
    "boundaries.duplicate": {"zh": "{label}：与第 {other} 个要素重复", "en": "{label}: duplicate of feature {other}"},
    "boundaries.unreadable": {"zh": "{label}：几何无法读取（{error}）", "en": "{label}: unreadable geometry ({error})"},
    "boundaries.not_polygon": {"zh": "{label}：几何类型为 {kind}，应为 Polygon 或 MultiPolygon",
                               "en": "{label}: geometry is {kind}, not Polygon or MultiPolygon"},
    "boundaries.empty": {"zh": "{label}：几何为空", "en": "{label}: empty geometry"},
    "boundaries.invalid": {"zh": "{label}：几何无效（{why}）", "en": "{label}: invalid geometry ({why})"},
    "boundaries.not_wgs84": {"zh": "{label}：坐标不是龙岗区范围内的 WGS-84 经纬度（可能是投影坐标）",
                             "en": "{label}: coordinates are not WGS-84 longitude/latitude in Longgang"},
    "boundaries.missing": {"zh": "缺少 {n} 个社区：{shown}", "en": "{n} communities missing: {shown}"},
    "boundaries.more": {"zh": " 等另 {n} 个", "en": " and {n} more"},
    "boundaries.overlap": {
        "zh": "{first}与{second}重叠，重叠面积占较小者的 {share:.0%}（容差 {tolerance:.0%}）",
        "en": "{first} and {second} overlap by {share:.0%} of the smaller one (tolerance {tolerance:.0%})"},
    "boundaries.more_overlaps": {"zh": "另有 {n} 对社区重叠", "en": "{n} more pairs of communities overlap"},
    "boundaries.coverage": {
        "zh": "所有社区合起来只覆盖区界的 {share:.0%}（应至少覆盖 {need:.0%}）：形状可能缩小、重复或缺失",
        "en": "the communities together cover only {share:.0%} of the district outline (at least {need:.0%} "
              "expected): shapes shrunk, repeated or missing"},
    "boundaries.point_outside": {
        "zh": "{label}：{name}的位置点不在该形状内（形状可能与别的社区对调了）",
        "en": "{label}: the point of {name} lies outside its shape (shapes swapped with another community?)"},
    "boundaries.gcj02": {
        "zh": "整体偏移约 {metres} 米，与 GCJ-02（火星坐标，高德、腾讯等地图使用）一致："
              "请加 --from-gcj02 把坐标转换为 WGS-84 后再导入",
        "en": "everything is offset by about {metres} m, as GCJ-02 (the datum of Chinese web maps) is: "
              "add --from-gcj02 to convert the coordinates to WGS-84"},
    "boundaries.cannot_read": {"zh": "无法读取 {path}：{error}", "en": "cannot read {path}: {error}"},
    "boundaries.encoding": {"zh": "无法识别 {path} 的文字编码：请另存为 UTF-8（或 GBK）编码的 GeoJSON",
                            "en": "cannot tell the text encoding of {path}: save it as UTF-8 (or GBK) GeoJSON"},
    "boundaries.not_json": {"zh": "{path} 不是有效的 JSON（第 {line} 行：{error}）",
                            "en": "{path} is not valid JSON (line {line}: {error})"},
    "boundaries.rejected": {"zh": "未导入 {path}，当前使用的形状不变：",
                            "en": "Rejected {path}; the shapes in use are unchanged:"},
    "boundaries.loaded": {"zh": "已导入 {communities} 个社区和 {streets} 个街道的边界，保存在 {folder}",
                          "en": "Loaded {communities} communities and {streets} streets into {folder}"},
    "boundaries.converted": {"zh": "已把坐标从 GCJ-02 转换为 WGS-84",
                             "en": "Coordinates converted from GCJ-02 to WGS-84"},
}
