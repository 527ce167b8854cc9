"""Looking after the bot: Notion reachability, incidents and alerts, status and /healthz."""
