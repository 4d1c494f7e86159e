// The message log: INDI messages (and the panel's own notes), newest last.

const MAX_LINES = 500;

export class MessageLog {
  constructor(list) {
    this.list = list;
  }

  /** Add one line; kind "message" (from INDI) or "note" (the panel's). */
  add(device, timestamp, text, kind = "message") {
    const item = document.createElement("li");
    item.className = kind;
    const when = document.createElement("time");
    when.textContent = timestamp ? timestamp.replace("T", " ") : new Date().toISOString().slice(0, 19).replace("T", " ");
    item.append(when);
    if (device) {
      const who = document.createElement("span");
      who.className = "device";
      who.textContent = device;
      item.append(" ", who);
    }
    const what = document.createElement("span");
    what.className = "text";
    what.textContent = text;
    item.append(" ", what);
    const stick = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 40;
    this.list.append(item);
    while (this.list.childElementCount > MAX_LINES) this.list.firstElementChild.remove();
    if (stick) this.list.scrollTop = this.list.scrollHeight;
  }

  clear() {
    this.list.replaceChildren();
  }
}
