// The load of bench/k8s-rollout.mjs: `workers` loops on one undici Pool to the Service (nginx), each sending
// GET / and POST /upload (a small body) in turn with a pause between requests, until stop() or a hard cap on
// requests or time. A request fails unless it gets a 200 with the body the pods answer.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Pool } = require('undici');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const BODY = 'x'.repeat(512);
const EXPECTED = { GET: 'hello\n', POST: `received ${BODY.length} bytes\n` };

/** Starts the load; returns `{ requests, stop(): Promise<void>, count(from, to) }`; each request is `{ method, start, end, ok, kind, upstream }`. */
export function startLoad({ url, workers, pauseMs, maxRequests, maxMs }) {
  const pool = new Pool(url, { connections: workers, pipelining: 1, headersTimeout: 20_000, bodyTimeout: 20_000 });
  const requests = [];
  const started = performance.now();
  let stopping = false;
  const one = async (method) => {
    const request = { method, start: performance.now(), end: undefined, ok: false, kind: undefined, upstream: undefined };
    requests.push(request);
    try {
      const res = await pool.request(method === 'GET' ? { path: '/', method } : { path: '/upload', method, body: BODY, headers: { 'content-type': 'text/plain' } });
      const text = await res.body.text();
      request.upstream = res.headers['x-upstream']; // `127.0.0.1:<pod port>`, set by nginx
      if (res.statusCode !== 200) request.kind = `HTTP ${res.statusCode}`;
      else if (text !== EXPECTED[method]) request.kind = 'wrong body';
      else request.ok = true;
    } catch (error) {
      request.kind = `client: ${error.code ?? error.name}`;
    }
    request.end = performance.now();
  };
  const loops = Array.from({ length: workers }, async (_, index) => {
    let method = index % 2 === 0 ? 'GET' : 'POST';
    while (!stopping && requests.length < maxRequests && performance.now() - started < maxMs) {
      await one(method);
      method = method === 'GET' ? 'POST' : 'GET';
      await sleep(pauseMs);
    }
  });
  const all = Promise.all(loops);
  return {
    requests,
    /** Requests that ended between `from` and `to` (performance.now() times) and succeeded. */
    okBetween: (from, to) => requests.filter((r) => r.ok && r.end >= from && r.end < to).length,
    capped: () => requests.length >= maxRequests || performance.now() - started >= maxMs,
    async stop() {
      stopping = true;
      await all;
      await pool.close();
    },
    destroy: () => pool.destroy(),
    /** Latency (ms) of the requests that started between `from` and `to`: p50, p99, max. */
    latency(from, to) {
      const ms = requests.filter((r) => r.start >= from && r.start < to && r.end !== undefined).map((r) => r.end - r.start).sort((a, b) => a - b);
      const at = (q) => (ms.length === 0 ? NaN : ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]);
      return { p50: at(0.5), p99: at(0.99), max: at(1) };
    },
  };
}
