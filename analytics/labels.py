"""What people read, in Chinese and English: the UI text (`t`) and the words for data codes (`vocab`).

UI text lives in one literal dict per section below, merged into `LABELS`; a key is in exactly one
section (tests/test_labels.py fails on a duplicate, a missing or an unused key). The words for the
codes stored in the data (城网/农网, 网上订货…, 省产/省外, 是/否, 一类…五类) live apart in
`VOCABULARIES`: a district, brand or segment named like a label key ("urban", "class_1") is data and
shows as itself, never as a label. Number formats are in analytics/formats.py, colours in
analytics/palettes.py."""
from __future__ import annotations

LANGS = ("zh", "en")

Pair = tuple[str, str]

# --- UI text: key -> (中文, English), one dict per section ---------------------------------------

PAGES: dict[str, Pair] = {
    "app_title": ("卷烟营销分析", "Cigarette sales analytics"),
    "page_overview": ("总览", "Overview"),
    "page_mix": ("价类结构", "Category mix"),
    "page_provincial": ("省产烟", "Provincial share"),
    "page_online": ("网上订货", "Online ordering"),
    "page_low": ("低档烟", "Low tier"),
    "page_districts": ("片区", "Districts"),
    "page_data": ("数据管理", "Data"),
    "nav_company": ("全市", "Company"),
    "nav_admin": ("管理", "Admin"),
    "nav_monitoring": ("零售户监测", "Retail monitoring"),
    # --- #13 managers ---
    "page_managers": ("客户经理", "Customer managers"),
    # --- #14 brands ---
    "page_brands": ("品牌培育", "Brand cultivation"),
}

#: measures and dimensions: KPI names, column headers (the registry in analytics/columns.py), axes
MEASURES: dict[str, Pair] = {
    "volume_cases": ("销量(箱)", "Volume (cases)"),
    "volume": ("销量", "Volume"),
    "yoy": ("同比", "YoY"),
    "yoy_pct": ("同比(%)", "YoY (%)"),
    "change_cases": ("增减(箱)", "Change (cases)"),
    "avg_price": ("条均价", "Avg. price per carton"),
    "case_value": ("单箱值", "Value per case"),
    "provincial_cases": ("省产烟(箱)", "Provincial (cases)"),
    "provincial_share": ("省产烟占比", "Provincial share"),
    "online_rate": ("网订率", "Online ordering rate"),
    "online_customers": ("网订客户数", "Online customers"),
    "customers": ("客户数", "Customers"),
    "ordering_customers": ("订货客户数", "Ordering customers"),
    "online_rate_ordering": ("订货客户网订率", "Online rate among ordering customers"),
    "online_volume_share": ("网订销量占比", "Share of volume ordered online"),
    "low_tier_cases": ("五类烟(箱)", "Class 5 (cases)"),
    "low_tier_share": ("五类烟占比", "Class 5 share"),
    "amount_yuan": ("金额(元)", "Amount (yuan)"),
    "share_pct": ("占比(%)", "Share (%)"),
    "last_year": ("去年同期", "Last year"),
    "indicator": ("指标", "Indicator"),
    "price_class": ("价类", "Price class"),
    "year": ("年份", "Year"),
    "month": ("月份", "Month"),
    "district": ("片区", "District"),
    "area_type": ("城乡分类", "Area type"),
    "business_format": ("业态", "Business format"),
    "customer_tier": ("档位", "Tier"),
    "brand": ("品牌", "Brand"),
    "sku_name": ("规格", "Specification"),
    "sku_id": ("卷烟编码", "SKU code"),
    "manufacturer": ("生产企业", "Manufacturer"),
    "retailer_id": ("许可证号", "Licence no."),
    "retailer_name": ("客户名称", "Retailer"),
    "manager": ("客户经理", "Customer manager"),
    "channel": ("订货方式", "Channel"),
    "is_provincial": ("是否省产", "Provincial"),
    "online_flag": ("已网订", "Orders online"),
    "name": ("名称", "Name"),
    "all_districts": ("全市", "Whole company"),
    "cases": ("销量(箱)", "Volume (cases)"),
    "cases_prev": ("去年同期(箱)", "Last year (cases)"),
    "low_tier_change_cases": ("五类烟增减(箱)", "Class 5 change (cases)"),
    "low_tier_cases_prev": ("去年五类烟(箱)", "Class 5 last year (cases)"),
    "online_cases": ("网订销量(箱)", "Online volume (cases)"),
    "new_online": ("新增网订客户", "Newly online retailers"),
    "avg_price_yoy_pct": ("条均价同比(%)", "Avg. price YoY (%)"),
    "provincial_share_pct": ("省产烟占比(%)", "Provincial share (%)"),
    "provincial_share_change_pp": ("省产烟占比变化(百分点)", "Provincial share change (pp)"),
    "online_rate_pct": ("网订率(%)", "Online rate (%)"),
    "online_rate_change_pp": ("网订率变化(百分点)", "Online rate change (pp)"),
    "online_volume_share_pct": ("网订销量占比(%)", "Online volume share (%)"),
    "volume_yoy_pct": ("销量同比(%)", "Volume YoY (%)"),
    "low_tier_yoy_pct": ("五类烟同比(%)", "Class 5 YoY (%)"),
    "low_tier_share_pct": ("五类烟占比(%)", "Class 5 share (%)"),
    "avg_price_yuan": ("条均价(元/条)", "Avg. price (yuan/carton)"),
    "case_value_yuan": ("单箱值(元/箱)", "Value per case (yuan/case)"),
    "wholesale_price_yuan": ("批发价(元/条)", "Wholesale price (yuan/carton)"),
    "wholesale_price": ("批发价(元/条)", "Wholesale price (yuan/carton)"),
    "customers_n": ("客户数(户)", "Customers (retailers)"),
    "online_customers_n": ("网订客户数(户)", "Online customers (retailers)"),
    "ordering_customers_n": ("订货客户数(户)", "Ordering customers (retailers)"),
    "new_online_n": ("新增网订客户(户)", "Newly online (retailers)"),
    "change_pp": ("个百分点", "pp"),
    "offline": ("电话及走访", "Phone and visits"),
    # --- #13 managers ---
    "all_managers": ("全部客户经理", "All managers"),
    "class12_share_pct": ("一二类烟占比(%)", "Class 1–2 share (%)"),
    # --- #14 common ---
    "no_managers": ("{district}没有客户经理的客户。", "{district} has no retailers with a customer manager."),
}

UNITS: dict[str, Pair] = {
    "unit_cases": ("箱", "cases"),
    "unit_yuan_carton": ("元/条", "yuan/carton"),
    "unit_yuan_case": ("元/箱", "yuan/case"),
    "unit_households": ("户", "retailers"),
}

#: what a page shows when there is nothing to show
STATES: dict[str, Pair] = {
    "no_data": (
        "还没有数据。运行 `python -m analytics demo` 生成演示数据，或在“数据管理”页上传提取文件。",
        "No data yet. Run `python -m analytics demo` for demo data, or upload extracts on the Data page.",
    ),
    "no_match": ("当前筛选条件下没有数据，请放宽筛选。", "Nothing matches the current filters; widen them."),
    "no_prev_year": ("数据中没有{year}年，无法计算同比。", "The data has no {year}, so there is no year-over-year change."),
}

#: chart and table titles, tabs, downloads and the choices above them on the company and district pages
CHARTS: dict[str, Pair] = {
    "tab_chart": ("图表", "Chart"),
    "tab_data": ("数据", "Data"),
    "download_csv": ("下载 CSV", "Download CSV"),
    "download_xlsx": ("下载 Excel", "Download Excel"),
    "not_online": ("尚未网上订货的客户", "Retailers not yet ordering online"),
    "top_provincial": ("省产烟主要品牌", "Top provincial brands"),
    "top_out_of_province": ("省外烟主要品牌", "Top out-of-province brands"),
    "top_specs": ("主要规格", "Top specifications"),
    "top_brands": ("主要品牌", "Top brands"),
    "by_month": ("按月", "By month"),
    "by_year": ("按年", "By year"),
    "by_district": ("按片区", "By district"),
    "by_area": ("按城乡", "By area type"),
    "by_tier": ("按档位", "By tier"),
    "class_table": ("各类烟销售对比", "Sales by price class"),
    "main_indicators": ("主要指标", "Main indicators"),
    "retailers_table": ("零售户明细", "Retailers"),
    "decliners": ("五类烟降幅最大的零售户", "Retailers whose class 5 volume fell most"),
    "district_compare": ("片区对比", "District comparison"),
    "small_multiples": ("各片区走势", "Trends by district"),
    "volume_by_channel": ("按订货方式的销量", "Volume by channel"),
    "written_summary": ("分析文字", "Written summary"),
    "sort_volume": ("按销量", "By volume"),
    "sort_change": ("按降幅", "By largest fall"),
    "sort_yoy": ("按同比", "By YoY"),
    "company_total": ("全市合计", "Company total"),
    "selection_total": ("所选片区合计", "Selected districts total"),
    # a limited scope's total: what the user may see, never the city's (analytics/access.py)
    "scope_total": ("我的片区合计", "My districts total"),
    # --- #13 managers ---
    "manager_compare": ("客户经理对比", "Customer managers compared"),
    "manager_compare_help": ("每位客户经理一行：其客户为零售户档案中客户经理为其本人的零售户。",
                             "One row per customer manager: their customers are the retailers the master assigns to them."),
    "my_customers": ("我的客户", "My customers"),
    "my_customers_n": ("{name}的客户共 {n} 户（零售户档案中客户经理为其本人的零售户）",
                       "{name}'s {n} customers (the retailers the master assigns to them)"),
    # --- #13 fixes: managers ---
    # the written summary's subject for a manager's customers ("2019年，城郊片区客户经理吴婷的客户共销售卷烟…")
    "customers_of_district": ("{district}客户经理{managers}的客户", "the customers of {managers} ({district})"),
    "customers_of": ("客户经理{managers}的客户", "the customers of {managers}"),
    "not_online_n": ("共 {n} 户，按销量从大到小排列", "{n} retailers, biggest volume first"),
    "manager_sorted_gap": ("按销量序时进度差排序，落后最多的在前；点击姓名（新标签页）查看其客户。",
                           "Sorted by the volume gap to time elapsed, most behind first; click a name to open their customers "
                           "(in a new tab)."),
    "manager_sorted_volume": ("按片区、销量排序；点击姓名（新标签页）查看其客户。",
                              "Sorted by district, then volume; click a name to open their customers (in a new tab)."),
}

