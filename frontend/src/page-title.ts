import { useEffect } from 'react';

let pageName = '';
let uploadPrefix = '';

function apply(): void {
  document.title = `${uploadPrefix}${pageName ? `${pageName} — ` : ''}lfusys`;
}

/** Names the page in the tab title ("Files — lfusys"). */
export function usePageTitle(name: string): void {
  useEffect(() => {
    pageName = name;
    apply();
  }, [name]);
}

/** Puts upload progress before the page name ("42% uploading · Files — lfusys"); '' removes it. */
export function setUploadTitle(prefix: string): void {
  uploadPrefix = prefix;
  apply();
}
