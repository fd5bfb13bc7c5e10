import { type DragEvent, useEffect, useRef, useState } from 'react';
import { api } from '../api/client.ts';
import { errorMessage, useServerUploads, useStorage } from '../api/queries.ts';
import { formatBytes } from '../format.ts';
import { usePageTitle } from '../page-title.ts';
import type { EngineSnapshot } from '../upload-engine/index.ts';
import { useUploadEngine } from '../uploads/engine-context.tsx';
import { OverallLine } from '../uploads/OverallLine.tsx';
import { StorageMeter } from '../uploads/StorageMeter.tsx';
import { UploadRow } from '../uploads/UploadRow.tsx';
import { isSending, precheck, statusText, summarize } from '../uploads/upload-status.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';

/** Pick or drop files; watch, pause, resume, cancel and retry them; resume interrupted uploads. */
export function Uploads() {
  usePageTitle('Uploads');
  const { engine, snapshot } = useUploadEngine();
  const storage = useStorage();
  const [dragging, setDragging] = useState(false);
  const [refused, setRefused] = useState<string[]>([]);
  const [confirmCancelAll, setConfirmCancelAll] = useState(false);
  // Size and free space are checked before anything is sent; the server checks again at open.
  const add = (list: FileList | null) => {
    if (!list || list.length === 0) return;
    let pending = snapshot.files
      .filter((f) => f.status === 'queued' || f.status === 'preparing')
      .reduce((sum, f) => sum + f.size, 0);
    const accepted: File[] = [];
    const messages: string[] = [];
    for (const file of list) {
      const problem = storage.data && precheck(file.size, storage.data, pending);
      if (problem) messages.push(`${file.name} was not uploaded. ${problem}.`);
      else {
        accepted.push(file);
        pending += file.size;
      }
    }
    setRefused(messages);
    if (accepted.length > 0) engine.add(accepted);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    add(e.dataTransfer.files);
  };
  const summary = summarize(snapshot);
  const active = summary.sending > 0;
  return (
    <main>
      <h1>Uploads</h1>
      <StorageMeter />
      <section
        className={`dropzone${dragging ? ' dragging' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        aria-label="Add files"
      >
        <p>Drop files here, or</p>
        <label className="button">
          Choose files
          <input
            type="file"
            multiple
            className="visually-hidden"
            aria-describedby="dropzone-hint"
            onChange={(e) => {
              add(e.currentTarget.files);
              e.currentTarget.value = '';
            }}
          />
        </label>
        <p className="hint" id="dropzone-hint">
          {storage.data && `Files up to ${formatBytes(storage.data.maxFileBytes)}. `}
          Picking a file you already started continues it where it stopped.
        </p>
      </section>
      {refused.length > 0 && (
        <div role="alert" className="error refused">
          {refused.map((message) => (
            <p key={message}>{message}</p>
          ))}
        </div>
      )}
      <Announcer snapshot={snapshot} />
      {snapshot.files.length > 0 && (
        <section aria-labelledby="queue-title">
          <div className="page-head">
            <h2 id="queue-title">This session</h2>
            <div className="actions">
              {summary.failed > 0 && (
                <button type="button" onClick={() => engine.retry()}>
                  Retry all
                </button>
              )}
              {active ? (
                <button type="button" onClick={() => engine.pause()}>
                  Pause all
                </button>
              ) : (
                summary.paused > 0 && (
                  <button type="button" onClick={() => engine.resume()}>
                    Resume all
                  </button>
                )
              )}
              {(active || summary.paused > 0) && (
                <button type="button" className="secondary" onClick={() => setConfirmCancelAll(true)}>
                  Cancel all
                </button>
              )}
            </div>
          </div>
          <OverallLine snapshot={snapshot} />
          <ul className="queue">
            {snapshot.files.map((file) => (
              <UploadRow key={file.id} file={file} />
            ))}
          </ul>
        </section>
      )}
      {confirmCancelAll && (
        <ConfirmDialog
          title="Cancel every upload?"
          confirmLabel="Cancel all"
          cancelLabel="Keep uploading"
          pending={false}
          error={null}
          onConfirm={() => {
            setConfirmCancelAll(false);
            engine.cancel();
          }}
          onCancel={() => setConfirmCancelAll(false)}
        >
          <p>What was already uploaded of the unfinished files is discarded.</p>
        </ConfirmDialog>
      )}
      <Interrupted localUploadIds={new Set(snapshot.files.map((f) => f.uploadId).filter(Boolean) as string[])} />
    </main>
  );
}

/** Uploads the server holds open that this page is not sending (e.g. from before a reload). */
function Interrupted({ localUploadIds }: { localUploadIds: Set<string> }) {
  const uploads = useServerUploads();
  const [error, setError] = useState<string>();
  const others = (uploads.data ?? []).filter((u) => u.status === 'uploading' && !localUploadIds.has(u.uploadId));
  if (others.length === 0) return null;
  return (
    <section aria-labelledby="interrupted-title">
      <h2 id="interrupted-title">Interrupted uploads</h2>
      <p className="hint">Choose the same file again to continue; only the missing parts are sent.</p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <ul className="queue">
        {others.map((u) => (
          <li key={u.uploadId} className="upload paused">
            <div className="row">
              <strong className="name">{u.fileName}</strong>
              <span>
                {formatBytes(u.receivedBytes)} of {formatBytes(u.size)}
              </span>
            </div>
            <progress max={u.size} value={u.receivedBytes} aria-label={`${u.fileName} progress`} />
            <button
              type="button"
              className="secondary"
              aria-label={`Discard ${u.fileName}`}
              onClick={() =>
                api
                  .delete(`/uploads/${u.uploadId}`)
                  .then(() => uploads.refetch())
                  .catch((err: unknown) => setError(errorMessage(err)))
              }
            >
              Discard
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Progress milestones announced once per file. */
const MILESTONES = [25, 50, 75];

/** Screen readers hear each file's status change once, and its 25/50/75 % milestones (not every tick). */
function Announcer({ snapshot }: { snapshot: EngineSnapshot }) {
  const seen = useRef(new Map<string, string>());
  const [message, setMessage] = useState('');
  useEffect(() => {
    const changes: string[] = [];
    for (const file of snapshot.files) {
      const reached = isSending(file) ? MILESTONES.filter((m) => file.percent >= m).pop() : undefined;
      const text = reached && file.status === 'uploading' ? `${reached}% uploaded` : statusText(file);
      if (seen.current.get(file.id) !== text) {
        seen.current.set(file.id, text);
        changes.push(`${file.name}: ${text}`);
      }
    }
    if (changes.length > 0) setMessage(changes.join('. '));
  }, [snapshot]);
  return (
    <div aria-live="polite" role="status" className="visually-hidden">
      {message}
    </div>
  );
}
