// Edits of a flat [name, value, name, value, …] header list (node's rawHeaders shape, what the
// upstream request is built from): set one header, whatever case its copies are in.

/**
 * Set header `lname` (lower case) to `value`: the first copy is overwritten in place, further copies
 * are dropped, and a missing header is appended under `lname`.
 */
export function setHeader(headers: string[], lname: string, value: string): string[] {
  let out = headers;
  let found = false;
  for (let i = 0; i < out.length; i += 2) {
    const n = out[i];
    if (n.length !== lname.length || n.toLowerCase() !== lname) continue;
    if (!found) {
      out[i + 1] = value;
      found = true;
    } else {
      out = out.slice(0, i).concat(out.slice(i + 2));
      i -= 2;
    }
  }
  if (!found) out.push(lname, value);
  return out;
}
