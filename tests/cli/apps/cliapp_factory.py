"""An app made by a ``create_app`` factory."""

from indiflask import App


def create_app():
    app = App("Factory Made", device="factory")
    app.number("LEVEL", perm="ro", members=["L"])
    return app
