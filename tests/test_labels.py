"""The label table stays whole and lean: every text the code asks for exists in both languages, every
entry is asked for, no key is spelled in two sections, and data codes are not UI keys (a district
named like a key shows as itself)."""
import ast
import string
from pathlib import Path

import pandas as pd
import pytest

from analytics import charts, columns, labels
from analytics.contract import AREA_TYPES, CHANNELS, KINDS, PRICE_CLASSES
from analytics.filters import Filters
from analytics.labels import LABELS, SECTIONS, VOCABULARIES, t, vocab
from analytics.links import PARAMS

ROOT = Path(__file__).resolve().parents[1]
CODE = [ROOT / "app.py", *sorted((ROOT / "analytics").glob("*.py")), *sorted((ROOT / "analytics" / "ingest").glob("*.py")),
        *sorted((ROOT / "pages").rglob("*.py"))]
LABELS_PY = ROOT / "analytics" / "labels.py"
#: the functions whose first argument is a label key
LOOKUPS = {"t", "tr", "tr_md", "LabelRef", "page_header"}

#: keys the code builds at run time: the template (each {} one f-string field) and every value it takes
DYNAMIC: dict[str, tuple[str, ...]] = {
    "kind_{}": KINDS,  # pages/views/data.py: the upload kind and the history's kind column
    "status_{}": ("active", "withdrawn", "purged"),  # the history's status column (analytics/store.py)
    "hist_{}": ("id", "status", "kind", "file_name", "rows", "period_start", "period_end", "districts", "loaded_at",
                "loaded_by", "withdrawn_at", "withdrawn_by", "restored_at", "restored_by"),  # data.py::_history
    "sort_{}": ("volume", "change", "yoy"),  # pages/district.py: the retailer table's order
    "url_bad_{}": PARAMS,  # pages/common.py::_link_notice
    # ingest/reading.py::read_table, after sniff_format
    "err_content_{}": ("png", "jpeg", "gif", "pdf", "gzip", "rar", "7z", "zip", "docx", "pptx", "html", "binary"),
    # ingest/normalise.py::_unknown_ids, more than one line
    "{}_lines": ("err_unknown_retailer", "err_unknown_sku", "err_unknown_district", "err_unknown_manager"),
    "preview_{}": ("withdraw", "restore"),  # data.py::_show_preview, ChangePreview.action
    # data.py::_action: prefix is rollback or restore
    "{}_pick": ("rollback", "restore"),
    "{}_sure": ("rollback", "restore"),
    "{}_done": ("rollback", "restore"),
    "{}_undo_hint": ("rollback", "restore"),
    # --- #14 visits: analytics/visits.py::reason_name ---
    "visit_reason_{}": ("suspect", "decliner", "swing", "not_online", "low_tier_decline"),
    # --- #14 suspects --- analytics/suspects.py::reason_label
    "suspect_{}": ("volume_high", "mix_high", "level_shift", "paired_shift", "swing"),
}


def _trees() -> dict[Path, ast.Module]:
    return {p: ast.parse(p.read_text(encoding="utf-8")) for p in CODE}


def _template(node: ast.JoinedStr) -> str:
    return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)


def _docstrings(tree: ast.Module) -> set[int]:
    return {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}


def _lookups() -> list[tuple[str, int, ast.expr]]:
    """(file, line, first argument) of every t / tr / tr_md / LabelRef / page_header call."""
    out = []
    for path, tree in _trees().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args:
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                if name in LOOKUPS:
                    out.append((str(path.relative_to(ROOT)), node.lineno, node.args[0]))
    return out


def _expanded() -> set[str]:
    return {template.format(value) for template, values in DYNAMIC.items() for value in values}


def test_the_lookups_of_this_test_are_found():
    """The scan below cannot pass by finding nothing."""
    firsts = [arg.value for _, _, arg in _lookups() if isinstance(arg, ast.Constant)]
    assert {"page_data", "no_match", "err_unexpected", "err_detail_timeout", "upload_confirm"} <= set(firsts)
    assert len(firsts) > 150


def test_every_key_the_code_asks_for_exists():
    missing = [(f, line, arg.value) for f, line, arg in _lookups()
               if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value not in LABELS]
    assert not missing, missing


def test_every_key_built_at_run_time_is_declared_and_exists():
    built = {(f, line, _template(arg)) for f, line, arg in _lookups() if isinstance(arg, ast.JoinedStr)}
    undeclared = [b for b in built if b[2] not in DYNAMIC]
    assert not undeclared, f"list these patterns and their values in DYNAMIC: {undeclared}"
    assert not sorted(_expanded() - set(LABELS))
    # a declared pattern the code no longer builds would keep its keys alive for nothing
    templates = {_template(n) for tree in _trees().values() for n in ast.walk(tree) if isinstance(n, ast.JoinedStr)}
    assert set(DYNAMIC) <= templates, set(DYNAMIC) - templates


def test_every_store_error_has_its_label():
    from analytics import store

    errors = [c for c in vars(store).values() if isinstance(c, type) and issubclass(c, store.StoreError)
              and c not in (store.StoreError, store.ExtractError)]
    assert len(errors) >= 9
    assert not [c.__name__ for c in errors if c.key not in LABELS]


