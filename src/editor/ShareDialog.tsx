/** Shows a share link (a graph or a lesson, compressed into the URL's #hash) with a copy button. */
import { useState } from 'react';
import { Modal } from './Modal';

export interface ShareDialogProps {
  url: string;
  onClose(): void;
  /** Defaults: the graph's share link. */
  title?: string;
  text?: string;
  /** The link field's accessible name. */
  label?: string;
  /** Test ids: `${testid}`, `${prefix}-url`, `${prefix}-copy`. */
  testid?: string;
  prefix?: string;
}

export function ShareDialog({
  url,
  onClose,
  title = 'Share link',
  text = 'Anyone who opens this link gets this exact graph (it travels inside the link; nothing is uploaded).',
  label = 'Share link',
  testid = 'share-dialog',
  prefix = 'share',
}: ShareDialogProps) {
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  return (
    <Modal title={title} onClose={onClose} testid={testid}>
      <p>{text}</p>
      <input className="ll-text ll-share-url" readOnly aria-label={label} value={url} data-testid={`${prefix}-url`} onFocus={(e) => e.target.select()} />
      <p>
        <button
          type="button"
          data-testid={`${prefix}-copy`}
          onClick={() =>
            navigator.clipboard.writeText(url).then(
              () => setCopied('yes'),
              () => setCopied('failed'),
            )
          }
        >
          Copy link
        </button>{' '}
        <span className="ll-muted">{copied === 'yes' ? 'Copied.' : copied === 'failed' ? 'The clipboard is not available: select the link and copy it.' : `${url.length.toLocaleString('en-US')} characters`}</span>
      </p>
    </Modal>
  );
}
