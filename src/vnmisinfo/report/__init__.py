"""What reviewers read: the review page and schema.org ClaimReview drafts."""

from vnmisinfo.report.page import parse_terms, render_report, write_report

__all__ = ["parse_terms", "render_report", "write_report"]
