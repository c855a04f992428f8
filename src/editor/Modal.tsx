/** A simple accessible dialog: Escape or the backdrop closes it. */
import { useEffect, type ReactNode } from 'react';

export function Modal(props: { title: string; onClose(): void; children: ReactNode; testid?: string; wide?: boolean }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && props.onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [props]);
  return (
    <div className="ll-modal-backdrop" onPointerDown={props.onClose}>
      <div className={`ll-modal${props.wide ? ' wide' : ''}`} role="dialog" aria-modal="true" aria-label={props.title} data-testid={props.testid} onPointerDown={(e) => e.stopPropagation()}>
        <header>
          <h2>{props.title}</h2>
          <button type="button" className="ll-icon" aria-label="Close" data-testid="modal-close" onClick={props.onClose}>
            ×
          </button>
        </header>
        <div className="ll-modal-body">{props.children}</div>
      </div>
    </div>
  );
}
