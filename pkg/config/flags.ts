// Command-line flags with an environment fallback: --api-listen reads SWITCHYARD_API_LISTEN, etc.
export interface FlagSpec {
  name: string;
  help: string;
  default?: string;
  boolean?: boolean;
}

export type FlagValues = Record<string, string | boolean | undefined>;

export function envName(flag: string): string {
  return `SWITCHYARD_${flag.replace(/-/g, '_').toUpperCase()}`;
}

export function parseFlags(argv: string[], specs: FlagSpec[], env: NodeJS.ProcessEnv = process.env): FlagValues {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const out: FlagValues = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${JSON.stringify(a)}`);
    const eq = a.indexOf('=');
    const name = a.slice(2, eq > 0 ? eq : undefined);
    const spec = byName.get(name);
    if (!spec) throw new Error(`unknown flag --${name}`);
    if (spec.boolean) {
      const v = eq > 0 ? a.slice(eq + 1) : 'true';
      out[name] = v === 'true' || v === '1';
    } else {
      const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new Error(`flag --${name} needs a value`);
      out[name] = v;
    }
  }
  for (const s of specs) {
    if (out[s.name] !== undefined) continue;
    const e = env[envName(s.name)];
    if (e !== undefined && e !== '') out[s.name] = s.boolean ? e === 'true' || e === '1' : e;
    else if (s.default !== undefined) out[s.name] = s.boolean ? s.default === 'true' : s.default;
  }
  return out;
}

export function usage(specs: FlagSpec[]): string {
  return specs.map((s) => `  --${s.name}${s.boolean ? '' : ' VALUE'}\t${s.help}${s.default !== undefined ? ` (default ${s.default})` : ''} [env ${envName(s.name)}]`).join('\n');
}

/** "HOST:PORT", "[::1]:PORT" or ":PORT" → host and port. */
export function splitHostPort(s: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(s);
  if (!m) throw new Error(`expected HOST:PORT, got ${JSON.stringify(s)}`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`port out of range in ${s}`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}
