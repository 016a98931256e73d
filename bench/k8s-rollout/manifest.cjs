// The numbers bench/k8s-rollout.mjs simulates, read from demos/kubernetes/deployment.yaml — and nowhere else.
// A minimal YAML reader for the block style that manifest uses (maps, lists, scalars, JSON-style flow lists,
// `#` comments); anything else is an error, never a guess. Shared with spec/demos/kubernetes.spec.ts, which
// checks that bench/results/k8s-rollout.json was measured with the manifest's current numbers.
'use strict';
const { readFileSync } = require('node:fs');
const path = require('node:path');

const MANIFEST = path.resolve(__dirname, '..', '..', 'demos', 'kubernetes', 'deployment.yaml');

/** The line without its comment: a `#` at the start or after a blank, outside quotes. */
function stripComment(line) {
  let quote;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i);
  }
  return line;
}

function scalar(text, where) {
  if (text.startsWith('{') || text.startsWith('|') || text.startsWith('>') || text.startsWith('&') || text.startsWith('*')) {
    throw new Error(`${where}: YAML '${text}' is beyond this reader (block style, plain/quoted scalars, JSON-style lists only)`);
  }
  if (text.startsWith('[') || text.startsWith('"')) {
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`${where}: cannot read '${text}' (only JSON-style flow lists and double-quoted strings)`);
    }
  }
  if (text.startsWith("'")) return text.slice(1, -1).replace(/''/g, "'");
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null' || text === '~') return null;
  return text;
}

/** Parses one YAML document of the supported subset. */
function parseYaml(text, file = 'yaml') {
  const lines = [];
  text.split('\n').forEach((raw, index) => {
    const line = stripComment(raw).replace(/\s+$/, '');
    if (line.trim() === '') return;
    if (/\t/.test(line.slice(0, line.length - line.trimStart().length))) throw new Error(`${file}:${index + 1}: tab in indentation`);
    lines.push({ indent: line.length - line.trimStart().length, text: line.trim(), where: `${file}:${index + 1}` });
  });
  let i = 0;
  const isItem = (line) => line.text === '-' || line.text.startsWith('- ');
  const block = (indent) => (isItem(lines[i]) ? list(indent) : map(indent));
  function map(indent) {
    const out = {};
    while (i < lines.length && lines[i].indent === indent && !isItem(lines[i])) {
      const { where, text: line } = lines[i];
      const match = /^("[^"]*"|[\w./-]+):(?:\s+(.*))?$/.exec(line);
      if (!match) throw new Error(`${where}: expected 'key: value', got '${line}'`);
      const key = match[1].startsWith('"') ? JSON.parse(match[1]) : match[1];
      if (Object.hasOwn(out, key)) throw new Error(`${where}: duplicate key '${key}'`);
      i += 1;
      if (match[2] !== undefined && match[2] !== '') out[key] = scalar(match[2], where);
      else if (i < lines.length && (lines[i].indent > indent || (lines[i].indent === indent && isItem(lines[i])))) out[key] = block(lines[i].indent);
      else out[key] = null;
    }
    if (i < lines.length && lines[i].indent > indent) throw new Error(`${lines[i].where}: unexpected indentation`);
    return out;
  }
  function list(indent) {
    const out = [];
    while (i < lines.length && lines[i].indent === indent && isItem(lines[i])) {
      const after = lines[i].text.slice(1).trimStart();
      const contentIndent = indent + (lines[i].text.length - after.length);
      if (after === '') {
        i += 1;
        out.push(block(lines[i].indent));
      } else if (/^("[^"]*"|[\w./-]+):(\s|$)/.test(after)) {
        lines[i] = { ...lines[i], indent: contentIndent, text: after }; // the item's first key starts its map
        out.push(map(contentIndent));
      } else {
        out.push(scalar(after, lines[i].where));
        i += 1;
      }
    }
    return out;
  }
  const doc = lines.length === 0 ? null : block(lines[0].indent);
  if (i < lines.length) throw new Error(`${lines[i].where}: unexpected '${lines[i].text}'`);
  return doc;
}

