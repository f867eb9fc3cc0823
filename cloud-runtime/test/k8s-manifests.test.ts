/**
 * The Kubernetes manifests (cloud-runtime/deploy/k8s): each overlay rendered by `kubectl kustomize`
 * and every object validated against its schema — core objects with kubernetes-models (the
 * Kubernetes OpenAPI schemas), the operators' custom resources with Ajv against the reduced CRD
 * schemas kept in deploy/k8s/schemas/ — then the rules the issue sets (one Deployment per role,
 * probes, resources, non-root read-only pods, HPAs, PDBs, network isolation, secrets by reference,
 * topics as protocol defines them).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { ConfigMap, PersistentVolumeClaim, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { skipUnlessTool, tempDir } from '@vigie/common/testing';
import { loadKafkaConnection } from '@vigie/cloud-ingest';
import { loadCloudConfig } from '@vigie/cloud-portal';
import { loadReportsConfig } from '@vigie/cloud-reports';
import { KAFKA_TOPIC_SETTINGS, KAFKA_TOPICS } from '@vigie/protocol';
import { CLOUD_ROLES } from '../src/roles.ts';

const K8S = resolve(import.meta.dirname, '..', 'deploy', 'k8s');
const OVERLAYS = ['test', 'preprod', 'prod'] as const;
const skip = skipUnlessTool('kubectl');

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Core objects: kubernetes-models' class per apiVersion/kind (validate() throws on a schema error). */
const CORE: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

/**
 * A CRD schema made strict: every object with listed properties refuses others (unless the CRD
 * keeps unknown fields there), as the API server would prune them silently.
 */
