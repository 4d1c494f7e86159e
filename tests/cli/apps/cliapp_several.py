"""Two apps and neither is called ``app``: the user must name one."""

from indiflask import App

first = App("First", device="first")
first.switch("A", members=["X", "Y"])
second = App("Second", device="second")
second.switch("B", members=["X", "Y"])
