"""The layout rules hold: the product under analytics/ never imports Streamlit, nor the tools beside it
(analytics/tools/); nothing under analytics/ imports the tests; pages only compose."""
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


def _modules(path: Path) -> set[str]:
    """Every module `path` imports, relative imports resolved to their full dotted name."""
    package = list(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            names |= {module} | {f"{module}.{a.name}" for a in node.names}  # `from analytics import tools` too
    return names


TOOLS = ROOT / "analytics" / "tools"
PRODUCT = sorted(p for p in (ROOT / "analytics").rglob("*.py") if TOOLS not in p.parents)


def test_analytics_package_never_imports_streamlit():
    # the tools too: what drives a real server (AppTest, Streamlit's protocol, Chromium) lives in tests/
    files = sorted((ROOT / "analytics").rglob("*.py"))
    assert len(files) >= 10
    offenders = [str(p.relative_to(ROOT)) for p in files if "streamlit" in _imports(p)]
    assert offenders == []


def test_what_the_app_runs_never_imports_the_tools_and_analytics_never_imports_the_tests():
    product = PRODUCT + sorted((ROOT / "pages").rglob("*.py")) + [ROOT / "app.py"]
    uses_tools = {str(p.relative_to(ROOT)) for p in product
                  if any(m == "analytics.tools" or m.startswith("analytics.tools.") for m in _modules(p))}
    # the one door: `python -m analytics demo` builds the demo city (lazily, inside that command)
    assert uses_tools == {"analytics/cli.py"}
    uses_tests = [str(p.relative_to(ROOT)) for p in sorted((ROOT / "analytics").rglob("*.py"))
                  if any(m.split(".")[0] == "tests" for m in _modules(p))]
    assert uses_tests == []


def test_pages_do_not_open_their_own_database_connections():
    offenders = [str(p.relative_to(ROOT)) for p in sorted((ROOT / "pages").rglob("*.py")) if "duckdb" in _imports(p)]
    assert offenders == []


def test_no_page_renders_raw_html():
    hits = [str(p) for p in list((ROOT / "pages").rglob("*.py")) + [ROOT / "app.py"]
            if "unsafe_allow_html=True" in p.read_text(encoding="utf-8")]
    assert hits == []
