"""The console\x27s SOP pages and the case view\x27s checklist."""
