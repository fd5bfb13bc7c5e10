import { type DragEvent, useEffect, useRef, useState } from 'react';
import { api } from '../api/client.ts';
import { errorMessage, useServerUploads } from '../api/queries.ts';
import { formatBytes, formatDuration } from '../format.ts';
import type { EngineSnapshot, FileProgress } from '../upload-engine/index.ts';
import { useUploadEngine } from '../uploads/engine-context.tsx';

const STATUS_TEXT: Record<FileProgress['status'], string> = {
  queued: 'Waiting',
  preparing: 'Preparing',
  uploading: 'Uploading',
  paused: 'Paused',
  processing: 'Processing',
  completed: 'Complete',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** What the row says: the status, or why the network holds a sending file up (never a failure). */
function statusText(file: FileProgress): string {
  if (file.waiting === 'offline') return 'Offline — will resume';
  if (file.waiting === 'network') return 'Waiting for network…';
  return STATUS_TEXT[file.status];
}

/** Pick or drop files; watch, pause, resume and cancel them; resume interrupted uploads. */
export function Uploads() {
  const { engine, snapshot } = useUploadEngine();
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const add = (list: FileList | null) => {
    if (list && list.length > 0) engine.add([...list]);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    add(e.dataTransfer.files);
  };
  const active = snapshot.files.some((f) => ['queued', 'preparing', 'uploading', 'processing'].includes(f.status));
  const paused = snapshot.files.some((f) => f.status === 'paused');
  return (
    <main>
      <h1>Uploads</h1>
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
            ref={input}
            type="file"
            multiple
            className="visually-hidden"
            onChange={(e) => {
              add(e.currentTarget.files);
              e.currentTarget.value = '';
            }}
          />
        </label>
        <p className="hint">Picking a file you already started continues it where it stopped.</p>
      </section>
      <Announcer snapshot={snapshot} />
      {snapshot.files.length > 0 && (
        <section aria-labelledby="queue-title">
          <div className="page-head">
            <h2 id="queue-title">This session</h2>
            <div className="actions">
              {active && (
                <button type="button" onClick={() => engine.pause()}>
                  Pause all
                </button>
              )}
              {paused && (
                <button type="button" onClick={() => engine.resume()}>
                  Resume all
                </button>
              )}
              {(active || paused) && (
                <button type="button" className="danger" onClick={() => engine.cancel()}>
                  Cancel all
                </button>
              )}
            </div>
          </div>
          <p className="overall">
            Overall: {formatBytes(snapshot.bytesAcked)} of {formatBytes(snapshot.totalBytes)} ·{' '}
            {Math.floor(snapshot.percent)}% · {formatBytes(snapshot.speedBytesPerSecond)}/s ·{' '}
            {formatDuration(snapshot.etaSeconds)} left
          </p>
          <ul className="queue">
            {snapshot.files.map((file) => (
              <UploadRow key={file.id} file={file} />
            ))}
          </ul>
        </section>
      )}
      <Interrupted localUploadIds={new Set(snapshot.files.map((f) => f.uploadId).filter(Boolean) as string[])} />
    </main>
  );
}

function UploadRow({ file }: { file: FileProgress }) {
  const { engine } = useUploadEngine();
  const running = ['queued', 'preparing', 'uploading'].includes(file.status);
  return (
    <li
      className={`upload ${file.status}${file.waiting ? ' waiting' : ''}`}
      data-status={file.status}
      data-waiting={file.waiting}
      data-acked={file.bytesAcked}
      data-transfer={file.transfer}
      aria-label={file.name}
    >
      <div className="row">
        <strong className="name">{file.name}</strong>
        <span className="status">{statusText(file)}</span>
      </div>
      {/* The bar and the figures count what the server acknowledged: they never move backwards. */}
      <progress max={100} value={file.percent} aria-label={`${file.name} progress`} />
      <div className="row small">
        <span>
          {formatBytes(file.bytesAcked)} of {formatBytes(file.size)} ({Math.floor(file.percent)}%)
          {file.bytesInFlight > 0 && ` · ${formatBytes(file.bytesInFlight)} on the way`}
          {file.resumedChunks > 0 && ` · resumed, ${file.resumedChunks} chunks already uploaded`}
        </span>
        {file.status === 'uploading' && !file.waiting && (
          <span>
            {formatBytes(file.speedBytesPerSecond)}/s · {formatDuration(file.etaSeconds)} left
          </span>
        )}
        {file.status === 'processing' && <span>Assembling the file on the server…</span>}
      </div>
      {file.error && (
        <p role="alert" className="error">
          {file.error}
        </p>
      )}
      <div className="actions">
        {running && (
          <button type="button" onClick={() => engine.pause(file.id)} aria-label={`Pause ${file.name}`}>
            Pause
          </button>
        )}
        {file.status === 'paused' && (
          <button type="button" onClick={() => engine.resume(file.id)} aria-label={`Resume ${file.name}`}>
            Resume
          </button>
        )}
        {(running || file.status === 'paused') && (
          <button
            type="button"
            className="danger"
            onClick={() => engine.cancel(file.id)}
            aria-label={`Cancel ${file.name}`}
          >
            Cancel
          </button>
        )}
        {['completed', 'failed', 'cancelled'].includes(file.status) && (
          <button type="button" onClick={() => engine.remove(file.id)} aria-label={`Clear ${file.name}`}>
            Clear
          </button>
        )}
      </div>
    </li>
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
              className="danger"
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

/** Screen readers hear each file's status change once (not every progress tick). */
function Announcer({ snapshot }: { snapshot: EngineSnapshot }) {
  const seen = useRef(new Map<string, string>());
  const [message, setMessage] = useState('');
  useEffect(() => {
    const changes: string[] = [];
    for (const file of snapshot.files) {
      const text = statusText(file);
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
