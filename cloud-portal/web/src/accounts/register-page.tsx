/**
 * `/register`: a patient, or a relative for them, asks to join. One long but plain form; the
 * server checks every field and the file's content, and names the field it refuses.
 */
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import { errorText } from '../i18n/errors.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { errorField, submitRegistration } from '../api/accounts.ts';
import { Notice } from '../ui/notice.tsx';
import { PublicFrame } from './public-pages.tsx';

interface Person { name: string; email: string; phone: string }
const empty = (): Person => ({ name: '', email: '', phone: '' });
const optional = (v: string) => (v.trim() === '' ? undefined : v.trim());

function PersonFields({ id, legend, value, onChange, needEmail, needPhone }: { id: string; legend: string; value: Person; onChange: (p: Person) => void; needEmail: boolean; needPhone: boolean }) {
  const a = useI18n().t.accounts;
  const { t } = useI18n();
  return (
    <fieldset className="form">
      <legend>{legend}</legend>
      <div className="field">
        <label htmlFor={`${id}-name`}>{a.regName}</label>
        <input id={`${id}-name`} required value={value.name} onChange={(e) => onChange({ ...value, name: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-email`}>{needEmail ? t.login.email : a.regEmailOptional}</label>
        <input id={`${id}-email`} type="email" required={needEmail} value={value.email} onChange={(e) => onChange({ ...value, email: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-phone`}>{a.regPhone}</label>
        <input id={`${id}-phone`} type="tel" required={needPhone} value={value.phone} onChange={(e) => onChange({ ...value, phone: e.target.value })} />
      </div>
    </fieldset>
  );
}

export function RegisterPage() {
  const { t } = useI18n();
  const a = useI18n().t.accounts;
  const [submittedBy, setSubmittedBy] = useState<'patient' | 'relative'>('relative');
  const [patient, setPatient] = useState<Person>(empty());
  const [birthYear, setBirthYear] = useState('');
  const [doctor, setDoctor] = useState<Person>(empty());
  const [nurse, setNurse] = useState<Person>(empty());
  const [relatives, setRelatives] = useState<Person[]>([empty()]);
  const [contact, setContact] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return setError(a.regFileRejected);
    const pro = (p: Person) => ({ name: p.name.trim(), email: p.email.trim(), ...(optional(p.phone) ? { phone: optional(p.phone) } : {}) });
    const details = {
      submittedBy,
      patient: { displayName: patient.name.trim(), birthYear: Number(birthYear), ...(optional(patient.phone) ? { phone: optional(patient.phone) } : {}), ...(optional(patient.email) ? { email: optional(patient.email) } : {}) },
      doctor: pro(doctor),
      nurses: [pro(nurse)],
      relatives: relatives.map((r) => ({ name: r.name.trim(), phone: r.phone.trim(), ...(optional(r.email) ? { email: optional(r.email) } : {}) })),
      contactEmail: contact.trim(),
    };
    setBusy(true);
    setError(null);
    try {
      await submitRegistration(details, file);
      setSent(true);
    } catch (caught) {
      const field = errorField(caught);
      if (caught instanceof ApiError && (caught.code === 'PORTAL_UPLOAD_REJECTED' || caught.code === 'PORTAL_UPLOAD_TOO_LARGE')) setError(a.regFileRejected);
      else setError(field ? a.regFieldError(field) : errorText(t, caught));
    } finally {
      setBusy(false);
    }
  };

  if (sent) {
    return (
      <PublicFrame title={a.regTitle}>
        <Notice kind="ok" text={a.regSent} />
      </PublicFrame>
    );
  }
  return (
    <PublicFrame title={a.regTitle}>
      <p className="muted">{a.regIntro}</p>
      <form className="form" onSubmit={submit} noValidate data-testid="registration-form">
        <fieldset className="form">
          <legend>{a.regSubmittedBy}</legend>
          <label><input type="radio" name="by" checked={submittedBy === 'patient'} onChange={() => setSubmittedBy('patient')} /> {a.regSelf}</label>
          <label><input type="radio" name="by" checked={submittedBy === 'relative'} onChange={() => setSubmittedBy('relative')} /> {a.regRelative}</label>
        </fieldset>
        <PersonFields id="patient" legend={a.regPatient} value={patient} onChange={setPatient} needEmail={false} needPhone={false} />
        <div className="field">
          <label htmlFor="patient-birth">{a.regBirthYear}</label>
          <input id="patient-birth" inputMode="numeric" required value={birthYear} onChange={(e) => setBirthYear(e.target.value)} />
        </div>
        <PersonFields id="doctor" legend={a.regDoctor} value={doctor} onChange={setDoctor} needEmail needPhone={false} />
        <PersonFields id="nurse" legend={a.regNurse} value={nurse} onChange={setNurse} needEmail needPhone={false} />
        {relatives.map((r, i) => (
          <PersonFields key={i} id={`relative-${i}`} legend={`${a.regRelatives} (${i + 1})`} value={r} onChange={(p) => setRelatives(relatives.map((x, j) => (j === i ? p : x)))} needEmail={false} needPhone />
        ))}
        {relatives.length < 5 && (
          <button type="button" className="button button--secondary" onClick={() => setRelatives([...relatives, empty()])}>{a.regAddRelative}</button>
        )}
        <div className="field">
          <label htmlFor="prescription">{a.regPrescription}</label>
          <input id="prescription" type="file" accept="application/pdf,image/png,image/jpeg" required onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </div>
        <div className="field">
          <label htmlFor="contact">{a.regContact}</label>
          <input id="contact" type="email" required value={contact} onChange={(e) => setContact(e.target.value)} />
        </div>
        <Notice kind="error" text={error} />
        <button type="submit" className="button button--primary button--block" disabled={busy}>{a.regSend}</button>
      </form>
    </PublicFrame>
  );
}
