// Loads an ES module from this CommonJS build on every Node 20.x: `import()` kept as a real dynamic
// import (TypeScript would otherwise turn it into require(), which only Node ≥ 20.19 allows for ESM).
const dynamicImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

export type ClientNode = typeof import('@kubernetes/client-node');

let clientNode: Promise<ClientNode> | undefined;

/** @kubernetes/client-node 1.x, which ships as ESM only. */
export function loadClientNode(): Promise<ClientNode> {
  clientNode ??= dynamicImport('@kubernetes/client-node') as Promise<ClientNode>;
  return clientNode;
}
