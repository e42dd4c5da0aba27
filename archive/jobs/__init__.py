"""Background jobs: each queued piece of work is a row with status, progress and error."""
