import { useEffect, useRef, useState } from 'react';
import { Link, useLocation } from 'react-router';
import { setUploadTitle } from '../page-title.ts';
import { useUploadEngine } from './engine-context.tsx';
import { OverallLine } from './OverallLine.tsx';
import { statusText, summarize } from './upload-status.ts';

/** Phones: the panel starts as one line. */
const NARROW = '(max-width: 640px)';

/**
 * Uploads follow the user: on every page but Uploads a compact panel shows each file of the
 * session; on every page the tab title carries the progress, and closing the tab while files are
 * sending asks first (the browser's own prompt).
 */
export function UploadPanel() {
  const { snapshot } = useUploadEngine();
  const { pathname } = useLocation();
  // Until the user opens or hides it, the list shows on a wide screen; on a phone the panel is
  // one line (it must not cover the page).
  const [chosen, setChosen] = useState<boolean>();
  const panel = useRef<HTMLElement>(null);
  // The panel floats over the page's end. Its height, as --upload-panel-height, sizes a spacer
  // (everything can scroll clear of it) and the page's scroll-padding (what gets focus or is
  // scrolled to lands above it, not under it).
  useEffect(() => {
    const element = panel.current;
    if (!element) return;
    const root = document.documentElement.style;
    const observer = new ResizeObserver(() => root.setProperty('--upload-panel-height', `${element.offsetHeight}px`));
    observer.observe(element);
    return () => {
      observer.disconnect();
      root.removeProperty('--upload-panel-height');
    };
  });
  const summary = summarize(snapshot);
  const sending = summary.sending > 0;
  const open = chosen ?? !window.matchMedia(NARROW).matches;

  useEffect(() => {
    setUploadTitle(sending ? `${summary.percent}% uploading · ` : '');
  }, [sending, summary.percent]);
  useEffect(() => () => setUploadTitle(''), []);
  useEffect(() => {
    if (!sending) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [sending]);

  if (pathname === '/uploads' || snapshot.files.length === 0) return null;
  return (
    <>
      <div className="panel-spacer" />
      <aside className="upload-panel" aria-labelledby="upload-panel-title" ref={panel}>
        <div className="panel-head">
          <h2 id="upload-panel-title">
            Uploads{' '}
            <span className="panel-count">
              {sending ? `${summary.sending} sending · ${summary.percent}%` : `${summary.completed} done`}
            </span>
          </h2>
          <button
            type="button"
            className="secondary small"
            aria-expanded={open}
            aria-controls="upload-panel-body"
            onClick={() => setChosen(!open)}
          >
            {open ? 'Hide' : 'Show'}
          </button>
        </div>
        <div id="upload-panel-body" hidden={!open}>
          <OverallLine snapshot={snapshot} />
          <ul>
            {snapshot.files.map((file) => (
              <li key={file.id} data-status={file.status} data-acked={file.bytesAcked} aria-label={file.name}>
                <span className="name">{file.name}</span>
                <span className="status">{statusText(file)}</span>
                <progress max={100} value={file.percent} aria-label={`${file.name} progress`} />
                {file.status === 'completed' && (
                  <Link to="/files" aria-label={`Open ${file.name}`}>
                    Open
                  </Link>
                )}
              </li>
            ))}
          </ul>
          <Link to="/uploads">All uploads</Link>
        </div>
      </aside>
    </>
  );
}
