"""One App called ``app``, with a writable number and a read-only text."""

from indiflask import App, Number

app = App("Single Driver", device="single")


@app.number("VALUE", members=[Number("X", format="%.2f", min=0, max=10, value=1.5)])
def value(change):
    print("stray output from a handler")  # must never reach the INDI stream under --stdio


app.text("NOTE", perm="ro", members={"TEXT": "hello <&> world"})
