import { describeDrainUnderLoad, IDLE_POOL } from './support/drainMatrix';
import { NGINX, nginxAvailable } from './support/nginx';

// Clients (undici Pool, GET + POST) → nginx → the app over nginx's upstream keep-alive pool (`keepalive 16`,
// HTTP/1.1, `Connection ""`). nginx retries a GET once when a cached upstream connection fails, never a POST.
// A 502 is a failure unless nginx's error log says its only cause was a refused connect (the app's listener had
// closed: a new connection, refused, allowed); any other error-log line about a request ("upstream prematurely
// closed", "reset by peer") fails the test too (`nginxUpstreamErrors`).
//
// 16 client loops for 16 cached upstream connections: after warm-up nginx never opens an upstream connection
// before SIGTERM, so each one it opens later is refused cleanly. (With more loops than cached connections nginx
// opens and closes upstream connections all the time; one that completes its handshake just before the app closes
// its listener sits in the kernel's accept queue and is reset with it — a connection the app never accepted, which
// nginx's error log reports as "recv() failed (104: Connection reset by peer)" exactly like a reset of an accepted
// one. RXRUN_NGINX_LOG=debug shows which: "connect to" (new) or "get keepalive peer: using connection" (cached).)
if (nginxAvailable()) {
  describeDrainUnderLoad('undici Pool', ['GET', 'POST'], { viaNginx: true, label: 'via nginx', workers: 16 });
  // nginx's upstream cache hands out its most recently used connection first: under lighter load the rest sit idle.
  describeDrainUnderLoad('undici Pool', ['GET', 'POST'], {
    ...IDLE_POOL,
    viaNginx: true,
    label: 'via nginx, with idle cached upstream connections at SIGTERM',
    cases: [
      ['0 ms handler', 0],
      ['5 ms handler, run 1', 5],
      ['5 ms handler, run 2', 5],
    ],
  });
} else {
  describe('serve$ drain behind nginx', () => {
    it.skip(`skipped: ${NGINX} is not installed (CI installs nginx-light)`, () => undefined);
  });
  console.log(`serve$ drain behind nginx: skipped, ${NGINX} is not installed`);
}
