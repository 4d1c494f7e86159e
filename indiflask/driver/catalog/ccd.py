"""Camera standard properties (``Interface.CCD``, libindi's ``CCD``).

Once connected, libindi defines the exposure, frame, binning, chip
information, frame type, formats, upload and FITS header properties and the
``CCD1`` BLOB; a cooler adds ``CCD_TEMPERATURE`` (and ``CCD_TEMP_RAMP``,
``CCD_COOLER``), a colour sensor ``CCD_CFA``, a guide head the ``GUIDER_*``
properties and ``CCD2``. Ekos' Capture module needs ``CCD_EXPOSURE``,
``CCD_INFO`` (read by position), ``CCD_FRAME``, ``CCD_BINNING``,
``CCD_FRAME_TYPE`` and ``CCD1``; it subframes, bins and aborts only when those
properties are writable, and matches frame types and formats by their labels.
Streaming, recording and signal-processing properties are not listed.

Members, labels, formats and initial values are those of libindi 1.9.9's CCD
simulator (a 1280x1024 chip), or of libindi's CCD class for what it lacks.
"""

from __future__ import annotations

from typing import Any

from .interfaces import Interface
from .spec import StandardProperty, blob, define, num, sw, txt

__all__ = [
    "CCD1",
    "CCD2",
    "CCD_ABORT_EXPOSURE",
    "CCD_BINNING",
    "CCD_CAPTURE_FORMAT",
    "CCD_CFA",
    "CCD_COMPRESSION",
    "CCD_COOLER",
    "CCD_EXPOSURE",
    "CCD_FAST_COUNT",
    "CCD_FAST_TOGGLE",
    "CCD_FRAME",
    "CCD_FRAME_RESET",
    "CCD_FRAME_TYPE",
    "CCD_GAIN",
    "CCD_INFO",
    "CCD_OFFSET",
    "CCD_TEMPERATURE",
    "CCD_TEMP_RAMP",
    "CCD_TRANSFER_FORMAT",
    "FITS_HEADER",
    "GUIDER_ABORT_EXPOSURE",
    "GUIDER_BINNING",
    "GUIDER_COMPRESSION",
    "GUIDER_EXPOSURE",
    "GUIDER_FRAME",
    "GUIDER_FRAME_TYPE",
    "GUIDER_INFO",
    "PROPERTIES",
    "SCOPE_INFO",
    "UPLOAD_MODE",
    "UPLOAD_SETTINGS",
    "WCS_CONTROL",
]


def _define(*args: Any, **options: Any) -> StandardProperty:
    return define(*args, interfaces=Interface.CCD, **options)


CCD_EXPOSURE = _define(
    "Number",
    "CCD_EXPOSURE",
    "Expose",
    "Main Control",
    num("CCD_EXPOSURE_VALUE", "Duration (s)", "%5.2f", 0.01, 3600, 1, 1),
    summary=(
        "Start an exposure of this many seconds; the value counts down while Busy. Ekos"
        " captures with it and takes Alert as a failed capture."
    ),
)

CCD_ABORT_EXPOSURE = _define(
    "Switch",
    "CCD_ABORT_EXPOSURE",
    "Abort",
    "Main Control",
    sw("ABORT", "Abort"),
    rule="AtMostOne",
    ro_allowed=True,
    summary="Abort the running exposure; Ekos can abort only when it is writable.",
)

CCD_FRAME = _define(
    "Number",
    "CCD_FRAME",
    "Frame",
    "Image Settings",
    num("X", "Left ", "%4.0f", 0, 1279, 0, 0),
    num("Y", "Top", "%4.0f", 0, 1023, 0, 0),
    num("WIDTH", "Width", "%4.0f", 1, 1280, 0, 1280),
    num("HEIGHT", "Height", "%4.0f", 1, 1024, 0, 1024),
    saved=True,
    ro_allowed=True,
    summary="The subframe, in unbinned pixels; Ekos subframes only when it is writable.",
)

CCD_FRAME_RESET = _define(
    "Switch",
    "CCD_FRAME_RESET",
    "Frame Values",
    "Image Settings",
    sw("RESET", "Reset"),
    perm="wo",
    timeout=0,
    summary="Reset the subframe to the full chip.",
)

