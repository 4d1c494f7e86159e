// The panel's link to its server: a WebSocket that reconnects by itself, and fetch helpers.

const API = "/api";

/** encodeURIComponent for each path part. */
export function apiPath(kind, ...parts) {
  return `${API}/${kind}/${parts.map(encodeURIComponent).join("/")}`;
}

/** Send a request to the JSON API; resolves to {status, body} (body parsed when JSON). */
export async function request(method, url, { json, body, headers = {} } = {}) {
  const init = { method, headers: { ...headers }, credentials: "same-origin" };
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (body !== undefined) {
    init.body = body;
  }
  const response = await fetch(url, init);
  if (response.status === 401) {
    window.location.assign("/login");
  }
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await response.json() : await response.text();
  return { status: response.status, body: data };
}

/** A WebSocket to /api/ws that reconnects with backoff (0.5 s doubling to 5 s).
 *  onMessage(obj) gets each parsed message; onState(open: boolean) each change of link. */
export class Live {
  constructor(onMessage, onState) {
    this.onMessage = onMessage;
    this.onState = onState;
    this.delay = 500;
    this.socket = null;
    this.open();
  }

  open() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}${API}/ws`);
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.delay = 500;
      this.onState(true);
    });
    socket.addEventListener("message", (event) => {
      let data;
      try {
        data = JSON.parse(event.data);
      } catch (err) {
        console.warn("indiflask: not JSON", err);
        return;
      }
      this.onMessage(data);
    });
    socket.addEventListener("close", () => {
      if (this.socket !== socket) return;
      this.onState(false);
      setTimeout(() => this.open(), this.delay);
      this.delay = Math.min(this.delay * 2, 5000);
    });
  }
}
