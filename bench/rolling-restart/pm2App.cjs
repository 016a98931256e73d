'use strict';
// The same handler for PM2 cluster mode: listens, then process.send('ready') (PM2 wait_ready); on
// SIGINT (PM2's stop signal) closes the server and exits once it closed.
const http = require('node:http');

const delay = Number(process.env.DELAY_MS ?? 0);
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => setTimeout(() => res.end(`pid=${process.pid}\n`), delay));
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
process.on('SIGINT', () => server.close(() => process.exit(0)));
