/**
 * The search field of Rete's context menu. The plugin turns the text into a RegExp as it is;
 * this field escapes it first, so typing "(" or "[" filters instead of throwing.
 */
import { useState, type HTMLProps } from 'react';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function ContextMenuSearch(props: HTMLProps<HTMLInputElement>) {
  const [text, setText] = useState('');
  return (
    <input
      className="ll-search ll-context-search"
      placeholder="Search layers…"
      aria-label="Search layers"
      data-testid="context-menu-search-input"
      autoFocus
      value={text}
      onPointerDown={props.onPointerDown}
      onChange={(e) => {
        setText(e.target.value);
        props.onInput?.({ target: { value: escapeRegExp(e.target.value) } } as never);
      }}
    />
  );
}
