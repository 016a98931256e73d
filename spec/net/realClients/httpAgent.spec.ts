import { describeDrainUnderLoad, IDLE_POOL } from './support/drainMatrix';

// node http.request through http.Agent({ keepAlive: true, maxSockets: 20 }); half the loops GET, half POST.
describeDrainUnderLoad('http.Agent', ['GET', 'POST']);
// The agent hands out its most recently used free socket first ('lifo'): under lighter load the others sit idle.
describeDrainUnderLoad('http.Agent', ['GET', 'POST'], {
  ...IDLE_POOL,
  cases: [
    ['0 ms handler', 0],
    ['5 ms handler', 5],
  ],
});
