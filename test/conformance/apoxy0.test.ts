// Apoxy-group conformance subset, shard 0 of 2 (see apoxy_shard.ts).
import { defineApoxyShard } from './apoxy_shard';

defineApoxyShard(0, 2);
