// The naive pod of bench/k8s-rollout.mjs: the demo's routes (`/` and `POST /upload`, the same stdout lines) and
// a probe port whose /livez, /readyz and /startupz always answer 200 — but no shutdown code at all: SIGTERM
// ends the process at once (Node's default), requests in flight and keep-alive sockets included.
// Env: PORT, PROBE_PORT (0: any free port), HOST. Prints `probes on <url>` and `app on <url>` like the demo.
'use strict';
const http = require('node:http');

const host = process.env.HOST || '127.0.0.1';
const app = http.createServer((req, res) => {
  const path = (req.url || '/').split('?')[0];
  if (path === '/upload' && req.method === 'POST') {
    let bytes = 0;
    console.log('upload: started');
    req.on('data', (chunk) => (bytes += chunk.length));
    req.on('end', () => {
      res.end(`received ${bytes} bytes\n`);
      console.log(`upload: answered (${bytes} bytes)`);
    });
    return;
  }
  res.end('hello\n');
});
const probes = http.createServer((req, res) => res.end('ok\n'));
probes.listen(Number(process.env.PROBE_PORT || 0), host, () => {
  console.log(`probes on http://${host}:${probes.address().port} (/livez /readyz /startupz)`);
  app.listen(Number(process.env.PORT || 0), host, () => console.log(`app on http://${host}:${app.address().port} (/ POST /upload)`));
});
