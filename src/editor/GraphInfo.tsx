/**
 * The graph's name and description (the inspector with nothing selected). Their limits are the
 * parser's (LIMITS.maxNameLength, LIMITS.maxDescriptionLength): the fields cannot take more, a
 * counter shows how much is left near the limit, and a longer text (pasted past the browser's
 * limit, say) is refused with a message, so the editor never writes a file the parser refuses.
 */
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { LIMITS } from '../graph/limits';
import { setGraphInfoAction } from './actions';
import { useEditor } from './store';

export const GRAPH_TEXT_FIELDS = {
  name: { label: 'Graph name', max: LIMITS.maxNameLength, testid: 'graph-name' },
  description: { label: 'Description', max: LIMITS.maxDescriptionLength, testid: 'graph-description' },
} as const;

/** "12 / 200"; shown once a text is past 80% of its limit. */
function Counter({ length, max, testid }: { length: number; max: number; testid: string }) {
  if (length < max * 0.8) return null;
  return (
    <small className={length >= max ? 'll-error' : 'll-muted'} data-testid={`${testid}-count`} aria-live="polite">
      {length.toLocaleString('en-US')} / {max.toLocaleString('en-US')} characters{length >= max ? ' (the most a graph file may hold)' : ''}
    </small>
  );
}

function useTextField(key: 'name' | 'description', value: string, label: string) {
  const { max } = GRAPH_TEXT_FIELDS[key];
  const [text, setText] = useState(value);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setText(value), [value]);
  const commit = () => {
    if (text.length > max) {
      setError(`The ${label.toLowerCase()} may be at most ${max.toLocaleString('en-US')} characters; it has ${text.length.toLocaleString('en-US')}. The old one is kept.`);
      setText(value);
      return;
    }
    setError(null);
    setGraphInfoAction({ [key]: text });
  };
  return { text, setText, error, commit, max };
}

export function GraphInfo() {
  const { name, description, inBlock } = useEditor(useShallow((s) => ({ name: s.doc.name, description: s.doc.description, inBlock: !!s.scope })));
  // While a block is open the canvas document is the block's view: these fields edit the block's name and description.
  const nameLabel = inBlock ? 'Block name' : GRAPH_TEXT_FIELDS.name.label;
  const n = useTextField('name', name, nameLabel);
  const d = useTextField('description', description, GRAPH_TEXT_FIELDS.description.label);
  return (
    <div className="ll-inspector-body" data-testid="graph-info">
      <label className="ll-field">
        <span>{nameLabel}</span>
        <input className="ll-text" data-testid="graph-name" value={n.text} maxLength={n.max} onChange={(e) => n.setText(e.target.value)} onBlur={n.commit} />
      </label>
      <Counter length={n.text.length} max={n.max} testid="graph-name" />
      {n.error && (
        <p className="ll-error" role="alert" data-testid="graph-name-error">
          {n.error}
        </p>
      )}
      <label className="ll-field">
        <span>{GRAPH_TEXT_FIELDS.description.label}</span>
        <textarea className="ll-text" rows={6} data-testid="graph-description" value={d.text} maxLength={d.max} onChange={(e) => d.setText(e.target.value)} onBlur={d.commit} />
      </label>
      <Counter length={d.text.length} max={d.max} testid="graph-description" />
      {d.error && (
        <p className="ll-error" role="alert" data-testid="graph-description-error">
          {d.error}
        </p>
      )}
      <p className="ll-muted">Select a node to see its parameters, shapes and what it does.</p>
    </div>
  );
}
