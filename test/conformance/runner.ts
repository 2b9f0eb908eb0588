// Runs the translated upstream tests against one `switchyard serve`: the suite's base manifests
// (adapted by the World), the GatewayClass with our controllerName, the certificate Secrets the
// suite creates in code; then per test its manifests applied with kubectl, its checks, its
// manifests deleted. Decides run/skip as the suite does: a test runs when every feature it names
// is in the GatewayClass's status.supportedFeatures.
import { createCA, createServingCert } from '../../pkg/certs/selfsigned';
import { startServe, type Serve } from '../apoxy/lib';
import { CATALOG, OTHER_PROFILE_FEATURES, type CatalogEntry } from './catalog';
import { GATEWAY_CORE } from './cases/gateway_core';
import { HTTPROUTE_CORE } from './cases/httproute_core';
import { HTTPROUTE_EXTENDED } from './cases/httproute_extended';
import type { ConformanceCase } from './cases/types';
import type { Outcome, TestResult } from './report';
import { CONTROLLER, GROUP, INFRA_NS, Suite, WEB_NS } from './suite';
import { GATEWAY_CLASS, World, type Obj } from './world';
import { SUPPORTED_FEATURES as UPSTREAM_SUPPORTED_FEATURES } from '../../pkg/controller/translate/gatewayapi/status';

export const TRANSLATED: Map<string, ConformanceCase> = new Map([...HTTPROUTE_CORE, ...GATEWAY_CORE, ...HTTPROUTE_EXTENDED].map((c) => [c.name, c]));

function tlsSecret(name: string, namespace: string, hosts: string[]): string {
  const ca = createCA('gateway-conformance-ca');
  const pair = createServingCert(ca, hosts, hosts[0]);
  return `apiVersion: v1
kind: Secret
metadata: {name: ${name}, namespace: ${namespace}}
type: kubernetes.io/tls
data:
  tls.crt: ${Buffer.from(pair.cert).toString('base64')}
  tls.key: ${Buffer.from(pair.key).toString('base64')}
`;
}

export interface RunnerOptions {
  /** the group Gateways and routes are applied in (default gateway.networking.k8s.io) */
  group?: string;
  /** turns each upstream manifest object into what is applied (the Apoxy group's mirror) */
  rewrite?: (o: Obj) => Obj[];
}

export class Runner {
  constructor(readonly opts: RunnerOptions = {}) {}
  serve?: Serve;
  suite?: Suite;
  readonly world = new World();
  supportedFeatures: string[] = [];
  readonly results: TestResult[] = [];

  async start(): Promise<void> {
    this.serve = await startServe();
    await this.world.init();
    const group = this.opts.group ?? GROUP;
    this.suite = new Suite(this.serve.k, this.world, group, group === GROUP);
    const s = this.suite;
    await s.applyYAML(`apiVersion: ${group}/v1
kind: GatewayClass
metadata: {name: ${GATEWAY_CLASS}}
spec: {controllerName: ${CONTROLLER}}
`);
    // the namespaces first (the base manifests create them), then the Secrets the suite makes in code
    await s.apply('base-manifests.yaml', (o) => (o.kind === 'Namespace' ? [o] : []));
    await s.applyYAML([tlsSecret('certificate', WEB_NS, ['*']), tlsSecret('tls-validity-checks-certificate', INFRA_NS, ['*', '*.org', '*.wildcard.org'])].join('---\n'));
    await s.apply('base-manifests.yaml', this.opts.rewrite);
    const gc = await s.poll('GatewayClass Accepted', async () => {
      const c = await s.get(`gatewayclasses.${group}`, GATEWAY_CLASS);
      return c?.status?.conditions?.some((x: { type: string; status: string }) => x.type === 'Accepted' && x.status === 'True') ? c : 'not accepted';
    });
    // Apoxy's GatewayClass lists no supportedFeatures: the upstream group's list stands for it
    this.supportedFeatures = (gc.status.supportedFeatures ?? []).map((f: { name: string }) => f.name);
    if (group !== GROUP && this.supportedFeatures.length === 0) this.supportedFeatures = ['Gateway', 'HTTPRoute', ...UPSTREAM_SUPPORTED_FEATURES];
  }

  /** why a test does not run, or undefined when it runs */
  skipReason(e: CatalogEntry): string | undefined {
    const other = e.features.filter((f) => OTHER_PROFILE_FEATURES.includes(f));
    if (other.length) return `needs ${other.join(', ')} (not in the GATEWAY-HTTP profile; not served)`;
    // CONFORMANCE_ALL_FEATURES=1 (development only): try tests of features the class does not claim
    const missing = process.env.CONFORMANCE_ALL_FEATURES === '1' ? [] : e.features.filter((f) => !this.supportedFeatures.includes(f));
    if (missing.length) return `unsupported feature ${missing.join(', ')} (not in GatewayClass supportedFeatures)`;
    if (!TRANSLATED.has(e.name)) return 'not translated into this runner yet';
    return undefined;
  }

  async run(e: CatalogEntry): Promise<Outcome> {
    const skip = this.skipReason(e);
    let outcome: Outcome;
    if (skip) outcome = { state: 'skipped', reason: skip };
    else {
      const c = TRANSLATED.get(e.name)!;
      const s = this.suite!;
      const applied: string[] = [];
      try {
        for (const m of c.manifests) applied.push(await s.apply(m, this.opts.rewrite));
        await c.run(s);
        outcome = { state: 'passed' };
      } catch (err) {
        outcome = { state: 'failed', reason: (err as Error).message };
      } finally {
        for (const y of applied.reverse()) await s.delete(y);
      }
    }
    this.results.push({ name: e.name, features: e.features, provisional: e.provisional, outcome });
    return outcome;
  }

  async stop(): Promise<void> {
    await this.serve?.stop();
    await this.world.close();
  }
}

export { CATALOG };