function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, strict(s)])) : strict(v);
  if (out.properties && !out['x-kubernetes-preserve-unknown-fields'] && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const CUSTOM: Record<string, ValidateFunction> = Object.fromEntries(
  (
    [
      ['postgresql.cnpg.io/v1/Cluster', 'cnpg-cluster-v1.json'],
      ['kafka.strimzi.io/v1beta2/Kafka', 'strimzi-kafka-v1beta2.json'],
      ['kafka.strimzi.io/v1beta2/KafkaNodePool', 'strimzi-kafkanodepool-v1beta2.json'],
      ['kafka.strimzi.io/v1beta2/KafkaTopic', 'strimzi-kafkatopic-v1beta2.json'],
    ] as const
  ).map(([key, file]) => [key, ajv.compile(strict(JSON.parse(readFileSync(join(K8S, 'schemas', file), 'utf8'))) as object)]),
);

/** Validate one object against its schema; the error names the object and the failing paths. */
function validate(o: K8sObject): void {
  const key = `${o.apiVersion}/${o.kind}`;
  const Model = CORE[key];
  if (Model) {
    new Model(o as never).validate();
    return;
  }
  const check = CUSTOM[key];
  assert.ok(check, `${key} ${o.metadata.name}: no schema for this kind (add it to the test)`);
  assert.ok(check(o), `${key} ${o.metadata.name}: ${ajv.errorsText(check.errors)}`);
}

function render(overlay: string): K8sObject[] {
  const out = execFileSync('kubectl', ['kustomize', join(K8S, 'overlays', overlay)], { encoding: 'utf8' });
  return parseAllDocuments(out).map((d) => d.toJS() as K8sObject);
}

type Container = { args?: string[]; volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[]; env?: { name: string; value?: string; valueFrom?: unknown }[]; securityContext?: Record<string, unknown>; resources?: { requests?: Record<string, string> }; readinessProbe?: { httpGet?: { path: string } }; livenessProbe?: { httpGet?: { path: string } } };
type PodSpec = { containers: Container[]; volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[]; securityContext?: Record<string, unknown>; automountServiceAccountToken?: boolean };
const podOf = (o: K8sObject) => (o.spec as { template: { spec: PodSpec; metadata: { labels: Record<string, string> } } }).template;

describe('Kubernetes manifests', { skip }, () => {
  for (const overlay of OVERLAYS) {
    test(`the ${overlay} overlay renders and every object passes its schema`, () => {
      const objects = render(overlay);
      assert.ok(objects.length > 20);
      for (const o of objects) {
        validate(o);
        assert.equal(o.metadata.namespace, `vigie-${overlay}`, `${o.kind} ${o.metadata.name} in the overlay's namespace`);
      }
    });

    test(`${overlay}: one Deployment per role with probes, resources, a non-root read-only pod, an HPA and a PDB`, () => {
      const objects = render(overlay);
      const of = (kind: string) => objects.filter((o) => o.kind === kind);
      const roles = Object.keys(CLOUD_ROLES).filter((r) => r !== 'all');
      const deployments = of('Deployment');
      assert.deepEqual(deployments.map((d) => podOf(d).spec.containers[0]!.args).sort(), roles.map((r) => [r]).sort());
      for (const d of deployments) {
        const pod = podOf(d);
        const c = pod.spec.containers[0]!;
        assert.equal(c.readinessProbe?.httpGet?.path, '/readyz', d.metadata.name);
        assert.equal(c.livenessProbe?.httpGet?.path, '/healthz', d.metadata.name);
        assert.ok(c.resources?.requests?.cpu && c.resources.requests.memory, `${d.metadata.name} requests cpu and memory`);
        assert.equal(pod.spec.securityContext?.runAsNonRoot, true);
        assert.equal(c.securityContext?.readOnlyRootFilesystem, true);
        assert.equal(c.securityContext?.allowPrivilegeEscalation, false);
        assert.equal(pod.spec.automountServiceAccountToken, false);
        // Secrets by reference only: no literal value for a secret-bearing variable, no Secret object.
        for (const e of c.env ?? []) {
          if (/URL|KEY|PASSWORD|TOKEN/.test(e.name) && e.name !== 'VIGIE_PUBLIC_URL') assert.ok(e.valueFrom, `${d.metadata.name}: ${e.name} comes from a Secret`);
        }
        const hpa = of('HorizontalPodAutoscaler').find((h) => (h.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name === d.metadata.name);
        assert.ok(hpa, `${d.metadata.name} has an HPA`);
        const pdb = of('PodDisruptionBudget').find((p) => p.metadata.name === d.metadata.name);
        assert.ok(pdb, `${d.metadata.name} has a PDB`);
      }
      assert.equal(of('Secret').length, 0, 'no Secret in the manifests');
      // The consumers scale on lag (and CPU), never past the partitions; ingest, portal, updates on CPU.
      const metrics = (name: string) => (of('HorizontalPodAutoscaler').find((h) => h.metadata.name === name)!.spec as { metrics: { type: string; resource?: { name: string }; external?: { metric: { selector: { matchLabels: Record<string, string> } } } }[]; minReplicas: number; maxReplicas: number });
      const lagOf = (name: string) => metrics(name).metrics.find((m) => m.type === 'External')?.external?.metric.selector.matchLabels.consumergroup;
      assert.equal(lagOf('vigie-consumer'), 'vigie-ingest');
      assert.ok(metrics('vigie-consumer').maxReplicas <= KAFKA_TOPIC_SETTINGS[KAFKA_TOPICS.telemetry].partitions);
      assert.equal(lagOf('vigie-reports'), 'vigie-reports');
      assert.ok(metrics('vigie-reports').maxReplicas <= KAFKA_TOPIC_SETTINGS[KAFKA_TOPICS.reportRequests].partitions);
      for (const name of ['vigie-ingest', 'vigie-portal', 'vigie-updates']) assert.ok(metrics(name).metrics.some((m) => m.resource?.name === 'cpu'));
      // The scheduler: one or two, never more (its nightly pass is a single small job).
      const scheduler = deployments.find((d) => d.metadata.name === 'vigie-scheduler')!;
      const schedulerReplicas = (scheduler.spec as { replicas: number }).replicas;
      assert.ok(schedulerReplicas >= 1 && schedulerReplicas <= 2 && metrics('vigie-scheduler').maxReplicas <= 2, `the scheduler runs ${schedulerReplicas} (1-2)`);
      // Release artefacts (written by the portal's upload, served by the update service) on one
      // ReadWriteMany claim mounted by both at <VIGIE_DATA_DIR>/releases; read-only in the service.
      const config = of('ConfigMap').find((o) => o.metadata.name === 'vigie-config')!.data as Record<string, string>;
      const releasesMount = (name: string) => {
        const pod = podOf(deployments.find((d) => d.metadata.name === name)!).spec;
        const volume = pod.volumes?.find((v) => v.persistentVolumeClaim?.claimName === 'vigie-releases');
        return volume && pod.containers[0]!.volumeMounts?.find((m) => m.name === volume.name);
      };
      assert.equal(releasesMount('vigie-portal')?.mountPath, `${config.VIGIE_DATA_DIR}/releases`);
      assert.equal(releasesMount('vigie-updates')?.mountPath, `${config.VIGIE_DATA_DIR}/releases`);
      assert.equal(releasesMount('vigie-updates')?.readOnly, true);
      const claim = of('PersistentVolumeClaim').find((o) => o.metadata.name === 'vigie-releases')!.spec as { accessModes: string[] };
      assert.deepEqual(claim.accessModes, ['ReadWriteMany']);
      // The migration runs once, as a Job.
      const jobs = of('Job');
      assert.deepEqual(jobs.map((j) => podOf(j).spec.containers[0]!.args), [['migrate']]);
    });

    test(`${overlay}: network isolation — boxes reach only the ingest and the update service, browsers only the portal, the database only the cloud`, () => {
      const objects = render(overlay);
      const policies = objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => ({ name: o.metadata.name, spec: o.spec as { podSelector: { matchLabels?: Record<string, string> }; ingress?: { from?: { namespaceSelector?: { matchLabels: Record<string, string> }; podSelector?: { matchLabels: Record<string, string> } }[] }[] } }));
      const deny = policies.find((p) => Object.keys(p.spec.podSelector).length === 0);
      assert.ok(deny && (deny.spec.ingress ?? []).length === 0, 'a default deny of all ingress');
      const fromIngressController = policies.filter((p) => p.spec.ingress?.some((r) => r.from?.some((f) => f.namespaceSelector?.matchLabels['kubernetes.io/metadata.name'] === 'ingress-nginx')));
      assert.deepEqual(fromIngressController.map((p) => p.spec.podSelector.matchLabels?.['app.kubernetes.io/component']).sort(), ['ingest', 'portal', 'updates']);
      const db = policies.find((p) => p.spec.podSelector.matchLabels?.['cnpg.io/cluster'] === 'vigie-db')!;
      const dbClients = db.spec.ingress!.flatMap((r) => r.from ?? []).map((f) => f.podSelector?.matchLabels ?? f.namespaceSelector?.matchLabels);
      assert.deepEqual(dbClients, [{ 'vigie.io/db-client': 'true' }, { 'cnpg.io/cluster': 'vigie-db' }, { 'kubernetes.io/metadata.name': 'cnpg-system' }]);
      const dbClientPods = objects.filter((o) => ['Deployment', 'Job'].includes(o.kind) && podOf(o).metadata.labels['vigie.io/db-client'] === 'true');
      assert.deepEqual(dbClientPods.map((o) => o.metadata.name).sort(), ['vigie-consumer', 'vigie-ingest', 'vigie-migrate', 'vigie-portal', 'vigie-reports', 'vigie-scheduler', 'vigie-updates']);
      // Kafka lets in exactly the pods that hold the brokers' address.
      const kafkaClientPods = objects.filter((o) => o.kind === 'Deployment' && podOf(o).metadata.labels['vigie.io/kafka-client'] === 'true').map((o) => o.metadata.name);
      const withBrokers = objects.filter((o) => o.kind === 'Deployment' && podOf(o).spec.containers[0]!.env?.some((e) => e.name === 'KAFKA_BROKERS')).map((o) => o.metadata.name);
      assert.deepEqual(kafkaClientPods.sort(), withBrokers.sort());
      // Ingresses: the boxes' host routes only to the ingest and the update service, the portal host only to the portal.
      const ingresses = objects.filter((o) => o.kind === 'Ingress');
      const backends = ingresses.map((i) => (i.spec as { rules: { http: { paths: { backend: { service: { name: string } } }[] } }[] }).rules.flatMap((r) => r.http.paths.map((p) => p.backend.service.name)));
      assert.deepEqual(backends.sort(), [['vigie-ingest', 'vigie-updates'], ['vigie-portal']]);
    });

    test(`${overlay}: PostgreSQL and Kafka are operator resources, the topics those of protocol`, () => {
      const objects = render(overlay);
      assert.equal(objects.filter((o) => o.kind === 'StatefulSet').length, 0, 'no hand-rolled StatefulSet');
      assert.equal(objects.filter((o) => o.kind === 'Cluster').length, 1);
      assert.equal(objects.filter((o) => o.kind === 'Kafka').length, 1);
      const topics = objects.filter((o) => o.kind === 'KafkaTopic').map((o) => o.spec as { topicName: string; partitions: number; replicas: number; config: Record<string, unknown> });
      assert.deepEqual(
        Object.fromEntries(topics.map((t) => [t.topicName, { partitions: t.partitions, retentionMs: Number(t.config['retention.ms']) }])),
        KAFKA_TOPIC_SETTINGS,
      );
      const pool = objects.find((o) => o.kind === 'KafkaNodePool')!.spec as { replicas: number };
      for (const t of topics) assert.ok(t.replicas <= pool.replicas, `${t.topicName}: no more replicas than brokers`);
      if (overlay === 'prod') {
        assert.ok(topics.every((t) => t.replicas === 3 && t.config['min.insync.replicas'] === 2));
        assert.equal((objects.find((o) => o.kind === 'Cluster')!.spec as { instances: number }).instances, 3);
        // Three of each in production, but the scheduler (one or two, see above).
        for (const d of objects.filter((o) => o.kind === 'Deployment' && o.metadata.name !== 'vigie-scheduler')) assert.ok((d.spec as { replicas: number }).replicas >= 3, `${d.metadata.name}: three in production`);
        assert.equal((objects.find((o) => o.metadata.name === 'vigie-scheduler' && o.kind === 'Deployment')!.spec as { replicas: number }).replicas, 2, 'the scheduler: a standby in production');
      }
    });
  }

  test('each Deployment\'s environment passes vigie-cloud\'s own configuration checks', () => {
    const objects = render('prod');
    const config = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'vigie-config')!.data as Record<string, string>;
    const ca = tempDir('vigie-k8s-');
    try {
      for (const d of objects.filter((o) => o.kind === 'Deployment')) {
        const c = podOf(d).spec.containers[0]!;
        // Secrets stand in with well-formed values; the CA file the Secret volume would mount, here.
        const secretValues: Record<string, string> = {
          DATABASE_URL: 'postgres://vigie@vigie-db-rw:5432/vigie',
          VIGIE_SECRETS_KEY: Buffer.alloc(32, 1).toString('base64'),
          VIGIE_SMTP_URL: 'smtps://relay.vigie.invalid',
          KAFKA_SASL_PASSWORD: 'from-the-kafkauser-secret',
          VIGIE_COMMAND_SIGNING_KEY: '',
          VIGIE_S3_ENDPOINT: 'https://s3.vigie.invalid',
          VIGIE_S3_ACCESS_KEY_ID: 'from-the-vigie-s3-secret',
          VIGIE_S3_SECRET_ACCESS_KEY: 'from-the-vigie-s3-secret',
        };
        const env: Record<string, string> = { ...config };
        for (const e of c.env ?? []) env[e.name] = e.valueFrom ? secretValues[e.name]! : e.value!;
        if (env.KAFKA_SSL_CA_FILE) {
          env.KAFKA_SSL_CA_FILE = join(ca.path, 'ca.crt');
          writeFileSync(env.KAFKA_SSL_CA_FILE, '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
        }
        for (const e of c.env ?? []) assert.ok(!e.valueFrom || secretValues[e.name] !== undefined, `${d.metadata.name}: ${e.name} has a stand-in here`);
        loadCloudConfig(env);
        const reports = loadReportsConfig(env);
        const role = CLOUD_ROLES[c.args![0] as keyof typeof CLOUD_ROLES];
        const kafka = loadKafkaConnection(env);
        // Kafka for the box topics' consumer group (role.kafka), and for the report requests: the
        // scheduler and the portal publish, the reports service consumes, all on the one transport
        // (the database queue in one of them would strand the requests).
        const reportRequests = role.reports.service || role.reports.scheduler || role.http.portal;
        assert.equal(kafka !== null, role.kafka === 'required' || reportRequests, `${d.metadata.name}: holds the Kafka settings exactly when its role uses Kafka`);
        // The reports service needs a real object store (the embedded one is one process only); the
        // portal streams the files from it.
        assert.equal(reports.VIGIE_S3_ENDPOINT !== undefined, role.reports.service || role.http.portal, `${d.metadata.name}: the object store exactly where reports are written or read`);
      }
    } finally {
      ca.cleanup();
    }
  });

  test('the validation refuses what the API server would refuse or prune', () => {
    const [topic] = render('test').filter((o) => o.kind === 'KafkaTopic');
    assert.throws(() => validate({ ...topic!, spec: { ...topic!.spec, partitions: 0 } }), /partitions|minimum/);
    assert.throws(() => validate({ ...topic!, spec: { ...topic!.spec, partitons: 3 } }), /additional properties/);
    const [deployment] = render('test').filter((o) => o.kind === 'Deployment');
    assert.throws(() => validate({ ...deployment!, spec: { ...deployment!.spec, replicas: 'two' } }));
    assert.throws(() => validate({ apiVersion: 'example.org/v1', kind: 'Unknown', metadata: { name: 'x' } }), /no schema/);
  });
});
