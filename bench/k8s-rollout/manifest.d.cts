// Types of manifest.cjs (the numbers bench/k8s-rollout.mjs reads from demos/kubernetes/deployment.yaml; also used by spec/demos/kubernetes.spec.ts).

export interface ProbeNumbers {
  readonly path: string;
  readonly port: number;
  readonly initialDelaySeconds: number;
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
  readonly successThreshold: number;
  readonly failureThreshold: number;
}

/** Every number the simulation plays, with Kubernetes' defaults for what the manifest leaves out. */
export interface ManifestNumbers {
  readonly replicas: number;
  readonly maxSurge: number;
  readonly maxUnavailable: number;
  readonly terminationGracePeriodSeconds: number;
  /** The preStop hook's sleep in ms; 0 without a hook. */
  readonly preStopSleepMs: number;
  readonly readinessProbe: ProbeNumbers;
  readonly startupProbe: ProbeNumbers | null;
  readonly command: readonly string[] | null;
  readonly env: Readonly<Record<string, string>>;
  readonly ports: Readonly<Record<string, number>>;
}

/** demos/kubernetes/deployment.yaml. */
export const MANIFEST: string;
/** One YAML document of the block-style subset the manifest uses; throws on anything else. */
export function parseYaml(text: string, file?: string): unknown;
/** The Deployment's numbers from `file` (default: MANIFEST). */
export function readManifest(file?: string): ManifestNumbers;
/** `key: recorded → current` for every number that differs (empty: the same). */
export function manifestDiff(recorded: unknown, current: unknown): string[];
