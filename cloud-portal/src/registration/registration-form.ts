import { Type, type Static } from '@sinclair/typebox';
import { fileTypeFromBuffer } from 'file-type';
import { portalErrors } from '../errors.ts';

/** Largest prescription accepted (a phone photo or a scanned page). */
export const MAX_PRESCRIPTION_BYTES = 5 * 1024 * 1024;
/** Accepted by content (magic bytes), never by file name or declared type. */
export const PRESCRIPTION_TYPES = ['application/pdf', 'image/png', 'image/jpeg'] as const;
export type PrescriptionType = (typeof PRESCRIPTION_TYPES)[number];

const Name = Type.String({ minLength: 1, maxLength: 200 });
const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$' });
/** E.164, as the box's SMS contacts. */
const Phone = Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$' });
const Professional = Type.Object({ name: Name, email: Email, phone: Type.Optional(Phone) }, { additionalProperties: false });

/** The form's `details` field (JSON): who the patient is and who cares for them. */
export const RegistrationDetails = Type.Object(
  {
    submittedBy: Type.Union([Type.Literal('patient'), Type.Literal('relative')]),
    patient: Type.Object(
      {
        displayName: Name,
        birthYear: Type.Integer({ minimum: 1900, maximum: 2100 }),
        address: Type.Optional(Type.String({ maxLength: 500 })),
        phone: Type.Optional(Phone),
        email: Type.Optional(Email),
      },
      { additionalProperties: false },
    ),
    doctor: Professional,
    nurses: Type.Array(Professional, { minItems: 1, maxItems: 4 }),
    relatives: Type.Array(Type.Object({ name: Name, phone: Phone, email: Type.Optional(Email) }, { additionalProperties: false }), { minItems: 1, maxItems: 5 }),
    /** Where to answer the request (the submitter). */
    contactEmail: Email,
  },
  { additionalProperties: false },
);
export type RegistrationDetails = Static<typeof RegistrationDetails>;

/** The prescription's type by its content, or PORTAL_UPLOAD_REJECTED. */
export async function checkPrescription(content: Buffer): Promise<PrescriptionType> {
  if (content.length === 0) throw portalErrors.create('PORTAL_UPLOAD_REJECTED', { message: 'The prescription file is empty', details: { field: 'prescription' } });
  if (content.length > MAX_PRESCRIPTION_BYTES) throw portalErrors.create('PORTAL_UPLOAD_TOO_LARGE', { details: { field: 'prescription' } });
  const type = await fileTypeFromBuffer(content);
  if (!type || !(PRESCRIPTION_TYPES as readonly string[]).includes(type.mime)) {
    throw portalErrors.create('PORTAL_UPLOAD_REJECTED', { details: { field: 'prescription' } });
  }
  return type.mime as PrescriptionType;
}
