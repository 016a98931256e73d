// Shared server half of bench/http-drain.mjs: the one handler every implementation serves, and the
// stdout protocol the driver reads. Env: HANDLER_MS (delay before the response, default 200),
// TRACE=1 (print `A <remote port>` for every connection the process accepts, so the driver can tell
// connections the server accepted from ones the kernel completed and then reset when the listener closed).
'use strict';
const http = require('node:http');

const HANDLER_MS = Number(process.env.HANDLER_MS ?? 200);
const TRACE = process.env.TRACE === '1';
const BODY = Buffer.from('hello from the drain bench\n');

/** The request handler: wait HANDLER_MS (0 = answer at once), then a small 200 with a Content-Length. */
function handler(req, res) {
  req.resume();
  const reply = () => {
    res.setHeader('content-type', 'text/plain');
    res.setHeader('content-length', BODY.length);
    res.end(BODY);
  };
  if (HANDLER_MS > 0) setTimeout(reply, HANDLER_MS);
  else reply();
}

/** A keep-alive http.Server (Node defaults: keepAliveTimeout 5 s) serving `handler`, tracing accepted sockets. */
function createServer() {
  const server = http.createServer(handler);
  if (TRACE) server.on('connection', (socket) => process.stdout.write(`A ${socket.remotePort}\n`));
  return server;
}

/** Prints `LISTENING <port>` (pipes are synchronous on Linux, so the line is out before anything else happens). */
function announce(port) {
  process.stdout.write(`LISTENING ${port}\n`);
}

/** Listens on 127.0.0.1, port 0 (backlog 511, Node's default) and announces the port. */
function listen(server) {
  server.listen(0, '127.0.0.1', () => announce(server.address().port));
}

module.exports = { BODY, HANDLER_MS, announce, createServer, handler, listen };
