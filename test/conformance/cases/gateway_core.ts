// The Gateway and GatewayClass tests of the upstream suite whose features are all Core, translated.
import { GROUP, INFRA_NS, latest, nn, type Cond, type NN, type Suite } from '../suite';
import type { Obj } from '../world';
import type { ConformanceCase } from './types';

const HTTP_KIND = [{ kind: 'HTTPRoute' }];
const acceptedResolved: Cond[] = [
  { type: 'Accepted', status: 'True' },
  { type: 'ResolvedRefs', status: 'True' },
];

/** GatewayMustHaveLatestConditions, returning the Gateway */
async function gatewayLatest(s: Suite, gw: NN): Promise<Obj> {
  return s.poll(`Gateway ${gw.name} latest conditions`, async () => {
    const g = await s.gateway(gw);
    return g && g.status?.conditions?.length && latest(g, g.status.conditions) ? g : 'stale';
  });
}

/** replaces a Gateway's listeners (the suite patches spec.listeners), mapping the declared ports */
async function setListeners(s: Suite, gw: NN, listeners: Obj[]): Promise<void> {
  for (const l of listeners) if (l.declaredPort) l.port = await s.world.gatewayPort(gw.namespace, gw.name, l.declaredPort);
  const clean = listeners.map(({ declaredPort: _d, ...l }) => l);
  await s.k.ok(['patch', `gateways.${GROUP}`, gw.name, '-n', gw.namespace, '--type=merge', '-p', JSON.stringify({ spec: { listeners: clean } })]);
}

function listenerStatusCase(name: string, file: string, features: string[], expect: Array<{ gw: string; listeners: Array<{ name: string; kinds: Array<{ kind: string }>; conditions: Cond[]; attachedRoutes: number }> }>): ConformanceCase {
  return {
    name,
    features,
    manifests: [`${file}.yaml`],
    async run(s) {
      for (const e of expect) await s.gatewayListeners(nn(INFRA_NS, e.gw), e.listeners.map((l) => ({ name: l.name, supportedKinds: l.kinds, conditions: l.conditions, attachedRoutes: l.attachedRoutes })));
    },
  };
}