#: the retailers behind the figures: volume swings and the drill-down to order lines (district pages)
RETAILERS: dict[str, Pair] = {
    "swings": ("销量波动较大的零售户", "Retailers whose volume swings most"),
    "swings_help": (
        "按月销量的变异系数（标准差÷均值，未订货的月份计为 0）排序：值得走访核实，也可能提示代订货。",
        "Ranked by the coefficient of variation of monthly volume (months without orders count as 0): worth a visit, and a hint of "
        "ordering on others' behalf.",
    ),
    "active_months": ("订货月数", "Months ordered"),
    "swing": ("波动系数", "Swing"),
    "min_month_cases": ("最低月销量(箱)", "Lowest month (cases)"),
    "max_month_cases": ("最高月销量(箱)", "Highest month (cases)"),
    "drilldown": ("零售户明细查询", "Retailer drill-down"),
    "drilldown_pick": ("选择零售户", "Retailer"),
    "drilldown_placeholder": ("输入许可证号或名称", "Type a licence number or name"),
    "drilldown_lines": ("{year} 年订单明细 {n} 行", "{n} order lines in {year}"),
    "order_date": ("订货日期", "Order date"),
    "quantity_cartons": ("订货量(条)", "Quantity (cartons)"),
}

#: 时间过半，任务过半: the pace of the year
PACE: dict[str, Pair] = {
    "pace": ("年度进度", "Pace of the year"),
    "pace_help": (
        "累计销量占对比年份全年销量的比例，与时间进度（虚线）对照：曲线在虚线之上，说明销量进度快于时间。",
        "Cumulative volume as a share of the comparison year's whole year, against the calendar (dashed): above the line means ahead of "
        "time.",
    ),
    "pace_axis": ("占{year}年全年销量(%)", "% of {year}'s whole-year volume"),
    "time_progress": ("时间进度", "Time elapsed"),
    "month_n": ("{m}月", "M{m}"),
    "progress_pct": ("销量进度(%)", "Volume progress (%)"),
    "time_pct": ("时间进度(%)", "Time elapsed (%)"),
    "cum_cases": ("累计销量(箱)", "Cumulative volume (cases)"),
    "pace_whole_year": ("年度进度按全年计算，不受月份筛选影响。", "The pace covers the whole year; the month filter does not apply to it."),
}

# --- #13 progress against targets (任务) ---
#: 时间进度 vs 任务完成率: the targets section, its tables, charts and columns (docs/definitions.md, "Targets")
PROGRESS: dict[str, Pair] = {
    "targets": ("任务进度", "Progress against targets"),
    "targets_help": (
        "完成率 = 年初至今实际 ÷ 全年任务；序时进度差 = 完成率 − 时间进度（负数为落后）；有月度任务时，序时任务按月累计、当月按天折算。"
        "条均价和网订率与任务值直接比较，不与时间进度比较。",
        "Completion = actual to date ÷ the whole year's target; gap = completion − time elapsed (negative: behind); with monthly "
        "targets, the target to date adds the months so far and prorates the current month by days. Average price and online rate "
        "are compared with their target values, not with time elapsed.",
    ),
    "targets_not_loaded": ("{year}年任务尚未导入：以下年度进度仍与上年对比。",
                           "No targets for {year} are loaded: the pace below compares with last year."),
    "targets_load_hint": ("分析人员可在“数据管理”页导入任务文件。", "An analyst can load a targets file on the Data page."),
    "targets_filters_ignored": (
        "任务按片区和客户经理下达：城乡、业态和档位筛选不适用于任务进度，这里是不分细分的数字。",
        "Targets are set per district and customer manager: the area, format and tier filters do not apply to progress against "
        "targets, which is shown across all segments.",
    ),
    "targets_by_district": ("各片区任务进度", "Progress by district"),
    "targets_by_manager": ("各客户经理任务进度", "Progress by customer manager"),
    "targets_sorted": ("时间进度{tp}（截至{date}）。按销量序时进度差排序，落后最多的在前。",
                       "Time elapsed {tp} (through {date}). Sorted by the volume gap to time elapsed, most behind first."),
    "targets_monthly": ("月度销量与任务", "Monthly volume against target"),
    "targets_no_monthly": ("未导入月度任务：只有全年任务，没有序时任务。", "No monthly targets are loaded: only the whole year's."),
    "targets_none_for_year": ("未导入{year}年任务", "No targets loaded for {year}"),
    "actual": ("实际", "Actual"),
    "target": ("任务", "Target"),
    "class12": ("一二类烟", "Class 1–2"),
    "provincial_volume": ("省产烟", "Provincial volume"),
    "low_tier": ("五类烟", "Class 5"),
    "volume_target_cases": ("销量任务(箱)", "Volume target (cases)"),
    "class12_target_cases": ("一二类烟任务(箱)", "Class 1–2 target (cases)"),
    "provincial_target_cases": ("省产烟任务(箱)", "Provincial target (cases)"),
    "low_tier_target_cases": ("五类烟任务(箱)", "Class 5 target (cases)"),
    "avg_price_target": ("条均价任务(元/条)", "Avg. price target (yuan/carton)"),
    "online_rate_target_pct": ("网订率任务(%)", "Online rate target (%)"),
    "class12_cases": ("一二类烟(箱)", "Class 1–2 (cases)"),
    "volume_completion_pct": ("销量完成率(%)", "Volume completion (%)"),
    "class12_completion_pct": ("一二类烟完成率(%)", "Class 1–2 completion (%)"),
    "provincial_completion_pct": ("省产烟完成率(%)", "Provincial completion (%)"),
    "low_tier_completion_pct": ("五类烟完成率(%)", "Class 5 completion (%)"),
    "avg_price_completion_pct": ("条均价完成率(%)", "Avg. price completion (%)"),
    "online_rate_completion_pct": ("网订率完成率(%)", "Online rate completion (%)"),
    "volume_gap_pp": ("销量序时进度差(百分点)", "Volume gap to time elapsed (pp)"),
    "class12_gap_pp": ("一二类烟序时进度差(百分点)", "Class 1–2 gap to time elapsed (pp)"),
    "provincial_gap_pp": ("省产烟序时进度差(百分点)", "Provincial gap to time elapsed (pp)"),
    "low_tier_gap_pp": ("五类烟序时进度差(百分点)", "Class 5 gap to time elapsed (pp)"),
    "avg_price_gap": ("条均价与任务差(元/条)", "Avg. price minus target (yuan/carton)"),
    "online_rate_gap_pp": ("网订率与任务差(百分点)", "Online rate minus target (pp)"),
    "volume_pace_target_cases": ("销量序时任务(箱)", "Volume target to date (cases)"),
    "class12_pace_target_cases": ("一二类烟序时任务(箱)", "Class 1–2 target to date (cases)"),
    "provincial_pace_target_cases": ("省产烟序时任务(箱)", "Provincial target to date (cases)"),
    "low_tier_pace_target_cases": ("五类烟序时任务(箱)", "Class 5 target to date (cases)"),
    "volume_pace_completion_pct": ("销量序时完成率(%)", "Volume completion to date (%)"),
    "class12_pace_completion_pct": ("一二类烟序时完成率(%)", "Class 1–2 completion to date (%)"),
    "provincial_pace_completion_pct": ("省产烟序时完成率(%)", "Provincial completion to date (%)"),
    "low_tier_pace_completion_pct": ("五类烟序时完成率(%)", "Class 5 completion to date (%)"),
    "cum_target_cases": ("累计任务(箱)", "Cumulative target (cases)"),
    # --- #13 fix: progress at a glance, read through a month ---
    "targets_months": ("任务进度总是从1月1日起累计：选定月份时读至最后一个月的月末（{date}），起始月份晚于1月也从1月1日算起。",
                       "Progress against targets always counts from 1 January: with months chosen it is read through the end of "
                       "the last one ({date}); a range starting later is read from 1 January."),
    "targets_behind": ("落后时间进度/低于任务", "Behind time / below target"),
    "targets_ahead": ("超过时间进度/达到任务", "Ahead of time / at target"),
}

