"""``app`` names something that is not an App."""

app = "not an app"
