#!/usr/bin/env bash
# Copy DATA_DIR consistently while the bot runs: SQLite's online backup of the ledger
# (outbox.sqlite3) and the incidents (health.sqlite3), the record of posted weeks, and the
# entries backups `timetrack backup` keeps in DATA_DIR/backups (so they leave the server's disk).
# Usage: backup-data-dir.sh [DATA_DIR] [DEST]   (defaults: /var/lib/timetrack, /var/backups/timetrack)
set -euo pipefail
data_dir="${1:-/var/lib/timetrack}"
dest_root="${2:-/var/backups/timetrack}"
dest="$dest_root/$(date -u +%Y-%m-%dT%H%M%SZ)"
umask 077
mkdir -p "$dest"
for db in outbox.sqlite3 health.sqlite3; do
  if [ -f "$data_dir/$db" ]; then
    python3 - "$data_dir/$db" "$dest/$db" <<'PY'
import sqlite3, sys
src = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=30)
dst = sqlite3.connect(sys.argv[2])
with dst:
    src.backup(dst)
ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
src.close(); dst.close()
if ok != "ok":
    sys.exit(f"{sys.argv[2]}: integrity check failed: {ok}")
PY
  fi
done
if [ -f "$data_dir/posted-reports.json" ]; then cp -p "$data_dir/posted-reports.json" "$dest/"; fi
if [ -d "$data_dir/backups" ]; then cp -pr "$data_dir/backups" "$dest/"; fi
# Keep the 14 newest.
ls -1dt "$dest_root"/*/ 2>/dev/null | tail -n +15 | xargs -r rm -rf --
echo "$dest"
