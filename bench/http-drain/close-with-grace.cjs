// close-with-grace 2.5 with its defaults (delay 10 s): close the server in the callback; it then calls process.exit(0).
'use strict';
const closeWithGrace = require('close-with-grace');
const { createServer, listen } = require('./server.cjs');

const server = createServer();
closeWithGrace(async () => {
  await new Promise((resolve) => server.close(resolve));
});
listen(server);
