"""Helpers for serving many lab sessions from one process: no Streamlit, no user data.

Modules
-------
fairshare   the training-time budget each session gets per tick, and the lock that takes turns
live_feed   the lab's live view payloads: only what changed since the frame's last one
"""