#: the filters, the period compared (同期), the data's period and freshness (docs/definitions.md)
SAME_PERIOD: dict[str, Pair] = {
    "period": ("期间", "Period"),
    "compare_year": ("对比年份", "Compare with"),
    "compare_with": ("对比", "vs"),
    "month_range": ("{lo}–{hi}月", "{lo}–{hi}"),
    "share": ("占比", "share"),
    "through": ("截至日期", "Through"),
    "period_vs": ("{period} vs {compare}", "{period} vs {compare}"),
    "same_period_of": ("{year}年同期", "the same period of {year}"),
    "year_n": ("{year}年", "{year}"),
    "date_range": ("{start}至{end}", "{start} to {end}"),
    "data_period": ("数据期间", "Data period"),
    "data_status": ("数据期间 {start} 至 {end} · 更新于 {loaded}", "Data {start} to {end} · updated {loaded}"),
}

#: a wrong value in a link falls back to its default with one of these notices (pages/common.py)
LINKS: dict[str, Pair] = {
    "url_bad_lang": ("链接中的语言参数无效，已使用中文", "The link's language parameter is invalid; showing Chinese"),
    "url_bad_y": ("链接中的年份参数无效，已使用 {year}年", "The link's year parameter is invalid; showing {year}"),
    "url_bad_cy": ("链接中的对比年份参数无效，已使用 {cmp}", "The link's comparison year parameter is invalid; comparing with {cmp}"),
    "url_no_cmp": ("不对比", "no comparison"),
    "url_cmp_year": ("{year}年", "{year}"),
    "url_bad_m": ("链接中的月份参数无效，已使用 1–12月", "The link's month parameter is invalid; showing months 1–12"),
    "url_bad_t": ("链接中的档位参数无效，已使用 {lo}–{hi}档", "The link's tier parameter is invalid; showing tiers {lo}–{hi}"),
    "url_bad_d": ("链接中的片区参数无效，已忽略无法识别的值", "The link's district parameter is invalid; unknown values were ignored"),
    "url_bad_a": ("链接中的城乡分类参数无效，已忽略无法识别的值", "The link's area type parameter is invalid; unknown values were ignored"),
    "url_bad_f": ("链接中的业态参数无效，已忽略无法识别的值",
                  "The link's business format parameter is invalid; unknown values were ignored"),
    "url_bad_present": ("链接中的演示参数无效，已按普通页面打开", "The link's presentation parameter is invalid; opened as a normal page"),
    "url_bad_topic": ("链接中的演示主题参数无效，已从第一个主题开始", "The link's topic parameter is invalid; starting at the first topic"),
    # --- #13 managers ---
    "url_bad_mgr": ("链接中的客户经理参数无效，已忽略无法识别的值",
                    "The link's customer manager parameter is invalid; unknown values were ignored"),
    # --- #13 fixes: managers ---
    "url_mgr_district_only": ("客户经理只能在片区页面上选择，链接中的客户经理参数已忽略",
                              "A customer manager is chosen on a district page only; the link's manager parameter was ignored"),
}

#: presenting, the PPTX deck, PNG and spreadsheet exports
PRESENTING: dict[str, Pair] = {
    "deck_title": ("卷烟销售分析", "cigarette sales review"),
    "generated_on": ("生成于", "Generated on"),
    "present": ("演示模式", "Presentation mode"),
    "present_exit": ("退出演示", "Exit presentation"),
    "present_prev": ("上一页", "Previous"),
    "present_next": ("下一页", "Next"),
    "present_keys": ("→ / PageDown / 空格 下一页 · ← / PageUp 上一页 · Home / End 首末页 · Esc 退出",
                     "→ / PageDown / Space next · ← / PageUp previous · Home / End first / last · Esc exit"),
    "change": ("增减", "Change"),
    "download_png": ("下载 PNG", "Download PNG"),
    "download_pptx": ("下载 PPTX 演示文稿", "Download PPTX deck"),
    "copy_text": ("复制全文", "Copy the text"),
    "sheet_data": ("数据", "Data"),
    "sheet_raw": ("原始精度", "Full precision"),
    "sheet_note": ("说明", "About"),
}

#: the Data page: loading extracts, the load history, withdrawing and restoring a load
DATA_PAGE: dict[str, Pair] = {
    "upload_title": ("导入提取文件", "Load extracts"),
    "upload_help": (
        "支持营销系统导出的 CSV（GBK 或 UTF-8）、Excel 和 parquet。先导入客户档案和卷烟档案，再导入订单和任务（年度、月度任务）。",
        "CSV (GBK or UTF-8), Excel and parquet exports from the marketing system. Load the retailer and SKU masters before orders "
        "and targets (yearly or monthly).",
    ),
    "upload_files": ("选择文件（可多选）", "Choose files (several at once)"),
    # Streamlit's own file-uploader texts, replaced in Chinese (pages/common.py::uploader_in_chinese)
    "uploader_button": ("选择文件", "Upload"),
    "uploader_limit": ("单个文件不超过 {mb} MB，可拖放到这里", "{mb}MB per file"),
    "upload_kind": ("文件类型", "Kind"),
    "kind_auto": ("自动识别", "Detect from headers"),
    "kind_orders": ("订单明细", "Order lines"),
    "kind_retailers": ("客户档案", "Retailer master"),
    "kind_skus": ("卷烟档案", "SKU master"),
    "upload_sheet": ("工作表（Excel）", "Sheet (Excel)"),
    "upload_sheet_first": ("默认第一个工作表", "first sheet"),
    "upload_period": ("指定替换期间", "State the period replaced"),
    "upload_period_help": (
        "订单默认替换文件中最早到最晚订货日期之间、同片区的原有数据；需要覆盖整月时在此指定。",
        "Orders replace the same districts' lines between the file's first and last order date; state a wider period here if needed.",
    ),
    "file": ("文件", "File"),
    "format": ("格式", "Format"),
    "rows": ("行数", "Rows"),
    "item": ("项目", "Item"),
    "value": ("内容", "Value"),
    "column": ("标准列", "Column"),
    "header": ("文件表头", "Header in file"),
    "upload_duplicate": ("这个文件已经导入过（内容完全相同），不会重复导入。",
                         "This exact file is already loaded; loading it again changes nothing."),
    "upload_refused": ("发现 {n} 个问题，此批文件不会导入：", "{n} problems found; this batch will not be loaded:"),
    "upload_nothing_stored": ("数据未做任何改动。请修正上面的问题后重新上传。",
                              "Nothing was changed. Fix the problems above and upload again."),
    "upload_mapping": ("列对应关系", "Column mapping"),
    "upload_unmapped": ("未使用的列", "Columns not used"),
    "upload_first_rows": ("前 10 行（已规范化）", "First 10 rows (normalised)"),
    "upload_replaces": (
        "将替换 {district} {start} 至 {end} 的 {lines} 行订单（{cases}，来自 {extracts}）",
        "Replaces {lines} order lines ({cases}) of {district} from {start} to {end} (from {extracts})",
    ),
    "loaded_on": ("{date} 导入", "loaded on {date}"),
    "upload_replaces_nothing": ("不替换任何已有订单。", "Replaces no existing order lines."),
    "upload_confirm": ("确认导入 {n} 个文件", "Load {n} file(s)"),
    "loading": ("正在导入并更新汇总表…", "Loading and rebuilding rollups…"),
    "upload_loaded": ("已导入 {id}：{file}，{rows} 行", "Loaded {id}: {file}, {rows} rows"),
    "samples": ("示例文件", "Sample extracts"),
    "samples_help": ("下载示例文件，了解营销系统导出的格式，也可以直接上传试用。",
                     "Download a sample to see the expected format, or upload it to try the page."),
    "history": ("导入记录", "Load history"),
    "history_help": ("撤销只会停用该次导入，文件仍保留，可随时查看。（{now}）", "A rollback withdraws a load; its file is kept. ({now})"),
    "hist_id": ("编号", "ID"),
    "hist_status": ("状态", "Status"),
    "hist_kind": ("类型", "Kind"),
    "hist_file_name": ("文件名", "File"),
    "hist_rows": ("行数", "Rows"),
    "hist_period_start": ("开始日期", "From"),
    "hist_period_end": ("结束日期", "To"),
    "hist_districts": ("片区", "Districts"),
    "hist_loaded_at": ("导入时间", "Loaded at"),
    "hist_loaded_by": ("导入人", "Loaded by"),
    "hist_withdrawn_at": ("撤销时间", "Withdrawn at"),
    "hist_withdrawn_by": ("撤销人", "Withdrawn by"),
    "hist_restored_at": ("恢复时间", "Restored at"),
    "hist_restored_by": ("恢复人", "Restored by"),
    "status_active": ("生效", "active"),
    "status_withdrawn": ("已撤销", "withdrawn"),
    "status_purged": ("已清除", "purged"),
    "pick_placeholder": ("请选择一次导入", "Choose a load"),
    "action_choose_first": ("请先选择一次导入，并勾选确认。", "Choose a load and tick the confirmation first."),
    "rollback": ("撤销导入", "Withdraw load"),
    "rollback_pick": ("选择要撤销的导入", "Load to withdraw"),
    "rollback_sure": ("我确认撤销，数据将恢复到导入之前", "I am sure: restore the state before this load"),
    "rollback_done": ("已撤销 {id}（{file}）", "Withdrew {id} ({file})"),
    "rollback_undo_hint": ("如需撤回，可在“恢复已撤销的导入”中选择 {id}。", "To undo, choose {id} under 'Restore a withdrawn load'."),
    "restore_title": ("恢复已撤销的导入", "Restore a withdrawn load"),
    "restore": ("恢复导入", "Restore load"),
    "restore_pick": ("选择要恢复的导入", "Load to restore"),
    "restore_sure": ("我确认恢复，该次导入将按原来的顺序重新生效", "I am sure: make this load active again, in its original order"),
    "restore_done": ("已恢复 {id}（{file}）", "Restored {id} ({file})"),
    "restore_undo_hint": ("如需撤回，可在“撤销导入”中再次选择 {id}。", "To undo, choose {id} under 'Withdraw load' again."),
    "preview_withdraw": ("撤销 {id}（{file}）将带来以下变化：", "Withdrawing {id} ({file}) changes:"),
    "preview_restore": ("恢复 {id}（{file}）将带来以下变化：", "Restoring {id} ({file}) changes:"),
    "preview_nothing": ("不改变任何现有数据：这次导入的订单已全部被之后的导入替换。",
                        "No live figure changes: later loads replace all of this load's lines."),
    "chg_change": ("变化", "Change"),
    "chg_removed": ("移出", "Goes away"),
    "chg_returned": ("恢复", "Comes back"),
    "chg_extract": ("所属导入", "Load"),
    "chg_key": ("档案编号", "Record"),
    "chg_fields": ("改动", "Changes"),
    "chg_source": ("之后取自", "Then from"),
    "chg_record_gone": ("记录将删除（其他导入中没有该记录）", "Record goes away (no other load holds it)"),
    "chg_record_new": ("记录将出现", "Record comes back"),
    "chg_orphans": ("注意：{n} 行现有订单引用的零售户或卷烟将不在档案中。",
                    "Note: {n} live order lines would refer to a retailer or SKU no longer in the master."),
    # --- #13 targets ---
    "kind_targets": ("任务", "Targets"),
    "chg_target_key": ("任务（年度 · 片区 · 客户经理）", "Target (year · district · manager)"),
    "chg_target_gone": ("任务将删除（其他导入中没有该任务）", "Target goes away (no other load holds it)"),
    "chg_target_volume": ("全年销量任务：{before} → {after}", "Whole-year volume target: {before} → {after}"),
    "chg_target_months": ("月度任务：{before} → {after} 个月", "Monthly targets: {before} → {after} months"),
    # --- #13 data page fixes ---
    "upload_targets_whole_year": ("导入后的全年任务（只有月度任务的，全年为各月之和），请与计划文件核对：",
                                  "Whole-year targets once loaded (the months' sum where only months are given); "
                                  "check them against the plan:"),
    "upload_targets_total": ("{year} 年各片区（不含客户经理行）全年销量任务合计 {cases}。",
                             "{year}: the districts' own whole-year volume targets (manager rows aside) add up to {cases}."),
    "upload_replaces_targets": ("将替换已有的 {year} 年任务：{districts} 个片区、{managers} 位客户经理（来自 {extract}）。",
                                "Replaces the live {year} targets of {districts} district(s) and {managers} manager(s) (from {extract})."),
    "upload_replaces_no_targets": ("不替换任何已有任务。", "Replaces no live target."),
    "target_months": ("月度任务(个月)", "Monthly targets (months)"),
    "replaced_volume_target_cases": ("现有销量任务(箱)", "Live volume target (cases)"),
    "preview_nothing_records": ("不改变任何现有数据：这次导入的档案记录已全部被之后的导入替换。",
                                "No live record changes: later loads replace all of this load's records."),
    "preview_nothing_targets": ("不改变任何现有任务：这次导入的任务已全部被之后的导入替换。",
                                "No live target changes: later loads replace all of this load's targets."),
}