/** `maxSurge`/`maxUnavailable` as pod counts: a number, or a percentage of replicas (surge rounds up, unavailable down, as Kubernetes does). */
function podCount(value, replicas, roundUp, name) {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  const percent = typeof value === 'string' ? /^(\d+)%$/.exec(value) : null;
  if (!percent) throw new Error(`deployment.yaml: ${name} must be a whole number or a percentage, got ${JSON.stringify(value)}`);
  const exact = (Number(percent[1]) * replicas) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** A probe's numbers with Kubernetes' defaults for what the manifest leaves out. */
function probe(spec, ports, name) {
  if (!spec) return undefined;
  const get = spec.httpGet;
  if (!get || typeof get.path !== 'string') throw new Error(`deployment.yaml: ${name} must be an httpGet probe with a path`);
  const port = typeof get.port === 'number' ? get.port : ports[get.port];
  if (port === undefined) throw new Error(`deployment.yaml: ${name}.httpGet.port '${get.port}' names no containerPort`);
  return {
    path: get.path,
    port,
    initialDelaySeconds: spec.initialDelaySeconds ?? 0,
    periodSeconds: spec.periodSeconds ?? 10,
    timeoutSeconds: spec.timeoutSeconds ?? 1,
    successThreshold: spec.successThreshold ?? 1,
    failureThreshold: spec.failureThreshold ?? 3,
  };
}

/** The preStop hook as a sleep in ms (0: none); any other hook is an error (the simulation could not play it). */
function preStopSleepMs(lifecycle) {
  const hook = lifecycle?.preStop;
  if (!hook) return 0;
  if (hook.sleep && typeof hook.sleep.seconds === 'number') return hook.sleep.seconds * 1000;
  const command = hook.exec?.command;
  const line = Array.isArray(command) ? command.join(' ') : '';
  const match = /^(?:\/bin\/)?(?:sh -c )?(?:\/bin\/)?sleep (\d+(?:\.\d+)?)$/.exec(line);
  if (match) return Number(match[1]) * 1000;
  throw new Error(`deployment.yaml: preStop ${JSON.stringify(hook)} is not a sleep; the simulation plays only sleeps`);
}

/**
 * Reads the Deployment of `file` (default: demos/kubernetes/deployment.yaml) and returns every number the
 * simulation uses, plus the first container's command and env.
 */
function readManifest(file = MANIFEST) {
  const text = readFileSync(file, 'utf8');
  const docs = text.split(/^---\s*$/m).map((doc, n) => parseYaml(doc, `${path.basename(file)} (document ${n + 1})`));
  const deployment = docs.find((doc) => doc && doc.kind === 'Deployment');
  if (!deployment) throw new Error(`${file}: no Deployment`);
  const spec = deployment.spec ?? {};
  const replicas = spec.replicas ?? 1;
  const strategy = spec.strategy ?? {};
  if ((strategy.type ?? 'RollingUpdate') !== 'RollingUpdate') throw new Error('deployment.yaml: the simulation plays only strategy RollingUpdate');
  const rolling = strategy.rollingUpdate ?? {};
  const pod = spec.template?.spec ?? {};
  const containers = pod.containers ?? [];
  if (containers.length !== 1) throw new Error(`deployment.yaml: the simulation plays one container per pod, found ${containers.length}`);
  const [container] = containers;
  const ports = Object.fromEntries((container.ports ?? []).map((p) => [p.name, p.containerPort]));
  const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, String(e.value)]));
  const readiness = probe(container.readinessProbe, ports, 'readinessProbe');
  if (!readiness) throw new Error('deployment.yaml: no readinessProbe (a pod would be Ready at start and the simulation would mean little)');
  const numbers = {
    replicas,
    maxSurge: podCount(rolling.maxSurge ?? '25%', replicas, true, 'maxSurge'),
    maxUnavailable: podCount(rolling.maxUnavailable ?? '25%', replicas, false, 'maxUnavailable'),
    terminationGracePeriodSeconds: pod.terminationGracePeriodSeconds ?? 30,
    preStopSleepMs: preStopSleepMs(container.lifecycle),
    readinessProbe: readiness,
    startupProbe: probe(container.startupProbe, ports, 'startupProbe') ?? null,
    command: container.command ?? null,
    env,
    ports,
  };
  if (numbers.maxSurge === 0 && numbers.maxUnavailable === 0) throw new Error('deployment.yaml: maxSurge and maxUnavailable cannot both be 0');
  return numbers;
}

/** Where `recorded` (the numbers a run used) and `current` differ: a list of `key: recorded → current`. */
function manifestDiff(recorded, current) {
  const out = [];
  const walk = (a, b, at) => {
    if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) walk(a[key], b[key], at ? `${at}.${key}` : key);
    } else if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${at}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`);
  };
  walk(recorded, current, '');
  return out;
}

module.exports = { MANIFEST, parseYaml, readManifest, manifestDiff };
