import { describeDrainUnderLoad, IDLE_POOL } from './support/drainMatrix';

// undici Pool, 20 keep-alive connections, closed loops; half the loops GET, half POST (bodies read in full).
describeDrainUnderLoad('undici Pool', ['GET', 'POST']);
describeDrainUnderLoad('undici Pool', ['GET', 'POST'], { ...IDLE_POOL, cases: [['5 ms handler', 5]] });
