// One property on the page: its card (state colour, label, perm, timeout, message) and
// its editors. A card is built from a definition and patched by every update after it.

import { checkNumber } from "./numbers.js";
import { BlobView, uploadForm } from "./images.js";

const STATES = ["Idle", "Ok", "Busy", "Alert"];
let nextId = 0;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Does a new definition change what the card's editors are built from? */
export function shapeOf(prop) {
  return JSON.stringify([prop.kind, prop.perm, prop.rule, prop.definitions]);
}

export class PropertyCard {
  /** ctx: {send(card, values), upload(card, member, file, format), plots, log} */
  constructor(prop, ctx) {
    this.ctx = ctx;
    this.prop = prop;
    this.shape = shapeOf(prop);
    this.pending = false;
    this.values = new Map(); // member -> output element
    this.blobs = new Map(); // member -> BlobView
    this.inputs = new Map(); // member -> input element (numbers, texts)
    this.switches = new Map(); // member -> button
    this.lights = new Map(); // member -> element
    const card = el("article", "prop");
    card.dataset.device = prop.device;
    card.dataset.name = prop.name;
    card.dataset.kind = prop.kind;
    const head = el("header");
    this.badge = el("span", "badge");
    this.badge.setAttribute("aria-label", "state");
    const title = el("h3");
    title.append(el("span", "plabel", prop.label), " ", el("small", "pname", prop.name));
    this.meta = el("span", "meta");
    this.stamp = el("time", "stamp");
    this.stamp.title = "last update (the driver's time stamp, UTC)";
    head.append(this.badge, title, this.meta, this.stamp);
    this.body = el("div", "members");
    this.message = el("p", "message");
    this.error = el("p", "error");
    this.error.setAttribute("role", "alert");
    card.append(head, this.body, this.message, this.error);
    this.root = card;
    this.build(prop);
    this.update(prop);
  }

  get writable() {
    return this.prop.perm !== "ro" && this.prop.kind !== "Light";
  }

  build(prop) {
    const kind = prop.kind;
    if (kind === "Switch") this.buildSwitches(prop);
    else if (kind === "Number" || kind === "Text") this.buildFields(prop);
    else if (kind === "Light") this.buildLights(prop);
    else if (kind === "BLOB") this.buildBlobs(prop);
  }

  buildSwitches(prop) {
    const group = el("div", "switches");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", prop.label);
    for (const [member, def] of Object.entries(prop.definitions)) {
      const button = el("button", "switch", def.label);
      button.type = "button";
      button.dataset.member = member;
      button.disabled = !this.writable;
      button.addEventListener("click", () => this.clickSwitch(member));
      this.switches.set(member, button);
      group.append(button);
    }
    this.body.append(group);
  }

  clickSwitch(member) {
    const on = this.prop.members[member] === true;
    const rule = this.prop.rule;
    if (rule === "OneOfMany" && on) return; // already the one that is On
    this.ctx.send(this, { [member]: rule === "OneOfMany" ? true : !on });
  }

