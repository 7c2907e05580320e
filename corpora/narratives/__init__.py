"""The shipped narrative catalogue (``catalogue.jsonl``), installed as package data."""
