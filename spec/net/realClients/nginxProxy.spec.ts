import { describeDrainUnderLoad } from './support/drainMatrix';
import { NGINX, nginxAvailable } from './support/nginx';

// Clients (undici Pool, 20 connections, GET + POST) → nginx → the app over nginx's upstream keep-alive pool
// (`keepalive 16`, HTTP/1.1, `Connection ""`). nginx retries a GET once when a cached upstream connection fails,
// never a POST. A 502 is a failure unless nginx's error log says its only cause was a refused connect (the app's
// listener had closed: a new connection, refused, allowed); any "upstream prematurely closed" / "reset by peer"
// line about a request is a failure too (`nginxUpstreamErrors`).
if (nginxAvailable()) {
  describeDrainUnderLoad('undici Pool', ['GET', 'POST'], true);
} else {
  describe('serve$ drain behind nginx', () => {
    it.skip(`skipped: ${NGINX} is not installed (CI installs nginx-light)`, () => undefined);
  });
  console.log(`serve$ drain behind nginx: skipped, ${NGINX} is not installed`);
}
