/**
 * `/admin/updates`, « Déployer une mise à jour » (issue 15): add a signed version (its file and its
 * `.release.json`, both checked by the server before anything is kept), start a staged campaign,
 * and follow each campaign's progress — refreshed every 5 s — with pause, resume and cancel. The
 * server audits every change.
 */
import { useEffect, useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { adminPost, uploadRelease } from '../api/accounts.ts';
import { Table, useAdmin, type Act } from './admin-common.tsx';

interface Release { id: string; kind: string; version: string; hardware: string[]; size: number; keyId: string; changelog: string; uploadedAt: number }
interface Campaign {
  id: string; version: string; state: string; stages: number[]; stage: number; haltedReason: string | null; createdAt: number;
  counts: Record<string, number> & { total: number; released: number };
}
interface CampaignBox { boxId: string; stage: number; state: string; reason: string | null }

const REFRESH_MS = 5_000;
const list = (text: string) => text.split(/[\s,;]+/).map((s) => s.trim()).filter((s) => s.length > 0);

export function UpdatesTab({ act, when }: { act: Act; when: (ms: number) => string }) {
  const u = useI18n().t.updates;
  const a = useI18n().t.accounts;
  const releases = useAdmin<{ releases: Release[] }>('updates/releases');
  const campaigns = useAdmin<{ campaigns: Campaign[] }>('updates/campaigns');
  const reloadCampaigns = campaigns.reload;
  useEffect(() => {
    const timer = setInterval(reloadCampaigns, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reloadCampaigns]);
  const [files, setFiles] = useState<{ artefact: File | null; manifest: File | null }>({ artefact: null, manifest: null });
  const [form, setForm] = useState({ releaseId: '', boxes: '', cohort: '', versions: '', stages: '1, 10, 100', threshold: '5' });
  const upload = act(releases.reload);
  const run = act(reloadCampaigns);

  const onUpload = async () => {
    const manifest = await files.manifest!.text();
    let version = '';
    try {
      version = (JSON.parse(manifest) as { manifest?: { version?: string } }).manifest?.version ?? '';
    } catch {
      // The server names what is wrong with it; the sentence below is for an unreadable file.
    }
    await upload(() => uploadRelease(files.artefact!, manifest), version ? u.uploaded(version) : undefined);
  };
  const onStart = () => {
    const target = {
      ...(list(form.boxes).length > 0 ? { boxes: list(form.boxes) } : {}),
      ...(form.cohort.trim() ? { cohort: form.cohort.trim() } : {}),
      ...(list(form.versions).length > 0 ? { versions: list(form.versions) } : {}),
    };
    const stages = list(form.stages).map(Number);
    void run(() => adminPost('updates/campaigns', { releaseId: form.releaseId, target, stages, failureThreshold: Number(form.threshold) / 100 }), u.started);
  };

  return (
    <div className="admin-updates">
      <h2>{u.title}</h2>
      <p className="muted">{u.intro}</p>

      <h3>{u.uploadTitle}</h3>
      <p className="muted small">{u.uploadHelp}</p>
      <form className="form form--inline" data-testid="release-upload" onSubmit={(e) => { e.preventDefault(); void onUpload(); }}>
        <label>{u.artefact} <input type="file" name="artefact" required onChange={(e) => setFiles({ ...files, artefact: e.target.files?.[0] ?? null })} /></label>
        <label>{u.manifest} <input type="file" name="manifest" accept=".json,application/json" required onChange={(e) => setFiles({ ...files, manifest: e.target.files?.[0] ?? null })} /></label>
        <button type="submit" className="button button--primary">{u.upload}</button>
      </form>

      <h3>{u.releases}</h3>
      {releases.data?.releases.length === 0 ? <p className="muted">{u.noReleases}</p> : (
        <Table head={[u.version, u.kind, u.hardware, u.size, u.signedBy, u.changelog]}>
          {releases.data?.releases.map((r) => (
            <tr key={r.id} data-testid="release-row">
              <td>{r.version}</td><td>{u.kinds[r.kind] ?? r.kind}</td><td>{r.hardware.join(', ')}</td>
              <td>{u.kib(Math.max(1, Math.round(r.size / 1024)))}</td><td><code>{r.keyId}</code></td><td>{r.changelog}</td>
            </tr>
          ))}
        </Table>
      )}

      <h3>{u.startTitle}</h3>
      <form className="form" data-testid="campaign-form" onSubmit={(e) => { e.preventDefault(); onStart(); }}>
        <label>{u.release} <select name="releaseId" required value={form.releaseId} onChange={(e) => setForm({ ...form, releaseId: e.target.value })}>
          <option value="">{u.choose}</option>
          {releases.data?.releases.map((r) => <option key={r.id} value={r.id}>{`${r.version} — ${u.kinds[r.kind] ?? r.kind}`}</option>)}
        </select></label>
        <label>{u.targetBoxes} <textarea name="boxes" rows={2} value={form.boxes} onChange={(e) => setForm({ ...form, boxes: e.target.value })} /></label>
        <label>{u.targetCohort} <input name="cohort" value={form.cohort} onChange={(e) => setForm({ ...form, cohort: e.target.value })} /></label>
        <label>{u.targetVersions} <input name="versions" value={form.versions} onChange={(e) => setForm({ ...form, versions: e.target.value })} /></label>
        <label>{u.stages} <input name="stages" value={form.stages} onChange={(e) => setForm({ ...form, stages: e.target.value })} /></label>
        <label>{u.threshold} <input name="threshold" type="number" min={0} max={100} value={form.threshold} onChange={(e) => setForm({ ...form, threshold: e.target.value })} /></label>
        <button type="submit" className="button button--primary">{u.start}</button>
      </form>

      <h3>{u.campaigns}</h3>
      {campaigns.data?.campaigns.length === 0 ? <p className="muted">{u.noCampaigns}</p> : (
        <Table head={[u.version, u.state, u.stage, u.progress, a.actions]}>
          {campaigns.data?.campaigns.map((c) => <CampaignRow key={c.id} campaign={c} run={run} when={when} />)}
        </Table>
      )}
    </div>
  );
}

function CampaignRow({ campaign: c, run, when }: { campaign: Campaign; run: (r: () => Promise<unknown>) => Promise<void>; when: (ms: number) => string }) {
  const u = useI18n().t.updates;
  const [open, setOpen] = useState(false);
  const boxes = useAdmin<{ boxes: CampaignBox[] }>(open ? `updates/campaigns/${c.id}` : null);
  const ok = c.counts.succeeded ?? 0;
  const failed = (c.counts.failed ?? 0) + (c.counts.rolled_back ?? 0) + (c.counts.refused ?? 0);
  const action = (name: 'pause' | 'resume' | 'cancel') => () => void run(() => adminPost(`updates/campaigns/${c.id}/${name}`));
  return (
    <tr data-testid="campaign-row" data-state={c.state}>
      <td>{c.version}<br /><span className="muted small">{when(c.createdAt)}</span></td>
      <td data-testid="campaign-state">{u.states[c.state] ?? c.state}{c.haltedReason && <><br /><span className="muted small">{c.haltedReason}</span></>}</td>
      <td>{u.stageOf(c.stage + 1, c.stages.length, c.stages[c.stage] ?? 100)}</td>
      <td>
        <progress max={c.counts.total} value={ok} aria-label={u.progress} />
        <br /><span data-testid="campaign-progress">{u.progressText(ok, c.counts.total)}</span>
        <br /><span className="muted small">{u.failures(failed)}</span>
        {open && boxes.data && (
          <ul className="small" data-testid="campaign-boxes">
            {boxes.data.boxes.map((b) => <li key={b.boxId}><code>{b.boxId}</code> — {u.boxStates[b.state] ?? b.state}{b.reason ? ` (${b.reason})` : ''}</li>)}
          </ul>
        )}
      </td>
      <td>
        <button type="button" className="button button--secondary" aria-expanded={open} onClick={() => setOpen(!open)}>{u.show}</button>
        {c.state === 'running' && <button type="button" className="button button--secondary" onClick={action('pause')}>{u.pause}</button>}
        {(c.state === 'paused' || c.state === 'halted') && <button type="button" className="button button--secondary" onClick={action('resume')}>{u.resume}</button>}
        {['running', 'paused', 'halted'].includes(c.state) && <button type="button" className="button button--secondary" onClick={action('cancel')}>{u.cancel}</button>}
      </td>
    </tr>
  );
}
