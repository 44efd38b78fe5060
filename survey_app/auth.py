"""Who is logged in: loading the user from the session (Flask-Login)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from .extensions import db, login_manager
from .models import User


def init_app(app: Flask) -> None:
    login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user whose id and current session token match; None after logout elsewhere."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.scalar(select(User).where(User.id == int(user_id)))
    if user is None or user.session_token != token or not user.active:
        return None
    return user