#: problems found in an extract (analytics/ingest/: codes -> messages; {value} etc. filled in)
INGEST_ERRORS: dict[str, Pair] = {
    "err_missing_column": ("缺少必需的列“{column}”（可用表头：{aliases}）",
                           "required column '{column}' is missing (headers accepted: {aliases})"),
    "err_empty_file": ("文件没有数据行", "the file has no data rows"),
    "err_unknown_kind": (
        "无法从表头识别文件类型（订单 / 零售户 / 卷烟 / 任务），请指定类型",
        "cannot tell the kind (orders / retailers / skus / targets) from the headers; state it",
    ),
    "err_wrong_format": ("文件内容是 {actual}，与扩展名 {ext} 不符或不受支持", "the content is {actual}, not a supported {ext} file"),
    "err_too_large": ("文件大小 {size}，超过上限 {limit}", "the file is {size}, over the {limit} limit"),
    "err_encoding": ("无法识别文件编码（支持 UTF-8 与 GBK/GB18030）", "cannot decode the file (UTF-8 or GBK/GB18030 expected)"),
    "err_unreadable": ("无法读取文件：{detail}", "cannot read the file: {detail}"),
    "err_no_sheet": ("没有名为“{sheet}”的工作表（现有：{sheets}）", "there is no sheet named '{sheet}' (sheets: {sheets})"),
    "err_detail_zip_bomb": ("解压后将超过 {limit}（文件仅 {size}），疑似压缩炸弹，已拒绝",
                            "it would inflate to more than {limit} from {size}; refused as a possible zip bomb"),
    "err_detail_exit": ("读取程序异常退出（退出码 {code}），文件可能已损坏", "the reader exited with code {code}; the file may be damaged"),
    "err_detail_signal": ("读取程序被信号 {signal} 终止，文件可能已损坏",
                          "the reader was killed by signal {signal}; the file may be damaged"),
    "err_detail_timeout": ("读取超过 {seconds} 秒仍未完成，已中止", "reading took longer than {seconds} s and was stopped"),
    # what a file really is, for err_wrong_format
    "err_content_png": ("PNG 图片", "a PNG image"),
    "err_content_jpeg": ("JPEG 图片", "a JPEG image"),
    "err_content_gif": ("GIF 图片", "a GIF image"),
    "err_content_pdf": ("PDF 文档", "a PDF document"),
    "err_content_gzip": ("GZIP 压缩文件", "a gzip archive"),
    "err_content_rar": ("RAR 压缩包", "a RAR archive"),
    "err_content_7z": ("7z 压缩包", "a 7z archive"),
    "err_content_zip": ("ZIP 压缩包", "a ZIP archive"),
    "err_content_docx": ("Word 文档", "a Word document"),
    "err_content_pptx": ("PowerPoint 演示文稿", "a PowerPoint deck"),
    "err_content_html": ("网页（HTML）", "a web page (HTML)"),
    "err_content_binary": ("无法识别的二进制数据", "unrecognised binary data"),
    "err_bad_date": ("无法识别的日期", "not a date this product reads"),
    "err_date_range": ("日期超出合理范围（{lo} 至 {hi}）", "date outside the sane range ({lo} to {hi})"),
    "err_outside_period": ("日期不在指定的替换期间（{lo} 至 {hi}）内", "date outside the stated period ({lo} to {hi})"),
    "err_bad_number": ("不是数字", "not a number"),
    "err_not_positive": ("必须大于 0", "must be greater than 0"),
    "err_negative": ("不能为负数", "must not be negative"),
    "err_not_whole": ("换算成条后不是整数", "is not a whole number of cartons"),
    "err_blank": ("不能为空", "must not be blank"),
    "err_bad_area": ("无法识别的城乡分类（应为 城网/农网）", "unknown area type (urban/rural expected)"),
    "err_bad_bool": ("无法识别的是否省产（应为 是/否）", "unknown provincial flag (yes/no expected)"),
    "err_bad_class": ("无法识别的价类（应为 一类…五类 或 1–5）", "unknown price class (1-5 expected)"),
    "err_bad_tier": ("档位应为 1–30 的整数", "tier must be a whole number from 1 to 30"),
    "err_duplicate_key": ("主键重复（第 {first} 行已出现）", "duplicate key (first seen on row {first})"),
    "err_unknown_retailer": ("零售户不在客户档案中，请先导入客户档案", "retailer not in the retailer master; load it first"),
    "err_unknown_sku": ("卷烟不在卷烟档案中，请先导入卷烟档案", "SKU not in the SKU master; load it first"),
    "err_unknown_retailer_lines": ("零售户不在客户档案中，请先导入客户档案（该编号共 {n} 行，此为第一行）",
                                   "retailer not in the retailer master; load it first ({n} lines with this ID, the first shown)"),
    "err_unknown_sku_lines": ("卷烟不在卷烟档案中，请先导入卷烟档案（该编号共 {n} 行，此为第一行）",
                              "SKU not in the SKU master; load it first ({n} lines with this ID, the first shown)"),
    "err_more": ("……另有 {n} 个问题未列出", "... and {n} more problems"),
    # --- #13 targets ---
    "err_bad_year": ("年度应为 {lo}–{hi} 的整数", "the year must be a whole number from {lo} to {hi}"),
    "err_bad_month": ("月份应为 1–12 的整数（空白或 0 表示全年任务）",
                      "the month must be a whole number from 1 to 12 (blank or 0 = the whole year)"),
    "err_bad_pct": ("百分比应在 0–100 之间", "a percentage must be from 0 to 100"),
    "err_duplicate_target": ("同一任务重复：{year} 年{month}，{manager}（第 {first} 行已出现）",
                             "duplicate target: {year}, {month}, {manager} (first seen on row {first})"),
    "err_target_months": ("全年任务 {year_value} 箱与第 {rows} 行的各月任务之和 {months_value} 箱相差超过 {tolerance} 箱",
                          "the whole-year target of {year_value} cases differs from {months_value} cases, the sum of the "
                          "monthly targets on rows {rows}, by more than {tolerance} cases"),
    "target_whole_year": ("全年", "whole year"),
    "target_month": (" {m} 月", "month {m}"),
    "target_manager": ("客户经理 {name}", "manager {name}"),
    "target_district_own": ("片区任务", "the district's own target"),
    "err_unknown_district": ("片区不在客户档案中，请先导入客户档案", "district not in the retailer master; load it first"),
    "err_unknown_district_lines": ("片区不在客户档案中，请先导入客户档案（该片区共 {n} 行，此为第一行）",
                                   "district not in the retailer master; load it first ({n} rows with this district, the first shown)"),
    "err_unknown_manager": ("客户档案中“{within}”没有这位客户经理", "no retailer of '{within}' has this customer manager in the master"),
    "err_unknown_manager_lines": ("客户档案中“{within}”没有这位客户经理（共 {n} 行，此为第一行）",
                                  "no retailer of '{within}' has this customer manager in the master ({n} rows, the first shown)"),
}