  buildFields(prop) {
    const numbers = prop.kind === "Number";
    const form = el(this.writable ? "form" : "div", "fields");
    for (const [member, def] of Object.entries(prop.definitions)) {
      const row = el("div", "row");
      const label = el("label", "label", def.label);
      const value = el("output", "value");
      this.values.set(member, value);
      row.append(label, value);
      if (this.writable) {
        const input = el("input", "edit");
        input.type = "text";
        input.id = `in-${nextId++}`; // (crypto.randomUUID needs HTTPS off loopback)
        label.htmlFor = input.id;
        input.dataset.member = member;
        input.autocomplete = "off";
        if (numbers) {
          input.inputMode = "decimal";
          input.placeholder = def.min !== null && def.max !== null && def.min < def.max ? `${def.min} … ${def.max}` : "number";
        }
        this.inputs.set(member, input);
        row.append(input);
      }
      if (numbers) {
        const plot = el("button", "plot-button", "Plot");
        plot.type = "button";
        plot.setAttribute("aria-pressed", "false");
        plot.setAttribute("aria-label", `Plot ${def.label} over time`);
        plot.addEventListener("click", () => {
          const open = this.ctx.plots.toggle(prop.device, prop.name, member, `${prop.label} ${def.label}`);
          plot.setAttribute("aria-pressed", String(open));
        });
        row.append(plot);
      }
      form.append(row);
    }
    if (this.writable) {
      const submit = el("button", "set", "Set");
      submit.type = "submit";
      form.append(submit);
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        this.submitFields();
      });
    }
    this.body.append(form);
  }

  submitFields() {
    const values = {};
    const numbers = this.prop.kind === "Number";
    try {
      for (const [member, input] of this.inputs) {
        input.removeAttribute("aria-invalid");
        if (input.value.trim() === "" && !(this.inputs.size === 1 && !numbers)) continue;
        const def = this.prop.definitions[member];
        try {
          values[member] = numbers ? checkNumber(input.value, def, def.label) : input.value;
        } catch (err) {
          input.setAttribute("aria-invalid", "true");
          input.focus();
          throw err;
        }
      }
      if (Object.keys(values).length === 0) throw new Error("type a new value first");
    } catch (err) {
      this.showError(err.message);
      return;
    }
    this.ctx.send(this, values).then((ok) => {
      if (!ok) return;
      for (const member of Object.keys(values)) this.inputs.get(member).value = "";
    });
  }

  buildLights(prop) {
    const group = el("div", "lights");
    for (const [member, def] of Object.entries(prop.definitions)) {
      const light = el("span", "light", def.label);
      this.lights.set(member, light);
      group.append(light);
    }
    this.body.append(group);
  }

  buildBlobs(prop) {
    for (const [member, def] of Object.entries(prop.definitions)) {
      const view = new BlobView(prop, member, def.label);
      this.blobs.set(member, view);
      this.body.append(view.root);
      if (this.writable) {
        this.body.append(uploadForm(prop, member, def.label, (m, file, format) => this.ctx.upload(this, m, file, format)));
      }
    }
  }

  /** Show a property's latest data (from a definition, an update or an API answer). */
  update(prop) {
    this.prop = prop;
    this.showState();
    const meta = [prop.perm];
    if (prop.rule) meta.push(prop.rule);
    if (prop.timeout) meta.push(`timeout ${prop.timeout} s`);
    this.meta.textContent = meta.join(" · ");
    const stamp = prop.timestamp ? prop.timestamp.slice(11, 19) : "";
    if (this.stamp.textContent !== stamp) {
      this.stamp.textContent = stamp;
      this.stamp.dateTime = prop.timestamp || "";
    }
    this.message.textContent = prop.message || "";
    this.message.hidden = !prop.message;
    for (const [member, out] of this.values) {
      const v = prop.kind === "Number" ? prop.formatted?.[member] ?? String(prop.members[member]) : prop.members[member];
      if (out.textContent !== v) out.textContent = v ?? "";
    }
    for (const [member, button] of this.switches) {
      const on = prop.members[member] === true;
      button.setAttribute("aria-pressed", String(on));
      button.classList.toggle("on", on);
    }
    for (const [member, light] of this.lights) {
      const state = prop.members[member];
      for (const s of STATES) light.classList.toggle(`state-${s}`, s === state);
      light.title = state;
    }
    for (const [member, view] of this.blobs) view.update(prop.members[member], prop.serials?.[member] ?? 0);
  }

  showState() {
    const state = this.pending ? "Busy" : this.prop.state;
    for (const s of STATES) this.root.classList.toggle(`state-${s}`, s === state);
    this.root.classList.toggle("pending", this.pending);
    this.badge.textContent = state;
    this.root.setAttribute("aria-busy", String(state === "Busy"));
  }

  /** While a change sent from this page runs, the card shows Busy whatever arrives. */
  setPending(pending) {
    this.pending = pending;
    this.showState();
  }

  showError(text) {
    this.error.textContent = text;
    this.error.hidden = !text;
  }
}
