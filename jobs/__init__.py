"""Scheduled and background work run without a browser: alert evaluation, digests (later sync).

Built on ``data_access`` and the pure builders in ``components``; never imports Streamlit.
"""
