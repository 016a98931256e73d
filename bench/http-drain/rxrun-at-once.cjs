// rxrun serve$ with `idleGrace: 0`: idle keep-alive sockets get FIN one loop turn after the drain
// begins (the floor's trade-off) instead of staying open, served with Connection: close, until nothing is busy.
'use strict';
const { runApp, serve$ } = require('rxrun');
const { tap } = require('rxjs');
const { announce, createServer } = require('./server.cjs');

runApp(
  () => serve$(createServer(), { port: 0, host: '127.0.0.1' }, { idleGrace: 0 }).pipe(tap(({ address }) => announce(address.port))),
  { logger: false },
);
