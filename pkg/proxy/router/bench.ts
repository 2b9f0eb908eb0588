// Router micro-benchmark (not a test): `node dist/pkg/proxy/router/bench.js` prints matches/s for
// 1,000 rules in three shapes. Requests are built up front so only match() is measured.
import type { RuleIR } from '../ir';
import { compileRouter, type Router } from './compile';
import { mkMatch, mkRule, Req, type MatchSpec } from './testing';
import { compileFullMatch } from './regex';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const rand = rng(7);
const pickInt = (n: number): number => Math.floor(rand() * n);

/** 100 hosts × 8 rules, 20 wildcards × 5 rules, 100 catch-all rules: 1,000 rules. */
function mixed(): { rules: RuleIR[]; reqs: Req[] } {
  const rules: RuleIR[] = [];
  const reqs: Req[] = [];
  for (let h = 0; h < 100; h++) {
    const host = `svc${h}.example.com`;
    for (let i = 0; i < 8; i++) {
      const spec: MatchSpec = i === 0 ? { exact: `/api/v${i}/health` } : { prefix: `/api/v${i}` };
      if (i % 3 === 1) spec.method = 'GET';
      if (i % 4 === 2) spec.headers = [['x-tenant', `t${h}`]];
      rules.push(mkRule({ route: `r-${h}`, ruleIndex: i, hostnames: [host], matches: [mkMatch(spec)] }));
    }
    reqs.push(new Req(`${host}:8080`, `/api/v${pickInt(8)}/items/42`, 'GET', { 'x-tenant': `t${h}` }));
    reqs.push(new Req(host, `/api/v0/health`, 'GET'));
  }
  for (let w = 0; w < 20; w++) {
    for (let i = 0; i < 5; i++) {
      rules.push(mkRule({ route: `w-${w}`, ruleIndex: i, hostnames: [`*.zone${w}.example.net`], matches: [mkMatch({ prefix: `/w${i}` })] }));
    }
    reqs.push(new Req(`a.b.zone${w}.example.net`, `/w${pickInt(6)}/x?y=1`, 'POST'));
  }
  for (let i = 0; i < 100; i++) {
    const spec: MatchSpec = { prefix: `/shared/${i}` };
    if (i % 10 === 0) spec.query = [['v', String(i)]];
    rules.push(mkRule({ route: `any-${i}`, matches: [mkMatch(spec)] }));
    reqs.push(new Req('unknown.host', `/shared/${pickInt(120)}/x`, 'GET'));
  }
  return { rules, reqs };
}

/** 1,000 prefix rules on one host, each under its own first segment. */
function oneHostSpread(): { rules: RuleIR[]; reqs: Req[] } {
  const rules: RuleIR[] = [];
  const reqs: Req[] = [];
  for (let i = 0; i < 1000; i++) {
    rules.push(mkRule({ route: `r${i}`, hostnames: ['api.example.com'], matches: [mkMatch({ prefix: `/svc${i}` })] }));
  }
  for (let i = 0; i < 1024; i++) reqs.push(new Req('api.example.com', `/svc${pickInt(1100)}/x/y`, 'GET'));
  return { rules, reqs };
}

/** Worst case: 1,000 prefix rules under one first segment, so the scan is linear in them. */
function oneHostSameSegment(): { rules: RuleIR[]; reqs: Req[] } {
  const rules: RuleIR[] = [];
  const reqs: Req[] = [];
  for (let i = 0; i < 1000; i++) {
    rules.push(mkRule({ route: `r${i}`, hostnames: ['api.example.com'], matches: [mkMatch({ prefix: `/api/svc${i}` })] }));
  }
  for (let i = 0; i < 1024; i++) reqs.push(new Req('api.example.com', `/api/svc${pickInt(1000)}/x`, 'GET'));
  return { rules, reqs };
}

function measure(name: string, router: Router, reqs: Req[]): void {
  const n = reqs.length;
  let hits = 0;
  // warm up
  for (let i = 0; i < 200_000; i++) if (router.match(reqs[i % n]) !== null) hits++;
  const iterations = 2_000_000;
  hits = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) if (router.match(reqs[i % n]) !== null) hits++;
  const ns = Number(process.hrtime.bigint() - t0);
  const perSec = (iterations / ns) * 1e9;
  console.log(
    `${name.padEnd(44)} ${Math.round(perSec).toLocaleString('en-US').padStart(12)} matches/s  ` +
      `${(ns / iterations).toFixed(0).padStart(5)} ns/match  hit ${((hits / iterations) * 100).toFixed(0)}%`,
  );
}

/** One typical route regex, matched by re2js (what the router uses) and by a backtracking RegExp. */
function regexEngines(): void {
  const source = '/api/v[0-9]+/users/[0-9]+(/[a-z]+)?';
  const inputs: string[] = [];
  for (let i = 0; i < 1024; i++) inputs.push(i % 3 === 0 ? `/api/v${i % 4}/users/${i}/orders` : i % 3 === 1 ? `/api/v2/items/${i}` : `/static/${i}.js`);
  const re2 = compileFullMatch(source);
  const js = new RegExp(`^(?:${source})$`);
  for (const [name, test] of [['re2js testExact (router)', (s: string) => re2.test(s)], ['JS RegExp (backtracking)', (s: string) => js.test(s)]] as const) {
    let hits = 0;
    for (let i = 0; i < 100_000; i++) if (test(inputs[i & 1023])) hits++;
    const iterations = 1_000_000;
    hits = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) if (test(inputs[i & 1023])) hits++;
    const ns = Number(process.hrtime.bigint() - t0);
    console.log(`regex ${name.padEnd(38)} ${Math.round((iterations / ns) * 1e9).toLocaleString('en-US').padStart(12)} matches/s  ${(ns / iterations).toFixed(0).padStart(5)} ns/match  hit ${((hits / iterations) * 100).toFixed(0)}%`);
  }
}

function main(): void {
  console.log(`router bench, node ${process.version}`);
  regexEngines();
  for (const [name, build] of [
    ['1,000 rules: 100 hosts, wildcards, catch-all', mixed],
    ['1,000 rules: one host, distinct first segments', oneHostSpread],
    ['1,000 rules: one host, one shared segment', oneHostSameSegment],
  ] as const) {
    const { rules, reqs } = build();
    const t0 = process.hrtime.bigint();
    const router = compileRouter(rules, 'default');
    const compileMs = Number(process.hrtime.bigint() - t0) / 1e6;
    if (router.size !== 1000) throw new Error(`expected 1000 entries, got ${router.size}`);
    measure(`${name} (compile ${compileMs.toFixed(1)} ms)`, router, reqs);
  }
}

main();
