// http-terminator 3.2 with its defaults (gracefulTerminationTimeout: 1000 ms in the code; its README says 5000).
'use strict';
const { createHttpTerminator } = require('http-terminator');
const { createServer, listen } = require('./server.cjs');

const server = createServer();
const terminator = createHttpTerminator({ server });
process.once('SIGTERM', () => {
  terminator.terminate().then(() => process.exit(0), () => process.exit(1));
});
listen(server);
