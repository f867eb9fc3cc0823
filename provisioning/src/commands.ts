import { z } from '@vigie/common';
import { BoxFileSchema, ContactSchema, contactName, contactPhone, createOrUpdateBoxFile, DEFAULT_REGION, updateBoxFile, type BoxFile } from './box-file.ts';
import { provisioningErrors } from './errors.ts';
import { toE164 } from './phone.ts';
import { ensureBusCredentials } from './bus-credentials.ts';
import { dirname } from 'node:path';

function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `--${String(i.path[0] ?? '?')}: ${i.message}`);
  throw provisioningErrors.create('PROVISION_INPUT_INVALID', {
    message: problems.join('\n'),
    details: { problems },
    cause: parsed.error,
  });
}

const ProvisionInput = BoxFileSchema.pick({ boxId: true, cloudUrl: true, token: true }).extend({
  patientName: z.string().trim().min(1, 'give the patient name as it should appear in SMS').max(80),
  braceletId: BoxFileSchema.shape.braceletId,
  region: BoxFileSchema.shape.region.optional(),
  commandKey: BoxFileSchema.shape.commandKey,
});

/**
 * `vigie-box provision`: write the box identity, cloud credentials and patient name. Contacts
 * already set are kept, so re-provisioning (new token) does not lose them.
 */
export function provision(boxFilePath: string, input: Record<string, unknown>): BoxFile {
  const p = parseInput(ProvisionInput, input);
  // A box file that exists but does not validate is reported (readBoxFile), not overwritten.
  const file = createOrUpdateBoxFile(boxFilePath, (previous) => ({
    version: 1,
    boxId: p.boxId,
    cloudUrl: p.cloudUrl,
    token: p.token,
    patient: { displayName: p.patientName },
    contacts: previous?.contacts ?? [],
    alerting: previous?.alerting ?? BoxFileSchema.shape.alerting.parse(undefined),
    thresholds: previous?.thresholds ?? BoxFileSchema.shape.thresholds.parse(undefined),
    ...(p.braceletId ? { braceletId: p.braceletId } : {}),
    region: p.region ?? previous?.region ?? DEFAULT_REGION,
    ...((p.commandKey ?? previous?.commandKey) ? { commandKey: p.commandKey ?? previous?.commandKey } : {}),
  }))!;
  // Each process of the box gets its own credential for the local bus (appliance/src/bus).
  ensureBusCredentials(dirname(boxFilePath));
  return file;
}

/**
 * A contact's phone number from the technician as E.164 in the box's region, or a clear input
 * error: the same normalisation as the senders of replies, so they match (issue 10).
 */
function phoneInRegion(input: unknown, region: string): string {
  const phone = typeof input === 'string' ? toE164(input, region) : null;
  if (phone === null) {
    throw provisioningErrors.create('PROVISION_INPUT_INVALID', {
      message: `--phone: not a valid phone number (international, e.g. +33612345678, or national in region ${region})`,
      details: { problems: ['--phone: not a valid phone number'] },
    });
  }
  return phone;
}

/** A contact as the technician types it: surrounding spaces dropped, then the box file's rules. */
const ContactInput = ContactSchema.extend({ name: contactName(z.string().trim()), phone: contactPhone(z.string().trim()) });

/** `vigie-box contacts add`: add a contact, or replace the one with the same phone number. */
export function addContact(boxFilePath: string, input: Record<string, unknown>): BoxFile {
  return updateBoxFile(boxFilePath, (file) => {
    const contact = parseInput(ContactInput, { ...input, phone: phoneInRegion(input.phone, file.region) });
    const contacts = file.contacts.filter((c) => c.phone !== contact.phone);
    contacts.push(contact);
    return parseInput(BoxFileSchema, { ...file, contacts });
  });
}

/** `vigie-box contacts remove`: remove the contact with this phone number. */
export function removeContact(boxFilePath: string, phone: string): BoxFile {
  return updateBoxFile(boxFilePath, (file) => {
    const e164 = toE164(phone, file.region) ?? phone;
    const contacts = file.contacts.filter((c) => c.phone !== e164);
    if (contacts.length === file.contacts.length) {
      throw provisioningErrors.create('PROVISION_INPUT_INVALID', { message: '--phone: no contact has this number' });
    }
    return { ...file, contacts };
  });
}

const AlertingInput = BoxFileSchema.shape.alerting.unwrap().partial();

/** `vigie-box alerting`: change the acknowledgement delay, the rounds or the fall cancel window. */
export function setAlerting(boxFilePath: string, input: Record<string, unknown>): BoxFile {
  const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const change = parseInput(AlertingInput, given);
  return updateBoxFile(boxFilePath, (file) => parseInput(BoxFileSchema, { ...file, alerting: { ...file.alerting, ...change } }));
}