#: errors of the data directory a user can cause or meet (analytics.store.StoreError, analytics/errors.py)
#: and anything unexpected (pages/common.py::guarded): what happened, that nothing changed, what to do;
#: never a server path
ERRORS: dict[str, Pair] = {
    "err_space_needed": ("磁盘空间不足：本次操作需要约 {need} 可用空间，当前仅 {free}。数据没有改动；请清理数据目录所在的磁盘后重试。",
                         "Not enough disk space: this needs about {need} free, only {free} is available. Nothing changed; "
                         "free space on the data directory's disk and try again."),
    "err_disk_full": ("磁盘已满，操作已中止。数据没有改动，本次写入的文件已全部清除；请清理数据目录所在的磁盘后重试。",
                      "The disk filled up, so the operation stopped. Nothing changed and everything it wrote was removed; "
                      "free space on the data directory's disk and try again."),
    "err_permission": ("无法写入数据目录（没有写入权限或磁盘为只读）。数据没有改动；请管理员检查数据目录的权限。",
                       "Cannot write to the data directory (no permission, or a read-only disk). Nothing changed; "
                       "ask the administrator to check the data directory's permissions."),
    # an OSError met outside the store's own checks (analytics/errors.py) is told with the texts above
    "err_file_missing": ("找不到这次导入所需的文件（数据目录中的文件可能被移动或删除），数据没有改动。请联系管理员。",
                         "A file this needs is missing (moved or deleted from the data directory); nothing changed. Ask your "
                         "administrator."),
    "err_io": ("读写数据目录时出错，数据没有改动。请稍后重试；如果问题仍在，请联系管理员。",
               "Reading or writing the data directory failed; nothing changed. Try again later; if it keeps happening, ask your "
               "administrator."),
    "err_lock_timeout": ("另一项导入或撤销正在进行，数据没有改动，请稍后再试。",
                         "Another load or rollback is running; nothing changed. Try again in a minute."),
    "err_extract_missing": ("导入 {id} 的存储文件缺失，无法更新数据，数据没有改动。请管理员从备份恢复数据目录，或撤销 {id} "
    "后重新导入原文件。",
                            "The stored file of load {id} is missing, so the data cannot be updated; nothing changed. "
                            "Ask the administrator to restore the data directory from a backup, or withdraw {id} and load the original "
                            "file again."),
    "err_unknown_extract_known": ("没有编号为 {id} 的导入（现有：{known}）。", "There is no load {id} (known: {known})."),
    "err_already_withdrawn": ("{id} 已经撤销（可能刚被其他人撤销），数据没有改动。",
                              "{id} is already withdrawn (perhaps just now, by someone else); nothing changed."),
    "err_already_active": ("{id} 已经生效（可能刚被其他人恢复），数据没有改动。",
                           "{id} is already active (perhaps just now, by someone else); nothing changed."),
    "err_same_content_active": ("{id} 与生效中的 {other} 是同一个文件，请先撤销 {other}。",
                                "{id} holds the same file as {other}, which is active; withdraw {other} first."),
    "err_purged": ("{id} 的文件已于 {other} 按保留期限清除，无法恢复；如仍需这些数据，请重新导入原文件。",
                   "The file of {id} was purged on {other} under the retention rule, so it cannot be restored; "
                   "load the original file again if you still need it."),
    "err_unexpected": ("页面出错了，请刷新页面重试。如果问题仍在，请把参考编号 {ref} 告诉管理员。",
                       "Something went wrong on this page. Reload to try again; if it keeps happening, give your administrator the "
                       "reference {ref}."),
}

#: the access file (analytics/access.py): its problems, named by line, the settings and the binding
#: rule the server starts with, and the roles' names
ACCESS: dict[str, Pair] = {
    "access_at_line": ("第 {line} 行：{text}", "line {line}: {text}"),
    "access_syntax": ("TOML 语法错误（第 {column} 列）：{detail}", "TOML syntax error at column {column}: {detail}"),
    "access_not_utf8": ("文件不是 UTF-8 编码，请另存为 UTF-8。", "the file is not UTF-8; save it as UTF-8"),
    "access_no_file": ("找不到访问控制文件 {path}。", "There is no access file at {path}."),
    "access_unreadable": ("无法读取访问控制文件 {path}。", "The access file {path} cannot be read."),
    "access_unknown_key": ("未知的键 {field}（可用：{allowed}）", "unknown key {field} (allowed: {allowed})"),
    "access_not_users": ("users 应写成一个或多个 [[users]] 表", "users must be one or more [[users]] tables"),
    "access_missing": ("缺少 {field}", "{field} is missing"),
    "access_not_text": ("{field} 应为非空字符串", "{field} must be a non-empty string"),
    "access_not_list": ("{field} 应为字符串列表，例如 {example}", "{field} must be a list of strings, e.g. {example}"),
    "access_empty_districts": ('districts 为空：要允许全部片区，请省略它或写 ["*"]',
                               'districts is empty: to allow every district, omit it or write ["*"]'),
    "access_star_mixed": ('{field} 中 "*" 表示全部，不能与具体名称同时列出', '"*" in {field} means all and cannot be listed with names'),
    "access_unknown_role": ("未知角色 {role}（可选：{roles}）", "unknown role {role} (choose one of: {roles})"),
    "access_unknown_district": ("未知片区 {district}（数据中的片区：{known}）",
                                "unknown district {district} (the data's districts: {known})"),
    "access_unknown_manager": ("未知客户经理 {manager}（数据中的客户经理：{known}）",
                               "unknown customer manager {manager} (the data's managers: {known})"),
    "access_duplicate_id": ("id {id} 重复（第 {first} 行已有）", "duplicate id {id} (already on line {first})"),
    "access_role_unscoped": ("角色 {role} 可见全部片区，不能用 {field} 限定；要限定范围请用 manager 或 viewer",
                             "role {role} sees every district and cannot be limited by {field}; use manager or viewer to limit"),
    "access_unknown_user": ("访问控制文件中没有用户 {id}。", "There is no user {id} in the access file."),
    "access_bad_mode": ("DASHBOARD_AUTH={value} 无效：可选 {choices}。", "DASHBOARD_AUTH={value} is not valid: choose one of {choices}."),
    "access_bad_header": ("DASHBOARD_AUTH_HEADER={value} 不是有效的 HTTP 请求头名称（只能用字母、数字和 -）。",
                          "DASHBOARD_AUTH_HEADER={value} is not a valid HTTP header name (letters, digits and - only)."),
    "access_bad_claim": ("DASHBOARD_OIDC_CLAIM={value} 无效：应为身份令牌中的一个声明名称，例如 email。",
                         "DASHBOARD_OIDC_CLAIM={value} is not valid: name one claim of the identity token, e.g. email."),
    "access_bind_local": ("本地模式（DASHBOARD_AUTH=local）不要求登录，因此只能监听本机地址（127.0.0.1、localhost 或 ::1），"
                          "不能监听 {address}。要让其他电脑访问，请设置 DASHBOARD_AUTH=oidc 或 proxy。",
                          "Local mode (DASHBOARD_AUTH=local) has no sign-in, so the server may listen only on this computer "
                          "(127.0.0.1, localhost or ::1), not on {address}. To serve other computers, set DASHBOARD_AUTH=oidc or proxy."),
    "access_bind_proxy": ("代理模式下身份来自请求头，能直接访问服务器的人可以伪造它：服务器只能监听本机地址（127.0.0.1 或 ::1），"
                          "由反向代理转发，不能监听 {address}。",
                          "In proxy mode the identity comes from a request header, which anyone reaching the server directly could "
                          "forge: the server may listen only on 127.0.0.1 or ::1, behind the proxy, not on {address}."),
    # the door (pages/gate.py): who is signed in, and the refusals
    "retailers_hidden": ("零售户明细（名称、许可证号、零售户表和订单）不在您的权限内。",
                         "Retailer details (names, licence numbers, retailer tables, orders) are outside your role."),
    "not_allowed": ("这部分内容不在您的访问权限内。", "This is outside what you may see."),
    "scope_every_district": ("全部片区", "Every district"),
    "scope_aggregates_only": ("仅汇总", "Figures only"),
    "all_my_districts": ("我的全部片区", "All my districts"),
    "my_scope": ("我的片区", "My districts"),
    "auth_refused_title": ("无法进入", "No entry"),
    "auth_sign_in": ("请使用公司账号登录后查看看板。", "Sign in with your company account to see the dashboard."),
    "auth_sign_in_button": ("登录", "Sign in"),
    "auth_sign_out": ("退出登录", "Sign out"),
    "auth_no_access": ("您（{id}）还没有本看板的访问权限，请联系管理员开通。",
                       "You ({id}) have no access to this dashboard yet; ask an administrator to add you."),
    "auth_no_claim": ("登录信息中没有 {claim}，无法确认您的身份，请联系管理员。",
                      "Your sign-in carries no {claim}, so who you are is unknown; ask an administrator."),
    "auth_no_header": ("没有收到登录信息，请通过公司的登录入口打开本看板。",
                       "No sign-in reached the dashboard; open it through the company's sign-in address."),
    "auth_file_bad": ("访问权限配置有误，暂时无法进入，请联系管理员。",
                      "The access settings have a problem, so nobody can enter for now; ask an administrator."),
    "auth_local_banner": ("未启用登录 · 仅本机可以访问", "Sign-in is off · only this computer can reach the dashboard"),
    "page_refused_title": ("无法打开此页面", "This page cannot be opened"),
    "page_refused": ("此页面不存在，或不在您的访问范围内。", "This page does not exist, or is outside what you may see."),
    "page_refused_back": ("回到总览", "Back to the overview"),
    "url_d_out_of_scope": ("链接中的片区不在您的访问范围内，只显示您可以查看的片区。",
                           "The link's district is outside what you may see; only your districts are shown."),
    "role_admin": ("管理员", "Administrator"),
    "role_analyst": ("分析员", "Analyst"),
    "role_manager": ("经理", "Manager"),
    "role_viewer": ("只读", "Viewer"),
}

