"""Problems found in an uploaded file: each names file, row (header = row 1), column and value, and
says what is wrong in the reader's language (labels in analytics.labels)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..labels import t

MAX_PROBLEMS_SHOWN = 50


def human_size(n: int) -> str:
    """Bytes as people read them: 150 B, 1.5 KB, 200 MB (one decimal, none when whole)."""
    for unit, size in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if n >= size:
            return f"{n / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} B"


@dataclass(frozen=True)
class LabelRef:
    """A message parameter that is itself a label, so it reads in the reader's language."""

    key: str
    params: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    value: str | None
    code: str
    params: tuple[tuple[str, object], ...] = ()

    def message(self, lang: str = "zh") -> str:
        params = {k: t(v.key, lang, **dict(v.params)) if isinstance(v, LabelRef) else v for k, v in self.params}
        what = t(self.code, lang, **params)
        where: list[str] = [self.file]
        if lang == "en":
            if self.row is not None:
                where.append(f"row {self.row}")
            if self.column is not None:
                where.append(f"column '{self.column}'")
            if self.value:  # an empty cell has no value worth quoting
                where.append(f"value '{self.value}'")
            return ", ".join(where) + ": " + what
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        if self.column is not None:
            where.append(f"列“{self.column}”")
        if self.value:
            where.append(f"值“{self.value}”")
        return "，".join(where) + "：" + what


class ProblemList:
    """Counts every problem and keeps the first MAX_PROBLEMS_SHOWN in file order: by row (the whole
    file's problems first), then by the column's place in the file (`columns`, the headers as read),
    problems of one cell in the order they were found. The checks run column by column; an analyst
    fixes a file top to bottom."""

    columns: tuple[str, ...] = ()  # a class default: parses pickled before it was set still sort

    def __init__(self, columns: tuple[str, ...] = ()) -> None:
        self.items: list[Problem] = []
        self.count = 0
        self.columns = tuple(columns)

    def _place(self, p: Problem) -> tuple[int, int]:
        column = self.columns.index(p.column) if p.column in self.columns else (-1 if p.column is None else len(self.columns))
        return (p.row if p.row is not None else 0, column)

    def _keep(self, new: list[Problem]) -> None:
        # a stable sort keeps the finding order within one cell and among the whole file's problems
        self.items = sorted([*self.items, *new], key=self._place)[:MAX_PROBLEMS_SHOWN]

    def copy(self) -> ProblemList:
        twin = ProblemList(self.columns)
        twin.items, twin.count = list(self.items), self.count
        return twin

    def add(self, problem: Problem) -> None:
        self.count += 1
        self._keep([problem])

    def add_rows(
        self, file: str, mask: pd.Series, values: pd.Series, column: str, code: str, **params: object
    ) -> None:
        """One problem per row where `mask` holds; row numbers as the analyst sees them.

        The index of `values` is the record's position in the file (0 = first line under the
        header), kept through dropping blank rows, so row = index + 2.
        """
        bad = np.flatnonzero(mask.to_numpy(dtype=bool, na_value=False))
        self.count += len(bad)
        # rows ascend with position: this column's first rows are the only ones that can be kept
        new = []
        for pos in bad[:MAX_PROBLEMS_SHOWN]:
            value = values.iloc[pos]
            new.append(Problem(file, int(values.index[pos]) + 2, column, "" if _blank(value) else str(value), code, tuple(params.items())))
        self._keep(new)

    def messages(self, lang: str = "zh") -> list[str]:
        lines = [p.message(lang) for p in self.items]
        if self.count > len(self.items):
            lines.append(t("err_more", lang, n=self.count - len(self.items)))
        return lines

    def __bool__(self) -> bool:
        return self.count > 0


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == "" or value is pd.NA


