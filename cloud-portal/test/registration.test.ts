import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { countRows } from '@vigie/cloud-store/testing';
import { MAX_PRESCRIPTION_BYTES } from '../src/registration/registration-form.ts';
import { portalFixture, type PortalFixture } from './fixture.ts';

let f: PortalFixture;
let admin: string;

before(async () => {
  f = await portalFixture();
  admin = await f.login(f.admin);
});
after(() => f.close());

/** The smallest real files: the magic bytes decide, not the name. */
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f0d9e20000000049454e44ae426082', 'hex');

const DETAILS = {
  submittedBy: 'relative',
  patient: { displayName: 'Marcel Nouveau', birthYear: 1937, email: 'marcel@test.example' },
  // The doctor already has an account (matched); the nurse does not (created and invited).
  doctor: { name: 'Dr A', email: 'A.Doctor@test.example' },
  nurses: [{ name: 'Nadia Soins', email: 'nadia@test.example', phone: '+33639980011' }],
  relatives: [{ name: 'Lucie Nouveau', phone: '+33639980012', email: 'lucie@test.example' }, { name: 'Luc', phone: '+33639980013' }],
  contactEmail: 'lucie@test.example',
};

function multipart(parts: Array<{ name: string; value: string | Buffer; filename?: string; type?: string }>) {
  const boundary = '----vigie-test-boundary';
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `Content-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\n${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`), Buffer.from(p.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'x-vigie-csrf': '1' } };
}

let n = 0;
const submit = (details: unknown, file: { value: Buffer; filename: string; type: string } | null) => {
  const parts: Array<{ name: string; value: string | Buffer; filename?: string; type?: string }> = [{ name: 'details', value: JSON.stringify(details) }];
  if (file) parts.push({ name: 'prescription', ...file });
  // Each submission from its own address: the per-IP limit is tested apart.
  const { payload, headers } = multipart(parts);
  return f.app.inject({ method: 'POST', url: '/api/registrations', payload, headers, remoteAddress: `192.0.2.${++n}` });
};

describe('POST /api/registrations', () => {
  test('accepts a PDF prescription and stores it for review', async () => {
    const res = await submit(DETAILS, { value: PDF, filename: 'ordonnance.pdf', type: 'application/pdf' });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(await countRows(f.db, 'registrations', "id = $1 AND status = 'pending' AND prescription_type = 'application/pdf'", [res.json().id]), 1);
  });

  test('checks the file by content: a script named .png is refused, a PNG named .pdf is a PNG', async () => {
    const fake = await submit(DETAILS, { value: Buffer.from('<script>alert(1)</script>'), filename: 'photo.png', type: 'image/png' });
    assert.equal(fake.statusCode, 415);
    assert.equal(fake.json().error.code, 'PORTAL_UPLOAD_REJECTED');
    const png = await submit(DETAILS, { value: PNG, filename: 'scan.pdf', type: 'application/pdf' });
    assert.equal(png.statusCode, 201);
    const { rows } = await f.db.query<{ prescription_type: string }>('SELECT prescription_type FROM registrations WHERE id = $1', [png.json().id]);
    assert.equal(rows[0]!.prescription_type, 'image/png');
  });

  test('refuses a file over 5 MiB', async () => {
    const big = Buffer.concat([PDF, Buffer.alloc(MAX_PRESCRIPTION_BYTES + 1024, 0x20)]);
    const res = await submit(DETAILS, { value: big, filename: 'big.pdf', type: 'application/pdf' });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().error.code, 'PORTAL_UPLOAD_TOO_LARGE');
  });

  test('names the invalid field of the form, and a missing file', async () => {
    const bad = await submit({ ...DETAILS, patient: { ...DETAILS.patient, birthYear: 1850 } }, { value: PDF, filename: 'o.pdf', type: 'application/pdf' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.field, 'details/patient/birthYear');
    const phone = await submit({ ...DETAILS, relatives: [{ name: 'X', phone: '06 12' }] }, { value: PDF, filename: 'o.pdf', type: 'application/pdf' });
    assert.equal(phone.json().error.field, 'details/relatives/0/phone');
    const noFile = await submit(DETAILS, null);
    assert.equal(noFile.json().error.field, 'prescription');
    const json = await f.app.inject({ method: 'POST', url: '/api/registrations', headers: { 'x-vigie-csrf': '1' }, payload: { details: '{}' } });
    assert.equal(json.statusCode, 400);
  });
});