#: the admin pages (pages/views/access.py, pages/views/audit.py) and the server-side refusals and
#: audit of actions (pages/gate.py::require, pages/views/data.py)
ADMIN: dict[str, Pair] = {
    "page_access": ("访问权限", "Access"),
    "page_audit": ("审计日志", "Audit log"),
    "action_refused": ("您的角色不能进行此操作，已记录本次尝试。", "Your role may not do this; the attempt has been recorded."),
    "audit_unwritable": ("无法写入审计日志（磁盘已满或没有写权限），为保证每次数据变更都有记录，本次操作未执行，数据没有任何变化。"
                         "请联系管理员。",
                         "The audit log cannot be written (a full disk or no permission). Every change to the data must be "
                         "recorded, so nothing was done and the data are unchanged. Ask your administrator."),
    "admin_all": ("全部", "All"),
    "admin_mode_title": ("登录方式", "Sign-in"),
    "admin_mode": ("模式（DASHBOARD_AUTH）", "Mode (DASHBOARD_AUTH)"),
    "admin_header": ("身份请求头（DASHBOARD_AUTH_HEADER）", "Identity header (DASHBOARD_AUTH_HEADER)"),
    "admin_claim": ("身份声明（DASHBOARD_OIDC_CLAIM）", "Identity claim (DASHBOARD_OIDC_CLAIM)"),
    "admin_file": ("访问控制文件", "Access file"),
    "mode_local": ("本地，无需登录", "local, no sign-in"),
    "mode_oidc": ("公司 OpenID Connect 登录", "the company's OpenID Connect sign-in"),
    "mode_proxy": ("经认证反向代理登录", "sign-in through the authenticating reverse proxy"),
    "admin_local_note": ("本地模式不读取访问控制文件：本机的操作系统用户即唯一的管理员。下面的检查结果供改用 oidc 或 proxy 模式前参考。",
                         "Local mode does not read the access file: this computer's OS user is the one administrator. "
                         "The check below is for before switching to oidc or proxy mode."),
    "admin_file_title": ("访问控制文件的内容", "What the access file says"),
    "admin_file_problems": ("访问控制文件有 {n} 处问题，在改正之前任何人都无法登录（本地模式除外）：",
                            "The access file has {n} problem(s); until they are fixed nobody can sign in (except in local mode):"),
    "admin_no_users": ("访问控制文件中没有用户。", "The access file names no users."),
    "admin_users_caption": ("共 {n} 个用户；范围和权限按当前数据检查。",
                            "{n} users; scopes and capabilities as checked against the data now."),
    "admin_user_id": ("身份", "Identity"),
    "admin_user_name": ("姓名", "Name"),
    "admin_user_role": ("角色", "Role"),
    "admin_user_capabilities": ("可以", "May"),
    "admin_user_line": ("行号", "Line"),
    "admin_edit_note": ("本页只读：要增删用户或修改权限，请在服务器上编辑 {path}，保存后用下面的命令检查；下一次点击即生效。",
                        "This page is read only: to add or remove users or change their access, edit {path} on the server and "
                        "check it with the commands below; it takes effect on the next click."),
    "cap_view_aggregates": ("看图表", "see charts"),
    "cap_export_aggregates": ("导出汇总", "export aggregates"),
    "cap_download_deck": ("下载 PPT", "download decks"),
    "cap_view_retailers": ("看零售户明细", "see retailers"),
    "cap_export_retailers": ("导出零售户", "export retailers"),
    "cap_load_data": ("导入数据", "load data"),
    "cap_rollback": ("撤销/恢复导入", "withdraw/restore loads"),
    "cap_see_audit": ("看审计日志", "see the audit log"),
    "cap_manage_access": ("看访问权限", "see access"),
    "audit_help": ("每次导入、撤销、恢复、清理、导出、下载 PPT 和被拒绝的操作各记一行，最新的在前。",
                   "One line for every load, withdrawal, restore, purge, export, deck download and refused action, newest first."),
    "audit_dates": ("日期", "Dates"),
    "audit_text": ("包含文字", "Containing"),
    "audit_text_placeholder": ("文件名、导入编号…", "a file name, an extract id…"),
    "audit_count": ("显示 {n} 条，共 {total} 条", "{n} of {total} entries"),
    "audit_empty": ("审计日志还没有记录。", "The audit log has no entries yet."),
    "audit_unreadable": ("有 {n} 行无法读取（可能是磁盘写满时写了一半），已跳过。",
                         "{n} line(s) could not be read (perhaps cut short by a full disk) and are left out."),
    "audit_cli": ("命令行", "command line"),
    "audit_col_time": ("时间", "Time"),
    "audit_col_identity": ("身份", "Identity"),
    "audit_col_role": ("角色", "Role"),
    "audit_col_action": ("操作", "Action"),
    "audit_col_target": ("对象", "Target"),
    "audit_col_scope": ("范围", "Scope"),
    "audit_col_result": ("结果", "Result"),
    "audit_col_details": ("详情", "Details"),
    "audit_load": ("导入", "load"),
    "audit_load_refused": ("导入被拒", "load refused"),
    "audit_rollback": ("撤销导入", "withdrawal"),
    "audit_restore": ("恢复导入", "restore"),
    "audit_purge": ("清理", "purge"),
    "audit_export": ("导出", "export"),
    "audit_deck": ("下载 PPT", "deck download"),
    "audit_refused": ("拒绝", "refusal"),
    "audit_ok": ("完成", "done"),
    "audit_started": ("开始", "started"),
    "audit_failed": ("失败", "failed"),
    "audit_refused_result": ("已拒绝", "refused"),
    "audit_duplicate": ("重复，未导入", "duplicate, not loaded"),
}

