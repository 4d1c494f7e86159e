// INDI numbers in the browser: parse what a person types (decimal or sexagesimal),
// check it against the member's range before anything is sent.

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const SEXAGESIMAL = /^([+-]?)(\d+(?:\.\d*)?)((?:[\s:;]+\d+(?:\.\d*)?)*)[\s:;]*$/;

/** Parse "12.5", "1e-3", "12:30:15", "-0 30", "12;30" the way indiflask's parse_number does.
 *  Returns a finite number, or throws an Error saying why not. */
export function parseNumber(text) {
  const t = String(text).trim();
  if (t === "") throw new Error("type a number");
  if (DECIMAL.test(t)) {
    const v = Number(t);
    if (!Number.isFinite(v)) throw new Error(`${t} is too large`);
    return v;
  }
  const m = SEXAGESIMAL.exec(t);
  if (!m) throw new Error(`${t} is not a number (decimal, or sexagesimal such as 12:30:15)`);
  const parts = [m[2], ...m[3].split(/[\s:;]+/).filter((p) => p !== "")];
  let value = 0;
  parts.forEach((p, i) => { value += Number(p) / 60 ** i; });
  return m[1] === "-" ? -value : value;
}

/** Format a bound for a message: integers plainly, others with up to 6 significant digits. */
export function shortNumber(v) {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}

/** Check the typed text against a number definition {min, max}; returns the number or throws. */
export function checkNumber(text, def, label) {
  const value = parseNumber(text);
  const { min, max } = def;
  if (min !== null && max !== null && min < max && (value < min || value > max)) {
    throw new Error(`${label}: ${shortNumber(value)} is outside [${shortNumber(min)}, ${shortNumber(max)}]`);
  }
  return value;
}
