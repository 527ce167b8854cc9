"""Publishing: the Discord webhook post, the weekly schedule and its cron."""
