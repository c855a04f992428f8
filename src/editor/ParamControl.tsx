/**
 * One control per parameter kind, generated from the node definition's param spec: numbers with
 * bounds, selects, checkboxes, [h, w] pairs and [h, w, c] shapes. Text fields commit on Enter or
 * blur (one undo step per edit); selects and checkboxes commit at once. Values are committed in
 * file form; an out-of-range value is still committed and shown as an error on the node, so
 * nothing the user types is silently lost.
 */
import { useEffect, useState, type KeyboardEvent } from 'react';
import { checkParam } from '../../nodes/params';
import type { ParamSpec } from '../../nodes/types';

export interface ParamControlProps {
  nodeId: string;
  name: string;
  spec: ParamSpec;
  /** The value in the file (undefined: the default applies). */
  value: unknown;
  onCommit(value: unknown): void;
  compact?: boolean;
  /**
   * Set when an instructor locked this param (learner mode): the reason. The control is then
   * read-only, says why in its title, and any try to change it calls onLocked instead.
   */
  locked?: string;
  onLocked?(): void;
}

/** Keys that would change a read-only field's text (Tab, Enter, Escape and moving the caret do not). */
const isEditKey = (key: string) => key.length === 1 || ['Backspace', 'Delete', 'ArrowUp', 'ArrowDown', 'PageUp', 'PageDown'].includes(key);

/** What a locked text field has on top: read-only, the reason as its title (greyed by .ll-locked, editor.css). */
const lockProps = (locked: string | undefined, onLocked: (() => void) | undefined) =>
  locked
    ? {
        readOnly: true,
        'aria-readonly': true,
        title: locked,
        onKeyDownCapture: (e: KeyboardEvent<HTMLInputElement>) => {
          if (isEditKey(e.key) && !e.ctrlKey && !e.metaKey) {
            e.preventDefault();
            onLocked?.();
          }
        },
      }
    : {};

const testId = (nodeId: string, name: string, part?: string) => `param-${nodeId}-${name}${part ? `-${part}` : ''}`;

/** A number field that keeps its own text while typing and commits on Enter / blur. */
function NumberField(props: {
  value: number | null;
  min?: number;
  max?: number;
  step?: number | 'any';
  placeholder?: string;
  allowEmpty?: boolean;
  label: string;
  testid: string;
  onCommit(v: number | null): void;
  locked?: string;
  onLocked?(): void;
}) {
  const shown = props.value === null ? '' : String(props.value);
  const [text, setText] = useState(shown);
  useEffect(() => setText(shown), [shown]);
  const commit = () => {
    const t = text.trim();
    if (t === '' && props.allowEmpty) {
      if (props.value !== null) props.onCommit(null);
      return;
    }
    const v = Number(t);
    if (t === '' || !Number.isFinite(v)) {
      setText(shown);
      return;
    }
    if (v !== props.value) props.onCommit(v);
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      commit();
      (e.target as HTMLInputElement).blur();
    } else if (e.key === 'Escape') {
      setText(shown);
      (e.target as HTMLInputElement).blur();
    }
  };
  return (
    <input
      type="number"
      className={props.locked ? 'll-num ll-locked' : 'll-num'}
      aria-label={props.label}
      data-testid={props.testid}
      value={text}
      min={props.min}
      max={props.max}
      step={props.step ?? 1}
      placeholder={props.placeholder}
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={onKey}
      {...lockProps(props.locked, props.onLocked)}
    />
  );
}

function PaddingField(props: { value: unknown; label: string; testid: string; onCommit(v: unknown): void; locked?: string; onLocked?(): void }) {
  const shown = JSON.stringify(props.value);
  const [text, setText] = useState(shown);
  useEffect(() => setText(shown), [shown]);
  const commit = () => {
    try {
      const v = JSON.parse(text);
      if (JSON.stringify(v) !== shown) props.onCommit(v);
    } catch {
      setText(shown);
    }
  };
  return (
    <input
      type="text"
      className={props.locked ? 'll-text ll-locked' : 'll-text'}
      aria-label={props.label}
      data-testid={props.testid}
      value={text}
      title="n, [h, w] or [[top, bottom], [left, right]]"
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
      {...lockProps(props.locked, props.onLocked)}
    />
  );
}

