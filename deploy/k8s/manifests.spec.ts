import { PATH_METADATA } from '@nestjs/common/constants';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { knownVariables } from '@lib/config';
import { healthController } from '@lib/observability';
import { SEGMENT_UPLOAD_QUEUE } from '@lib/queue';
import { INGEST_SETTINGS } from '../../apps/ingest/src/settings';
import { LIVEPEER_LOCAL_SETTINGS } from '../../apps/livepeer-local/src/settings';
import { STITCHER_SETTINGS } from '../../apps/stitcher/src/settings';
import { WORKER_SETTINGS } from '../../apps/worker/src/settings';
import { containersOf, kustomizeBuild, type K8sObject } from './kustomize-build';

const root = path.resolve(__dirname, '../..');
const k8s = path.join(root, 'deploy/k8s');

/** What each overlay renders to; production with KEDA is the documented optional variant. */
const builds: Record<string, K8sObject[]> = {
  dev: kustomizeBuild(path.join(k8s, 'overlays/dev')),
  production: kustomizeBuild(path.join(k8s, 'overlays/production')),
  'production + keda': kustomizeBuild(path.join(k8s, 'overlays/production'), ['../../components/keda-upload-queue']),
};

/** The Kubernetes API schema of each kind the manifests use (kubernetes-models). */
const models: Record<string, new (o: K8sObject) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
} as Record<string, new (o: K8sObject) => { validate(): void }>;

/** The namespaces each app reads, keyed by the entry point the container runs. */
const settingsOfEntry: Record<string, Map<string, unknown>> = {
  'dist/apps/ingest/src/main.js': knownVariables(INGEST_SETTINGS),
  'dist/apps/worker/src/main.js': knownVariables(WORKER_SETTINGS),
  'dist/apps/stitcher/src/main.js': knownVariables(STITCHER_SETTINGS),
  'dist/apps/livepeer-local/src/main.js': knownVariables(LIVEPEER_LOCAL_SETTINGS),
};
const allKnown = knownVariables();

/** The HTTP port variable of each app (its probes and Service target it). */
const HTTP_PORT_VARIABLE = /^(INGEST|WORKER|STITCHER)_HTTP_PORT$|^LIVEPEER_LOCAL_PORT$/;

/** The paths the health controller really serves, read from its Nest route metadata. */
const Health = healthController([]);
const healthPath = (method: 'live' | 'ready') =>
  `/${Reflect.getMetadata(PATH_METADATA, Health)}/${Reflect.getMetadata(PATH_METADATA, Health.prototype[method])}`;

const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

/** The keys of a Secret production creates out of band, from the README's `kubectl create secret` command. */
function documentedSecretKeys(name: string): string[] | undefined {
  const at = readme.indexOf(`create secret generic ${name} `);
  if (at < 0) return undefined;
  const command = readme.slice(at, readme.indexOf('\n\n', at));
  return [...command.matchAll(/--from-literal=([A-Z0-9_]+)=/g)].map((m) => m[1]);
}

