// Apoxy-group conformance subset, shard 1 of 2 (see apoxy_shard.ts).
import { defineApoxyShard } from './apoxy_shard';

defineApoxyShard(1, 2);
