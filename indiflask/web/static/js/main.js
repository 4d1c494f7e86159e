// The panel: keeps every property received over the WebSocket, shows the chosen device's
// chosen group, and sends changes through the JSON API. DOM work happens once per frame,
// however many updates arrive in between.

import { Live, apiPath, request } from "./connection.js";
import { MessageLog } from "./log.js";
import { Plots } from "./plot.js";
import { PropertyCard, shapeOf } from "./view.js";

const $ = (id) => document.getElementById(id);
const keyOf = (device, name) => `${device}\u0000${name}`;
const NO_GROUP = "Main";

class Panel {
  constructor() {
    this.props = new Map(); // key -> property data, in definition order
    this.cards = new Map(); // key -> PropertyCard of the group on screen
    this.device = null;
    this.group = null;
    this.linkOpen = false;
    this.indiConnected = false;
    this.server = "";
    this.updates = new Map(); // key -> data waiting for the next frame
    this.structure = true; // devices, groups or cards must be laid out again
    this.frame = 0;
    this.log = new MessageLog($("messages"));
    this.plots = new Plots($("plots"));
    this.ctx = {
      send: (card, values) => this.send(card, values),
      upload: (card, member, file, format) => this.upload(card, member, file, format),
      plots: this.plots,
    };
    this.setupControls();
    this.showStatus();
    this.live = new Live((msg) => this.receive(msg), (open) => this.linkChanged(open));
  }

  // ---------------------------------------------------------------- messages in
  receive(msg) {
    switch (msg.type) {
      case "hello":
        this.hello(msg);
        break;
      case "def":
        this.define(msg.property);
        break;
      case "set":
        this.store(msg.property);
        this.updates.set(keyOf(msg.property.device, msg.property.name), this.props.get(keyOf(msg.property.device, msg.property.name)));
        if (msg.values) this.plots.values(msg.property.device, msg.property.name, msg.values);
        this.schedule();
        break;
      case "del":
        this.remove(msg.device, msg.name);
        break;
      case "message":
        this.log.add(msg.device, msg.timestamp, msg.message);
        break;
      case "connection":
        this.indiConnected = msg.connected;
        this.log.add(null, null, msg.connected ? `INDI server connected (${msg.detail || this.server})` : `INDI server lost: ${msg.detail || ""}`, "note");
        this.showStatus();
        break;
      default:
        break;
    }
  }

  hello(msg) {
    this.props.clear();
    this.updates.clear();
    for (const prop of msg.properties) this.store(prop);
    this.log.clear();
    for (const m of msg.messages) this.log.add(m.device, m.timestamp, m.message);
    this.indiConnected = msg.connected;
    this.server = msg.server;
    this.structure = true;
    this.showStatus();
    this.schedule();
  }

  store(prop) {
    const key = keyOf(prop.device, prop.name);
    const known = this.props.get(key);
    if (prop.kind === "BLOB" && !prop.serials && known?.serials) prop.serials = known.serials;
    this.props.set(key, prop);
    return known;
  }

  define(prop) {
    const known = this.store(prop);
    const key = keyOf(prop.device, prop.name);
    const card = this.cards.get(key);
    if (known && card && card.shape === shapeOf(prop) && known.group === prop.group) {
      this.updates.set(key, prop);
    } else {
      this.structure = true;
    }
    this.schedule();
  }

  remove(device, name) {
    for (const key of [...this.props.keys()]) {
      const prop = this.props.get(key);
      if (prop.device === device && (name === null || prop.name === name)) this.props.delete(key);
    }
    this.structure = true;
    this.schedule();
  }

  // ---------------------------------------------------------------- drawing
  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  draw() {
    if (this.structure) {
      this.structure = false;
      this.layout();
    }
    for (const [key, prop] of this.updates) {
      const card = this.cards.get(key);
      if (card) card.update(prop);
    }
    this.updates.clear();
  }

  devices() {
    const found = new Map(); // device -> [groups in order]
    for (const prop of this.props.values()) {
      const groups = found.get(prop.device) || [];
      const group = prop.group || NO_GROUP;
      if (!groups.includes(group)) groups.push(group);
      found.set(prop.device, groups);
    }
    return found;
  }

  layout() {
    const devices = this.devices();
    if (!devices.has(this.device)) this.device = devices.keys().next().value ?? null;
    const groups = devices.get(this.device) || [];
    if (!groups.includes(this.group)) this.group = groups[0] ?? null;
    this.drawDevices(devices);
    this.drawTabs(groups);
    this.drawGroup();
  }

