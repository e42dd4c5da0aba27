"""Deletions: the record of what was deleted, and the purge that makes sure its stored objects are gone."""
