import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import os from 'node:os';
import * as path from 'node:path';
import { manifestDiff, readManifest } from '../../bench/k8s-rollout/manifest.cjs';
import { DemoProcess, ROOT, expectInOrder, killAllDemos, requireBuiltPackage } from './demoProcess';

const K8S = 'demos/kubernetes/main.ts';
const read = (file: string) => readFileSync(path.join(ROOT, 'demos', 'kubernetes', file), 'utf8');

/** The README's sample output (the fenced block after "the demo prints:"), without the `+N ms` times. */
function readmeTranscript(): string[] {
  const block = /the demo prints:\n\n```\n([\s\S]*?)```/.exec(read('README.md'))?.[1];
  if (block === undefined) throw new Error('README.md: no sample output block after "the demo prints:"');
  return block.trim().split('\n').map((line) => line.replace(/^\+\d+ ms /, ''));
}

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

    // The README's sample output is this run's (its in-flight request is `/slow`; here an upload). The
    // `close-idle` step is left out: serve$ emits it at stop-accepting or once the busy connection is
    // done, depending on where that connection is in its request (see the README).
    const stdout = demo.lines.stdout;
    const fixedPlace = (line: string) => !/ close-idle /.test(line);
    const shown = stdout
      .slice(stdout.indexOf('upload: started'))
      .map((line) => line.replace(/^\+\d+ ms /, '').replace(/^upload: started$/, 'slow request: started').replace(/^upload: answered.*$/, 'slow request: answered'));
    expect(readmeTranscript().filter(fixedPlace)).toEqual(shown.filter(fixedPlace));
  });

  it('with DEMO_SECONDS stops by itself and exits 0', async () => {
    const demo = new DemoProcess(K8S, { env: { PORT: '0', PROBE_PORT: '0', HOST: '127.0.0.1', DRAIN_DELAY: '0', DEMO_SECONDS: '1' } });
    expect(await demo.exited).toEqual({ code: 0, signal: null });
    expectInOrder(demo.lines.stdout, [/^ready: true$/, /shutdown requested \(stop\)/, /server 'app': drained/, /finalizer 'probes'/, /phase stopped/]);
    expect(demo.indexOf('stderr', /handles left open/)).toBe(-1);
  });

  it('deployment.yaml matches main.ts and the Dockerfile: env names, ports, probe paths, command, and the time budget', () => {
    const manifest = read('deployment.yaml');
    const main = read('main.ts');
    const dockerfile = read('Dockerfile');
    const env = new Map([...manifest.matchAll(/- name: (\w+)[^\n]*\n\s+value: "([^"]*)"/g)].map((match) => [match[1] as string, match[2] as string]));
    expect([...env.keys()].sort()).toEqual(['DRAIN_DELAY', 'HOST', 'PORT', 'PROBE_PORT', 'SHUTDOWN_TIMEOUT']);
    for (const name of env.keys()) expect(main).toMatch(new RegExp(`envNumber\\('${name}'|process\\.env\\['${name}'\\]`));
    const containerPort = (name: string) => new RegExp(`- name: ${name}[^\\n]*\\n\\s+containerPort: (\\d+)`).exec(manifest)?.[1];
    expect(containerPort('http')).toBe(env.get('PORT'));
    expect(containerPort('probes')).toBe(env.get('PROBE_PORT'));
    expect(env.get('HOST')).toBe('0.0.0.0'); // the kubelet probes the pod IP
    for (const [probe, probePath] of [['startupProbe', '/startupz'], ['readinessProbe', '/readyz'], ['livenessProbe', '/livez']]) {
      expect(manifest).toMatch(new RegExp(`${probe}:\\n\\s+httpGet:\\n\\s+path: ${probePath}\\n\\s+port: probes\\n`));
    }
    // The readiness probe waits longer than the probes' default checkTimeout (1000 ms).
    expect(Number(/readinessProbe:[\s\S]*?timeoutSeconds: (\d+)/.exec(manifest)?.[1]) * 1000).toBeGreaterThan(1000);
    // node as PID 1, in the image's WORKDIR, where the Dockerfile puts main.js.
    expect(manifest).toMatch(/command: \["node", "main\.js"\]/);
    const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtimeStage).toMatch(/\nWORKDIR \/app\n/);
    expect(runtimeStage).toMatch(/\nCOPY --from=build \/app\/package\.json \/app\/main\.js \.\/\n/);
    expect(runtimeStage).toMatch(/\nCMD \["node", "main\.js"\]\n/);
    // The budget includes the drain delay; the grace period covers the budget plus a margin for the exit.
    const grace = Number(/terminationGracePeriodSeconds: (\d+)/.exec(manifest)?.[1]) * 1000;
    const budget = Number(env.get('SHUTDOWN_TIMEOUT'));
    expect(Number(env.get('DRAIN_DELAY'))).toBeLessThan(budget);
    expect(grace).toBeGreaterThanOrEqual(budget + 5000);
    expect(manifest).not.toMatch(/^\s*preStop:/m); // DRAIN_DELAY instead (the README says why)
  });

  it('bench/results/k8s-rollout.json was measured with deployment.yaml\'s current numbers (else: node bench/k8s-rollout.mjs)', () => {
    const recorded = JSON.parse(readFileSync(path.join(ROOT, 'bench', 'results', 'k8s-rollout.json'), 'utf8'));
    const current = readManifest();
    expect(manifestDiff(recorded.manifest, current)).toEqual([]);
    // The numbers are the manifest's: the simulation rolls two pods with a readiness probe on /readyz.
    expect(current).toMatchObject({ replicas: 2, readinessProbe: { path: '/readyz', port: Number(current.env['PROBE_PORT']) }, preStopSleepMs: 0 });
    // And the check sees a change: the same manifest with a longer grace period no longer matches the run.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rxrun-k8s-manifest-'));
    try {
      const grace = current.terminationGracePeriodSeconds;
      const changed = path.join(dir, 'deployment.yaml');
      writeFileSync(changed, read('deployment.yaml').replace(`terminationGracePeriodSeconds: ${grace}`, `terminationGracePeriodSeconds: ${grace + 1}`));
      expect(manifestDiff(recorded.manifest, readManifest(changed))).toEqual([`terminationGracePeriodSeconds: ${grace} → ${grace + 1}`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the image\'s main.js: main.ts compiled with the Dockerfile\'s tsc line runs as `node main.js`', async () => {
    const dockerfile = read('Dockerfile');
    const tscLine = /npx tsc ([^\n\\&]+?)\s*\\?\n/.exec(dockerfile)?.[1];
    if (tscLine === undefined) throw new Error('Dockerfile: no `npx tsc …` line');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rxrun-k8s-image-'));
    try {
      // What the build stage holds in /app: main.ts, package.json, node_modules with rxrun, rxjs, @types/node.
      cpSync(path.join(ROOT, 'demos', 'kubernetes', 'main.ts'), path.join(dir, 'main.ts'));
      writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0' }));
      mkdirSync(path.join(dir, 'node_modules', '@types'), { recursive: true });
      symlinkSync(ROOT, path.join(dir, 'node_modules', 'rxrun'), 'dir');
      symlinkSync(path.join(ROOT, 'node_modules', 'rxjs'), path.join(dir, 'node_modules', 'rxjs'), 'dir');
      symlinkSync(path.join(ROOT, 'node_modules', '@types', 'node'), path.join(dir, 'node_modules', '@types', 'node'), 'dir');
      await runIn(dir, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), ...tscLine.split(' ')], {});
      const { stdout } = await runIn(dir, ['main.js'], { PORT: '0', PROBE_PORT: '0', HOST: '127.0.0.1', DRAIN_DELAY: '0', DEMO_SECONDS: '1' });
      expectInOrder(stdout.split('\n'), [/^probes on http:/, /^app on http:/, /^ready: true$/, /shutdown requested \(stop\)/, /phase stopped/]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Runs node with `args` in `cwd`; resolves with its output once it exited 0, else rejects with it. */
function runIn(cwd: string, args: string[], env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd, env: { ...process.env, ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`node ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}
