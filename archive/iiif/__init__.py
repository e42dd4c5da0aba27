"""IIIF Presentation 3: manifests of public films and photos, collections of public exhibitions and series.

Built on the catalogue's visibility rule for the public (``visible_items(None)``), whoever asks:
viewers and aggregators cache what they fetch, so a manifest never holds more than the public sees.
"""