CCD_BINNING = _define(
    "Number",
    "CCD_BINNING",
    "Binning",
    "Image Settings",
    num("HOR_BIN", "X", "%2.0f", 1, 4, 1, 1),
    num("VER_BIN", "Y", "%2.0f", 1, 4, 1, 1),
    saved=True,
    ro_allowed=True,
    summary=(
        "Horizontal and vertical binning; Ekos bins only when it is writable, up to the"
        " members' max."
    ),
)

CCD_INFO = _define(
    "Number",
    "CCD_INFO",
    "CCD Information",
    "Image Info",
    num("CCD_MAX_X", "Max. Width", "%.f", 1, 16000, 0, 1280),
    num("CCD_MAX_Y", "Max. Height", "%.f", 1, 16000, 0, 1024),
    num("CCD_PIXEL_SIZE", "Pixel size (um)", "%.2f", 1, 40, 0, 5.2),
    num("CCD_PIXEL_SIZE_X", "Pixel size X", "%.2f", 1, 40, 0, 5.2),
    num("CCD_PIXEL_SIZE_Y", "Pixel size Y", "%.2f", 1, 40, 0, 5.2),
    num("CCD_BITSPERPIXEL", "Bits per pixel", "%.f", 8, 64, 0, 16),
    perm="ro",
    summary=(
        "Chip size, pixel sizes (microns) and bits per pixel; Ekos reads the six "
        "members positionally."
    ),
)

CCD_FRAME_TYPE = _define(
    "Switch",
    "CCD_FRAME_TYPE",
    "Type",
    "Image Settings",
    sw("FRAME_LIGHT", "Light", True),
    sw("FRAME_BIAS", "Bias"),
    sw("FRAME_DARK", "Dark"),
    sw("FRAME_FLAT", "Flat"),
    summary=("Light, bias, dark or flat; Ekos' frame-type choice matches the members' labels."),
)

CCD_CAPTURE_FORMAT = _define(
    "Switch",
    "CCD_CAPTURE_FORMAT",
    "Format",
    "Image Settings",
    sw("INDI_MONO", "Mono", True),
    saved=True,
    variable_members=True,
    summary="The camera's capture formats (mono, RGB, raw, ...); Ekos shows the labels.",
)

CCD_TRANSFER_FORMAT = _define(
    "Switch",
    "CCD_TRANSFER_FORMAT",
    "Encode",
    "Image Settings",
    sw("FORMAT_FITS", "FITS", True),
    sw("FORMAT_NATIVE", "Native"),
    saved=True,
    summary="Send images as FITS or in the camera's native format; Ekos matches the labels.",
)

CCD_COMPRESSION = _define(
    "Switch",
    "CCD_COMPRESSION",
    "Compression",
    "Image Settings",
    sw("INDI_ENABLED", "Enabled"),
    sw("INDI_DISABLED", "Disabled", True),
    saved=True,
    summary="Compress images before sending them.",
)

CCD1 = _define(
    "BLOB",
    "CCD1",
    "Image Data",
    "Image Info",
    blob("CCD1", "Image"),
    perm="ro",
    summary=(
        "The image of the main chip, sent when an exposure ends; Ekos receives it on a "
        "connection of its own."
    ),
)

UPLOAD_MODE = _define(
    "Switch",
    "UPLOAD_MODE",
    "Upload",
    "Options",
    sw("UPLOAD_CLIENT", "Client", True),
    sw("UPLOAD_LOCAL", "Local"),
    sw("UPLOAD_BOTH", "Both"),
    timeout=0,
    saved=True,
    summary=(
        "Send images to the client, save them where the driver runs, or both; without "
        "it Ekos warns and assumes the client."
    ),
)

UPLOAD_SETTINGS = _define(
    "Text",
    "UPLOAD_SETTINGS",
    "Upload Settings",
    "Options",
    txt("UPLOAD_DIR", "Dir", ""),  # libindi fills in the home folder of the driver's user
    txt("UPLOAD_PREFIX", "Prefix", "IMAGE_XXX"),
    saved=True,
    summary="Directory and file prefix for images saved where the driver runs.",
)

FITS_HEADER = _define(
    "Text",
    "FITS_HEADER",
    "FITS Header",
    "General Info",
    txt("FITS_OBSERVER", "Observer", "Unknown"),
    txt("FITS_OBJECT", "Object", "Unknown"),
    summary="Observer and object for the FITS header; Ekos sends them before each capture.",
)

