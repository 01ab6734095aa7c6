"""indicatorqa: quality checks and rewrites for Chinese budget performance indicators (预算绩效指标)."""

__version__ = "0.1.0"
