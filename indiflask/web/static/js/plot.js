// Plots of numbers over time: a small canvas routine, no library.

import { apiPath, request } from "./connection.js";

const WINDOWS = [60, 300, 600]; // seconds
const MAX_POINTS = 20000;

/** One plot: a member of a number property, its recent values, drawn on a canvas. */
export class Plot {
  constructor(container, device, name, member, label, onClose) {
    this.key = `${device}\u0000${name}\u0000${member}`;
    this.points = []; // [ms, value]
    this.window = 300;
    this.dirty = false;
    const box = document.createElement("figure");
    box.className = "plot";
    const head = document.createElement("figcaption");
    const title = document.createElement("span");
    title.className = "title";
    title.textContent = `${device} · ${label}`;
    this.latest = document.createElement("output");
    const select = document.createElement("select");
    select.setAttribute("aria-label", "Time span");
    for (const seconds of WINDOWS) {
      const option = new Option(`${seconds / 60} min`, String(seconds), seconds === this.window, seconds === this.window);
      select.append(option);
    }
    select.addEventListener("change", () => { this.window = Number(select.value); this.request(); });
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "×";
    close.setAttribute("aria-label", `Close the plot of ${label}`);
    close.addEventListener("click", () => { box.remove(); onClose(this); });
    head.append(title, this.latest, select, close);
    this.canvas = document.createElement("canvas");
    this.canvas.setAttribute("role", "img");
    this.canvas.setAttribute("aria-label", `${label} over time`);
    box.append(head, this.canvas);
    container.prepend(box);
    this.box = box;
    this.load(device, name, member);
  }

  async load(device, name, member) {
    const { status, body } = await request("GET", apiPath("history", device, name, member));
    if (status === 200) {
      const known = this.points;
      this.points = body.points.concat(known.filter((p) => p[0] > (body.points.at(-1)?.[0] ?? 0)));
      this.request();
    }
  }

  /** Add a value received now. */
  add(value) {
    if (value === null || value === undefined) return;
    this.points.push([Date.now(), value]);
    if (this.points.length > MAX_POINTS) this.points.splice(0, this.points.length - MAX_POINTS);
    this.request();
  }

  request() {
    if (this.dirty) return;
    this.dirty = true;
    requestAnimationFrame(() => { this.dirty = false; this.draw(); });
  }

  draw() {
    const canvas = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth || 300;
    const height = canvas.clientHeight || 160;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const style = getComputedStyle(this.box);
    const ink = style.getPropertyValue("--plot-ink").trim() || "#9fc4ff";
    const grid = style.getPropertyValue("--plot-grid").trim() || "#334";
    const text = style.getPropertyValue("--fg").trim() || "#ddd";
    const now = Date.now();
    const start = now - this.window * 1000;
    const shown = this.points.filter((p) => p[0] >= start);
    const last = this.points.at(-1);
    this.latest.textContent = last ? String(Number(last[1].toPrecision(7))) : "";
    if (shown.length === 0) {
      ctx.fillStyle = text;
      ctx.font = "12px system-ui, sans-serif";
      ctx.fillText("no values yet", 8, height / 2);
      return;
    }
    let low = Infinity;
    let high = -Infinity;
    for (const [, v] of shown) { if (v < low) low = v; if (v > high) high = v; }
    if (high - low < 1e-12) { high += 0.5; low -= 0.5; }
    const pad = (high - low) * 0.08;
    low -= pad; high += pad;
    const left = 56, right = 6, top = 6, bottom = 18;
    const x = (t) => left + ((t - start) / (now - start)) * (width - left - right);
    const y = (v) => top + (1 - (v - low) / (high - low)) * (height - top - bottom);
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillStyle = text;
    ctx.strokeStyle = grid;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let i = 0; i <= 4; i++) {
      const v = low + ((high - low) * i) / 4;
      const yy = Math.round(y(v)) + 0.5;
      ctx.moveTo(left, yy); ctx.lineTo(width - right, yy);
      ctx.fillText(String(Number(v.toPrecision(5))), 2, yy + 4);
    }
    ctx.stroke();
    ctx.fillText(`-${this.window / 60} min`, left, height - 4);
    ctx.fillText("now", width - right - 22, height - 4);
    ctx.strokeStyle = ink;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    shown.forEach(([t, v], i) => { if (i === 0) ctx.moveTo(x(t), y(v)); else ctx.lineTo(x(t), y(v)); });
    if (last) ctx.lineTo(x(now), y(last[1]));
    ctx.stroke();
  }
}

/** Keeps every open plot and routes new values to them; redraws once a second so time moves. */
export class Plots {
  constructor(container) {
    this.container = container;
    this.open = new Map();
    setInterval(() => { for (const plot of this.open.values()) plot.request(); }, 1000);
  }

  toggle(device, name, member, label) {
    const key = `${device}\u0000${name}\u0000${member}`;
    const known = this.open.get(key);
    if (known) {
      known.box.remove();
      this.open.delete(key);
      return false;
    }
    const plot = new Plot(this.container, device, name, member, label, (p) => this.open.delete(p.key));
    this.open.set(key, plot);
    return true;
  }

  /** New values of a number property, as a set message carried them. */
  values(device, name, values) {
    for (const [member, value] of Object.entries(values)) {
      const plot = this.open.get(`${device}\u0000${name}\u0000${member}`);
      if (plot) plot.add(value);
    }
  }
}