SCOPE_INFO = _define(
    "Number",
    "SCOPE_INFO",
    "Scope",
    "Options",
    num("FOCAL_LENGTH", "Focal Length (mm)", "%.2f", 10, 10000, 100, 0),
    num("APERTURE", "Aperture (mm)", "%.2f", 10, 3000, 100, 0),
    ro_allowed=True,
    summary=(
        "Focal length and aperture of the telescope in use, in millimetres; Ekos writes"
        " them from the optical train and reads them positionally."
    ),
)

WCS_CONTROL = _define(
    "Switch",
    "WCS_CONTROL",
    "WCS",
    "WCS",
    sw("WCS_ENABLE", "Enable"),
    sw("WCS_DISABLE", "Disable", True),
    timeout=0,
    summary=(
        "Add World Coordinate System keywords to the FITS header; Ekos' Align module turns it on."
    ),
)

CCD_TEMPERATURE = _define(
    "Number",
    "CCD_TEMPERATURE",
    "Temperature",
    "Main Control",
    num("CCD_TEMPERATURE_VALUE", "Temperature (C)", "%5.2f", -50, 50, 0, 0),
    ro_allowed=True,
    summary=(
        "Chip temperature, in degrees Celsius; writing it sets the cooler's target. "
        "Ekos reads the first member."
    ),
)

CCD_TEMP_RAMP = _define(
    "Number",
    "CCD_TEMP_RAMP",
    "Temp. Ramp",
    "Main Control",
    num("RAMP_SLOPE", "Max. dT (C/min)", "%.f", 0, 30, 1, 0),
    num("RAMP_THRESHOLD", "Threshold (C)", "%.1f", 0.1, 2, 0.1, 0.2),
    saved=True,
    summary=(
        "Limit the cooling rate: degrees per minute and threshold; Ekos reads the "
        "members positionally."
    ),
)

CCD_COOLER = _define(
    "Switch",
    "CCD_COOLER",
    "Cooler",
    "Main Control",
    sw("COOLER_ON", "ON"),
    sw("COOLER_OFF", "OFF", True),
    perm="wo",
    timeout=0,
    summary="Cooler on or off.",
)

CCD_GAIN = _define(
    "Number",
    "CCD_GAIN",
    "Gain",
    "Main Control",
    num("GAIN", "value", "%.f", 0, 100, 10, 90),
    summary=(
        "Sensor gain (a driver convention, not a libindi base property); Ekos finds "
        "gain by this member name."
    ),
)

CCD_OFFSET = _define(
    "Number",
    "CCD_OFFSET",
    "Offset",
    "Main Control",
    num("OFFSET", "value", "%.f", 0, 6000, 500, 0),
    summary=(
        "Sensor offset (a driver convention, not a libindi base property); Ekos finds "
        "offset by this member name."
    ),
)

CCD_FAST_TOGGLE = _define(
    "Switch",
    "CCD_FAST_TOGGLE",
    "Fast Exposure",
    "Options",
    sw("INDI_ENABLED", "Enabled"),
    sw("INDI_DISABLED", "Disabled", True),
    timeout=0,
    saved=True,
    summary="Fast exposure: start the next frame while the last one is sent.",
)

CCD_FAST_COUNT = _define(
    "Number",
    "CCD_FAST_COUNT",
    "Fast Count",
    "Options",
    num("FRAMES", "Frames", "%.f", 0, 100000, 1, 1),
    timeout=0,
    summary="How many frames a fast exposure takes.",
)

CCD_CFA = _define(
    "Text",
    "CCD_CFA",
    "Bayer Info",
    "Image Info",
    txt("CFA_OFFSET_X", "X Offset", "0"),
    txt("CFA_OFFSET_Y", "Y Offset", "0"),
    txt("CFA_TYPE", "Filter"),
    saved=True,
    ro_allowed=True,
    summary="The colour filter array of a colour sensor: offsets and pattern (e.g. RGGB).",
)

GUIDER_EXPOSURE = _define(
    "Number",
    "GUIDER_EXPOSURE",
    "Guide Head",
    "Main Control",
    num("GUIDER_EXPOSURE_VALUE", "Duration (s)", "%5.2f", 0.01, 3600, 1, 1),
    summary=(
        "Start an exposure of the guide head; Ekos uses the guide head as a second chip"
        " when this is defined."
    ),
)

