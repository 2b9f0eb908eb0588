// Facade state for the console beyond what the objects hold: the edgeProxy facade keeps exact
// heartbeats in memory (the Backend's annotation is persisted at most once per TTL), so the
// console's heartbeat age and "about to expire" come from here when the facade runs in-process.
// Structural types: the facade's Liveness fits without this package importing it.

export interface LivenessEntryLike {
  name: string;
  app?: string;
  /** last heartbeat this process saw (0: none since start) */
  lastMs: number;
  /** heartbeat time stored in the Backend */
  persistedMs: number;
  expired: boolean;
}

export interface LivenessLike<E extends LivenessEntryLike> {
  readonly ttlMs: number;
  readonly entries: ReadonlyMap<string, E>;
  /** when the backend expires (epoch ms), from what the facade knows */
  deadline(e: NoInfer<E>): number;
}

export interface EdgeFacadeState {
  edgeproxy: {
    ttlMs: number;
    backends: Array<{ name: string; app: string | null; lastHeartbeatAgoMs?: number; expiresInMs: number; healthy: boolean }>;
  };
}

export function edgeProxyFacadeState<E extends LivenessEntryLike>(l: LivenessLike<E>, now = Date.now()): EdgeFacadeState {
  const backends: EdgeFacadeState['edgeproxy']['backends'] = [];
  for (const e of l.entries.values()) {
    const last = Math.max(e.lastMs, e.persistedMs);
    const expiresInMs = l.deadline(e) - now;
    backends.push({
      name: e.name,
      app: e.app ?? null,
      ...(last > 0 ? { lastHeartbeatAgoMs: Math.max(0, now - last) } : {}),
      expiresInMs,
      healthy: !e.expired && expiresInMs >= 0,
    });
  }
  backends.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { edgeproxy: { ttlMs: l.ttlMs, backends } };
}
