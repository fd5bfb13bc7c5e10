import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { downloadFile, errorMessage } from '../api/queries.ts';
import { formatBytes, formatDuration } from '../format.ts';
import { ConfirmDialog } from '../pages/ConfirmDialog.tsx';
import type { FileProgress } from '../upload-engine/index.ts';
import { useUploadEngine } from './engine-context.tsx';
import { failureText, statusText } from './upload-status.ts';

const RUNNING = ['queued', 'preparing', 'uploading'];
const FINISHED = ['completed', 'failed', 'cancelled'];

/**
 * One file of the session: status, bar and figures of what the server confirmed, and its
 * controls. After a control is used, focus goes to the one that replaced it (Pause ⇄ Resume,
 * Retry → Pause) or, when none did, to the row itself.
 */
export function UploadRow({ file }: { file: FileProgress }) {
  const { engine } = useUploadEngine();
  const row = useRef<HTMLLIElement>(null);
  const refocus = useRef(false);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [downloadError, setDownloadError] = useState<string>();
  const running = RUNNING.includes(file.status);
  // Runs after the status the user asked for rendered: its first control replaced the one pressed.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the status change is the trigger.
  useEffect(() => {
    if (!refocus.current) return;
    refocus.current = false;
    const next = row.current?.querySelector<HTMLElement>('.actions button, .actions a');
    (next ?? row.current)?.focus();
  }, [file.status]);
  const act = (action: () => void) => () => {
    refocus.current = true;
    action();
  };
  // The row goes away: focus moves to the next one, or the previous, or the page heading.
  const clear = () => {
    const li = row.current;
    const next = (li?.nextElementSibling ?? li?.previousElementSibling) as HTMLElement | null;
    engine.remove(file.id);
    setTimeout(() => (next ?? document.querySelector<HTMLElement>('main h1'))?.focus());
  };
  const failure = file.status === 'failed' ? failureText(file) : undefined;
  return (
    <li
      ref={row}
      tabIndex={-1}
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
      {/* The bar and the figures count what the server confirmed: they never move backwards. */}
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
      {failure && (
        <div role="alert" className="error">
          <p>{failure.message}</p>
          {file.error && <p className="detail">Details: {file.error}</p>}
        </div>
      )}
      {downloadError && (
        <p role="alert" className="error">
          {downloadError}
        </p>
      )}
      <div className="actions">
        {failure?.retry && (
          <button type="button" onClick={act(() => engine.retry(file.id))} aria-label={`Retry ${file.name}`}>
            Retry
          </button>
        )}
        {running && (
          <button type="button" onClick={act(() => engine.pause(file.id))} aria-label={`Pause ${file.name}`}>
            Pause
          </button>
        )}
        {file.status === 'paused' && (
          <button type="button" onClick={act(() => engine.resume(file.id))} aria-label={`Resume ${file.name}`}>
            Resume
          </button>
        )}
        {file.status === 'completed' && file.fileId && (
          <>
            <Link to="/files" aria-label={`Open ${file.name}`}>
              Open
            </Link>
            <button
              type="button"
              onClick={() =>
                downloadFile(file.fileId ?? '').catch((err: unknown) => setDownloadError(errorMessage(err)))
              }
              aria-label={`Download ${file.name}`}
            >
              Download
            </button>
          </>
        )}
        {(running || file.status === 'paused') && (
          <button
            type="button"
            className="secondary"
            onClick={() => (file.bytesAcked > 0 ? setConfirmCancel(true) : act(() => engine.cancel(file.id))())}
            aria-label={`Cancel ${file.name}`}
          >
            Cancel
          </button>
        )}
        {FINISHED.includes(file.status) && (
          <button type="button" onClick={clear} aria-label={`Clear ${file.name}`}>
            Clear
          </button>
        )}
      </div>
      {confirmCancel && (
        <ConfirmDialog
          title={`Cancel ${file.name}?`}
          confirmLabel="Cancel upload"
          cancelLabel="Keep uploading"
          pending={false}
          error={null}
          onConfirm={() => {
            setConfirmCancel(false);
            act(() => engine.cancel(file.id))();
          }}
          onCancel={() => setConfirmCancel(false)}
        >
          <p>{formatBytes(file.bytesAcked)} already uploaded will be discarded; picking the file again starts over.</p>
        </ConfirmDialog>
      )}
    </li>
  );
}
