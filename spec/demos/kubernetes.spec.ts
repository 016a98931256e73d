import * as http from 'node:http';
import { DemoProcess, expectInOrder, killAllDemos, requireBuiltPackage } from './demoProcess';

const K8S = 'demos/kubernetes/main.ts';

interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

function collect(resolve: (reply: Reply) => void): (res: http.IncomingMessage) => void {
  return (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (body += chunk));
    res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
  };
}

/** A GET on a fresh connection. */
function get(url: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, collect(resolve)).on('error', reject);
  });
}

/** A slow client: sends the headers and half the body now, the other half on `finish()`. */
function slowUpload(url: string): { finish(): void; reply: Promise<Reply> } {
  let req!: http.ClientRequest;
  const reply = new Promise<Reply>((resolve, reject) => {
    req = http.request(url, { method: 'POST', agent: false, headers: { 'content-length': '10' } }, collect(resolve));
    req.on('error', reject);
  });
  req.write('12345');
  return { finish: () => void req.end('67890'), reply };
}

describe('demos/kubernetes: probes + serve$ through a SIGTERM', () => {
  beforeAll(requireBuiltPackage);
  afterEach(killAllDemos);

  it('turns /readyz 503 at SIGTERM, keeps /livez 200 while draining, completes the in-flight upload with Connection: close, exits by SIGTERM', async () => {
    const demo = new DemoProcess(K8S, { env: { PORT: '0', PROBE_PORT: '0', HOST: '127.0.0.1', DRAIN_DELAY: '200', DEMO_SECONDS: '120' } });
    const [, appUrl] = await demo.waitForLine('stdout', /^app on (http:\/\/\S+)/);
    const [, probeUrl] = await demo.waitForLine('stdout', /^probes on (http:\/\/\S+)/);
    await demo.waitForLine('stdout', /^ready: true$/);
    expect(await get(`${probeUrl}/readyz`)).toMatchObject({ status: 200, body: 'ok\n' });
    expect((await get(`${appUrl}/`)).body).toBe('hello\n');

    const upload = slowUpload(`${appUrl}/upload`);
    await demo.waitForLine('stdout', /^upload: started$/);
    demo.send('SIGTERM');

    await demo.waitForLine('stdout', /shutdown requested \(SIGTERM\)/);
    expect(await get(`${probeUrl}/readyz`)).toMatchObject({ status: 503, body: 'shutting down\n' });
    expect(await get(`${probeUrl}/livez`)).toMatchObject({ status: 200, body: 'ok\n' });

    // The upload holds the drain open: the app server no longer accepts, the probe server still answers.
    await demo.waitForLine('stdout', /server 'app': stop-accepting/);
    await expect(get(`${appUrl}/`)).rejects.toThrow(/ECONNREFUSED/);
    expect((await get(`${probeUrl}/readyz`)).status).toBe(503);
    expect((await get(`${probeUrl}/livez`)).status).toBe(200);
    expect((await get(`${probeUrl}/startupz`)).status).toBe(200);

    upload.finish();
    const reply = await upload.reply;
    expect(reply).toMatchObject({ status: 200, body: 'received 10 bytes\n' });
    expect(reply.headers.connection).toBe('close');

    // Killed by the re-raised SIGTERM: a shell reports 143 (128 + 15).
    expect(await demo.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expectInOrder(demo.lines.stdout, [
      /^ready: false$/,
      /shutdown requested \(SIGTERM\): \/readyz now 503/,
      /server 'app': readiness-down/,
      /server 'app': drain-delay/,
      /phase draining/,
      /server 'app': stop-accepting/,
      /^upload: answered \(10 bytes\)$/,
      /server 'app': drained/,
      /phase finalizing/,
      /finalizer 'probes'/,
      /phase stopped/,
    ]);
    expect(demo.indexOf('stderr', /rxrun: stopped \(ok, SIGTERM\)/)).toBeGreaterThanOrEqual(0);
    expect(demo.indexOf('stderr', /handles left open/)).toBe(-1);
  });

  it('with DEMO_SECONDS stops by itself and exits 0', async () => {
    const demo = new DemoProcess(K8S, { env: { PORT: '0', PROBE_PORT: '0', HOST: '127.0.0.1', DRAIN_DELAY: '0', DEMO_SECONDS: '1' } });
    expect(await demo.exited).toEqual({ code: 0, signal: null });
    expectInOrder(demo.lines.stdout, [/^ready: true$/, /shutdown requested \(stop\)/, /server 'app': drained/, /finalizer 'probes'/, /phase stopped/]);
    expect(demo.indexOf('stderr', /handles left open/)).toBe(-1);
  });
});
