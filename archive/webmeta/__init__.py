"""What the archive tells search engines and link previews: schema.org JSON-LD, Open Graph and Twitter
cards on film, photo and screening pages, ``/sitemap.xml`` and ``/robots.txt``.

Everything here answers as to the public (the catalogue's visibility rule with no user): a page of a
partners, restricted or embargoed record carries none of it, only ``noindex``.
"""
