// Conformance shard 1 of 3 (see shard.ts).
import { defineShard } from './shard';

defineShard(1, 3);
