"""User configuration: ``indicatorqa.toml`` or ``[tool.indicatorqa]`` in a pyproject.

Example::

    disable = ["V005"]                 # rules never reported
    [severity]
    P006 = "warning"                   # change a rule's severity
    [thresholds]
    s001_ratio = 2.0                   # see indicatorqa/data/thresholds.toml for names
    [words]
    vague = ["稳步推进"]                # extra words (merged with data/words.toml)
    [[suppress]]                       # per-indicator suppression
    project = "*科普*"                  # glob on the project name (optional)
    name = "服务对象满意度"              # glob on the 三级指标 (optional)
    codes = ["V004"]
    reason = "口径经财政局确认"

Inline suppression: a cell of the indicator (usually 指标值确定依据 or 绩效指标描述)
containing ``indicatorqa: ignore V001,N001`` (or ``iqa:ignore[V001]``) silences those codes
for that indicator only; ``indicatorqa: ignore`` with no codes silences all of them.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import InputError

CONFIG_NAMES = ("indicatorqa.toml", ".indicatorqa.toml")
_CODE = re.compile(r"^[VNPS]\d{3}$")
_INLINE = re.compile(r"(?:indicatorqa|iqa)\s*[:：]\s*ignore\s*(?:\[([^\]]*)\]|([A-Z0-9 ,，、]*))", re.I)


class Suppression(BaseModel):
    model_config = ConfigDict(extra="forbid")
    project: str | None = None
    name: str | None = None
    codes: list[str] = Field(default_factory=list)
    reason: str = ""

    def matches(self, project_name: str, indicator_name: str) -> bool:
        if self.project and not fnmatch.fnmatchcase(project_name, self.project):
            return False
        if self.name and not fnmatch.fnmatchcase(indicator_name, self.name):
            return False
        return True


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")
    disable: list[str] = Field(default_factory=list)
    severity: dict[str, Literal["error", "warning", "info"]] = Field(default_factory=dict)
    thresholds: dict[str, float] = Field(default_factory=dict)
    words: dict[str, list[str]] = Field(default_factory=dict)
    suppress: list[Suppression] = Field(default_factory=list)
    source: str | None = Field(None, description="the file this config came from")

    @field_validator("disable")
    @classmethod
    def _codes(cls, v: list[str]) -> list[str]:
        bad = [c for c in v if not _CODE.match(c)]
        if bad:
            raise ValueError(f"未知的规则代码：{', '.join(bad)}（应为 V001 这样的代码）")
        return v

    def threshold(self, name: str) -> float:
        if name in self.thresholds:
            return self.thresholds[name]
        return default_thresholds()[name]

    def word_list(self, name: str) -> tuple[str, ...]:
        return tuple(default_words().get(name, ())) + tuple(self.words.get(name, ()))

    def is_enabled(self, code: str) -> bool:
        return code not in self.disable

    def suppressed_codes(self, project_name: str, indicator_name: str, cells: tuple[str, ...] = ()) -> set[str] | None:
        """Codes silenced for one indicator; the set {'*'} means all."""
        codes: set[str] = set()
        for s in self.suppress:
            if s.matches(project_name, indicator_name):
                codes.update(s.codes or ["*"])
        for cell in cells:
            for m in _INLINE.finditer(cell or ""):
                listed = re.findall(r"[VNPS]\d{3}", (m.group(1) or m.group(2) or "").upper())
                codes.update(listed or ["*"])
        return codes


@cache
def default_thresholds() -> dict[str, float]:
    return tomllib.loads(resources.files("indicatorqa").joinpath("data/thresholds.toml").read_text("utf-8"))


@cache
def default_words() -> dict[str, list[str]]:
    return tomllib.loads(resources.files("indicatorqa").joinpath("data/words.toml").read_text("utf-8"))


def find_config(start: Path | None = None) -> Path | None:
    """The nearest indicatorqa.toml, or a pyproject.toml with [tool.indicatorqa], upwards from start."""
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        for name in CONFIG_NAMES:
            if (d / name).is_file():
                return d / name
        py = d / "pyproject.toml"
        if py.is_file():
            try:
                if "indicatorqa" in tomllib.loads(py.read_text("utf-8")).get("tool", {}):
                    return py
            except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
                continue
    return None


def load_config(path: str | Path | None = None, search: bool = True) -> Config:
    if path is None and search:
        path = find_config()
    if path is None:
        return Config()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise InputError("配置文件不存在", str(path)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"配置文件格式错误：{exc}", str(path)) from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("indicatorqa", {})
    try:
        cfg = Config.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(x) for x in first["loc"])
        raise InputError(f"配置项 {loc} 有误：{first['msg']}", str(path)) from None
    unknown = set(cfg.thresholds) - set(default_thresholds())
    if unknown:
        raise InputError(f"未知的阈值名称：{', '.join(sorted(unknown))}", str(path))
    cfg.source = str(path)
    return cfg