GUIDER_ABORT_EXPOSURE = _define(
    "Switch",
    "GUIDER_ABORT_EXPOSURE",
    "Abort",
    "Main Control",
    sw("ABORT", "Abort"),
    rule="AtMostOne",
    summary="Abort the guide head's exposure.",
)

GUIDER_FRAME = _define(
    "Number",
    "GUIDER_FRAME",
    "Frame",
    "Guider Head",
    num("X", "Left ", "%4.0f", 0, 499, 0, 0),
    num("Y", "Top", "%4.0f", 0, 289, 0, 0),
    num("WIDTH", "Width", "%4.0f", 1, 500, 0, 500),
    num("HEIGHT", "Height", "%4.0f", 1, 290, 0, 290),
    summary="The guide head's subframe, in unbinned pixels.",
)

GUIDER_BINNING = _define(
    "Number",
    "GUIDER_BINNING",
    "Binning",
    "Guider Head",
    num("HOR_BIN", "X", "%2.0f", 1, 4, 1, 1),
    num("VER_BIN", "Y", "%2.0f", 1, 4, 1, 1),
    saved=True,
    summary="The guide head's binning.",
)

GUIDER_INFO = _define(
    "Number",
    "GUIDER_INFO",
    "Info",
    "Image Info",
    num("CCD_MAX_X", "Max. Width", "%4.0f", 1, 16000, 0, 500),
    num("CCD_MAX_Y", "Max. Height", "%4.0f", 1, 16000, 0, 290),
    num("CCD_PIXEL_SIZE", "Pixel size (um)", "%5.2f", 1, 40, 0, 9.8),
    num("CCD_PIXEL_SIZE_X", "Pixel size X", "%5.2f", 1, 40, 0, 9.8),
    num("CCD_PIXEL_SIZE_Y", "Pixel size Y", "%5.2f", 1, 40, 0, 12.6),
    num("CCD_BITSPERPIXEL", "Bits per pixel", "%3.0f", 8, 64, 0, 16),
    perm="ro",
    summary="The guide head's size, pixel sizes and bits per pixel, as CCD_INFO.",
)

GUIDER_FRAME_TYPE = _define(
    "Switch",
    "GUIDER_FRAME_TYPE",
    "Type",
    "Guider Head",
    sw("FRAME_LIGHT", "Light", True),
    sw("FRAME_BIAS", "Bias"),
    sw("FRAME_DARK", "Dark"),
    sw("FRAME_FLAT", "Flat"),
    summary="The guide head's frame type, as CCD_FRAME_TYPE.",
)

GUIDER_COMPRESSION = _define(
    "Switch",
    "GUIDER_COMPRESSION",
    "Compression",
    "Guider Head",
    sw("INDI_ENABLED", "Enabled"),
    sw("INDI_DISABLED", "Disabled", True),
    saved=True,
    summary="Compress guide head images.",
)

CCD2 = _define(
    "BLOB",
    "CCD2",
    "Image Data",
    "Image Info",
    blob("CCD2", "Guider Image"),
    perm="ro",
    summary="The image of the guide head.",
)

#: Every property above, in the order libindi defines them.
PROPERTIES: tuple[StandardProperty, ...] = (
    CCD_EXPOSURE,
    CCD_ABORT_EXPOSURE,
    CCD_FRAME,
    CCD_FRAME_RESET,
    CCD_BINNING,
    CCD_INFO,
    CCD_FRAME_TYPE,
    CCD_CAPTURE_FORMAT,
    CCD_TRANSFER_FORMAT,
    CCD_COMPRESSION,
    CCD1,
    UPLOAD_MODE,
    UPLOAD_SETTINGS,
    FITS_HEADER,
    SCOPE_INFO,
    WCS_CONTROL,
    CCD_TEMPERATURE,
    CCD_TEMP_RAMP,
    CCD_COOLER,
    CCD_GAIN,
    CCD_OFFSET,
    CCD_FAST_TOGGLE,
    CCD_FAST_COUNT,
    CCD_CFA,
    GUIDER_EXPOSURE,
    GUIDER_ABORT_EXPOSURE,
    GUIDER_FRAME,
    GUIDER_BINNING,
    GUIDER_INFO,
    GUIDER_FRAME_TYPE,
    GUIDER_COMPRESSION,
    CCD2,
)
