"""One App, under a name discovery does not know: found as the module's only App."""

from indiflask import App

driver = App("Only Instance", device="only")
driver.switch("POWER", members={"ON": False, "OFF": True})
