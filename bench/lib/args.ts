// Command-line values of the benchmark scripts: `--name value`.

/** The value after `--name`, or `dflt` when the flag is absent or has no value. */
export function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}

/** The value after `--name`; a missing one is an error (the servers the benches start). */
export function requiredArg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || !process.argv[i + 1]) throw new Error(`--${name} is required`);
  return process.argv[i + 1]!;
}
