'use strict';
// A hand-written node:cluster primary (the throughput baseline) whose SIGHUP "reload" is the naive
// kill-and-fork: for each worker, SIGTERM it (it exits at once) and fork a new one, waiting for its
// 'listening'. Prints `ready`, `reloaded`, and `worker-ready <ms>` (fork → listening) per worker.
//   PORT=8080 WORKERS=2 DELAY_MS=0 node bench/rolling-restart/naiveCluster.cjs
const cluster = require('node:cluster');
const http = require('node:http');

const count = Number(process.env.WORKERS ?? 2);
const delay = Number(process.env.DELAY_MS ?? 0);

if (cluster.isPrimary) {
  let workers = [];
  let stopping = false;
  const fork = () =>
    new Promise((resolve) => {
      const startedAt = performance.now();
      const worker = cluster.fork();
      worker.once('listening', () => {
        console.log(`worker-ready ${Math.round(performance.now() - startedAt)}`);
        resolve(worker);
      });
    });
  Promise.all(Array.from({ length: count }, fork)).then((all) => {
    workers = all;
    console.log('ready');
  });
  process.on('SIGHUP', async () => {
    for (let i = 0; i < workers.length; i += 1) {
      workers[i].process.kill('SIGTERM');
      workers[i] = await fork();
    }
    console.log('reloaded');
  });
  process.on('SIGTERM', () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers)) worker.process.kill('SIGTERM');
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers).length === 0) process.exit(0);
    });
  });
  void stopping;
} else {
  http
    .createServer((req, res) => {
      req.resume();
      // The same answer as demos/cluster's handler (the throughput baseline compares like with like).
      req.on('end', () =>
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end(`pid=${process.pid}\n`);
        }, delay),
      );
    })
    .listen(Number(process.env.PORT), '127.0.0.1');
}
