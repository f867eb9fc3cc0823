/**
 * The box accepts exactly the configurations the cloud accepts. The cloud checks a document when
 * the portal saves it (`checkBoxConfigDocument`, the PUT path); the box checks it again when the
 * downlink brings it (`applyCloudConfig`) and every time it loads its box file (`readBoxFile`). A
 * limit written in two places and changed in one would let the cloud save a version the box then
 * refuses, leaving the patient on the old contacts with the portal showing the new ones.
 * Configurations are generated around every limit of protocol `BOX_CONFIG_LIMITS`.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { BOX_CONFIG_LIMITS, CONTACT_ROLES, SCHEMA_VERSION, type BoxConfigBound } from '@vigie/protocol';
import { checkBoxConfigDocument } from '@vigie/cloud-store';
import { readBoxFile, writeBoxFile, type BoxFile } from '@vigie/provisioning';
import { applyCloudConfig } from '../appliance/src/telemetry/config-apply.ts';

const L = BOX_CONFIG_LIMITS;
const dir = mkdtempSync(join(tmpdir(), 'vigie-agreement-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const BASE: BoxFile = {
  version: 1,
  boxId: 'box-agree-1',
  cloudUrl: 'https://cloud.example',
  token: 'a-token-of-sixteen-chars',
  patient: { displayName: 'Jeanne Martin' },
  contacts: [],
  alerting: { ackTimeoutMinutes: 5, maxRounds: 3, fallCancelSeconds: 20 },
  thresholds: { spo2Min: 90, heartRateLow: 40, heartRateHigh: 130, sustainedReadings: 2, notWornMinutes: 30, noDataMinutes: 30, batteryLowPercent: 15 },
  region: 'FR',
};

/**
 * Mostly a value the limits allow (often exactly on a bound), sometimes one just outside, a half
 * for a whole-number field or a wrong type: most documents then have none or one faulty field,
 * where a limit that differs between box and cloud shows.
 */
function aroundBound(b: BoxConfigBound): fc.Arbitrary<unknown> {
  const inside = b.integer ? fc.integer({ min: b.minimum, max: b.maximum }) : fc.double({ min: b.minimum, max: b.maximum, noNaN: true });
  const outside = [b.minimum - 1, b.maximum + 1, b.minimum - 0.01, b.maximum + 0.01, ...(b.integer ? [b.minimum + 0.5, b.maximum - 0.5] : [])];
  return fc.oneof(
    { weight: 20, arbitrary: fc.oneof(fc.constantFrom(b.minimum, b.maximum), inside) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(...outside, null, String(b.minimum), true) },
  );
}

const section = (limits: Record<string, BoxConfigBound>): fc.Arbitrary<Record<string, unknown>> =>
  fc.record(Object.fromEntries(Object.entries(limits).map(([key, b]) => [key, aroundBound(b)])));

const name = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'Sophie Bernard', 'x'.repeat(L.contact.name.maxLength), ` ${'x'.repeat(L.contact.name.maxLength - 1)}`, ' Sophie ') },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\t', 'x'.repeat(L.contact.name.maxLength + 1), ` ${'x'.repeat(L.contact.name.maxLength)}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: L.contact.name.maxLength + 2 }) },
);

/** E.164: + then 7 to 15 digits, the first not 0. */
const phone = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 999 }).map((n) => `+33612345${String(n).padStart(3, '0')}`) },
  { weight: 2, arbitrary: fc.constantFrom('+1234567', '+123456789012345') },
  { weight: 1, arbitrary: fc.constantFrom('+123456', '+1234567890123456', '+0612345678', '0612345678', ' +33612345678', '+33 6 12 34 56 78') },
);

const contact = fc.record({
  name,
  phone,
  role: fc.oneof({ weight: 8, arbitrary: fc.constantFrom<unknown>(...CONTACT_ROLES) }, { weight: 1, arbitrary: fc.constantFrom<unknown>('boss', 1) }),
  tier: aroundBound(L.contact.tier),
});

