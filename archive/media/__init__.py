"""Media: ingest of originals, technical probing, previews and photo derivatives, fixity."""
