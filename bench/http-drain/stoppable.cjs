// stoppable 1.1 with its default grace (Infinity: never force-closes).
'use strict';
const stoppable = require('stoppable');
const { createServer, listen } = require('./server.cjs');

const server = stoppable(createServer());
process.once('SIGTERM', () => server.stop(() => process.exit(0)));
listen(server);