const contacts = fc.oneof(
  { weight: 8, arbitrary: fc.array(contact, { minLength: 1, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.array(contact, { minLength: 0, maxLength: L.contacts.maxItems + 1 }) },
);

/** A document of the protocol's shape, every value chosen around its limits. */
const wholeDocument = fc.record({
  contacts,
  alerting: section(L.alerting),
  thresholds: section(L.thresholds),
  cadences: section(L.cadences),
});

/** The same, sometimes missing a field or carrying one no version knows. */
const anyDocument = fc
  .tuple(wholeDocument, fc.oneof({ weight: 6, arbitrary: fc.constant('none') }, { weight: 1, arbitrary: fc.constantFrom('missing', 'extra') }), fc.constantFrom('alerting', 'thresholds', 'cadences'))
  .map(([doc, change, part]) => {
    const copy = structuredClone(doc);
    const target = copy[part];
    if (change === 'missing') delete target[Object.keys(target)[0]!];
    if (change === 'extra') target.unknownField = 1;
    return copy;
  });

function cloudAccepts(doc: unknown): boolean {
  try {
    checkBoxConfigDocument(doc);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'DOWNLINK_CONFIG_INVALID') return false;
    throw error;
  }
}

let run = 0;

/** The box's box-file loader on a box file holding the document's sections. */
function boxFileAccepts(doc: Record<string, unknown>): boolean {
  const path = join(dir, `loader-${run++}.json`);
  writeFileSync(path, JSON.stringify({ ...BASE, ...doc }));
  try {
    readBoxFile(path);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'PROVISION_FILE_INVALID') return false;
    throw error;
  } finally {
    rmSync(path, { force: true });
  }
}

const phonesDistinct = (doc: { contacts: { phone: unknown }[] }): boolean => new Set(doc.contacts.map((c) => c.phone)).size === doc.contacts.length;

const verdicts = { accepted: 0, refused: 0 };

test('the box file loader gives the cloud’s verdict on every configuration of the protocol’s shape', () => {
  fc.assert(
    fc.property(
      // The two rules only the cloud's editor enforces are left out here (see the next test):
      // at least one contact, each phone once.
      wholeDocument.filter((d) => d.contacts.length > 0 && phonesDistinct(d)),
      (doc) => {
        const cloud = cloudAccepts(doc);
        verdicts[cloud ? 'accepted' : 'refused'] += 1;
        assert.equal(boxFileAccepts(doc), cloud, JSON.stringify(doc));
      },
    ),
    { numRuns: 400 },
  );
  // Both verdicts well represented, or the comparison proves little.
  assert.ok(verdicts.accepted >= 40 && verdicts.refused >= 40, JSON.stringify(verdicts));
});

test('the box file alone also holds no contact yet or a phone twice, which the cloud refuses', () => {
  const doc = { contacts: [] as unknown[], alerting: { ...BASE.alerting }, thresholds: { ...BASE.thresholds }, cadences: { syncIntervalSeconds: 600, heartbeatIntervalSeconds: 300 } };
  assert.equal(cloudAccepts(doc), false);
  assert.equal(boxFileAccepts(doc), true, 'a box just provisioned has no contact yet');
  const twice = { ...doc, contacts: [1, 2].map(() => ({ name: 'Sophie', phone: '+33612345678', role: 'nurse', tier: 1 })) };
  assert.equal(cloudAccepts(twice), false);
  assert.equal(boxFileAccepts(twice), true, 'a hand-edited duplicate must not stop the safety core');
});

test('the box applies a pushed configuration exactly when the cloud accepted it, and reads it back unchanged', () => {
  const path = join(dir, 'box.json');
  let version = 0;
  let applied = 0;
  fc.assert(
    fc.property(anyDocument, (doc) => {
      writeBoxFile(path, BASE);
      version += 1;
      const message = { v: SCHEMA_VERSION, boxId: BASE.boxId, version, issuedAt: 1_700_000_000_000, config: doc };
      const outcome = applyCloudConfig(path, message, { now: 1_700_000_000_000 });
      const cloud = cloudAccepts(doc);
      assert.equal(outcome.status === 'applied', cloud, `${JSON.stringify(doc)} → ${JSON.stringify(outcome)}`);
      if (!cloud) return;
      applied += 1;
      const file = readBoxFile(path);
      assert.deepEqual({ contacts: file.contacts, alerting: file.alerting, thresholds: file.thresholds, cadences: file.cadences }, doc);
    }),
    { numRuns: 250 },
  );
  assert.ok(applied >= 25 && applied <= 225, `${applied} of 250 applied`);
});
