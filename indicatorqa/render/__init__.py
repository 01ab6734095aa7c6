"""Render stage: turn analysed projects into terminal tables, JSON, Markdown, xlsx, HTML."""
