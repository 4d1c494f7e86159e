"""Shared test data for the protocol tests: one golden (event, XML) pair per message kind."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from indiflask.protocol import events as ev
from indiflask.protocol.blobs import BlobValue
from indiflask.protocol.values import BlobMode, Perm, Rule, State

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TRANSCRIPTS = Path(__file__).resolve().parent.parent / "fuzz" / "transcripts"
DTD = etree.DTD(str(FIXTURES / "indi.dtd"))

TS = "2026-11-24T19:04:42"

#: (event, exactly the bytes the codec writes). Every event class appears at least once.
GOLDEN: list[tuple[ev.Event, bytes]] = [
    (ev.GetProperties(), b'<getProperties version="1.7"/>\n'),
    (
        ev.GetProperties(device="Echo", name="VALUES"),
        b'<getProperties version="1.7" device="Echo" name="VALUES"/>\n',
    ),
    (
        ev.DefTextVector(
            device="Echo",
            name="INFO",
            label="Info",
            group="Main",
            state=State.OK,
            perm=Perm.RO,
            timeout=0,
            timestamp=TS,
            members=(ev.DefText(name="NAME", label="Name", value="echo & <co>"),),
        ),
        b'<defTextVector device="Echo" name="INFO" label="Info" group="Main" state="Ok" '
        b'perm="ro" timeout="0" timestamp="2026-11-24T19:04:42"><defText name="NAME" '
        b'label="Name">echo &amp; &lt;co&gt;</defText></defTextVector>\n',
    ),
    (
        ev.DefNumberVector(
            device="Echo",
            name="VALUES",
            label="Values",
            state=State.IDLE,
            perm=Perm.RW,
            timeout=2.5,
            members=(
                ev.DefNumber(name="X", format="%.6f", min=-1, max=1, step=0.1, value=0.25),
                ev.DefNumber(name="Y", label="Y axis", format="%9.6m", value=5.5034076071965199),
            ),
        ),
        b'<defNumberVector device="Echo" name="VALUES" label="Values" state="Idle" perm="rw" '
        b'timeout="2.5"><defNumber name="X" format="%.6f" min="-1" max="1" step="0.1">0.25'
        b'</defNumber><defNumber name="Y" label="Y axis" format="%9.6m" min="0" max="0" '
        b'step="0">5.50340760719652</defNumber></defNumberVector>\n',
    ),
    (
        ev.DefSwitchVector(
            device="Echo",
            name="CONNECTION",
            state=State.IDLE,
            perm=Perm.WO,
            rule=Rule.AT_MOST_ONE,
            timeout=60,
            message="pick one",
            members=(
                ev.DefSwitch(name="CONNECT", value=True),
                ev.DefSwitch(name="DISCONNECT", value=False),
            ),
        ),
        b'<defSwitchVector device="Echo" name="CONNECTION" state="Idle" perm="wo" '
        b'rule="AtMostOne" timeout="60" message="pick one"><defSwitch name="CONNECT">On'
        b'</defSwitch><defSwitch name="DISCONNECT">Off</defSwitch></defSwitchVector>\n',
    ),
    (
        ev.DefLightVector(
            device="Echo",
            name="STATUS",
            state=State.ALERT,
            members=(ev.DefLight(name="L1", value=State.BUSY),),
        ),
        b'<defLightVector device="Echo" name="STATUS" state="Alert"><defLight name="L1">Busy'
        b"</defLight></defLightVector>\n",
    ),
    (
        ev.DefBLOBVector(
            device="Cam",
            name="CCD1",
            group="Image",
            state=State.IDLE,
            perm=Perm.RO,
            timeout=0,
            members=(ev.DefBLOB(name="IMAGE", label="Image"),),
        ),
        b'<defBLOBVector device="Cam" name="CCD1" group="Image" state="Idle" perm="ro" '
        b'timeout="0"><defBLOB name="IMAGE" label="Image"/></defBLOBVector>\n',
    ),
    (
        ev.SetTextVector(
            device="Echo", name="INFO", state=State.BUSY, values={"NAME": 'say "hi"\tnow'}
        ),
        b'<setTextVector device="Echo" name="INFO" state="Busy"><oneText name="NAME">'
        b'say "hi"\tnow</oneText></setTextVector>\n',
    ),
    (
        ev.SetNumberVector(
            device="Echo",
            name="VALUES",
            state=State.OK,
            timeout=0,
            timestamp=TS,
            values={"X": 3.25, "Y": -7.0},
        ),
        b'<setNumberVector device="Echo" name="VALUES" state="Ok" timeout="0" '
        b'timestamp="2026-11-24T19:04:42"><oneNumber name="X">3.25</oneNumber>'
        b'<oneNumber name="Y">-7</oneNumber></setNumberVector>\n',
    ),
    (
        ev.SetNumberVector(
            device="CCD",
            name="CCD_FRAME",
            values={"X": 0.0, "W": 1280.0},
            limits={"W": (1.0, 1280.0, 0.0)},
        ),
        b'<setNumberVector device="CCD" name="CCD_FRAME"><oneNumber name="X">0</oneNumber>'
        b'<oneNumber name="W" min="1" max="1280" step="0">1280</oneNumber></setNumberVector>\n',
    ),
    (
        ev.SetSwitchVector(
            device="Echo",
            name="CONNECTION",
            message="line1\nline2",
            values={"CONNECT": True, "DISCONNECT": False},
        ),
        b'<setSwitchVector device="Echo" name="CONNECTION" message="line1&#10;line2">'
        b'<oneSwitch name="CONNECT">On</oneSwitch><oneSwitch name="DISCONNECT">Off</oneSwitch>'
        b"</setSwitchVector>\n",
    ),
    (
        ev.SetLightVector(device="Echo", name="STATUS", state=State.OK, values={"L1": State.IDLE}),
        b'<setLightVector device="Echo" name="STATUS" state="Ok"><oneLight name="L1">Idle'
        b"</oneLight></setLightVector>\n",
    ),
    (
        ev.SetBLOBVector(
            device="Cam",
            name="CCD1",
            state=State.OK,
            values={"IMAGE": BlobValue(format=".fits", size=5, b64=b"aGVsbG8=")},
        ),
        b'<setBLOBVector device="Cam" name="CCD1" state="Ok"><oneBLOB name="IMAGE" size="5" '
        b'format=".fits">aGVsbG8=</oneBLOB></setBLOBVector>\n',
    ),
    (
        ev.SetBLOBVector(
            device="Cam",
            name="CCD1",
            values={
                "IMAGE": BlobValue(format=".fits.z", size=5, b64=b"eJzLSM3JyQcABiwCFQ==", length=13)
            },
        ),
        b'<setBLOBVector device="Cam" name="CCD1"><oneBLOB name="IMAGE" size="5" '
        b'format=".fits.z" len="13">eJzLSM3JyQcABiwCFQ==</oneBLOB></setBLOBVector>\n',
    ),
    (
        ev.NewTextVector(device="Echo", name="INFO", timestamp=TS, values={"NAME": "x"}),
        b'<newTextVector device="Echo" name="INFO" timestamp="2026-11-24T19:04:42">'
        b'<oneText name="NAME">x</oneText></newTextVector>\n',
    ),
    (
        ev.NewNumberVector(device="Echo", name="VALUES", values={"X": 12.5, "Y": 1e-06}),
        b'<newNumberVector device="Echo" name="VALUES"><oneNumber name="X">12.5</oneNumber>'
        b'<oneNumber name="Y">1e-06</oneNumber></newNumberVector>\n',
    ),
    (
        ev.NewSwitchVector(device="Echo", name="CONNECTION", values={"CONNECT": True}),
        b'<newSwitchVector device="Echo" name="CONNECTION"><oneSwitch name="CONNECT">On'
        b"</oneSwitch></newSwitchVector>\n",
    ),
    (
        ev.NewBLOBVector(
            device="Cam",
            name="UPLOAD",
            values={"FILE": BlobValue(format=".txt", size=2, b64=b"aGk=")},
        ),
        b'<newBLOBVector device="Cam" name="UPLOAD"><oneBLOB name="FILE" size="2" '
        b'format=".txt">aGk=</oneBLOB></newBLOBVector>\n',
    ),
    (ev.DelProperty(device="Echo"), b'<delProperty device="Echo"/>\n'),
    (
        ev.DelProperty(device="Echo", name="VALUES", timestamp=TS, message="gone"),
        b'<delProperty device="Echo" name="VALUES" timestamp="2026-11-24T19:04:42" '
        b'message="gone"/>\n',
    ),
    (ev.Message(message="global <news>"), b'<message message="global &lt;news&gt;"/>\n'),
    (
        ev.Message(device="Echo", timestamp=TS, message="5 > 3 & 2 < 4"),
        b'<message device="Echo" timestamp="2026-11-24T19:04:42" '
        b'message="5 &gt; 3 &amp; 2 &lt; 4"/>\n',
    ),
    (
        ev.EnableBLOB(device="Cam", mode=BlobMode.ALSO),
        b'<enableBLOB device="Cam">Also</enableBLOB>\n',
    ),
    (
        ev.EnableBLOB(device="Cam", name="CCD1", mode=BlobMode.ONLY),
        b'<enableBLOB device="Cam" name="CCD1">Only</enableBLOB>\n',
    ),
    (ev.PingRequest(uid="SetBLOB/1"), b'<pingRequest uid="SetBLOB/1"/>\n'),
    (ev.PingReply(uid="SetBLOB/1"), b'<pingReply uid="SetBLOB/1"/>\n'),
]

#: Every sendable event class, to check that GOLDEN covers them all.
SENDABLE_CLASSES = {
    cls for triple in ev.VECTOR_CLASSES.values() for cls in triple if cls is not None
} | {ev.GetProperties, ev.DelProperty, ev.Message, ev.EnableBLOB, ev.PingRequest, ev.PingReply}


def transcript() -> bytes:
    """A real capture: indiserver 1.9.9 with the telescope, focuser and CCD simulators."""
    return (TRANSCRIPTS / "indiserver-simulators.xml").read_bytes()


# Hostile DTDs: external entities (XXE) and exponential expansion ("billion laughs").
XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    b'<message device="x" message="&xxe;"/><getProperties version="1.7">&xxe;</getProperties>'
)
XXE_PARAM = b'<!DOCTYPE foo [<!ENTITY % ext SYSTEM "file:///etc/passwd"> %ext;]><a/>'
XXE_EXTERNAL_DTD = b'<!DOCTYPE foo SYSTEM "http://127.0.0.1:9/evil.dtd"><a>&e;</a>'
LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(
        b' <!ENTITY lol%d "%s">\n'
        % (i, b"".join(b"&lol%s;" % (b"" if i == 1 else b"%d" % (i - 1)) for _ in range(10)))
        for i in range(1, 10)
    )
    + b"]>\n<lolz>&lol9;</lolz>"
)
