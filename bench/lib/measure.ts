// The closed-loop load every write benchmark uses: `workers` loops of `one(w, i)` for a fixed time,
// counting completed operations and their latencies.
export interface Measured {
  ops: number;
  errors: number;
  seconds: number;
  rate: number;
  p50: number;
  p99: number;
}

export function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function measure(
  seconds: number,
  workers: number,
  one: (w: number, i: number) => Promise<void>,
  opts: { maxErrors?: number; log?: (line: string) => void } = {},
): Promise<Measured> {
  const lat: number[] = [];
  let ops = 0;
  let errors = 0;
  let firstError: unknown;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; performance.now() < end; i++) {
        const t = performance.now();
        try {
          await one(w, i);
          lat.push(performance.now() - t);
          ops++;
        } catch (err) {
          errors++;
          firstError ??= err;
          if (errors > (opts.maxErrors ?? 100)) throw new Error(`too many errors; first: ${String(firstError)}`);
        }
      }
    }),
  );
  const took = (performance.now() - start) / 1000;
  lat.sort((a, b) => a - b);
  if (errors) (opts.log ?? ((l) => process.stderr.write(l + '\n')))(`  ${errors} errors, first: ${String(firstError)}`);
  return { ops, errors, seconds: took, rate: ops / took, p50: pct(lat, 50), p99: pct(lat, 99) };
}
