// Conformance shard 2 of 3 (see shard.ts).
import { defineShard } from './shard';

defineShard(2, 3);