describe('admin review', () => {
  test('approves: matches the doctor, creates and invites the nurse, relative and patient, links everyone', async () => {
    const id = (await submit(DETAILS, { value: PDF, filename: 'o.pdf', type: 'application/pdf' })).json().id as string;
    const view = await f.app.inject({ method: 'GET', url: `/admin/api/registrations/${id}`, headers: { cookie: admin } });
    const matches = view.json().registration.matches as Array<{ email: string; accountId: string | null }>;
    assert.equal(matches.find((m) => m.email === 'a.doctor@test.example')!.accountId, f.doctorA.id);
    assert.equal(matches.find((m) => m.email === 'nadia@test.example')!.accountId, null);
    const file = await f.app.inject({ method: 'GET', url: `/admin/api/registrations/${id}/prescription`, headers: { cookie: admin } });
    assert.equal(file.headers['content-type'], 'application/pdf');
    assert.match(String(file.headers['content-disposition']), /^attachment;/);
    assert.deepEqual(file.rawPayload, PDF);

    const mailsBefore = f.app.mailer.captured().length;
    const res = await f.app.inject({ method: 'POST', url: `/admin/api/registrations/${id}/approve`, headers: { cookie: admin, 'x-vigie-csrf': '1' } });
    assert.equal(res.statusCode, 200, res.body);
    const patientId = res.json().patientId as string;
    assert.equal(res.json().invited.length, 3, 'nurse, relative with an e-mail, patient');
    assert.deepEqual(f.app.mailer.captured().slice(mailsBefore).map((m) => m.to).sort(), ['lucie@test.example', 'marcel@test.example', 'nadia@test.example']);
    const { rows } = await f.db.query<{ email: string; relation: string }>(
      'SELECT a.email, cl.relation FROM care_links cl JOIN accounts a ON a.id = cl.account_id WHERE cl.patient_id = $1 ORDER BY a.email',
      [patientId],
    );
    assert.deepEqual(rows, [
      { email: 'a.doctor@test.example', relation: 'doctor' },
      { email: 'lucie@test.example', relation: 'relative' },
      { email: 'marcel@test.example', relation: 'patient' },
      { email: 'nadia@test.example', relation: 'nurse' },
    ]);
    const again = await f.app.inject({ method: 'POST', url: `/admin/api/registrations/${id}/approve`, headers: { cookie: admin, 'x-vigie-csrf': '1' } });
    assert.equal(again.statusCode, 409);
  });

  test('rejects with a reason, and refuses a professional e-mail that belongs to another role', async () => {
    const id = (await submit({ ...DETAILS, doctor: { name: 'Admin?', email: 'admin@test.example' } }, { value: PDF, filename: 'o.pdf', type: 'application/pdf' })).json().id;
    const approve = await f.app.inject({ method: 'POST', url: `/admin/api/registrations/${id}/approve`, headers: { cookie: admin, 'x-vigie-csrf': '1' } });
    assert.equal(approve.statusCode, 409);
    assert.equal(await countRows(f.db, 'patients', "display_name = 'Marcel Nouveau'"), 1, 'the refused approval left nothing behind');
    const reject = await f.app.inject({ method: 'POST', url: `/admin/api/registrations/${id}/reject`, headers: { cookie: admin, 'x-vigie-csrf': '1' }, payload: { reason: 'Wrong doctor' } });
    assert.equal(reject.json().registration.status, 'rejected');
    const pending = await f.app.inject({ method: 'GET', url: '/admin/api/registrations?status=pending', headers: { cookie: admin } });
    assert.ok(!pending.json().registrations.some((r: { id: string }) => r.id === id));
  });
});
