import { SHA256_HEX } from '@lfusys/commons/upload-rules';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { downloadFile, errorMessage, useDeleteFile, useFiles, useRenameFile } from '../api/queries.ts';
import type { FileItem } from '../api/types.ts';
import { formatBytes, formatDate } from '../format.ts';
import { usePageTitle } from '../page-title.ts';
import { StorageMeter } from '../uploads/StorageMeter.tsx';

/** Your files, newest first, a page at a time: download, rename, delete. */
export function Files() {
  usePageTitle('Files');
  const files = useFiles();
  const items = files.data?.pages.flatMap((p) => p.files) ?? [];
  const [deleted, setDeleted] = useState<string>();
  const notice = useRef<HTMLParagraphElement>(null);
  // A deleted row takes its buttons with it: focus goes to the notice that says what happened.
  useEffect(() => {
    if (deleted) notice.current?.focus();
  }, [deleted]);
  return (
    <main>
      <div className="page-head">
        <h1>Files</h1>
        <Link className="button" to="/uploads">
          Upload files
        </Link>
      </div>
      <StorageMeter />
      <p role="status" className="notice" tabIndex={-1} ref={notice}>
        {deleted && `“${deleted}” was deleted.`}
      </p>
      {files.isPending && <p role="status">Loading your files…</p>}
      {files.isError && (
        <div role="alert" className="error">
          <p>Could not load your files: {errorMessage(files.error)}</p>
          <button type="button" onClick={() => void files.refetch()}>
            Try again
          </button>
        </div>
      )}
      {files.isSuccess && items.length === 0 && (
        <p className="empty">
          No files yet. <Link to="/uploads">Upload your first file</Link>.
        </p>
      )}
      {items.length > 0 && (
        <table className="files">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Size</th>
              <th scope="col">Added</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((file) => (
              <FileRow key={file.id} file={file} onDeleted={setDeleted} />
            ))}
          </tbody>
        </table>
      )}
      {files.hasNextPage && (
        <button type="button" onClick={() => void files.fetchNextPage()} disabled={files.isFetchingNextPage}>
          {files.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </main>
  );
}

/** The file's verified SHA-256, to compare with `sha256sum` output, and a button to copy it. */
function Sha256({ fileName, sha256 }: { fileName: string; sha256: string }) {
  const [copied, setCopied] = useState<'yes' | 'failed'>();
  const copy = () =>
    navigator.clipboard.writeText(sha256).then(
      () => setCopied('yes'),
      () => setCopied('failed'),
    );
  return (
    <p className="sha256">
      <span className="label">SHA-256</span> <code data-sha256={sha256}>{sha256}</code>{' '}
      <button type="button" className="small" onClick={() => void copy()} aria-label={`Copy SHA-256 of ${fileName}`}>
        Copy
      </button>
      <span role="status">{copied === 'yes' ? 'Copied' : copied === 'failed' ? 'Could not copy' : ''}</span>
    </p>
  );
}

type RowMode = 'view' | 'rename' | 'confirm-delete';

function FileRow({ file, onDeleted }: { file: FileItem; onDeleted(name: string): void }) {
  const rename = useRenameFile();
  const remove = useDeleteFile();
  const [mode, setMode] = useState<RowMode>('view');
  const [downloadError, setDownloadError] = useState<string>();
  const renameInput = useRef<HTMLInputElement>(null);
  const renameButton = useRef<HTMLButtonElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const keepButton = useRef<HTMLButtonElement>(null);
  const previous = useRef<RowMode>('view');
  // Focus follows the controls that replaced the ones pressed: the name field when renaming,
  // "Keep" when asked to confirm, and back to the button that started it afterwards.
  useEffect(() => {
    if (mode === 'rename') renameInput.current?.select();
    else if (mode === 'confirm-delete') {
      keepButton.current?.focus({ preventScroll: true });
      // scrollIntoView (unlike focus) honours the scroll-padding that keeps it clear of the upload panel.
      keepButton.current?.scrollIntoView({ block: 'nearest' });
    } else if (previous.current === 'rename') renameButton.current?.focus();
    else if (previous.current === 'confirm-delete') deleteButton.current?.focus();
    previous.current = mode;
  }, [mode]);
  const onRename = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const name = String(new FormData(e.currentTarget).get('name')).trim();
    if (name && name !== file.name) rename.mutate({ id: file.id, name }, { onSuccess: () => setMode('view') });
    else setMode('view');
  };
  const error = rename.error ?? remove.error;
  return (
    <tr data-file-id={file.id}>
      <td className="name">
        {mode === 'rename' ? (
          <form onSubmit={onRename} className="inline">
            <label className="visually-hidden" htmlFor={`rename-${file.id}`}>
              New name for {file.name}
            </label>
            <input
              id={`rename-${file.id}`}
              name="name"
              defaultValue={file.name}
              maxLength={255}
              required
              ref={renameInput}
              aria-invalid={rename.isError || undefined}
              aria-describedby={rename.isError ? `file-error-${file.id}` : undefined}
            />
            <button type="submit" disabled={rename.isPending}>
              Save
            </button>
            <button type="button" onClick={() => setMode('view')}>
              Cancel
            </button>
          </form>
        ) : (
          <span className="file-name">{file.name}</span>
        )}
        {/* The server lists only a SHA-256 it verified (hex); an older record's base64 claim is not one. */}
        {file.sha256 !== undefined && SHA256_HEX.test(file.sha256) && (
          <Sha256 fileName={file.name} sha256={file.sha256} />
        )}
        {(error || downloadError) && (
          <p role="alert" className="error" id={`file-error-${file.id}`}>
            {downloadError ?? errorMessage(error)}
          </p>
        )}
      </td>
      <td>{formatBytes(file.size)}</td>
      <td>{formatDate(file.createdAt)}</td>
      <td className="actions">
        {mode === 'confirm-delete' ? (
          <>
            <span className="question">Delete “{file.name}”?</span>
            <button
              type="button"
              className="danger"
              // The row unmounts when the list refreshes, before a `mutate` callback would run.
              onClick={() =>
                remove.mutateAsync(file.id).then(
                  () => onDeleted(file.name),
                  () => undefined, // shown by the row (remove.error)
                )
              }
              disabled={remove.isPending}
            >
              Yes, delete
            </button>
            <button type="button" onClick={() => setMode('view')} ref={keepButton}>
              Keep
            </button>
          </>
        ) : (
          <>
            <button
              type="button"
              onClick={() => downloadFile(file.id).catch((err: unknown) => setDownloadError(errorMessage(err)))}
              aria-label={`Download ${file.name}`}
            >
              Download
            </button>
            <button
              type="button"
              onClick={() => setMode('rename')}
              aria-label={`Rename ${file.name}`}
              ref={renameButton}
            >
              Rename
            </button>
            <button
              type="button"
              onClick={() => setMode('confirm-delete')}
              aria-label={`Delete ${file.name}`}
              ref={deleteButton}
            >
              Delete
            </button>
          </>
        )}
      </td>
    </tr>
  );
}
