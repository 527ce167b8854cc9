"""Moving entries in and out: imports from other trackers, exports, backups."""
