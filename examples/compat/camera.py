"""A BLOB driver in indipydriver's style: a simulated camera.

A client switches "expose" On; the driver sends an image as a BLOB. A client
may also upload a file, which the driver acknowledges and describes.
"""

import asyncio
import zlib
import indiflask.compat as ipd


def take_image(width=8, height=4):
    "A tiny simulated grey image, as PGM bytes"
    header = f"P5 {width} {height} 255\n".encode()
    pixels = bytes((x * 32 + y * 8) % 256 for y in range(height) for x in range(width))
    return header + pixels


class CameraDriver(ipd.IPyDriver):

    """Takes 'exposures' and accepts uploads."""

    async def rxevent(self, event):
        device = self["camera"]
        if isinstance(event, ipd.newSwitchVector) and event.vectorname == "exposevector":
            if event.get("expose") != "On":
                return
            expose = event.vector
            expose["expose"] = "On"
            await expose.send_setVector(state="Busy")
            await asyncio.sleep(self.driverdata["exposure"])
            image = device["imagevector"]
            image["image"] = take_image()
            await image.send_setVectorMembers(state="Ok", members=["image"])
            expose["expose"] = "Off"
            await expose.send_setVector(state="Ok")
        elif isinstance(event, ipd.newBLOBVector) and event.vectorname == "uploadvector":
            data = event["upload"]
            size, blobformat = event.sizeformat["upload"]
            if blobformat.endswith(".z"):
                data = zlib.decompress(data)
            info = device["infovector"]
            info["received"] = f"{len(data)} bytes, format {blobformat or 'unknown'}"
            await info.send_setVector(state="Ok")
            # acknowledge the upload with an empty setBLOBVector
            await event.vector.send_setVectorMembers(state="Ok")


def make_driver(devicename, exposure=0.5):
    "Creates the driver"
    expose = ipd.SwitchMember(name="expose", label="Take image")
    exposevector = ipd.SwitchVector(name="exposevector", label="Expose", group="Camera",
                                    perm="rw", rule="AtMostOne", state="Ok",
                                    switchmembers=[expose])
    image = ipd.BLOBMember(name="image", label="Image", blobformat=".pgm")
    imagevector = ipd.BLOBVector(name="imagevector", label="Image", group="Camera",
                                 perm="ro", state="Idle", blobmembers=[image])
    upload = ipd.BLOBMember(name="upload", label="File to upload")
    uploadvector = ipd.BLOBVector(name="uploadvector", label="Upload", group="Files",
                                  perm="wo", state="Idle", blobmembers=[upload])
    received = ipd.TextMember(name="received", label="Last upload")
    infovector = ipd.TextVector(name="infovector", label="Received", group="Files",
                                perm="ro", state="Idle", textmembers=[received])
    camera = ipd.Device(devicename,
                        properties=[exposevector, imagevector, uploadvector, infovector])
    return CameraDriver(camera, exposure=exposure)


if __name__ == "__main__":
    driver = make_driver("camera")
    server = ipd.IPyServer(driver, host="localhost", port=7624, maxconnections=5)
    asyncio.run(server.asyncrun())
