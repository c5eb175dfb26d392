import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * The part of `kustomize build` the manifests in deploy/k8s use, so the tests check the objects a
 * cluster would receive without kustomize or a cluster: resources (files and directories),
 * components, strategic-merge patches (maps merged, lists of named items merged by name,
 * `$patch: delete`), namespace, labels (metadata only), images and replicas. A kustomization
 * field outside that list is an error, so a new feature cannot be skipped silently.
 */

/** A parsed manifest: checked field by field by the tests and against its schema by kubernetes-models. */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any field of any kind
  [field: string]: any;
};

type Kustomization = {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  resources?: string[];
  components?: string[];
  patches?: Array<{ path: string }>;
  labels?: Array<{ pairs: Record<string, string> }>;
  images?: Array<{ name: string; newName?: string; newTag?: string }>;
  replicas?: Array<{ name: string; count: number }>;
};

const SUPPORTED = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'components', 'patches', 'labels', 'images', 'replicas']);

export function readYamlObjects(file: string): K8sObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
    return doc.toJS() as K8sObject;
  });
}

/** Builds the kustomization in `dir`; `extraComponents` are added to its components (paths relative to dir). */
export function kustomizeBuild(dir: string, extraComponents: string[] = []): K8sObject[] {
  const [k] = readYamlObjects(path.join(dir, 'kustomization.yaml')) as unknown as Kustomization[];
  const unknown = Object.keys(k).filter((field) => !SUPPORTED.has(field));
  if (unknown.length > 0) throw new Error(`${dir}/kustomization.yaml uses ${unknown.join(', ')}, which kustomizeBuild does not apply`);

  let objects: K8sObject[] = [];
  for (const resource of k.resources ?? []) {
    const target = path.resolve(dir, resource);
    objects.push(...(statSync(target).isDirectory() ? kustomizeBuild(target) : readYamlObjects(target)));
  }
  for (const component of [...(k.components ?? []), ...extraComponents]) objects = applyComponent(path.resolve(dir, component), objects);
  objects = applyTransformers(dir, k, objects);
  assertUnique(objects);
  return objects;
}

function applyComponent(dir: string, objects: K8sObject[]): K8sObject[] {
  const [k] = readYamlObjects(path.join(dir, 'kustomization.yaml')) as unknown as Kustomization[];
  if (k.kind !== 'Component') throw new Error(`${dir} is not a kustomize Component`);
  const own = (k.resources ?? []).flatMap((r) => readYamlObjects(path.resolve(dir, r)));
  return applyTransformers(dir, { ...k, resources: undefined }, [...objects, ...own]);
}

function applyTransformers(dir: string, k: Kustomization, input: K8sObject[]): K8sObject[] {
  let objects = input;
  for (const { path: file } of k.patches ?? []) {
    for (const patch of readYamlObjects(path.resolve(dir, file))) objects = applyPatch(objects, patch, file);
  }
  for (const { pairs } of k.labels ?? []) {
    for (const o of objects) o.metadata.labels = { ...o.metadata.labels, ...pairs };
  }
  for (const image of k.images ?? []) {
    for (const container of objects.flatMap(containersOf)) {
      const [name, tag] = splitImage(container.image);
      if (name === image.name) container.image = `${image.newName ?? name}:${image.newTag ?? tag}`;
    }
  }
  for (const { name, count } of k.replicas ?? []) {
    const target = objects.find((o) => o.metadata.name === name && o.spec?.replicas !== undefined);
    if (!target) throw new Error(`replicas: no workload named ${name}`);
    target.spec.replicas = count;
  }
  if (k.namespace) for (const o of objects) o.metadata.namespace = k.namespace;
  return objects;
}

function applyPatch(objects: K8sObject[], patch: K8sObject, file: string): K8sObject[] {
  const index = objects.findIndex((o) => o.kind === patch.kind && o.metadata.name === patch.metadata.name);
  if (index < 0) throw new Error(`${file}: no ${patch.kind} ${patch.metadata.name} to patch`);
  if (patch.$patch === 'delete') return objects.filter((_, i) => i !== index);
  const merged = strategicMerge(objects[index], patch) as K8sObject;
  return objects.map((o, i) => (i === index ? merged : o));
}

function strategicMerge(base: unknown, patch: unknown): unknown {
  if (Array.isArray(base) && Array.isArray(patch) && [...base, ...patch].every((item) => typeof item?.name === 'string')) {
    const out = base.map((item) => {
      const update = patch.find((p) => p.name === item.name);
      return update ? strategicMerge(item, update) : item;
    });
    return [...out, ...patch.filter((p) => !base.some((item) => item.name === p.name))];
  }
  if (isMap(base) && isMap(patch)) {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(patch)) out[key] = key in base ? strategicMerge(base[key], value) : value;
    return out;
  }
  return patch;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function splitImage(image: string): [string, string] {
  const at = image.lastIndexOf(':');
  return at > image.lastIndexOf('/') ? [image.slice(0, at), image.slice(at + 1)] : [image, 'latest'];
}

/** The containers of a workload's pod template (none for other kinds). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function containersOf(o: K8sObject): any[] {
  return o.spec?.template?.spec?.containers ?? [];
}

function assertUnique(objects: K8sObject[]): void {
  const seen = new Set<string>();
  for (const o of objects) {
    const id = `${o.kind}/${o.metadata.name}`;
    if (seen.has(id)) throw new Error(`${id} is defined twice`);
    seen.add(id);
  }
}