export const GATEWAY_CORE: ConformanceCase[] = [
  listenerStatusCase('GatewayInvalidRouteKind', 'gateway-invalid-route-kind', ['Gateway'], [
    { gw: 'gateway-only-invalid-route-kind', listeners: [{ name: 'http', kinds: [], conditions: [{ type: 'ResolvedRefs', status: 'False', reason: 'InvalidRouteKinds' }], attachedRoutes: 0 }] },
    { gw: 'gateway-supported-and-invalid-route-kind', listeners: [{ name: 'http', kinds: HTTP_KIND, conditions: [{ type: 'ResolvedRefs', status: 'False', reason: 'InvalidRouteKinds' }], attachedRoutes: 0 }] },
  ]),
  listenerStatusCase(
    'GatewayInvalidTLSConfiguration',
    'gateway-invalid-tls-configuration',
    ['Gateway'],
    ['gateway-certificate-nonexistent-secret', 'gateway-certificate-unsupported-group', 'gateway-certificate-unsupported-kind', 'gateway-certificate-malformed-secret'].map((gw) => ({
      gw,
      listeners: [{ name: 'https', kinds: HTTP_KIND, conditions: [{ type: 'ResolvedRefs', status: 'False', reason: 'InvalidCertificateRef' }], attachedRoutes: 0 }],
    })),
  ),
  ...(
    [
      ['GatewaySecretInvalidReferenceGrant', 'gateway-secret-invalid-reference-grant', [{ type: 'ResolvedRefs', status: 'False', reason: 'RefNotPermitted' }]],
      ['GatewaySecretMissingReferenceGrant', 'gateway-secret-missing-reference-grant', [{ type: 'ResolvedRefs', status: 'False', reason: 'RefNotPermitted' }]],
      ['GatewaySecretReferenceGrantAllInNamespace', 'gateway-secret-reference-grant-all-in-namespace', [{ type: 'Programmed', status: 'True', reason: 'Programmed' }, { type: 'ResolvedRefs', status: 'True' }]],
      ['GatewaySecretReferenceGrantSpecific', 'gateway-secret-reference-grant-specific', [{ type: 'Programmed', status: 'True', reason: 'Programmed' }, { type: 'ResolvedRefs', status: 'True' }]],
    ] as Array<[string, string, Cond[]]>
  ).map(([name, file, conditions]) => listenerStatusCase(name, file, ['Gateway', 'ReferenceGrant'], [{ gw: file, listeners: [{ name: 'https', kinds: HTTP_KIND, conditions, attachedRoutes: 0 }] }])),
  {
    name: 'GatewayListenerUnsupportedProtocol',
    features: ['Gateway'],
    manifests: ['gateway-invalid-listeners-unsupported-protocol.yaml'],
    async run(s) {
      const only = nn(INFRA_NS, 'gateway-only-unsupported-protocols');
      await gatewayLatest(s, only);
      await s.gatewayMustHaveCondition(only, { type: 'Accepted', status: 'False', reason: 'ListenersNotValid' });
      await s.gatewayListeners(only, [{ name: 'invalid', supportedKinds: [], conditions: [{ type: 'Accepted', status: 'False', reason: 'UnsupportedProtocol' }], attachedRoutes: 0 }]);
      const mixed = nn(INFRA_NS, 'gateway-supported-and-unsupported-protocols');
      await gatewayLatest(s, mixed);
      await s.gatewayMustHaveCondition(mixed, { type: 'Accepted', status: 'True', reason: 'ListenersNotValid' });
      await s.gatewayListeners(mixed, [
        { name: 'http', supportedKinds: HTTP_KIND, conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted' }], attachedRoutes: 0 },
        { name: 'invalid', supportedKinds: [], conditions: [{ type: 'Accepted', status: 'False', reason: 'UnsupportedProtocol' }], attachedRoutes: 0 },
      ]);
    },
  },
  {
    name: 'GatewayInvalidParametersRef',
    features: ['Gateway'],
    manifests: ['gateway-invalid-parameters-ref.yaml'],
    async run(s) {
      const gw = nn(INFRA_NS, 'gateway-invalid-parameters-ref');
      await gatewayLatest(s, gw);
      await s.gatewayMustHaveCondition(gw, { type: 'Accepted', status: 'False', reason: 'InvalidParameters' });
    },
  },
  {
    name: 'GatewayWithAttachedRoutes',
    features: ['Gateway', 'HTTPRoute'],
    manifests: ['gateway-with-attached-routes.yaml'],
    async run(s) {
      await s.gatewayListeners(nn(INFRA_NS, 'gateway-with-one-attached-route'), [{ name: 'http', supportedKinds: HTTP_KIND, conditions: acceptedResolved, attachedRoutes: 1 }]);
      const two = nn(INFRA_NS, 'gateway-with-two-attached-routes');
      await s.gatewayListeners(two, [{ name: 'http', supportedKinds: HTTP_KIND, conditions: acceptedResolved, attachedRoutes: 2 }]);
      await s.routeMustHaveCondition(nn(INFRA_NS, 'http-route-not-accepted'), two, { type: 'Accepted', status: 'False', reason: 'NoMatchingListenerHostname' });
      const unresolved = nn(INFRA_NS, 'unresolved-gateway-with-one-attached-unresolved-route');
      await s.gatewayListeners(unresolved, [
        {
          name: 'tls',
          supportedKinds: HTTP_KIND,
          conditions: [
            { type: 'Programmed', status: 'False' },
            { type: 'ResolvedRefs', status: 'False' },
          ],
          attachedRoutes: 1,
        },
      ]);
      await s.routeMustHaveCondition(nn(INFRA_NS, 'http-route-4'), unresolved, { type: 'ResolvedRefs', status: 'False' });
    },
  },
  {
    name: 'GatewayModifyListeners',
    features: ['Gateway'],
    manifests: ['gateway-modify-listeners.yaml'],
    async run(s) {
      const add = nn(INFRA_NS, 'gateway-add-listener');
      const original = await gatewayLatest(s, add);
      await setListeners(s, add, [...original.spec.listeners, { name: 'http', declaredPort: 80, protocol: 'HTTP', hostname: 'data.test.com', allowedRoutes: { namespaces: { from: 'All' } } }]);
      await s.gatewayListeners(add, [
        { name: 'https', supportedKinds: HTTP_KIND, conditions: acceptedResolved, attachedRoutes: 1 },
        { name: 'http', supportedKinds: HTTP_KIND, conditions: acceptedResolved, attachedRoutes: 1 },
      ]);
      const updated = await gatewayLatest(s, add);
      if (updated.metadata.generation === original.metadata.generation) throw new Error('generation should change after an update');

      const remove = nn(INFRA_NS, 'gateway-remove-listener');
      const before = await gatewayLatest(s, remove);
      if (before.spec.listeners.length !== 2) throw new Error('the gateway must have 2 listeners');
      await setListeners(
        s,
        remove,
        before.spec.listeners.filter((l: Obj) => l.name === 'http'),
      );
      await s.gatewayListeners(remove, [{ name: 'http', supportedKinds: HTTP_KIND, conditions: acceptedResolved, attachedRoutes: 1 }]);
      const after = await gatewayLatest(s, remove);
      if (after.metadata.generation === before.metadata.generation) throw new Error('generation should change after an update');
    },
  },
  {
    name: 'GatewayObservedGenerationBump',
    features: ['Gateway'],
    manifests: ['gateway-observed-generation-bump.yaml'],
    async run(s) {
      const gw = nn(INFRA_NS, 'gateway-observed-generation-bump');
      const original = await gatewayLatest(s, gw);
      await setListeners(s, gw, [...original.spec.listeners, { name: 'alternate', hostname: 'foo.com', declaredPort: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }]);
      const updated = await s.poll('new generation observed', async () => {
        const g = await gatewayLatest(s, gw);
        return g.metadata.generation !== original.metadata.generation ? g : 'same generation';
      });
      if (!latest(updated, updated.status.conditions)) throw new Error('conditions not latest');
    },
  },
  {
    name: 'GatewayClassObservedGenerationBump',
    features: ['Gateway'],
    manifests: ['gatewayclass-observed-generation-bump.yaml'],
    async run(s) {
      const name = 'gatewayclass-observed-generation-bump';
      const accepted = () =>
        s.poll(`GatewayClass ${name} Accepted (any) with latest conditions`, async () => {
          const c = await s.get(`gatewayclasses.${GROUP}`, name);
          return c && c.status?.conditions?.some((x: Obj) => x.type === 'Accepted') && latest(c, c.status.conditions) ? c : 'stale';
        });
      const original = await accepted();
      await s.k.ok(['patch', `gatewayclasses.${GROUP}`, name, '--type=merge', '-p', JSON.stringify({ spec: { description: 'new' } })]);
      const updated = await s.poll('new generation', async () => {
        const c = await accepted();
        return c.metadata.generation !== original.metadata.generation ? c : 'same generation';
      });
      if (!latest(updated, updated.status.conditions)) throw new Error('conditions not latest');
    },
  },
];