# --- #14 visits ---
#: the visit list (周安排 / 日拜访): analytics/visits.py, pages/views/visits.py, `visits` on the command line
VISITS: dict[str, Pair] = {
    "page_visits": ("周拜访", "Weekly visits"),
    "visit_reason_suspect": ("代订货线索", "代订货 lead"),
    "visit_reason_decliner": ("销量大幅下滑", "Sharp decline"),
    "visit_reason_swing": ("销量波动大", "Big swings"),
    "visit_reason_not_online": ("尚未网上订货", "Not ordering online yet"),
    "visit_reason_low_tier_decline": ("五类烟下滑", "Class 5 decline"),
    "visit_why_suspect": ("代订货线索评分 {score}：{text}", "代订货 lead, score {score}: {text}"),
    "visit_why_decliner": ("近{months}个月 {now}，去年同期 {before}，下降 {pct}（{change}）",
                           "Last {months} months {now}, a year earlier {before}: down {pct} ({change})"),
    "visit_why_swing": ("近{months}个月月销量波动系数 {cv}（单月最低 {low}，最高 {high}）",
                        "Monthly volume over the last {months} months swings by {cv} (CV; lowest month {low}, highest {high})"),
    "visit_why_not_online": ("{year}年以来未网上订货，今年以来销量 {cases}",
                             "No online order in {year} so far; volume {cases} this year so far"),
    "visit_why_low_tier": ("五类烟近{months}个月 {now}，去年同期 {before}，下降 {pct}（{change}）",
                           "Class 5 over the last {months} months {now}, a year earlier {before}: down {pct} ({change})"),
    "visit_worse": ("；比 {week} 列入时更差（{before} → {now}）", "; worse than when listed in {week} ({before} → {now})"),
    "visit_group": ("{reason}（{n} 户）", "{reason} ({n})"),
    "visit_rank": ("序号", "No."),
    "visit_reason": ("拜访理由", "Reason"),
    "visit_why": ("依据", "Why"),
    "visit_also": ("其他理由", "Other reasons"),
    "visit_no_data": ("该周之前没有数据", "No data before this week"),
    "visit_as_of_data_end": ("数据截至 {date}（数据的最后一天，早于该周前的周日 {sunday}）",
                             "Data to {date} (the data end, before the Sunday before the week, {sunday})"),
    "visit_as_of_month_end": ("数据截至 {date}（该周前的周日 {sunday} 当天或之前最后一个整月的月末；数据按月汇总，截至 {data_end}）",
                              "Data to {date} (the last month end on or before the Sunday before the week, {sunday}; "
                              "the data are monthly, to {data_end})"),
    "visit_periods": ("代订货线索 {suspects}；近期 {recent}，去年同期 {prior}；波动 {swing}；网上订货 {ytd}",
                      "代订货 leads {suspects}; recent {recent}, a year earlier {prior}; swings {swing}; online ordering {ytd}"),
    "visit_title": ("周拜访名单 · {manager} · {week}", "Visit list · {manager} · {week}"),
    "visit_week": ("周", "Week"),
    "visit_week_option": ("{week}（{monday} – {sunday}）", "{week} ({monday} – {sunday})"),
    "visit_week_past": ("{week}（{monday} – {sunday}）· 往周草稿", "{week} ({monday} – {sunday}) · past draft"),
    "visit_past_draft": ("往周草稿，仅供回看：按当时的数据会列出这些客户。只有待安排的周（{week}）及以后的名单可以下发，"
                         "已过去的周不能补发：下周的名单据已下发的名单去重，补发一份没人照着走访的名单会打乱它。",
                         "A past week's draft, to look back only: the retailers the data of then would list. Only the week to plan "
                         "({week}) or a later one can be issued, never a week gone by: next weeks' lists leave out what was issued, "
                         "and a list nobody visited from would mislead them."),
    "visit_week_kept": ("{week}（{monday} – {sunday}）· 已下发", "{week} ({monday} – {sunday}) · issued"),
    "visit_cap": ("每周最多 {cap} 户：{days} 个拜访日 × 每天 {per_day} 户，按序号依次排入各拜访日（“135”工作法的周安排、日拜访）",
                  "At most {cap} a week: {days} visit days × {per_day} a day, in rank order over the days "
                  "(the “135” method's weekly plan and daily visits)"),
    "visit_found": ("符合条件的客户：{found}", "Retailers with a reason: {found}"),
    "visit_held_back": ("{n} 项理由未再列出：前 {weeks} 周已因同一理由列入且情况未变差",
                        "{n} reason(s) not listed again: listed for the same reason in the previous {weeks} weeks and not worse"),
    "visit_draft": ("草稿：尚未下发。下发后名单保存不变，打印和下载的就是这份名单，下周的名单也据此不再重复列入。",
                    "Draft, not issued yet. Once issued the list is kept as it is: what you print and download, and what next "
                    "week's list reads so as not to repeat it."),
    "visit_issue": ("下发本周名单", "Issue this week's list"),
    "visit_issue_failed": ("名单未能保存，仍是草稿：{error}", "The list could not be kept and is still a draft: {error}"),
    "visit_issued": ("已于 {at} 由 {by} 下发：打印和下载的是这份保存的名单",
                     "Issued {at} by {by}: the kept list is what prints and downloads"),
    "visit_issued_here": ("已于 {at} 在本机下发（未启用登录）：打印和下载的是这份保存的名单",
                          "Issued {at} on this computer (sign-in is off): the kept list is what prints and downloads"),
    "visit_empty": ("本周没有需要专门拜访的客户", "No retailer needs a dedicated visit this week"),
    "download_print": ("打印版 (A4)", "Printable (A4)"),
    # 日拜访: the week's list over its visit days, and room to write each visit's outcome
    "visit_day": ("拜访日", "Visit day"),
    "visit_weekdays": ("周一 周二 周三 周四 周五 周六 周日", "Mon Tue Wed Thu Fri Sat Sun"),
    "visit_result": ("走访结果", "Visit outcome"),
    "visit_also_short": ("（另有：{also}）", " (also: {also})"),
}

# --- #14 suspects ---
#: 代订货线索 (analytics/suspects.py, pages/views/suspects.py): reasons' short labels and sentences
SUSPECTS: dict[str, Pair] = {
    "page_suspects": ("代订货线索", "Ordering-for-others leads"),
    # the one statement every #14 list, file and printable page carries (suspects, visits, brands)
    "lead_not_verdict": ("以下均为需要走访核实的线索，不是结论：数字只说明哪里与众不同，原因要到店核实。",
                         "These are leads to verify by a visit, never verdicts: the figures show what stands out, not why; "
                         "that is checked at the shop."),
    "suspect_volume_high": ("销量远超同类", "Volume far above peers"),
    "suspect_mix_high": ("一二类占比偏高", "Class 1–2 share far above peers"),
    "suspect_level_shift": ("销量突变", "Level shift"),
    "suspect_paired_shift": ("此消彼长", "Paired shift"),
    "suspect_swing": ("销量波动大", "Volume swings"),
    "suspect_volume_high_text": (
        "月均 {cases}，同档位同业态同城乡 {peers} 户的中位数 {median}（稳健 z = {z}）；"
        "其中一二类月均 {c12}，同类中位数 {c12_median}（z = {c12_z}）。",
        "{cases} a month against a median of {median} among its {peers} peers of the same tier, format and area (robust z = {z}); "
        "class 1–2 {c12} a month against the peers' {c12_median} (z = {c12_z})."),
    "suspect_mix_high_text": ("一二类烟占其销量 {share}，同类客户中位数 {peer}（稳健 z = {z}）。",
                              "Class 1–2 are {share} of its volume against the peers' median {peer} (robust z = {z})."),
    "suspect_level_shift_text": ("自 {month} 月起月均销量由 {before}变为 {after}，并持续。",
                                 "From month {month} its monthly volume went from {before} to {after} and stayed there."),
    "suspect_paired_shift_text": (
        "自 {month} 月起月均{change}，同期{partner}自 {partner_month} 月起月均{partner_change}：订货可能从一户转到另一户。",
        "From month {month} its monthly volume {change} while that of {partner} {partner_change} from month "
        "{partner_month}: orders may have moved from one licence to the other."),
    # a step's direction and size ("增加 0.55 箱", "rose by 0.55 cases")
    "suspect_rose": ("增加 {cases}", "rose by {cases}"),
    "suspect_fell": ("减少 {cases}", "fell by {cases}"),
    # one reason in a list's cell: its label, then its sentence (a colon would double the one before it)
    "suspect_reason_item": ("【{label}】{text}", "[{label}] {text}"),
    "suspect_swing_text": ("月销量变异系数 {cv}（{months} 个月有订货）。",
                           "Coefficient of variation of its monthly volume {cv} ({months} months with orders)."),
    # the page (pages/views/suspects.py)
    "suspects_intro": ("每户按下列信号打分并排序（分数越高越值得先核实）：销量或一二类销量远超同档位同业态同城乡客户、"
                       "一二类占比偏高、销量突变并持续、同一客户经理（或片区）的两户此消彼长、月销量波动大。"
                       "同类客户为全市同年同档位、同业态、同城乡的客户（不少于 {n} 户）。",
                       "Each retailer is scored on these signals and sorted, the highest first (check those first): "
                       "volume or class 1–2 volume far above peers of the same tier, format and area; a class 1–2 share "
                       "far above theirs; a lasting step in volume; two retailers of one manager (or district) moving in "
                       "opposite directions; big monthly swings. Peers are the company's retailers of the same tier, "
                       "format and area in the year (at least {n})."),
    "suspects_none": ("所选范围本年没有代订货线索。", "No ordering-for-others leads in this scope and year."),
    "suspects_period": ("读取 {year} 年 {lo}–{hi} 月（数据截至 {end}）；销量为月均。",
                        "Reading {year}, months {lo}–{hi} (data to {end}); volumes are monthly means."),
    "suspects_drill": ("逐户查看：与同类客户逐月对比", "One retailer's months against its peers"),
    "suspects_pick": ("客户", "Retailer"),
    "suspects_no_peers": ("该户的同类客户不足 {n} 户，没有对比区间。", "This retailer has fewer than {n} peers: no band to compare with."),
    "suspects_print": ("打印版（专销联动）", "Printable (for the monopoly-enforcement colleague)"),
    "suspects_print_title": ("代订货线索（专销联动）", "Ordering-for-others leads (for monopoly enforcement)"),
    "suspects_list": ("线索清单", "Leads"),
    "suspects_figures": ("各户数字与同类对比", "The figures behind each lead, beside its peers'"),
    "peer_band_iqr": ("同类客户 25%–75%", "Peers 25%–75%"),
    "peer_p25": ("同类客户 25% 分位(箱)", "Peers' 25th percentile (cases)"),
    "peer_p75": ("同类客户 75% 分位(箱)", "Peers' 75th percentile (cases)"),
    "peer_median": ("同类客户中位数", "Peers' median"),
    # column headers (analytics/columns.py)
    "suspect_score": ("线索分", "Score"),
    "suspect_reasons": ("线索", "Reasons"),
    "suspect_reason_text": ("依据", "Evidence"),
    "partner_retailer_id": ("对应客户许可证号", "Partner licence no."),
    "partner_retailer_name": ("对应客户", "Partner retailer"),
    "monthly_cases": ("月均销量(箱)", "Monthly volume (cases)"),
    "monthly_class12_cases": ("月均一二类(箱)", "Monthly class 1–2 (cases)"),
    "peer_median_cases": ("同类月均中位数(箱)", "Peers' median monthly volume (cases)"),
    "peer_median_class12_cases": ("同类一二类中位数(箱)", "Peers' median class 1–2 (cases)"),
    "peer_class12_share_pct": ("同类一二类占比中位数(%)", "Peers' median class 1–2 share (%)"),
    "peer_count": ("同类客户数", "Peers"),
    "volume_z": ("销量稳健z", "Volume robust z"),
    "class12_z": ("一二类稳健z", "Class 1–2 robust z"),
    "mix_z": ("占比稳健z", "Share robust z"),
    "months_read": ("读取月数", "Months read"),
    "shift_month": ("突变月", "Step month"),
    "shift_before_cases": ("突变前月均(箱)", "Monthly before (cases)"),
    "shift_after_cases": ("突变后月均(箱)", "Monthly after (cases)"),
    "shift_change_cases": ("月均变化(箱)", "Monthly change (cases)"),
    "partner_shift_month": ("对应客户突变月", "Partner's step month"),
    "partner_shift_change_cases": ("对应客户月均变化(箱)", "Partner's monthly change (cases)"),
}

