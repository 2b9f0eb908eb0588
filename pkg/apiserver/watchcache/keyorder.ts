// Key order as the stores return it: etcd and SQLite compare keys as UTF-8 bytes. JavaScript's `<`
// compares UTF-16 code units, which differs for characters above U+FFFF (surrogates, 0xD800–0xDFFF)
// against U+E000–U+FFFF; mapping code units as below makes code-unit order equal code-point order,
// which is UTF-8 byte order.
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return fix(x) - fix(y);
  }
  return a.length - b.length;
}

function fix(c: number): number {
  if (c >= 0xe000) return c - 0x800;
  if (c >= 0xd800) return c + 0x2000;
  return c;
}