const workloads = (objects: K8sObject[]) => objects.filter((o) => containersOf(o).length > 0);
const find = (objects: K8sObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

/** Every variable a container gets: env entries, and all keys of the ConfigMaps and Secrets it takes whole. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a container of a parsed manifest
function variablesOf(container: any, objects: K8sObject[]): Array<{ name: string; value?: string; from: string }> {
  const out: Array<{ name: string; value?: string; from: string }> = [];
  for (const source of container.envFrom ?? []) {
    const ref = source.configMapRef ?? source.secretRef;
    const object = find(objects, source.configMapRef ? 'ConfigMap' : 'Secret', ref.name);
    if (!object && source.secretRef) {
      for (const name of documentedSecretKeys(ref.name) ?? []) out.push({ name, from: `${ref.name} (README)` });
      continue;
    }
    const data = { ...object?.data, ...object?.stringData } as Record<string, string>;
    for (const [name, value] of Object.entries(data)) out.push({ name, value, from: ref.name });
  }
  for (const { name, value } of container.env ?? []) out.push({ name, value, from: 'env' });
  return out;
}

describe.each(Object.entries(builds))('Kubernetes manifests: %s', (_overlay, objects) => {
  it('renders only kinds whose Kubernetes API schema the test knows, and each object passes it', () => {
    for (const o of objects) {
      if (o.apiVersion === 'keda.sh/v1alpha1') continue; // not a core kind: checked below
      const Model = models[`${o.apiVersion}/${o.kind}`];
      expect(Model, `${o.apiVersion} ${o.kind}`).toBeDefined();
      expect(() => new Model(o).validate(), `${o.kind} ${o.metadata.name}`).not.toThrow();
    }
  });

  it('runs ingest, worker and stitcher, each with resource requests and a memory limit', () => {
    const names = workloads(objects).map((o) => o.metadata.name);
    expect(names).toEqual(expect.arrayContaining(['ingest', 'worker', 'stitcher']));
    for (const container of workloads(objects).flatMap(containersOf)) {
      expect(container.resources?.requests?.cpu, container.name).toBeDefined();
      expect(container.resources?.requests?.memory, container.name).toBeDefined();
      expect(container.resources?.limits?.memory, container.name).toBeDefined();
    }
  });

  it('sets only variables the app in the container reads, with valid values', () => {
    for (const o of workloads(objects)) {
      for (const container of containersOf(o)) {
        const reads = settingsOfEntry[container.command.find((arg: string) => arg.startsWith('dist/'))];
        expect(reads, `${o.metadata.name} runs a known entry point`).toBeDefined();
        for (const variable of variablesOf(container, objects)) {
          expect(reads.has(variable.name), `${o.metadata.name} gets ${variable.name} (${variable.from}), which it does not read`).toBe(
            true,
          );
        }
      }
    }
  });

  it('refers only to ConfigMaps and Secret keys the build provides, except the documented production Secrets', () => {
    for (const container of workloads(objects).flatMap(containersOf)) {
      for (const source of container.envFrom ?? []) {
        if (source.configMapRef) expect(find(objects, 'ConfigMap', source.configMapRef.name), source.configMapRef.name).toBeDefined();
        if (source.secretRef) expectSecret(source.secretRef.name);
      }
      for (const { valueFrom } of container.env ?? []) {
        if (valueFrom?.secretKeyRef) expectSecret(valueFrom.secretKeyRef.name, valueFrom.secretKeyRef.key);
      }
    }
    function expectSecret(name: string, key?: string) {
      const secret = find(objects, 'Secret', name);
      if (secret) {
        if (key) expect(Object.keys(secret.stringData ?? secret.data ?? {}), `${name}.${key}`).toContain(key);
        return;
      }
      // Created out of band: the README's kubectl command must create it, with the key.
      const documented = documentedSecretKeys(name);
      expect(documented, `README creates Secret ${name}`).toBeDefined();
      if (key) expect(documented, `${name}.${key}`).toContain(key);
    }
  });

  it('every secret a relay app reads comes from a Secret, never from the ConfigMap', () => {
    for (const configMap of objects.filter((o) => o.kind === 'ConfigMap')) {
      const secretNames = Object.keys(configMap.data ?? {}).filter((name) =>
        /(^|_)(KEYS?|SECRET|TOKEN|PASSWORD)(_|$)|^DATABASE_URL$/.test(name),
      );
      expect(secretNames, configMap.metadata.name).toEqual([]);
    }
  });

  it('probes readiness on /health/ready and liveness on /health/live at the HTTP port the app listens on', () => {
    expect([healthPath('ready'), healthPath('live')]).toEqual(['/health/ready', '/health/live']);
    for (const o of workloads(objects)) {
      for (const container of containersOf(o)) {
        const vars = variablesOf(container, objects);
        const portVariable = vars.find((v) => HTTP_PORT_VARIABLE.test(v.name));
        expect(portVariable, `${o.metadata.name} sets its HTTP port`).toBeDefined();
        // The value the app listens on is also the code's default, so the image works unconfigured.
        expect(Number(portVariable!.value)).toBe(allKnown.get(portVariable!.name));
        for (const [probe, expected] of [
          ['readinessProbe', healthPath('ready')],
          ['livenessProbe', healthPath('live')],
        ] as const) {
          const get = container[probe]?.httpGet;
          expect(get?.path, `${o.metadata.name} ${probe}`).toBe(expected);
          const port = container.ports.find(
            (p: { name: string; containerPort: number }) => p.name === get.port || p.containerPort === get.port,
          );
          expect(port?.containerPort, `${o.metadata.name} ${probe} port`).toBe(Number(portVariable!.value));
        }
      }
    }
  });

  it('routes every Service to pods of a workload and to ports they declare; stores are ExternalName aliases set by the overlay', () => {
    for (const service of objects.filter((o) => o.kind === 'Service')) {
      if (service.spec.type === 'ExternalName') {
        expect(service.spec.externalName, service.metadata.name).not.toMatch(/\.invalid$/);
        continue;
      }
      const selected = workloads(objects).filter((w) =>
        Object.entries(service.spec.selector).every(([label, value]) => w.spec.template.metadata.labels[label] === value),
      );
      expect(selected.length, `Service ${service.metadata.name} selects a workload`).toBe(1);
      const declared = containersOf(selected[0]).flatMap((c) => c.ports.map((p: { name: string }) => p.name));
      for (const port of service.spec.ports) expect(declared, `${service.metadata.name}:${port.name}`).toContain(port.targetPort);
    }
  });

  it('points the apps at stores and a Livepeer API that exist under those names', () => {
    const config = find(objects, 'ConfigMap', 'livepeer-relay-config')!.data as Record<string, string>;
    const services = new Set(objects.filter((o) => o.kind === 'Service').map((o) => o.metadata.name));
    expect(services).toContain(new URL(config.REDIS_URL).hostname);
    expect(services).toContain(new URL(config.S3_ENDPOINT).hostname);
    const api = new URL(config.LIVEPEER_API_URL).hostname;
    if (find(objects, 'Deployment', 'livepeer-local')) expect(api).toBe('livepeer-local');
    else expect(api).toContain('.');
  });

  it('scales workers and stitchers horizontally, each with one autoscaler', () => {
    const scalers = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler' || o.kind === 'ScaledObject');
    const targets = scalers.map((s) => s.spec.scaleTargetRef.name).sort();
    expect(targets).toEqual(['stitcher', 'worker']);
    for (const s of scalers) expect(find(objects, 'Deployment', s.spec.scaleTargetRef.name), s.metadata.name).toBeDefined();
  });

  it('a KEDA ScaledObject, where present, watches the upload queue of this environment at an address in this namespace', () => {
    for (const scaled of objects.filter((o) => o.kind === 'ScaledObject')) {
      const config = find(objects, 'ConfigMap', 'livepeer-relay-config')!.data as Record<string, string>;
      const [trigger] = scaled.spec.triggers;
      expect(trigger.type).toBe('redis');
      expect(trigger.metadata.listName).toBe(`${config.REDIS_PREFIX}:${SEGMENT_UPLOAD_QUEUE}:wait`);
      expect(trigger.metadata.address).toBe(`redis.${scaled.metadata.namespace}.svc.cluster.local:6379`);
      expect(scaled.spec.minReplicaCount).toBeLessThanOrEqual(scaled.spec.maxReplicaCount);
    }
  });
});

describe('Kubernetes overlays', () => {
  it('production runs the released image and two ingest copies; dev adds livepeer-local', () => {
    const images = new Set(builds.production.flatMap(containersOf).map((c) => c.image));
    expect([...images]).toEqual(['registry.example.com/livepeer-relay:1.0.0']);
    expect(find(builds.production, 'StatefulSet', 'ingest')!.spec.replicas).toBe(2);
    expect(find(builds.production, 'Deployment', 'livepeer-local')).toBeUndefined();
    expect(find(builds.dev, 'Deployment', 'livepeer-local')).toBeDefined();
    for (const o of [...builds.dev, ...builds.production]) expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBeDefined();
  });

  it('the KEDA component replaces the CPU autoscaler of the workers', () => {
    expect(find(builds['production + keda'], 'HorizontalPodAutoscaler', 'worker')).toBeUndefined();
    expect(find(builds['production + keda'], 'ScaledObject', 'worker')).toBeDefined();
  });
});