def test_no_entry_is_unused():
    """An entry is used when the code spells its key (a lookup, the column registry, a page's list of
    choices …) or builds it from a DYNAMIC pattern; labels.py itself does not count."""
    spelled = set()
    for path, tree in _trees().items():
        if path == LABELS_PY:
            continue
        docs = _docstrings(tree)
        spelled |= {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs}
    unused = sorted(set(LABELS) - spelled - _expanded())
    assert not unused, unused


def _dict_keys(section: str) -> list[str]:
    """The keys as written in labels.py (a literal dict would silently keep the last of two)."""
    for node in ast.parse(LABELS_PY.read_text(encoding="utf-8")).body:
        target = node.target if isinstance(node, ast.AnnAssign) else (node.targets[0] if isinstance(node, ast.Assign) else None)
        if isinstance(target, ast.Name) and target.id == section:
            return [k.value for k in node.value.keys]
    raise AssertionError(section)


def test_no_key_is_written_twice():
    written = [k for name in (s.upper() for s in SECTIONS) for k in _dict_keys(name)]
    assert sorted(k for k in set(written) if written.count(k) > 1) == []
    assert len(written) == len(LABELS) > 300
    # every section is merged; a data code is never a UI key
    assert sum(len(s) for s in SECTIONS.values()) == len(LABELS)
    codes = {str(c) for vocabulary in VOCABULARIES.values() for c in vocabulary}
    assert not codes & set(LABELS)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("table", ["labels", *VOCABULARIES])
def test_every_entry_has_both_languages_with_the_same_placeholders(table):
    entries = LABELS if table == "labels" else VOCABULARIES[table]
    for key, pair in entries.items():
        assert isinstance(pair, tuple) and len(pair) == 2, key
        zh, en = pair
        assert isinstance(zh, str) and isinstance(en, str) and zh.strip() and en.strip(), key
        assert _fields(zh) == _fields(en), key


def test_the_vocabularies_name_the_contracts_codes():
    assert tuple(VOCABULARIES["area"]) == AREA_TYPES
    assert tuple(VOCABULARIES["channel"]) == CHANNELS
    assert tuple(VOCABULARIES["class"]) == PRICE_CLASSES
    assert set(VOCABULARIES["provincial"]) == set(VOCABULARIES["yes_no"]) == {True, False}
    assert [vocab("class", c) for c in PRICE_CLASSES] == ["一类", "二类", "三类", "四类", "五类"]
    assert (vocab("area", "urban"), vocab("area", "rural", "en")) == ("城网", "Rural")
    assert vocab("channel", "visit", "en") == "Visit"
    assert vocab("area", "城郊") == "城郊"  # a code the vocabulary does not know is data: shown as is
    assert labels.class_label(5, "en") == "Class 5"


# --- a name in the data that is spelled like a key or a code shows as itself -----------------------

SPELLED_LIKE_KEYS = ["urban", "class_1", "online", "page_mix", "no_data"]


def test_districts_named_like_keys_show_as_themselves_in_charts():
    frame = pd.DataFrame({"district": SPELLED_LIKE_KEYS, "year": ["2019"] * 5, "share_pct": [1.0, 2.0, 3.0, 4.0, 5.0]})
    fig = charts.bars(frame, "zh", "district", "share_pct", "%", color="year")
    assert list(fig.data[0].x) == SPELLED_LIKE_KEYS
    # an area type is a code and is shown in words
    areas = pd.DataFrame({"area_type": ["urban", "rural"], "low_tier_yoy_pct": [1.0, -1.0]})
    assert list(charts.bars(areas, "zh", "area_type", "low_tier_yoy_pct", "%").data[0].x) == ["城网", "农网"]
    assert list(charts.bars(areas, "en", "area_type", "low_tier_yoy_pct", "%").data[0].x) == ["Urban", "Rural"]


def test_names_like_keys_show_as_themselves_in_tables_and_notes():
    frame = pd.DataFrame({"district": SPELLED_LIKE_KEYS, "area_type": ["urban", "rural", "urban", "rural", "urban"],
                          "business_format": ["rural"] * 5, "channel": ["online", "phone", "visit", "other", "online"]})
    shown = columns.localize(frame, "zh")
    assert list(shown["片区"]) == SPELLED_LIKE_KEYS
    assert list(shown["业态"]) == ["rural"] * 5
    assert list(shown["城乡分类"]) == ["城网", "农网", "城网", "农网", "城网"]
    assert list(shown["订货方式"]) == ["网上订货", "电话订货", "走访订货", "其他", "网上订货"]
    note = columns.filter_note(Filters(districts=("urban",), area_types=("rural",), business_formats=("online",)), "zh")
    assert note == "片区: urban · 城乡分类: 农网 · 业态: online"


def test_t_is_for_ui_text_only():
    assert t("page_mix", "en") == "Category mix"
    assert t("upload_confirm", "zh", n=2) == "确认导入 2 个文件"
    assert t("urban") == "urban" and t("class_1") == "class_1"  # codes are not UI keys
