"""Screening rules as plain functions, one module per topic; callers import the topic they need.

- ``venues``: venues, the accounts linked to them, who may act for a venue;
- ``licences``: the rights to screen a film, and which licence covers a booking;
- ``booking``: the slot a screening occupies, the per-venue lock, clashes, free slots, requests;
- ``decisions``: approve, decline and cancel, with the notice each sends the venue;
- ``reports``: attendance reports and their photographs;
- ``refusals``: ``Refused``, how any of them says no.

Pages and the JSON API hand plain values to these functions. Input that breaks a field rule
raises ``ValidationError`` (422 ``invalid``); a request that is well formed but cannot happen
raises ``Refused`` with an error code a program can test (``clash``, ``no_licence``, ...). Nothing
is written unless every check passed.
"""
