"""WSGI entry point: ``gunicorn wsgi:app``."""

import os

from config import Config, ProductionConfig
from tracker import create_app

app = create_app(ProductionConfig if os.environ.get("TRACKER_ENV") == "production" else Config)
