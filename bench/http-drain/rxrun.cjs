// rxrun serve$ under runApp with defaults (drainDelay 0 outside Kubernetes; runApp owns SIGTERM and
// exits 143 after the drain), logger off. Loads the built dist/ through the package self-reference.
'use strict';
const { runApp, serve$ } = require('rxrun');
const { tap } = require('rxjs');
const { announce, createServer } = require('./server.cjs');

runApp(
  () => serve$(createServer(), { port: 0, host: '127.0.0.1' }).pipe(tap(({ address }) => announce(address.port))),
  { logger: false },
);