  drawDevices(devices) {
    const list = $("device-list");
    const items = [];
    for (const device of devices.keys()) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "device";
      button.textContent = device;
      if (device === this.device) button.setAttribute("aria-current", "true");
      button.addEventListener("click", () => this.choose(device, null));
      item.append(button);
      items.push(item);
    }
    list.replaceChildren(...items);
  }

  drawTabs(groups) {
    const tabs = $("tabs");
    const buttons = groups.map((group) => {
      const tab = document.createElement("button");
      tab.type = "button";
      tab.setAttribute("role", "tab");
      tab.id = `tab-${encodeURIComponent(group)}`;
      tab.textContent = group;
      const selected = group === this.group;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
      tab.addEventListener("click", () => this.choose(this.device, group));
      return tab;
    });
    tabs.replaceChildren(...buttons);
    const panel = $("properties");
    const current = buttons.find((b) => b.getAttribute("aria-selected") === "true");
    if (current) panel.setAttribute("aria-labelledby", current.id);
  }

  drawGroup() {
    const panel = $("properties");
    const cards = new Map();
    const nodes = [];
    for (const [key, prop] of this.props) {
      if (prop.device !== this.device || (prop.group || NO_GROUP) !== this.group) continue;
      let card = this.cards.get(key);
      if (card && card.shape === shapeOf(prop)) card.update(prop);
      else card = new PropertyCard(prop, this.ctx);
      cards.set(key, card);
      nodes.push(card.root);
    }
    this.cards = cards;
    if (nodes.length === 0) {
      const empty = document.createElement("p");
      empty.className = "empty";
      empty.textContent = this.linkOpen ? "Waiting for the INDI server's devices…" : "Connecting to the panel…";
      nodes.push(empty);
    }
    panel.replaceChildren(...nodes);
  }

  choose(device, group) {
    this.device = device;
    this.group = group;
    this.layout();
  }

  // ---------------------------------------------------------------- status
  linkChanged(open) {
    this.linkOpen = open;
    if (!open) this.log.add(null, null, "connection to the panel lost; reconnecting", "note");
    this.showStatus();
  }

  showStatus() {
    const status = $("status");
    let text;
    let online = false;
    if (!this.linkOpen) text = "panel offline, reconnecting…";
    else if (!this.indiConnected) text = `INDI server ${this.server} unreachable, retrying…`;
    else {
      text = `connected to ${this.server}`;
      online = true;
    }
    status.textContent = text;
    status.classList.toggle("online", online);
    status.classList.toggle("offline", !online);
    document.body.classList.toggle("stale", !online);
  }

  // ---------------------------------------------------------------- changes out
  async send(card, values) {
    const prop = card.prop;
    const url = apiPath("properties", prop.device, prop.name);
    return this.change(card, () => request("POST", url, { json: values }));
  }

  async upload(card, member, file, format) {
    const prop = card.prop;
    const url = `${apiPath("blobs", prop.device, prop.name, member)}?format=${encodeURIComponent(format)}`;
    return this.change(card, () =>
      request("PUT", url, { body: file, headers: { "Content-Type": "application/octet-stream" } }));
  }

  async change(card, call) {
    const prop = card.prop;
    const key = keyOf(prop.device, prop.name);
    card.showError("");
    card.setPending(true);
    let answer;
    try {
      answer = await call();
    } catch (err) {
      answer = { status: 0, body: { error: `not sent: ${err.message}` } };
    }
    const shown = this.cards.get(key) || card;
    card.setPending(false);
    shown.setPending(false);
    const { status, body } = answer;
    const data = status === 200 ? body : body?.property;
    if (data && data.device) {
      this.store(data);
      shown.update(this.props.get(key));
    }
    if (status === 200) return true;
    const reason = status === 409 ? `Refused: ${body.reason || body.error}` : body?.error || `HTTP ${status}`;
    shown.showError(reason);
    this.log.add(prop.device, null, `${prop.name}: ${reason}`, "note");
    return false;
  }

  // ---------------------------------------------------------------- controls
  setupControls() {
    const night = $("night");
    const nightOn = localStorage.getItem("indiflask-night") === "1";
    document.body.classList.toggle("night", nightOn);
    night.setAttribute("aria-pressed", String(nightOn));
    night.addEventListener("click", () => {
      const on = !document.body.classList.contains("night");
      document.body.classList.toggle("night", on);
      night.setAttribute("aria-pressed", String(on));
      localStorage.setItem("indiflask-night", on ? "1" : "0");
    });
    const toggle = $("toggle-log");
    toggle.addEventListener("click", () => {
      const log = $("log");
      log.hidden = !log.hidden;
      toggle.setAttribute("aria-expanded", String(!log.hidden));
    });
    $("tabs").addEventListener("keydown", (event) => {
      const tabs = [...$("tabs").querySelectorAll("[role=tab]")];
      const at = tabs.indexOf(document.activeElement);
      if (at < 0) return;
      let next = null;
      if (event.key === "ArrowRight") next = (at + 1) % tabs.length;
      else if (event.key === "ArrowLeft") next = (at - 1 + tabs.length) % tabs.length;
      else if (event.key === "Home") next = 0;
      else if (event.key === "End") next = tabs.length - 1;
      if (next === null) return;
      event.preventDefault();
      this.choose(this.device, tabs[next].textContent);
      $("tabs").querySelectorAll("[role=tab]")[next]?.focus();
    });
  }
}

window.indiflaskPanel = new Panel();