export function ParamControl({ nodeId, name, spec, value, onCommit: commitValue, locked, onLocked }: ParamControlProps) {
  const raw = value === undefined ? spec.default : value;
  const check = checkParam(spec, raw, name);
  const label = `${nodeId} ${name}`;
  // A locked param is never committed from here (the store would refuse it too): the try is told.
  const onCommit = (v: unknown) => (locked ? onLocked?.() : commitValue(v));
  const lock = { locked, onLocked };
  const lockedChoice = locked ? { 'aria-disabled': true, title: locked, className: 'll-locked' } : {};
  switch (spec.kind) {
    case 'int':
    case 'float':
      return (
        <NumberField
          value={typeof raw === 'number' ? raw : null}
          min={spec.min}
          max={spec.max}
          step={spec.kind === 'int' ? 1 : 'any'}
          label={label}
          testid={testId(nodeId, name)}
          onCommit={(v) => onCommit(v)}
          {...lock}
        />
      );
    case 'bool':
      return (
        <input
          type="checkbox"
          aria-label={label}
          data-testid={testId(nodeId, name)}
          checked={raw === true}
          onChange={(e) => onCommit(e.target.checked)}
          {...lockedChoice}
        />
      );
    case 'enum':
      return (
        <select aria-label={label} data-testid={testId(nodeId, name)} value={String(raw)} onChange={(e) => onCommit(e.target.value)} {...lockedChoice}>
          {!spec.options.includes(raw as string) && <option value={String(raw)}>{String(raw)} (invalid)</option>}
          {spec.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
    case 'pair': {
      const pair = check.ok ? (check.value as [number, number] | null) : null;
      const [h, w] = pair ?? [null, null];
      const write = (nh: number | null, nw: number | null) => {
        if (nh === null && nw === null && spec.nullable) return onCommit(null);
        const a = nh ?? nw ?? 1;
        const b = nw ?? nh ?? 1;
        onCommit(a === b ? a : [a, b]);
      };
      const placeholder = spec.nullable ? 'auto' : undefined;
      // A square pair stays square while one side is edited; edit the other side afterwards to differ.
      const square = h === w;
      return (
        <span className="ll-pair">
          <NumberField value={h} min={spec.min} max={spec.max} label={`${label} height`} testid={testId(nodeId, name, 'h')} placeholder={placeholder} allowEmpty={spec.nullable} onCommit={(v) => write(v, square ? v : w)} {...lock} />
          <span className="ll-times">×</span>
          <NumberField value={w} min={spec.min} max={spec.max} label={`${label} width`} testid={testId(nodeId, name, 'w')} placeholder={placeholder} allowEmpty={spec.nullable} onCommit={(v) => write(square ? v : h, v)} {...lock} />
        </span>
      );
    }
    case 'shape': {
      const dims = check.ok ? (check.value as number[]) : [...spec.default];
      const parts = ['h', 'w', 'c'];
      return (
        <span className="ll-pair">
          {dims.map((d, i) => (
            <span key={i}>
              {i > 0 && <span className="ll-times">×</span>}
              <NumberField
                value={d}
                min={spec.min[i]}
                max={spec.max[i]}
                label={`${label} ${['height', 'width', 'channels'][i]}`}
                testid={testId(nodeId, name, parts[i])}
                onCommit={(v) => onCommit(dims.map((x, j) => (j === i ? v : x)))}
                {...lock}
              />
            </span>
          ))}
        </span>
      );
    }
    case 'padding2d':
      return <PaddingField value={raw} label={label} testid={testId(nodeId, name)} onCommit={onCommit} {...lock} />;
  }
}
