/** Transient messages: a refused wire at the cursor, other notices at the bottom, load errors on top. */
import { useEffect } from 'react';
import { useEditor } from './store';

export function NoticeToast() {
  const notice = useEditor((s) => s.notice);
  const clear = useEditor((s) => s.clearNotice);
  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(() => clear(notice.id), notice.kind === 'error' ? 4500 : 2500);
    return () => clearTimeout(t);
  }, [notice, clear]);
  if (!notice) return null;
  const style = notice.at ? { left: Math.min(notice.at.x + 14, window.innerWidth - 340), top: notice.at.y + 14 } : undefined;
  return (
    <div className={`ll-toast ${notice.kind}${notice.at ? ' at-cursor' : ''}`} style={style} role={notice.kind === 'error' ? 'alert' : 'status'} data-testid={notice.at ? 'cursor-message' : 'notice'}>
      {notice.text}
    </div>
  );
}

export function LoadErrorBanner() {
  const error = useEditor((s) => s.loadError);
  const setLoadError = useEditor((s) => s.setLoadError);
  if (!error) return null;
  return (
    <div className="ll-banner error" role="alert" data-testid="load-error">
      <span>{error} Your graph was not changed.</span>
      <button type="button" className="ll-icon" aria-label="Dismiss" onClick={() => setLoadError(null)}>
        ×
      </button>
    </div>
  );
}