# --- #14 brands ---
#: brand cultivation (品牌培育): the page pages/views/brands.py, its columns (analytics/columns.py) and charts
BRANDS: dict[str, Pair] = {
    "brand_intro": (
        "铺货率 = 订购该品牌(规格)的零售户 ÷ 客户数(与网订率同一口径)；重购率 = 在两个不同的周订购过的零售户 ÷ 订购过的零售户；"
        "动销 = 订单行数与销量。“累计”从所选月份的第一个月算起。",
        "Coverage = retailers who ordered the brand (specification) ÷ customers (as for the online rate); repeat rate = retailers "
        "who ordered it in two different weeks ÷ retailers who ordered it; movement = order lines and volume. "
        "\"Cumulative\" counts from the first month of the period.",
    ),
    "brand_level": ("层级", "Level"),
    "brand_level_brand": ("品牌", "Brand"),
    "brand_level_sku": ("规格", "Specification"),
    "brand_name": ("品牌/规格(可输入搜索)", "Brand / specification (type to search)"),
    "brand_none": ("所选年份没有任何品牌的订单。", "No brand was ordered in the selected year."),
    "brand_coverage": ("铺货率", "Coverage"),
    "brand_repeat": ("重购率", "Repeat rate"),
    "brand_movement": ("动销", "Movement"),
    "brand_lines": ("订单行数", "Order lines"),
    "unit_lines": ("行", "lines"),
    "brand_card_help": ("{retailers} / {customers} 户订购", "{retailers} of {customers} retailers ordered it"),
    "brand_cumulative": ("累计", "cumulative"),
    "brand_curve": ("培育曲线：累计铺货率", "Cultivation curve: cumulative coverage"),
    "brand_curve_repeat": ("培育曲线：累计重购率", "Cultivation curve: cumulative repeat rate"),
    "brand_curve_help": (
        "实线为累计值，虚线为当月值；灰线为对比年同月。月份按整月显示，最后一个月可能未满。",
        "Solid: cumulative; dotted: the month's own figure; grey: the comparison year's same months. "
        "Whole months; the last may be partial.",
    ),
    "brand_this_month": ("{year}年当月", "{year}, the month"),
    "brand_new": ("本年新品", "New this year"),
    "brand_new_help": (
        "本年首次有订单、往年数据中没有订单的品牌或规格，按铺货率从高到低。",
        "Brands or specifications first ordered this year (no order in any earlier year of the data), widest coverage first.",
    ),
    "brand_new_none": ("本年没有新品。", "No new brand or specification this year."),
    "brand_new_first_year": ("数据中没有更早的年份，无法判断新品。", "The data hold no earlier year, so nothing can be called new."),
    "brand_new_curves": ("新品累计铺货率", "New products: cumulative coverage"),
    "brand_lagging": ("培育滞后", "Who lags"),
    "brand_lagging_help": (
        "按铺货率从低到高(同率时重购率低者在前)，与所选范围整体比较。",
        "Lowest coverage first (then lowest repeat rate), against the whole selection.",
    ),
    "brand_by": ("按", "By"),
    "brand_not_ordered": ("{name} 在所选年份和对比年份都没有订货，改为显示 {shown}。",
                          "{name} was ordered in neither the selected nor the comparison year; showing {shown}."),
    # column headers
    "retailers_n": ("订购户数(户)", "Retailers ordering (retailers)"),
    "repeaters_n": ("重购户数(户)", "Repeat retailers (retailers)"),
    "coverage_pct": ("铺货率(%)", "Coverage (%)"),
    "repeat_pct": ("重购率(%)", "Repeat rate (%)"),
    "lines_n": ("订单行数(行)", "Order lines"),
    "cum_retailers_n": ("累计订购户数(户)", "Cumulative retailers (retailers)"),
    "cum_repeaters_n": ("累计重购户数(户)", "Cumulative repeat retailers (retailers)"),
    "cum_coverage_pct": ("累计铺货率(%)", "Cumulative coverage (%)"),
    "cum_repeat_pct": ("累计重购率(%)", "Cumulative repeat rate (%)"),
    "retailers_prev_n": ("对比年订购户数(户)", "Retailers ordering, comparison year"),
    "coverage_pct_prev": ("对比年铺货率(%)", "Coverage, comparison year (%)"),
    "repeat_pct_prev": ("对比年重购率(%)", "Repeat rate, comparison year (%)"),
    "lines_prev_n": ("对比年订单行数(行)", "Order lines, comparison year"),
    "cum_coverage_pct_prev": ("对比年累计铺货率(%)", "Cumulative coverage, comparison year (%)"),
    "cum_repeat_pct_prev": ("对比年累计重购率(%)", "Cumulative repeat rate, comparison year (%)"),
    "coverage_change_pp": ("铺货率增减(百分点)", "Coverage change (pp)"),
    "repeat_change_pp": ("重购率增减(百分点)", "Repeat rate change (pp)"),
    "cases_yoy_pct": ("销量同比(%)", "Volume YoY (%)"),
    "cum_coverage_change_pp": ("累计铺货率增减(百分点)", "Cumulative coverage change (pp)"),
    "cum_repeat_change_pp": ("累计重购率增减(百分点)", "Cumulative repeat rate change (pp)"),
    "first_month": ("首次订货月份", "First ordered (month)"),
    "scope_coverage_pct": ("整体铺货率(%)", "Selection's coverage (%)"),
    "scope_repeat_pct": ("整体重购率(%)", "Selection's repeat rate (%)"),
    "coverage_gap_pp": ("铺货率差距(百分点)", "Coverage gap (pp)"),
    "repeat_gap_pp": ("重购率差距(百分点)", "Repeat rate gap (pp)"),
}

SECTIONS: dict[str, dict[str, Pair]] = {
    "pages": PAGES, "measures": MEASURES, "units": UNITS, "states": STATES, "charts": CHARTS, "retailers": RETAILERS,
    "pace": PACE, "same_period": SAME_PERIOD, "links": LINKS, "presenting": PRESENTING, "data_page": DATA_PAGE,
    "ingest_errors": INGEST_ERRORS, "errors": ERRORS, "access": ACCESS, "admin": ADMIN,
    "progress": PROGRESS,  # --- #13 progress ---
    "suspects": SUSPECTS,  # --- #14 suspects ---
    "brands": BRANDS,  # --- #14 brands ---
    "visits": VISITS,  # --- #14 visits ---
}

#: key -> (中文, English). Every UI text on a page, chart, export or message comes from here.
LABELS: dict[str, Pair] = {key: pair for section in SECTIONS.values() for key, pair in section.items()}


def t(key: str, lang: str = "zh", **params: object) -> str:
    """The UI text for `key` in `lang`, with {placeholders} filled; an unknown key is returned as is."""
    pair = LABELS.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**params) if params else text


# --- data vocabularies: the words for the codes stored in the data -------------------------------

#: vocabulary -> code -> (中文, English); the codes are analytics/contract.py's canonical values
VOCABULARIES: dict[str, dict[object, Pair]] = {
    "area": {"urban": ("城网", "Urban"), "rural": ("农网", "Rural")},
    "channel": {"online": ("网上订货", "Online"), "phone": ("电话订货", "Phone"), "visit": ("走访订货", "Visit"),
                "other": ("其他", "Other")},
    "provincial": {True: ("省产", "Provincial"), False: ("省外", "Out-of-province")},
    "yes_no": {True: ("是", "Yes"), False: ("否", "No")},
    "class": {1: ("一类", "Class 1"), 2: ("二类", "Class 2"), 3: ("三类", "Class 3"), 4: ("四类", "Class 4"),
              5: ("五类", "Class 5")},
}


def vocab(kind: str, code: object, lang: str = "zh") -> str:
    """The word for a data code of vocabulary `kind` in `lang`; a code the vocabulary does not know is
    data and is shown as itself."""
    pair = VOCABULARIES[kind].get(code)
    if pair is None:
        return str(code)
    return pair[1] if lang == "en" else pair[0]


def class_label(cls: int, lang: str = "zh") -> str:
    """一类 … 五类 (Class 1 … Class 5)."""
    return vocab("class", int(cls), lang)
