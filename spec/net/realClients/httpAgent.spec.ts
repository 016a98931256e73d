import { describeDrainUnderLoad } from './support/drainMatrix';

// node http.request through http.Agent({ keepAlive: true, maxSockets: 20 }); half the loops GET, half POST.
describeDrainUnderLoad('http.Agent', ['GET', 'POST']);
