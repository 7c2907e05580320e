"""Shipped models: ``default.skops``, its ``.sha256`` and its model card."""
