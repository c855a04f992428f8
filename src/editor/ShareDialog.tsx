/** Shows the share link (the whole graph, compressed into the URL's #hash) with a copy button. */
import { useState } from 'react';
import { Modal } from './Modal';

export function ShareDialog({ url, onClose }: { url: string; onClose(): void }) {
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  return (
    <Modal title="Share link" onClose={onClose} testid="share-dialog">
      <p>Anyone who opens this link gets this exact graph (it travels inside the link; nothing is uploaded).</p>
      <input className="ll-text ll-share-url" readOnly aria-label="Share link" value={url} data-testid="share-url" onFocus={(e) => e.target.select()} />
      <p>
        <button
          type="button"
          data-testid="share-copy"
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
