"""The layout rules hold: analytics/ never imports Streamlit; pages only compose."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_analytics_package_never_imports_streamlit():
    files = sorted((ROOT / "analytics").rglob("*.py"))
    assert len(files) >= 10
    offenders = [str(p.relative_to(ROOT)) for p in files if "streamlit" in _imports(p)]
    assert offenders == []


def test_pages_do_not_open_their_own_database_connections():
    offenders = [str(p.relative_to(ROOT)) for p in sorted((ROOT / "pages").rglob("*.py")) if "duckdb" in _imports(p)]
    assert offenders == []


def test_no_page_renders_raw_html():
    hits = [str(p) for p in list((ROOT / "pages").rglob("*.py")) + [ROOT / "app.py"]
            if "unsafe_allow_html=True" in p.read_text(encoding="utf-8")]
    assert hits == []
