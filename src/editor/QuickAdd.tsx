/**
 * A small searchable menu at the cursor for adding a node: opened by double-clicking the canvas
 * or by dropping a wire on empty space (then it offers only the types that fit the wire).
 */
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { categoryColor } from '../../nodes/categories';
import { getNodeDef, NODE_DEFS } from '../../nodes/registry';

export interface QuickAddRequest {
  client: { x: number; y: number };
  area: [number, number];
  /** Offer only these types (undefined: all). */
  types?: string[];
  title: string;
  onPick(type: string): void;
}

export function QuickAdd({ request, onClose }: { request: QuickAddRequest; onClose(): void }) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const listId = useId();
  // The focus moves into the search field, and back where it was when the menu closes.
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
    input.current?.focus();
    return () => {
      if (opener?.isConnected) opener.focus({ preventScroll: true });
    };
  }, []);
  const items = useMemo(() => {
    const q = query.trim().toLowerCase();
    const defs = request.types ? request.types.map((t) => getNodeDef(t)!).filter(Boolean) : NODE_DEFS.filter((d) => d.role !== 'input');
    return defs.filter((d) => !q || d.title.toLowerCase().includes(q) || d.type.toLowerCase().includes(q));
  }, [query, request.types]);
  const pick = (type: string) => {
    request.onPick(type);
    onClose();
  };
  return (
    <div className="ll-quickadd-backdrop" onPointerDown={onClose}>
      <div
        className="ll-quickadd"
        role="dialog"
        aria-modal="true"
        aria-label={request.title}
        data-testid="quick-add"
        style={{ left: Math.min(request.client.x, window.innerWidth - 260), top: Math.min(request.client.y, window.innerHeight - 320) }}
        onPointerDown={(e) => e.stopPropagation()}
      >
        <div className="ll-quickadd-title">{request.title}</div>
        <input
          ref={input}
          className="ll-search"
          placeholder="Type to filter…"
          aria-label="Filter node types"
          role="combobox"
          aria-expanded="true"
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={items[active] ? `${listId}-${items[active]!.type}` : undefined}
          data-testid="quick-add-search"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') setActive((a) => Math.min(a + 1, items.length - 1));
            else if (e.key === 'ArrowUp') setActive((a) => Math.max(a - 1, 0));
            else if (e.key === 'Enter' && items[active]) pick(items[active]!.type);
            else if (e.key === 'Escape') onClose();
            else if (e.key === 'Tab') e.preventDefault(); // a modal menu: the focus stays in it (arrows walk the list)
            e.stopPropagation();
          }}
        />
        <ul role="listbox" id={listId} aria-label="Layers">
          {items.length === 0 && (
            <li className="ll-muted" role="presentation">
              Nothing fits here.
            </li>
          )}
          {items.map((d, i) => (
            <li
              key={d.type}
              role="option"
              id={`${listId}-${d.type}`}
              aria-selected={i === active}
              data-testid={`quick-add-item-${d.type}`}
              title={d.summary}
              style={{ ['--node-color' as string]: categoryColor(d.category) }}
              onMouseEnter={() => setActive(i)}
              onClick={() => pick(d.type)}
            >
              {d.title}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
