// Helpers for the web console's browser tests and benchmarks: Debian's Chromium driven headless by
// playwright-core (no browser download; it gives each launch a fresh temporary profile), a `switchyard serve` to point it at, upstreams on
// loopback, and screenshots saved under test-artifacts/console/.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { freePort } from '../harness/ports';
import { REPO_ROOT, startSwitchyard, type SwitchyardProcess } from '../harness/switchyard';
import { Api } from '../apiserver/lib';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts', 'console');
export const WEB_DIST = path.join(REPO_ROOT, 'web', 'dist', 'index.html');

/** Why the browser tests cannot run here, or null. */
export function missingPrerequisite(): string | null {
  if (!fs.existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
  if (!fs.existsSync(WEB_DIST)) return `the console is not built (${WEB_DIST}): run make build`;
  return null;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    timeout: 30_000,
  });
}

export async function newPage(browser: Browser, viewport = { width: 1440, height: 900 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport, deviceScaleFactor: 1 });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  // what the browser saw go wrong, on stderr (the CI log): a flaky view can then be told from a
  // page error, a failed request or a 5xx
  const say = (what: string) => process.stderr.write(`[console page] ${new Date().toISOString()} ${what}\n`);
  page.on('pageerror', (err) => say(`page error: ${err.stack ?? err.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') say(`console.error: ${m.text()}`);
  });
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText ?? '';
    if (!why.includes('ERR_ABORTED')) say(`request failed: ${r.method()} ${r.url()} ${why}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 500) say(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  return { context, page };
}

/** Open the console and sign in with `token`; resolves when the shell is shown. */
export async function login(page: Page, apiURL: string, token: string, view = '/backends'): Promise<void> {
  await page.goto(`${apiURL}/console${view}`);
  await page.getByTestId('token').fill(token);
  await page.getByTestId('login').click();
  await page.getByTestId('shell').waitFor();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

export interface ConsoleEnv {
  sy: SwitchyardProcess;
  proxyPort: number;
  admin: Api;
  readonly: Api;
  stop(): Promise<void>;
}

export async function startServe(extraArgs: string[] = []): Promise<ConsoleEnv> {
  const proxyPort = await freePort();
  const sy = await startSwitchyard({ command: 'serve', extraArgs: ['--proxy-listen', `127.0.0.1:${proxyPort}`, '--log-level', 'info', ...extraArgs], env: { SWITCHYARD_LOG_LEVEL: 'info' } });
  const admin = new Api(sy.apiURL, sy.caFile, sy.adminToken);
  const ro = new Api(sy.apiURL, sy.caFile, sy.readonlyToken);
  return {
    sy,
    proxyPort,
    admin,
    readonly: ro,
    async stop() {
      await admin.close();
      await ro.close();
      await sy.stop();
    },
  };
}

/** A loopback HTTP upstream answering 200 (or `status`) with its name. */
export async function upstream(name: string, status = 200): Promise<{ port: number; hits: number; close(): Promise<void> }> {
  const state = { hits: 0 };
  const srv = http.createServer((req, res) => {
    state.hits++;
    res.writeHead(status, { 'content-type': 'text/plain', 'x-upstream': name });
    res.end(`${name}\n`);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return {
    port: (srv.address() as AddressInfo).port,
    get hits() {
      return state.hits;
    },
    close: () =>
      new Promise<void>((r) => {
        srv.close(() => r());
        srv.closeAllConnections();
      }),
  };
}

/** One request through the proxy (a fresh connection); resolves with the status. */
export function proxyGet(port: number, pathAndQuery: string, host: string, absolute?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'GET', path: absolute ?? pathAndQuery, headers: { host }, agent: false, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('proxy request timed out')));
    req.on('error', reject);
    req.end();
  });
}
