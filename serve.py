"""The app with its session-cookie routes: ``streamlit run serve.py`` (Streamlit 1.67's ``st.App``, served
by uvicorn) runs app.py and adds two HTTP routes, because a Streamlit script cannot send Set-Cookie:

- ``/session/start?ticket=…&next=/page``: redeems the one-time ticket a login just stored, sets the
  signed, HttpOnly, SameSite=Lax session cookie (Secure behind HTTPS) and sends the browser back to
  ``next`` (a path of this site only);
- ``/session/end``: ends the cookie's session and clears the cookie.

``streamlit run app.py`` still works, without cookies: a reload then asks for the password again.
docs/login-and-roles.md has the whole design.
"""

from __future__ import annotations

import streamlit as st
from starlette.responses import RedirectResponse
from starlette.routing import Route

from data_access import web_sessions
from data_access.database import Database

_database: Database | None = None


def _engine():
    global _database
    if _database is None:
        _database = Database()  # DATABASE_URL or the embedded SQLite file, as the app's
    return _database.engine


def _secure(request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "") == "https"


def start_session(request):
    target = web_sessions.safe_next(request.query_params.get("next"))
    response = RedirectResponse(target, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    token = web_sessions.redeem(_engine(), request.query_params.get("ticket", ""))
    if token is not None:
        response.set_cookie(web_sessions.COOKIE_NAME, web_sessions.sign(token),
                            max_age=int(web_sessions.lifetime().total_seconds()), path="/", httponly=True,
                            samesite="lax", secure=_secure(request))
    return response


def end_session(request):
    token = web_sessions.unsign(request.cookies.get(web_sessions.COOKIE_NAME))
    web_sessions.end(_engine(), token, "logout")
    response = RedirectResponse(web_sessions.safe_next(request.query_params.get("next")), status_code=303)
    response.headers["Cache-Control"] = "no-store"
    response.delete_cookie(web_sessions.COOKIE_NAME, path="/", httponly=True, samesite="lax", secure=_secure(request))
    return response


web_sessions.routes_served = True
app = st.App("app.py", routes=[Route("/session/start", start_session), Route("/session/end", end_session)])
