"""Backups an operator can restore from: a consistent database dump, the storage manifest and the settings."""
