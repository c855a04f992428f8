/**
 * An accessible dialog: role=dialog, aria-modal, named by its heading. Opening it moves the focus
 * into it (its first control, else the close button); Tab and Shift Tab stay inside; Escape, the
 * close button or the backdrop close it, and the focus goes back to where it was. Keys pressed in
 * the dialog do not reach the editor's shortcuts (Delete in a dialog never deletes nodes).
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

const FOCUSABLE = 'a[href], input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), button:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** The dialog's focusable elements that are shown, in Tab order. */
export function focusablesIn(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => !el.hidden && el.getClientRects().length > 0);
}

export function Modal(props: { title: string; onClose(): void; children: ReactNode; testid?: string; wide?: boolean }) {
  const titleId = useId();
  const dialog = useRef<HTMLDivElement>(null);
  const body = useRef<HTMLDivElement>(null);
  /** A body that scrolls is a Tab stop, so that it can be scrolled with the keyboard. */
  const [scrolls, setScrolls] = useState(false);
  useEffect(() => {
    const el = body.current;
    if (!el) return;
    const check = () => setScrolls(el.scrollHeight > el.clientHeight + 1);
    check();
    const resized = new ResizeObserver(check);
    resized.observe(el);
    const changed = new MutationObserver(check);
    changed.observe(el, { childList: true, subtree: true });
    return () => {
      resized.disconnect();
      changed.disconnect();
    };
  }, []);
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;

  // Focus in on open, back to the opener on close.
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
    const el = dialog.current;
    if (el) {
      const inBody = el.querySelector('.ll-modal-body');
      const first = (inBody instanceof HTMLElement ? focusablesIn(inBody)[0] : undefined) ?? focusablesIn(el)[0] ?? el;
      first.focus({ preventScroll: true });
    }
    return () => {
      if (opener?.isConnected) opener.focus({ preventScroll: true });
    };
  }, []);

  // Escape closes it even if the focus went elsewhere (e.g. the page after a click on a disabled control).
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key === 'Escape' && !dialog.current?.contains(e.target as Node)) onClose.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    e.stopPropagation();
    if (e.key === 'Escape') {
      e.preventDefault();
      onClose.current();
      return;
    }
    if (e.key !== 'Tab' || !dialog.current) return;
    const list = focusablesIn(dialog.current);
    if (!list.length) return e.preventDefault();
    const first = list[0]!;
    const last = list[list.length - 1]!;
    const active = document.activeElement;
    if (e.shiftKey && (active === first || !dialog.current.contains(active))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (active === last || !dialog.current.contains(active))) {
      e.preventDefault();
      first.focus();
    }
  };

  return (
    <div className="ll-modal-backdrop" onPointerDown={() => onClose.current()}>
      <div
        ref={dialog}
        className={`ll-modal${props.wide ? ' wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        data-testid={props.testid}
        onPointerDown={(e) => e.stopPropagation()}
        onKeyDown={onKeyDown}
      >
        <header>
          <h2 id={titleId}>{props.title}</h2>
          <button type="button" className="ll-icon" aria-label="Close" data-testid="modal-close" onClick={() => onClose.current()}>
            ×
          </button>
        </header>
        <div ref={body} className="ll-modal-body" tabIndex={scrolls ? 0 : undefined} role={scrolls ? 'region' : undefined} aria-label={scrolls ? props.title : undefined}>
          {props.children}
        </div>
      </div>
    </div>
  );
}
