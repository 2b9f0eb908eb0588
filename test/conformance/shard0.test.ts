// Conformance shard 0 of 3 (see shard.ts).
import { defineShard } from './shard';

defineShard(0, 3);
