"""Exports for archivists: a collection or a search as CSV (for spreadsheets) and as Dublin Core XML.

Who may export: staff (archivists and admins) only; venues and the public are refused. An export
holds exactly the records its user may see (the catalogue's visibility rule), which for staff
includes partners, restricted and embargoed records: it is their working copy of the catalogue.
"""
