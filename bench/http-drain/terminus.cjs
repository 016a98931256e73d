// @godaddy/terminus 4.12 with its defaults: SIGTERM, stoppable with timeout 1000 ms, then re-raises the signal.
'use strict';
const { createTerminus } = require('@godaddy/terminus');
const { createServer, listen } = require('./server.cjs');

const server = createServer();
createTerminus(server, {});
listen(server);
