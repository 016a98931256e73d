// Bare server, no shutdown handling (SIGTERM kills it): the throughput reference.
'use strict';
const { createServer, listen } = require('./server.cjs');

listen(createServer());
