/**
 * Saving a file from the browser: an object URL behind a temporary <a download>, revoked once
 * the click has been handled. Browser only.
 */

/** Offers `blob` to the user as a download named `filename`. */
export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoking at once can cancel the download in some browsers (Safari, older Firefox).
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Offers `text` as a download (JSON by default). */
export function downloadText(text: string, filename: string, type = 'application/json'): void {
  downloadBlob(new Blob([text], { type: `${type};charset=utf-8` }), filename);
}

/** A safe file name from the graph name. */
export function fileBase(name: string): string {
  return name.trim().replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'graph';
}
