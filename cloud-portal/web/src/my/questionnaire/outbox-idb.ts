/** The questionnaire outbox kept in IndexedDB, so answers given offline survive a closed tab. */
import type { ResponseSubmission } from '../../api/questionnaire.ts';
import type { OutboxStore } from './outbox.ts';

const DB_NAME = 'vigie';
const STORE = 'questionnaire-outbox';

/** The outbox in IndexedDB (database `vigie`, object store `questionnaire-outbox`, key `clientId`). */
export function indexedDbStore(factory: IDBFactory = indexedDB): OutboxStore {
  let opening: Promise<IDBDatabase> | null = null;
  const open = () =>
    (opening ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE, { keyPath: 'clientId' });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => {
        opening = null;
        reject(request.error ?? new Error('IndexedDB open failed'));
      };
    }));
  const run = async <T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest): Promise<T> => {
    const db = await open();
    return new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = work(tx.objectStore(STORE));
      // Resolve once the transaction is committed, not when the request succeeds: a put is durable then.
      tx.oncomplete = () => resolve(request.result as T);
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  };
  return {
    all: () => run<ResponseSubmission[]>('readonly', (s) => s.getAll()),
    put: async (submission) => void (await run('readwrite', (s) => s.put(submission))),
    delete: async (clientId) => void (await run('readwrite', (s) => s.delete(clientId))),
  };
}
