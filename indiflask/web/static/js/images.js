// BLOB members: an image preview (FITS stretched by the server, JPEG and PNG as they are),
// the FITS header, a download link, and an upload form for writable BLOB properties.

import { apiPath, request } from "./connection.js";

const PREVIEWABLE = /\.(fits?|fts|fits\.fz|jpe?g|png)$/i;

function humanSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

/** The elements of one BLOB member; update(value, serial) shows what arrived. */
export class BlobView {
  constructor(prop, member, label) {
    this.device = prop.device;
    this.name = prop.name;
    this.member = member;
    this.serial = -1;
    const root = document.createElement("div");
    root.className = "blob";
    const info = document.createElement("div");
    info.className = "blob-info";
    const title = document.createElement("span");
    title.className = "label";
    title.textContent = label;
    this.summary = document.createElement("span");
    this.summary.className = "value";
    this.link = document.createElement("a");
    this.link.textContent = "Download";
    this.link.hidden = true;
    info.append(title, " ", this.summary, " ", this.link);
    this.figure = document.createElement("figure");
    this.figure.className = "preview";
    this.figure.hidden = true;
    this.image = document.createElement("img");
    this.image.alt = `${label}: the last image received`;
    this.image.decoding = "async";
    this.caption = document.createElement("figcaption");
    this.figure.append(this.image, this.caption);
    this.header = document.createElement("details");
    this.header.className = "fits-header";
    this.header.hidden = true;
    const headerTitle = document.createElement("summary");
    headerTitle.textContent = "FITS header";
    this.headerTable = document.createElement("table");
    this.header.append(headerTitle, this.headerTable);
    this.header.addEventListener("toggle", () => { if (this.header.open) this.loadHeader(); });
    root.append(info, this.figure, this.header);
    this.root = root;
  }

  update(value, serial) {
    const size = value?.size ?? 0;
    const format = value?.format ?? "";
    this.summary.textContent = size ? `${humanSize(size)} ${format}` : "nothing received yet";
    if (!size || serial === this.serial) return;
    this.serial = serial;
    const path = [this.device, this.name, this.member];
    this.link.href = `${apiPath("blobs", ...path)}?v=${serial}`;
    this.link.download = `${this.device}.${this.name}.${this.member}${format}`;
    this.link.hidden = false;
    if (!PREVIEWABLE.test(format)) {
      this.figure.hidden = true;
      this.header.hidden = true;
      return;
    }
    this.image.src = `${apiPath("preview", ...path)}?v=${serial}`;
    this.caption.textContent = `${format} · ${humanSize(size)} · received ${new Date().toLocaleTimeString()}`;
    this.figure.hidden = false;
    const fits = /\.(fits?|fts|fits\.fz)$/i.test(format);
    this.header.hidden = !fits;
    this.headerTable.replaceChildren();
    if (fits && this.header.open) this.loadHeader();
  }

  async loadHeader() {
    if (this.headerTable.childElementCount) return;
    const { status, body } = await request("GET", apiPath("header", this.device, this.name, this.member));
    if (status !== 200) return;
    const rows = body.cards.map(([key, value, comment]) => {
      const row = document.createElement("tr");
      for (const text of [key, value, comment]) {
        const cell = document.createElement("td");
        cell.textContent = text;
        row.append(cell);
      }
      return row;
    });
    this.headerTable.replaceChildren(...rows);
  }
}

/** ".fits" for "flat.fits", ".fits.fz" for "m31.fits.fz", "" without a suffix. */
export function fileFormat(filename) {
  const match = /((\.[A-Za-z0-9_-]{1,16})?\.(fz|gz|z)|\.[A-Za-z0-9_-]{1,16})$/.exec(filename);
  return match ? match[0].toLowerCase() : "";
}

/** The upload form of a writable BLOB property: choose a file, send it as the member's value. */
export function uploadForm(prop, member, label, send) {
  const form = document.createElement("form");
  form.className = "upload";
  const input = document.createElement("input");
  input.type = "file";
  input.setAttribute("aria-label", `File to upload as ${label}`);
  const button = document.createElement("button");
  button.type = "submit";
  button.textContent = "Upload";
  form.append(input, button);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const file = input.files?.[0];
    if (!file) return;
    send(member, file, fileFormat(file.name));
  });
  return form;
}
