// Naive: `server.close()` and exit when it calls back (all connections gone).
'use strict';
const { createServer, listen } = require('./server.cjs');

const server = createServer();
process.on('SIGTERM', () => server.close(() => process.exit(0)));
listen(server);
