"""Subtitle tracks: decoding, parsing, validation, normalised WebVTT output and cues."""
